"""Neural networks, like ``torch.nn`` (chapter 03, notebooks/03_neural_networks.ipynb).

``Module`` and ``Parameter``, the layers (``nn/modules/``, one family a file), ``functional`` (``F``),
``init``, ``utils``, and ``parallel`` (DistributedDataParallel, chapter 06).
"""

from . import functional, init, parallel, utils
from .modules import *  # noqa: F401,F403  (every layer, as torch.nn has them)
from .modules import __all__ as _modules
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", "parallel", "utils", *_modules]
