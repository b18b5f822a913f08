"""Backward rules of unary math functions (``exp``, ``log``, ``sigmoid``, ``relu``...), each next to its forward.

Taught in notebooks/02_autograd.ipynb, section "Backward of elementwise operations". Every
``backward`` is written with Tensor operations so that ``create_graph=True`` can
differentiate it again. Names follow torch's ``grad_fn`` names.
"""

from __future__ import annotations

import math
from typing import Any

from ...ops import unary as U
from ...ops.creation import zeros_like
from ..function import Function


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


class SinBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.sin(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * a.cos()


class CosBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.cos(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * a.sin()


class TanBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.tan(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (1 + result * result)


class Log1PBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.log1p(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 + a)


class Log2Backward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.log2(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2.0))


class Log10Backward0(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.log10(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(10.0))


class Expm1Backward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.expm1(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * (result + 1)


class Exp2Backward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.exp2(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        return grad * result * math.log(2.0)


class RsqrtBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        result = U.rsqrt(a)
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        """d(a ** -0.5)/da = -0.5 * a ** -1.5 = -0.5 * rsqrt(a) ** 3."""
        (result,) = ctx.saved_tensors
        return -0.5 * grad * result * result * result


class SquareBackward(Function):
    """``square(a)``; torch records it as ``a ** 2``, hence the node's name."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return U.square(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 2 * a


SquareBackward.__name__ = "PowBackward0"


def _zero_gradient(name: str, op: Any) -> type:
    """A Function for a piecewise-constant op (floor, sign...): its gradient is 0 everywhere (as torch)."""

    def forward(ctx, a):
        return op(a)

    def backward(ctx, grad):
        return zeros_like(grad)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "__doc__": f"Backward of ``{op.__name__}``: zero (the op is piecewise constant)."})


FloorBackward0 = _zero_gradient("FloorBackward0", U.floor)


CeilBackward0 = _zero_gradient("CeilBackward0", U.ceil)


RoundBackward0 = _zero_gradient("RoundBackward0", U.round)


TruncBackward0 = _zero_gradient("TruncBackward0", U.trunc)


SignBackward0 = _zero_gradient("SignBackward0", U.sign)


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


class CloneBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        return a.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad
