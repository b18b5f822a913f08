"""Functions on tensors for building networks, like ``torch.nn.functional`` (``import course_lib.nn.functional
as F``). Taught in notebooks/02_autograd.ipynb (``softmax``, ``log_softmax``) and chapter 03
(notebooks/03_neural_networks.ipynb).

Each family is a file of this package: ``activation`` (``relu``, ``gelu``, ``softmax``...), ``conv`` (``conv2d``,
``pad``, ``unfold``), ``dropout``, ``linear``, ``loss`` (``cross_entropy``, ``mse_loss``...), ``normalization``
(``layer_norm``, ``batch_norm``), ``pooling`` (``max_pool2d``...), ``sparse`` (``embedding``, ``one_hot``). A
function with its own backward is declared with ``@differentiable`` and its rule sits right below it.

Second derivatives (``autograd.grad(..., create_graph=True)``, as a gradient penalty needs): ``linear``,
``cross_entropy``, ``relu``, ``sigmoid``, ``tanh``, ``gelu``, ``softmax``, ``layer_norm`` and ``batch_norm``
are held against torch by ``tests/nn/test_double_backward.py``. Where torch gives zeros to an input reached
only through ``relu``'s mask, course_lib gives no gradient (None); ``leaky_relu``'s double backward reaches
only the incoming gradient (see ``activation.py``).
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
