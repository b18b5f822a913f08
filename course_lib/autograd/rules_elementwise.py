"""Backward rules of elementwise operations, each next to its forward.

Taught in notebooks/02_autograd.ipynb, sections "Un-broadcasting" and "Backward of
elementwise operations". Every ``backward`` is written with Tensor operations so that
``create_graph=True`` can differentiate it again. Names follow torch's ``grad_fn`` names.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import ops_elementwise as E
from .. import ops_unary as U
from ..creation import full_like, ones_like
from ..tensor import Tensor
from .function import Function, FunctionCtx


def sum_to_shape(grad: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``grad`` down to ``shape``: undo the broadcasting of an input of that shape.

    If an input of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass, each
    of its elements was used once per copy, so its gradient is the sum over the copies:
    over the leading dimensions broadcasting added, and over the dimensions where
    ``shape`` has size 1 but ``grad`` does not (keeping them, as size 1).

    Returns:
        ``grad`` itself when the shapes already match, else a new tensor of shape ``shape``.
    """
    # BEGIN EXERCISE 2.3
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = grad.dim() - len(shape)
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    dims = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad
    # END EXERCISE


def _shape_of(value: Any) -> Optional[tuple]:
    return tuple(value.shape) if isinstance(value, Tensor) else None


def _reduce_for(value: Any, ctx: FunctionCtx, index: int, grad: Optional[Tensor]) -> Optional[Tensor]:
    """``grad`` un-broadcast to input ``index``, or None when that input needs no gradient."""
    if grad is None or not ctx.needs_input_grad[index]:
        return None
    return sum_to_shape(grad, ctx.shapes[index])


def _remember_shapes(ctx: FunctionCtx, *values: Any) -> None:
    ctx.shapes = [_shape_of(v) for v in values]


class AddBackward0(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _remember_shapes(ctx, a, b)
        ctx.alpha = alpha
        return E.add(a, b, alpha=alpha)

    @staticmethod
    def backward(ctx, grad):
        other = grad if ctx.alpha == 1 else grad * ctx.alpha
        return _reduce_for(None, ctx, 0, grad), _reduce_for(None, ctx, 1, other)


class SubBackward0(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        _remember_shapes(ctx, a, b)
        ctx.alpha = alpha
        return E.sub(a, b, alpha=alpha)

    @staticmethod
    def backward(ctx, grad):
        return _reduce_for(None, ctx, 0, grad), _reduce_for(None, ctx, 1, -grad * ctx.alpha)


class MulBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        _remember_shapes(ctx, a, b)
        ctx.save_for_backward(a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None)
        ctx.numbers = (a, b)
        return E.mul(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d(a*b)/da = b and d(a*b)/db = a, each un-broadcast to its input's shape."""
        # BEGIN EXERCISE 2.4
        a, b = ctx.saved_tensors
        a = ctx.numbers[0] if a is None else a
        b = ctx.numbers[1] if b is None else b
        grad_a = sum_to_shape(grad * b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        grad_b = sum_to_shape(grad * a, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b
        # END EXERCISE


class DivBackward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        _remember_shapes(ctx, a, b)
        ctx.save_for_backward(a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None)
        ctx.numbers = (a, b)
        return E.div(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d(a/b)/da = 1/b and d(a/b)/db = -a/b², each un-broadcast to its input's shape."""
        # BEGIN EXERCISE 2.5
        a, b = ctx.saved_tensors
        a = ctx.numbers[0] if a is None else a
        b = ctx.numbers[1] if b is None else b
        grad_a = sum_to_shape(grad / b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        grad_b = sum_to_shape(-grad * a / (b * b), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b
        # END EXERCISE


class PowBackward0(Function):
    """``a ** exponent`` with a number exponent."""

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return E.pow(a, exponent)

    @staticmethod
    def backward(ctx, grad):
        """d(a**p)/da = p * a**(p-1); the exponent (a number) gets no gradient."""
        # BEGIN EXERCISE 2.6
        (a,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return grad * 0, None
        return grad * p * a ** (p - 1), None
        # END EXERCISE


class PowBackward1(Function):
    """``a ** b`` with a tensor exponent."""

    @staticmethod
    def forward(ctx, a, b):
        _remember_shapes(ctx, a, b)
        result = E.pow(a, b)
        ctx.save_for_backward(a if isinstance(a, Tensor) else None, b, result)
        ctx.base = a
        return result

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        a = ctx.base if a is None else a
        grad_a = _reduce_for(None, ctx, 0, grad * b * a ** (b - 1)) if isinstance(a, Tensor) else None
        # d(a**b)/db = a**b * log(a); torch defines it as 0 where a == 0 and b >= 0.
        log_a = U.log(a) if isinstance(a, Tensor) else U.log(full_like(result, a))
        local = E.where((result == 0) & (b >= 0), 0.0, result * log_a) if isinstance(a, Tensor) else result * log_a
        return grad_a, _reduce_for(None, ctx, 1, grad * local)


class NegBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        return U.neg(a)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class ExpBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.exp(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        """d(exp a)/da = exp a, which forward already computed (saved as the result)."""
        # BEGIN EXERCISE 2.7
        (result,) = ctx.saved_tensors
        return grad * result
        # END EXERCISE


class LogBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.log(a)

    @staticmethod
    def backward(ctx, grad):
        """d(log a)/da = 1/a."""
        # BEGIN EXERCISE 2.8
        (a,) = ctx.saved_tensors
        return grad / a
        # END EXERCISE


class SqrtBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.sqrt(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad / (2 * result)


class SigmoidBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.sigmoid(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result * (1 - result)


class TanhBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.tanh(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (1 - result * result)


class ReluBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.relu(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        # NOTE: the gradient at exactly 0 is 0, as in torch (relu is not differentiable there).
        (result,) = ctx.saved_tensors
        return grad * (result > 0)


class AbsBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * U.sign(a)


class ReciprocalBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.reciprocal(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return -grad * result * result


class _MaxMinBackward(Function):
    """``maximum``/``minimum``: the gradient goes to the chosen input; ties split it in half (torch)."""

    pick = staticmethod(E.maximum)
    wins = staticmethod(E.gt)

    @classmethod
    def forward(cls, ctx, a, b):
        _remember_shapes(ctx, a, b)
        ctx.save_for_backward(a, b)
        return cls.pick(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        share = E.where(a == b, 0.5, E.where(cls.wins(a, b), 1.0, 0.0)).to(grad.dtype)
        return _reduce_for(None, ctx, 0, grad * share), _reduce_for(None, ctx, 1, grad * (1 - share))


class MaximumBackward0(_MaxMinBackward):
    pick = staticmethod(E.maximum)
    wins = staticmethod(E.gt)


class MinimumBackward0(_MaxMinBackward):
    pick = staticmethod(E.minimum)
    wins = staticmethod(E.lt)


class ClampBackward1(Function):
    @staticmethod
    def forward(ctx, a, min=None, max=None):  # noqa: A002  (torch's argument names)
        ctx.save_for_backward(a)
        ctx.bounds = (min, max)
        return E.clamp(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        # The gradient passes where the input was inside [min, max] (bounds included, as torch).
        (a,) = ctx.saved_tensors
        low, high = ctx.bounds
        inside = ones_like(grad)
        if low is not None:
            inside = inside * (a >= low)
        if high is not None:
            inside = inside * (a <= high)
        return grad * inside


class WhereBackward0(Function):
    @staticmethod
    def forward(ctx, condition, a, b):
        _remember_shapes(ctx, condition, a, b)
        ctx.save_for_backward(condition)
        return E.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = grad * 0
        return (None, _reduce_for(None, ctx, 1, E.where(condition, grad, zero)),
                _reduce_for(None, ctx, 2, E.where(condition, zero, grad)))


class ToCopyBackward0(Function):
    """A dtype conversion: the gradient converts back to the input's dtype."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.dtype = a.dtype
        return a.to(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(ctx.dtype), None


class CloneBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        return a.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad
