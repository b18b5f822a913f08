"""Optimizers, like ``torch.optim`` (chapter 03, notebooks/03_neural_networks.ipynb): ``Optimizer``, ``SGD``,
``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` and ``Adadelta``, each matching torch's trajectory step for step;
``lr_scheduler`` (``StepLR``, ``CosineAnnealingLR``, ``ReduceLROnPlateau``...)."""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["lr_scheduler", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD"]
