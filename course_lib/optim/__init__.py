"""Optimizers, like ``torch.optim`` (chapter 03, notebooks/03_neural_networks.ipynb): ``Optimizer`` and
``SGD``; Adam, AdamW, RMSprop, Adadelta and ``lr_scheduler`` follow."""

from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]
