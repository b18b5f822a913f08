"""Functions on tensors for building networks, like ``torch.nn.functional`` (``import course_lib.nn.functional
as F``).

Each family is a file of this package: ``activation`` (``relu``, ``softmax``...), ``linear``, ``loss``
(``cross_entropy``...), ``normalization`` (``layer_norm``, ``batch_norm``), ``sparse`` (``one_hot``,
``embedding``). A function with its own backward is declared with ``@differentiable`` and its rule
sits right below it. Taught in notebooks/02_autograd.ipynb (``softmax``, ``log_softmax``) and chapter 03
(notebooks/03_neural_networks.ipynb).
"""

from ...ops.activation import log_softmax, softmax
from ...ops.unary import relu
from .linear import linear
from .loss import cross_entropy, nll_loss
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, l1_loss, mse_loss,
                   smooth_l1_loss)
from .normalization import batch_norm, layer_norm
from .sparse import embedding, one_hot

__all__ = ["cross_entropy", "linear", "log_softmax", "nll_loss", "relu", "softmax"]
__all__ += ["batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "embedding", "huber_loss",
            "l1_loss", "layer_norm", "mse_loss", "one_hot", "smooth_l1_loss"]
