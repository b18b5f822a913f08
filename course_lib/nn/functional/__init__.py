"""Functions on tensors for building networks, like ``torch.nn.functional`` (``import course_lib.nn.functional
as F``).

Each family is a file of this package: ``activation`` (``relu``, ``softmax``...), ``linear``, ``loss``
(``cross_entropy``...). A function with its own backward is declared with ``@differentiable`` and its rule
sits right below it. Taught in notebooks/02_autograd.ipynb (``softmax``, ``log_softmax``) and chapter 03
(notebooks/03_neural_networks.ipynb).
"""

from ...ops.activation import log_softmax, softmax
from ...ops.unary import relu
from .conv import conv2d, pad, unfold
from .activation import gelu, leaky_relu, sigmoid, tanh
from .dropout import dropout
from .linear import linear
from .loss import cross_entropy, nll_loss
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d

__all__ = ["cross_entropy", "linear", "log_softmax", "nll_loss", "relu", "softmax"]
__all__ += ["adaptive_avg_pool2d", "avg_pool2d", "conv2d", "max_pool2d", "pad", "unfold"]
__all__ += ["dropout", "gelu", "leaky_relu", "sigmoid", "tanh"]
