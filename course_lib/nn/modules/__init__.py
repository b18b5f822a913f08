"""The layers of ``nn``, one family a file (``linear``, ``activation``, ``container``...)."""

from .activation import ReLU
from .container import ModuleDict, ModuleList, Sequential
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import CrossEntropyLoss, NLLLoss
from .loss import BCELoss, BCEWithLogitsLoss, HuberLoss, L1Loss, MSELoss, SmoothL1Loss
from .module import Module
from .batchnorm import BatchNorm1d, BatchNorm2d
from .normalization import LayerNorm
from .sparse import Embedding

__all__ = ["CrossEntropyLoss", "Flatten", "Identity", "Linear", "Module", "ModuleDict", "ModuleList", "NLLLoss",
           "ReLU", "Sequential"]
__all__ += ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Embedding", "HuberLoss", "L1Loss",
            "LayerNorm", "MSELoss", "SmoothL1Loss"]
