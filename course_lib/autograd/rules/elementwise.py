"""Backward rules of binary elementwise operations, each next to its forward.

Taught in notebooks/02_autograd.ipynb, section "Backward of elementwise operations". Every
``backward`` is the chain rule and nothing else: it returns the gradient of each operand for
the broadcast shape of the output, and the engine sums it down to the operand's own shape
(``engine.sum_to_shape``), as torch's engine does. Every ``backward`` is written with Tensor
operations so that ``create_graph=True`` can differentiate it again. Names follow torch's
``grad_fn`` names.
"""

from __future__ import annotations

import math
from typing import Any, Tuple

from ...ops import elementwise as E
from ...ops import unary as U
from ...ops.creation import ones_like
from ...dtypes import bool as bool_
from ..._tensor import Tensor
from ..function import Function, FunctionCtx, backward_of


def saved_operands(ctx: FunctionCtx) -> Tuple[Any, Any]:
    """The two operands of a binary op, as its forward saved them: a Tensor or a Python number each.

    Tensors come from ``ctx.saved_tensors`` (so an in-place change since forward is caught);
    numbers were kept as ``ctx.numbers``.
    """
    a, b = ctx.saved_tensors
    return (ctx.numbers[0] if a is None else a), (ctx.numbers[1] if b is None else b)


def save_operands(ctx: FunctionCtx, a: Any, b: Any) -> None:
    """Keep both operands for backward (see :func:`saved_operands`)."""
    ctx.save_for_backward(a if isinstance(a, Tensor) else None, b if isinstance(b, Tensor) else None)
    ctx.numbers = (a, b)


@backward_of("add")
class AddBackward0(Function):
    edge_args = (0, 1)  # both operands, even a number (torch's next_functions for x + 2)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return E.add(a, b, alpha=alpha)

    @staticmethod
    def backward(ctx, grad):
        other = grad if ctx.alpha == 1 else grad * ctx.alpha
        return grad, other


@backward_of("sub")
class SubBackward0(Function):
    edge_args = (0, 1)  # both operands, even a number (torch's next_functions for x + 2)

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return E.sub(a, b, alpha=alpha)

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad * ctx.alpha


@backward_of("mul")
class MulBackward0(Function):
    edge_args = (0, 1)  # both operands, even a number (torch's next_functions for x + 2)

    @staticmethod
    def forward(ctx, a, b):
        save_operands(ctx, a, b)
        return E.mul(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d(a*b)/da = b and d(a*b)/db = a (the engine sums each to its input's shape)."""
        # BEGIN EXERCISE 2.4
        a, b = saved_operands(ctx)
        return grad * b, grad * a
        # END EXERCISE


class DivBackward0(Function):
    edge_args = (0, 1)  # both operands, even a number (torch's next_functions for x + 2)

    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        save_operands(ctx, a, b)
        return E.div(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d(a/b)/da = 1/b and d(a/b)/db = -a/b² (the engine sums each to its input's shape)."""
        # BEGIN EXERCISE 2.5
        a, b = saved_operands(ctx)
        return grad / b, -grad * a / (b * b)
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
        result = E.pow(a, b)
        ctx.save_for_backward(a if isinstance(a, Tensor) else None, b, result)
        ctx.base = a
        return result

    @staticmethod
    def backward(ctx, grad):
        a, b, result = ctx.saved_tensors
        a = ctx.base if a is None else a
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            # d(a**b)/da = b * a**(b-1); torch defines it as 0 where b == 0 (even at a == 0).
            grad_a = E.where(b == 0, 0.0, grad * b * a ** (b - 1))
        if ctx.needs_input_grad[1]:
            # d(a**b)/db = a**b * log(a); torch defines it as 0 where a == 0 and b >= 0.
            if isinstance(a, Tensor):
                local = E.where((a == 0) & (b >= 0), 0.0, result * U.log(a))
            elif a == 0:
                local = E.where(b >= 0, 0.0, result * -math.inf)
            else:
                local = result * (math.log(a) if a > 0 else math.nan)
            grad_b = grad * local
        return grad_a, grad_b


class PowBackward2(PowBackward1):
    """``number ** b`` (torch's name when the base is a number)."""


class RsubBackward1(Function):
    """``number - a`` (``2 - x``): torch records the tensor operand only."""

    @staticmethod
    def forward(ctx, a, number):
        return E.sub(number, a)

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class _MaxMinBackward(Function):
    """``maximum``/``minimum``: the gradient goes to the chosen input; ties split it in half (torch)."""

    pick = staticmethod(E.maximum)
    wins = staticmethod(E.gt)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.pick(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        share = E.where(a == b, 0.5, E.where(cls.wins(a, b), 1.0, 0.0)).to(grad.dtype)
        return grad * share, grad * (1 - share)


@backward_of("maximum")
class MaximumBackward0(_MaxMinBackward):
    pick = staticmethod(E.maximum)
    wins = staticmethod(E.gt)


@backward_of("minimum")
class MinimumBackward0(_MaxMinBackward):
    pick = staticmethod(E.minimum)
    wins = staticmethod(E.lt)


class ClampBackward1(Function):
    """``clamp(a, min, max)`` with number bounds (either may be None)."""

    @staticmethod
    def forward(ctx, a, min=None, max=None):  # noqa: A002  (torch's argument names)
        ctx.save_for_backward(a)
        ctx.bounds = (min, max)
        return E.clamp(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: the gradient passes strictly inside (min, max); at a bound it is 0 (torch 2.x).
        (a,) = ctx.saved_tensors
        low, high = ctx.bounds
        inside = ones_like(grad, dtype=bool_)
        if low is not None:
            inside = inside & (a > low)
        if high is not None:
            inside = inside & (a < high)
        return E.where(inside, grad, 0.0)


class ClampMinBackward0(ClampBackward1):
    """``clamp_min(a, min)``."""

    @staticmethod
    def forward(ctx, a, min):  # noqa: A002
        return ClampBackward1.forward(ctx, a, min, None)


class ClampMaxBackward0(ClampBackward1):
    """``clamp_max(a, max)``."""

    @staticmethod
    def forward(ctx, a, max):  # noqa: A002
        return ClampBackward1.forward(ctx, a, None, max)


def clamp_with_tensor_bounds(a: Any, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """``clamp`` with tensor bounds, composed as ``minimum(maximum(a, min), max)``: a tie
    with a bound shares the gradient, as torch's ClampBackward0 does (no rule of its own)."""
    if min is not None:
        a = E.maximum(a, min)
    if max is not None:
        a = E.minimum(a, max)
    return a


class WhereBackward0(Function):
    edge_args = (1, 2)  # the two value operands (a number too); never the condition

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)
        return E.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        (condition,) = ctx.saved_tensors
        zero = grad * 0
        return None, E.where(condition, grad, zero), E.where(condition, zero, grad)


@backward_of("atan2")
class Atan2Backward0(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return E.atan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        """d atan2(a, b) = (b da - a db) / (a² + b²)."""
        a, b = ctx.saved_tensors
        scale = grad / (a * a + b * b)
        return scale * b, -scale * a


