"""The layers of ``nn``, one family a file (``linear``, ``activation``, ``container``...)."""

from .activation import ReLU
from .activation import GELU, LeakyReLU, LogSoftmax, Sigmoid, Softmax, Tanh
from .dropout import Dropout
from .flatten import Unflatten
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, NLLLoss
from .module import Module
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = ["CrossEntropyLoss", "Flatten", "Identity", "Linear", "Module", "ModuleDict", "ModuleList", "NLLLoss",
           "ReLU", "Sequential"]
__all__ += ["AdaptiveAvgPool2d", "AvgPool2d", "Conv2d", "MaxPool2d"]
__all__ += ["Dropout", "GELU", "LeakyReLU", "LogSoftmax", "Sigmoid", "Softmax", "Tanh", "Unflatten"]
