"""Neural networks, like ``torch.nn`` (chapter 03, notebooks/03_neural_networks.ipynb).

Today it holds ``functional`` (``softmax``, ``log_softmax``); chapter 03 adds ``Module``,
``Parameter``, ``init``, the layers and the losses.
"""

from . import functional

__all__ = ["functional"]
