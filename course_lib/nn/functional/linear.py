"""``F.linear``: ``y = x W^T + b``, one node of the graph with its own backward.

One node instead of three (``t``, ``matmul``, ``add``) saves a training step the framework time of two
nodes, and its backward computes only the gradients that are needed: a frozen weight costs no
``grad @ input`` product, an input that needs no gradient (the data) no ``grad @ weight``.
"""

from __future__ import annotations

from typing import Optional

from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...autograd.grad_mode import is_grad_enabled
from ...ops.common import backend_for
from ...ops.dispatch import differentiable


@differentiable("linear", method=False, export=False)
def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight.T + bias``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)`` (or ``(in_features,)``: a dot product per row).
        bias: ``(out_features,)``, or None.

    Returns:
        ``(*, out_features)``, a new tensor.

    Raises:
        RuntimeError: torch's "mat1 and mat2 shapes cannot be multiplied (AxB and CxD)" when the last
            dimension of ``input`` is not ``in_features``.
    """
    shape, weight_shape = input._shape, weight._shape
    if len(weight_shape) == 2 and shape and shape[-1] != weight_shape[1]:
        rows = input.numel() // shape[-1] if shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{shape[-1]} and "
                           f"{weight_shape[1]}x{weight_shape[0]})")
    device = input.device
    if (len(weight_shape) == 2 and len(shape) >= 2 and input.dtype is weight.dtype
            and (weight.device is device or weight.device == device)
            and (bias is None or (bias.dtype is input.dtype and bias._shape == weight_shape[:1]
                                  and (bias.device is device or bias.device == device)))):
        return backend_for(device).linear(input, weight, bias)  # the common case, in one primitive
    out = input.matmul(weight.t())
    if bias is not None:
        out = out + bias if out.dtype != bias.dtype or out.dim() == 0 else out.add_(bias)
    return out


@backward_of("linear")
class AddmmBackward0(Function):
    """Named like torch's node for a 2-d input with a bias (its other cases have other names)."""

    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight)
        ctx.has_bias = bias is not None
        return linear.plain(input, weight, bias)  # (grad mode is off in forward: the plain kernel itself)

    @staticmethod
    def backward(ctx, grad):
        input, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        if len(weight._shape) == 2 and len(input._shape) == 2 and grad.dtype is input.dtype and not is_grad_enabled():
            return _backward_2d(grad, input, weight, needs, ctx.has_bias)
        grad_input = grad_weight = grad_bias = None
        if needs[0]:
            grad_input = grad.matmul(weight) if weight.dim() == 2 else grad.unsqueeze(-1) * weight
        if weight.dim() == 2:
            rows = grad.reshape(-1, grad.shape[-1]) if grad.dim() != 2 else grad  # (N, out)
            if len(needs) > 1 and needs[1]:
                flat_input = input.reshape(-1, input.shape[-1]) if input.dim() != 2 else input
                grad_weight = rows.t().matmul(flat_input)
            if ctx.has_bias and len(needs) > 2 and needs[2]:
                grad_bias = rows.sum(0)
        else:  # a 1-d weight: out = input @ weight, one number per row
            if len(needs) > 1 and needs[1]:
                grad_weight = (grad.unsqueeze(-1) * input).reshape(-1, input.shape[-1]).sum(0)
            if ctx.has_bias and len(needs) > 2 and needs[2]:
                grad_bias = grad.sum()
        return grad_input, grad_weight, grad_bias


def _backward_2d(grad: Tensor, input: Tensor, weight: Tensor, needs: tuple, has_bias: bool) -> tuple:
    """The same gradients for a 2-d ``input``, straight from the backend's primitives: a backward that is
    not itself recorded (no ``create_graph``) needs none of the Tensor layer's bookkeeping."""
    backend = backend_for(grad.device)
    grad_input = backend.matmul(grad, weight) if needs[0] else None  # (N, out) @ (out, in)
    grad_weight = backend.matmul(grad.t(), input) if len(needs) > 1 and needs[1] else None  # (out, N) @ (N, in)
    grad_bias = backend.reduce("sum", grad, (0,), False) if has_bias and len(needs) > 2 and needs[2] else None
    return grad_input, grad_weight, grad_bias
