"""Backward rules of matrix products.

Taught in notebooks/02_autograd.ipynb, section "Backward of matmul". For ``C = A @ B`` the
gradient of the loss with respect to ``A`` is ``dC @ B^T`` and with respect to ``B`` is
``A^T @ dC``: the shapes alone almost force the answer.
"""

from __future__ import annotations

from ...ops import linalg as L
from ..function import Function, backward_of
from ..engine import sum_to_shape


@backward_of("mm")
class MmBackward0(Function):
    """``mm(a, b)`` for matrices ``a (n, k)`` and ``b (k, m)``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return L.mm(a, b)

    @staticmethod
    def backward(ctx, grad):
        """``grad`` is ``(n, m)``; return the gradients of ``a (n, k)`` and ``b (k, m)``."""
        # BEGIN EXERCISE 2.9
        a, b = ctx.saved_tensors
        grad_a = grad.mm(b.t()) if ctx.needs_input_grad[0] else None
        grad_b = a.t().mm(grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b
        # END EXERCISE


@backward_of("dot")
class DotBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return L.dot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


@backward_of("mv")
class MvBackward0(Function):
    @staticmethod
    def forward(ctx, a, v):
        ctx.save_for_backward(a, v)
        return L.mv(a, v)

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        return grad.unsqueeze(1) * v.unsqueeze(0), a.t().mv(grad)


@backward_of("bmm")
class BmmBackward0(Function):
    """Batched, broadcast ``matmul`` of operands with at least one of them 3-d or more.

    1-d operands are promoted like matmul does (a row vector on the left, a column on the
    right), the batch dimensions broadcast; the gradients are summed back over the batch
    dimensions an operand was broadcast along.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return L.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        a2 = a.unsqueeze(0) if a.dim() == 1 else a
        b2 = b.unsqueeze(-1) if b.dim() == 1 else b
        g = grad
        if a.dim() == 1:
            g = g.unsqueeze(-2)
        if b.dim() == 1:
            g = g.unsqueeze(-1)
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = sum_to_shape(g.matmul(b2.transpose(-1, -2)), a2.shape).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            grad_b = sum_to_shape(a2.transpose(-1, -2).matmul(g), b2.shape).reshape(b.shape)
        return grad_a, grad_b


def matmul_function(a, b) -> type:
    """The Function torch would record for ``matmul(a, b)``, chosen by the operands' ranks."""
    if a.dim() == 1 and b.dim() == 1:
        return DotBackward0
    if a.dim() == 2 and b.dim() == 1:
        return MvBackward0
    if a.dim() == 2 and b.dim() == 2:
        return MmBackward0
    return BmmBackward0
