"""Backward rules of unary math functions (``exp``, ``log``, ``sigmoid``, ``relu``...), each next to its forward.

``exp`` and ``log`` (exercises 2.7 and 2.8) are written out as full Functions; the other
look-alike rules, whose backward is one line, are made from a table by :func:`one_line_rule`.

Taught in notebooks/02_autograd.ipynb, section "Backward of elementwise operations". Every
``backward`` is written with Tensor operations so that ``create_graph=True`` can
differentiate it again. Names follow torch's ``grad_fn`` names.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

from ...ops import unary as U
from ...ops.common import backend_for
from ...ops.creation import zeros_like
from ..._tensor import Tensor
from ..function import Function, backward_of
from ..grad_mode import is_grad_enabled


@backward_of("exp")
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


@backward_of("log")
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


def one_line_rule(name: str, forward: Callable[[Tensor], Tensor], saves: Optional[str],
                  backward: Callable[[Tensor, Any], Tensor]) -> type:
    """A Function for a unary op whose backward is one line of calculus, registered as the
    autograd kernel of ``forward`` (:func:`~course_lib.autograd.function.backward_of`).

    Args:
        name: torch's ``grad_fn`` name (``"SqrtBackward0"``).
        forward: the operation (``ops.unary.sqrt``).
        saves: what backward needs: ``"input"``, ``"output"`` (cheaper when the derivative is
            written with the result, as for ``sqrt`` or ``tanh``) or None.
        backward: ``backward(grad, saved)`` -> the input's gradient (``saved`` is None when
            nothing is saved).
    """

    def forward_(ctx, a):
        result = forward(a)
        if saves is not None:
            ctx.save_for_backward(a if saves == "input" else result)
        return result

    def backward_(ctx, grad):
        (saved,) = ctx.saved_tensors if saves is not None else (None,)
        return backward(grad, saved)

    doc = f"Backward of ``{forward.__name__}`` (saves its {saves or 'nothing'})."
    rule = type(name, (Function,), {"forward": staticmethod(forward_), "backward": staticmethod(backward_),
                                    "__doc__": doc, "__module__": __name__})
    return backward_of(forward.__name__)(rule)


# The look-alike rules: (torch's name, forward, what backward needs, the derivative times grad).
NegBackward0 = one_line_rule("NegBackward0", U.neg, None, lambda grad, _: -grad)
SqrtBackward0 = one_line_rule("SqrtBackward0", U.sqrt, "output", lambda grad, result: grad / (2 * result))
SigmoidBackward0 = one_line_rule("SigmoidBackward0", U.sigmoid, "output",
                                 lambda grad, result: grad * result * (1 - result))
TanhBackward0 = one_line_rule("TanhBackward0", U.tanh, "output", lambda grad, result: grad * (1 - result * result))

AbsBackward0 = one_line_rule("AbsBackward0", U.abs, "input", lambda grad, a: grad * U.sign(a))
ReciprocalBackward0 = one_line_rule("ReciprocalBackward0", U.reciprocal, "output",
                                    lambda grad, result: -grad * result * result)
SinBackward0 = one_line_rule("SinBackward0", U.sin, "input", lambda grad, a: grad * a.cos())
CosBackward0 = one_line_rule("CosBackward0", U.cos, "input", lambda grad, a: -grad * a.sin())
TanBackward0 = one_line_rule("TanBackward0", U.tan, "output", lambda grad, result: grad * (1 + result * result))
Log1PBackward0 = one_line_rule("Log1PBackward0", U.log1p, "input", lambda grad, a: grad / (1 + a))
Log2Backward0 = one_line_rule("Log2Backward0", U.log2, "input", lambda grad, a: grad / (a * math.log(2.0)))
Log10Backward0 = one_line_rule("Log10Backward0", U.log10, "input", lambda grad, a: grad / (a * math.log(10.0)))
Expm1Backward0 = one_line_rule("Expm1Backward0", U.expm1, "output", lambda grad, result: grad * (result + 1))
Exp2Backward0 = one_line_rule("Exp2Backward0", U.exp2, "output", lambda grad, result: grad * result * math.log(2.0))
# d(a ** -0.5)/da = -0.5 * a ** -1.5 = -0.5 * rsqrt(a) ** 3
RsqrtBackward0 = one_line_rule("RsqrtBackward0", U.rsqrt, "output",
                               lambda grad, result: -0.5 * grad * result * result * result)
# torch records square(a) as a ** 2, hence the node's name.
SquareBackward = one_line_rule("PowBackward0", U.square, "input", lambda grad, a: grad * 2 * a)
# Piecewise-constant ops: the gradient is 0 everywhere (as torch).
FloorBackward0 = one_line_rule("FloorBackward0", U.floor, None, lambda grad, _: zeros_like(grad))
CeilBackward0 = one_line_rule("CeilBackward0", U.ceil, None, lambda grad, _: zeros_like(grad))
RoundBackward0 = one_line_rule("RoundBackward0", U.round, None, lambda grad, _: zeros_like(grad))
TruncBackward0 = one_line_rule("TruncBackward0", U.trunc, None, lambda grad, _: zeros_like(grad))
SignBackward0 = one_line_rule("SignBackward0", U.sign, None, lambda grad, _: zeros_like(grad))


@backward_of("relu")
class ReluBackward0(Function):
    """``grad`` where the output is positive, else 0.

    The gradient at exactly 0 is 0, as in torch (relu is not differentiable there); a NaN passes the
    gradient through, as torch's threshold_backward does (NaN <= 0 is false). A product with the mask,
    not ``where``: NumPy's where is ~8x slower than a multiplication at 64x256.
    """

    @staticmethod
    def forward(ctx, a):
        result = backend_for(a.device).map("relu", a)  # a requires grad: floating point, nothing to check
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad):
        (result,) = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: Tensor operations, differentiable again
            return grad * ~(result <= 0)
        return backend_for(grad.device).threshold_backward(grad, result, 0)  # every step of every MLP
