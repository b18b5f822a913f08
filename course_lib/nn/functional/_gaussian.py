"""The standard normal CDF ``Phi(x)``, which exact ``gelu`` needs, from the operations course_lib has.

The backends have no ``erf``, so ``Phi`` is computed from ``erfc`` on ``z >= 0`` written as
``erfc(z) = t * exp(-z*z + f(t))`` with ``t = 2 / (2 + z)``: ``f`` is smooth on ``t`` in ``(0, 1]`` (the
Gaussian tail's ``exp(-z*z)`` is taken out), so a short Chebyshev series in ``4t - 2`` gives it to double
precision (28 terms; 16 suffice for float32). The coefficients were fitted offline, with mpmath at 40
digits, at 40 Chebyshev nodes. The series gives ``erfc`` with a small *relative* error, so the tail
``Phi(-5) ~ 3e-7`` stays as exact as ``Phi(0.3)``.

``NormalCdf`` is a Function whose backward is the density ``exp(-x*x/2) / sqrt(2*pi)``, so ``gelu``'s
backward, written with it, can be differentiated again (double backward) exactly.
"""

from __future__ import annotations

import math

from ... import dtypes as _dt
from ..._tensor import Tensor
from ...autograd.function import Function
from ...ops.creation import zeros_like

# f(t) = log(erfc(z) * exp(z*z) / t), t = 2 / (2 + z), as sum'_k c_k T_k(2t - 1) (the first term halved).
_CHEBYSHEV = (
    -1.3026537197817094,
    6.4196979235649026e-1,
    1.9476473204185836e-2,
    -9.5615147868086316e-3,
    -9.4659534448203687e-4,
    3.6683949785276145e-4,
    4.2523324806907772e-5,
    -2.0278578112534243e-5,
    -1.6242900046470255e-6,
    1.3036558355805232e-6,
    1.5626441722066143e-8,
    -8.5238095914926543e-8,
    6.5290544390988515e-9,
    5.0593434955514689e-9,
    -9.9136415649303309e-10,
    -2.2736512229318359e-10,
    9.6467911020155268e-11,
    2.3940380830391147e-12,
    -6.8860275264975534e-12,
    8.9448792730907257e-13,
    3.1309213993429581e-13,
    -1.1270822361367252e-13,
    3.8109052551892321e-16,
    7.1060976136092369e-15,
    -1.5230282014571041e-15,
    -9.4574945712912545e-17,
    1.210237189224273e-16,
    -2.816663087746774e-17
)
_TERMS = {_dt.float64: 28}  # other dtypes: 16 terms (their last coefficient is ~1e-10)


def erfc_of_nonnegative(z: Tensor) -> Tensor:
    """``erfc(z)`` elementwise for ``z >= 0`` (``inf`` gives 0, NaN stays NaN); a new tensor, no graph."""
    t = 2.0 / (z + 2.0)
    ty = t * 4.0 - 2.0  # twice the Chebyshev variable 2t - 1, as Clenshaw's recurrence uses it
    d, dd = zeros_like(t), zeros_like(t)
    for c in reversed(_CHEBYSHEV[1:_TERMS.get(z.dtype, 16)]):
        d, dd = (ty * d).sub_(dd).add_(c), d  # Clenshaw: b_k = 2y b_{k+1} - b_{k+2} + c_k
    exponent = (ty * d).add_(_CHEBYSHEV[0]).mul_(0.5).sub_(dd).sub_(z * z)
    return t * exponent.exp()


def normal_cdf(x: Tensor) -> Tensor:
    """``Phi(x) = P(N(0, 1) <= x)`` elementwise, for a floating-point ``x``; a new tensor, no graph."""
    half_tail = erfc_of_nonnegative(x.abs() * (1 / math.sqrt(2.0))).mul_(0.5)  # Phi(-|x|)
    return half_tail.where(x < 0, 1.0 - half_tail)


def normal_pdf(x: Tensor) -> Tensor:
    """The standard normal density ``exp(-x*x/2) / sqrt(2*pi)`` (differentiable: plain tensor operations)."""
    return (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))


class NormalCdf(Function):
    """``Phi(x)`` in a graph: its derivative is the density, so gradients of it are exact."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return normal_cdf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * normal_pdf(x)
