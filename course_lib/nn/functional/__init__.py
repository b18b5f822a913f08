"""Functions on tensors for building networks, like ``torch.nn.functional`` (``import course_lib.nn.functional
as F``).

Each family is a file of this package: ``activation`` (``relu``, ``softmax``...), ``linear``, ``loss``
(``cross_entropy``...), ``normalization`` (``layer_norm``, ``batch_norm``), ``sparse`` (``one_hot``,
``embedding``). A function with its own backward is declared with ``@differentiable`` and its rule
sits right below it. Taught in notebooks/02_autograd.ipynb (``softmax``, ``log_softmax``) and chapter 03
(notebooks/03_neural_networks.ipynb).
"""

from .activation import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .conv import conv2d, pad, unfold
from .dropout import dropout
from .linear import linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, l1_loss,
                   mse_loss, nll_loss, smooth_l1_loss)
from .normalization import batch_norm, layer_norm
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .sparse import embedding, one_hot

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "conv2d", "cross_entropy", "dropout", "embedding", "gelu", "huber_loss", "l1_loss", "layer_norm",
           "leaky_relu", "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "one_hot", "pad", "relu",
           "sigmoid", "smooth_l1_loss", "softmax", "tanh", "unfold"]
