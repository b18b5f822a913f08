"""Activation functions of ``nn.functional``: ``relu``, ``leaky_relu``, ``gelu``, ``sigmoid``, ``tanh``,
``softmax``, ``log_softmax``.

``relu``, ``sigmoid``, ``tanh`` (``ops/unary.py``) and ``softmax``, ``log_softmax`` (``ops/activation.py``, stable:
the maximum is subtracted before ``exp``, so ``log_softmax`` is ``x - logsumexp(x)`` without overflow) are
the tensor operations themselves, re-exported here. ``leaky_relu`` and ``gelu`` are declared here with their
rules right below them (torch has them in ``nn.functional`` only, not as ``torch.*`` or Tensor methods).

Double backward: both rules are written with differentiable operations. ``gelu``'s second derivative is
exact (through ``_gaussian.NormalCdf``). ``leaky_relu``'s gradient is linear in the incoming gradient and
piecewise constant in the input, so differentiating it again reaches the incoming gradient only (torch
gives the input a zero gradient there; course_lib gives none).
"""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...ops.activation import log_softmax, softmax
from ...ops.dispatch import differentiable
from ...ops.unary import relu, sigmoid, tanh
from ._gaussian import NormalCdf, normal_cdf, normal_pdf

__all__ = ["gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "tanh"]

_TANH_SCALE = math.sqrt(2.0 / math.pi)  # gelu's tanh approximation: tanh(sqrt(2/pi) (x + 0.044715 x^3))
_TANH_CUBIC = 0.044715


def _floating_only(input: Tensor, kernel: str) -> None:
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{input.dtype.type_name}\': it needs a '
                                  f"floating-point tensor, got {input.dtype.name}; convert it first (x.float())")


# --------------------------------------------------------------------------- leaky_relu


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where ``x > 0``, else ``negative_slope * x``, elementwise.

    Args:
        input: any shape, floating point.
        inplace: write the result into ``input`` and return it (refused for a leaf that requires grad;
            in a graph its ``grad_fn`` is ``CopyBackwards``, torch's is ``LeakyReluBackward1``).

    Returns:
        A new tensor of ``input``'s shape and dtype (``input`` itself when ``inplace``).

    Raises:
        NotImplementedError: an integer or bool ``input`` (torch's type).
    """
    result = _leaky_relu(input, negative_slope)
    return input.copy_(result) if inplace else result


@differentiable("leaky_relu", method=False, export=False)
def _leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """The out-of-place operation behind :func:`leaky_relu` (the one with a backward rule)."""
    _floating_only(input, "leaky_relu_cpu")
    return input.where(input > 0, input * negative_slope)


@backward_of("leaky_relu")
class LeakyReluBackward0(Function):
    """The slope is 1 where the input is positive, ``negative_slope`` elsewhere (at 0 too, as torch).

    With ``negative_slope >= 0`` the result is positive exactly where the input is, so the result is saved:
    ``leaky_relu(y, inplace=True)`` then overwrites ``y`` without invalidating the graph (as torch's
    ``LeakyReluBackward1``; with a negative slope torch refuses that backward too).
    """

    @staticmethod
    def forward(ctx, input, negative_slope=0.01):
        result = _leaky_relu(input, negative_slope)
        ctx.save_for_backward(result if negative_slope >= 0 else input)
        ctx.negative_slope = negative_slope
        return result

    @staticmethod
    def backward(ctx, grad):
        (signs,) = ctx.saved_tensors  # positive where the input is
        return grad.where(signs > 0, grad * ctx.negative_slope), None


# --------------------------------------------------------------------------- gelu


def _check_approximate(approximate: str) -> None:
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"approximate argument must be either none or tanh. (got {approximate!r})")


@differentiable("gelu", method=False, export=False)
def gelu(input: Tensor, *, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` elementwise (``Phi``: the standard normal CDF), or with ``approximate="tanh"``
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    ``approximate`` is keyword-only, as in torch.

    Returns:
        A new tensor of ``input``'s shape and dtype.

    Raises:
        RuntimeError: ``approximate`` other than ``"none"``/``"tanh"``. NotImplementedError: an integer or
            bool ``input`` (torch's types).
    """
    _check_approximate(approximate)
    _floating_only(input, "GeluKernelImpl")
    x = input if input.dtype.itemsize > 2 else input.float()  # half precision computes in float32, as torch
    if approximate == "tanh":
        inner = (x * x).mul_(_TANH_CUBIC).add_(1.0).mul_(x).mul_(_TANH_SCALE)
        result = inner.tanh().add_(1.0).mul_(x).mul_(0.5)
    else:
        result = normal_cdf(x).mul_(x)
    return result if result.dtype is input.dtype else result.to(input.dtype)


@backward_of("gelu")
class GeluBackward0(Function):
    """``d/dx x Phi(x) = Phi(x) + x phi(x)``; for ``"tanh"`` the derivative of its formula."""

    @staticmethod
    def forward(ctx, input, *, approximate="none"):
        ctx.save_for_backward(input)
        ctx.approximate = approximate
        return gelu(input, approximate=approximate)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            inner_tanh = ((x + x * x * x * _TANH_CUBIC) * _TANH_SCALE).tanh()
            inner_slope = (x * x * (3 * _TANH_CUBIC) + 1.0) * _TANH_SCALE
            slope = (inner_tanh + 1.0) * 0.5 + x * 0.5 * (1.0 - inner_tanh * inner_tanh) * inner_slope
        else:
            slope = NormalCdf.apply(x) + x * normal_pdf(x)
        return grad * slope  # approximate came by keyword: it has no gradient slot
