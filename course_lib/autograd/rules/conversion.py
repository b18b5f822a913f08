"""Backward rule of dtype and device conversions (`to`, `float`, `cpu`...): the gradient converted back."""

from __future__ import annotations

from ..function import Function


class ToCopyBackward0(Function):
    """A dtype or device conversion (``to``, ``float()``, ``cuda()``...): the gradient converts back."""

    edge_args = (0,)  # the tensor converted, not the copy

    @staticmethod
    def forward(ctx, a, converted):
        # ``to`` already made the copy (from whatever dtype/device arguments it got): record it.
        ctx.dtype, ctx.device = a.dtype, a.device
        return converted

    @staticmethod
    def backward(ctx, grad):
        return grad.to(device=ctx.device, dtype=ctx.dtype), None
