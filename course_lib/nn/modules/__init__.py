"""The layers of ``nn``, one family a file (``linear``, ``activation``, ``container``...)."""

from .activation import ReLU
from .activation import GELU, LeakyReLU, LogSoftmax, Sigmoid, Softmax, Tanh
from .dropout import Dropout
from .flatten import Unflatten
from .container import ModuleDict, ModuleList, Sequential
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, NLLLoss
from .module import Module

__all__ = ["CrossEntropyLoss", "Flatten", "Identity", "Linear", "Module", "ModuleDict", "ModuleList", "NLLLoss",
           "ReLU", "Sequential"]
__all__ += ["Dropout", "GELU", "LeakyReLU", "LogSoftmax", "Sigmoid", "Softmax", "Tanh", "Unflatten"]
