"""Backward rules of joining: `cat` and `stack` hand each input its slice of the gradient."""

from __future__ import annotations

from ...ops import join as J
from ..function import Function


class CatBackward0(Function):
    """``cat(tensors, dim)``: each input gets its slice of the gradient back."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] if t.dim() else 0 for t in tensors]
        return J.cat(list(tensors), dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(grad.narrow(ctx.dim, start, size))
            start += size
        return (None, *grads)


class StackBackward0(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return J.stack(list(tensors), dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *grad.unbind(ctx.dim))
