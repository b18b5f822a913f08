"""Functions on tensors for building networks, like ``torch.nn.functional``.

Taught in notebooks/02_autograd.ipynb (``softmax``, ``log_softmax``, which the tensor
layer already has); chapter 03 (notebooks/03_neural_networks.ipynb) adds the rest:
``relu``, ``linear``, ``cross_entropy``, ``nll_loss``, ``conv2d``...
"""

from ..ops.activation import log_softmax, softmax

__all__ = ["log_softmax", "softmax"]
