"""Backward rules of `softmax` and `log_softmax` (the ops of `ops/activation.py`).

Taught in notebooks/02_autograd.ipynb, section "3 · Build it".
"""

from __future__ import annotations

from ...ops import activation as A
from ..function import Function, backward_of


@backward_of("softmax")
class SoftmaxBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        result = A.softmax(a, dim, dtype)
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        # Jacobian of softmax: diag(s) - s s^T, applied to grad without forming it.
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(dim=ctx.dim, keepdim=True)), None


@backward_of("log_softmax")
class LogSoftmaxBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        result = A.log_softmax(a, dim, dtype)
        ctx.dim = dim
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (log_s,) = ctx.saved_tensors
        return grad - log_s.exp() * grad.sum(dim=ctx.dim, keepdim=True), None
