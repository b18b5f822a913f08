"""In-place operations: ``add_``, ``mul_``, ``x += y``, ``fill_``, ``zero_``, ``copy_``, ``clamp_``...

Taught in notebooks/01_tensors.ipynb, section "Saving memory: in-place operations". An in-place
operation writes into the left operand's memory (every view of it sees the change). torch's
rules: the result must be castable to the operand's dtype (``float -> int64`` is refused),
the broadcast shape must be the operand's shape, and an operand whose elements overlap in
memory (an ``expand``-ed view) is refused. When the dtypes allow it the result is computed
straight into the operand (the backend's ``zip`` with ``out=``), without a temporary.
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as _dt
from ..shape import broadcast_shape
from .._tensor import Tensor, check_same_device
from .common import as_operand, backend_for, binary, cast, check_bool_arithmetic
from .writes import check_fits, check_writable, write_result
from .dispatch import differentiable
from .elementwise import addcdiv, clamp, div, lerp, mul, pow
from .unary import abs, ceil, exp, floor, log, neg, reciprocal, relu, round, sigmoid, sign, sqrt, tanh, trunc


def _inplace_binary(fn_name: str, self: Tensor, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        if other._shape != self._shape:
            shape = broadcast_shape(self._shape, other._shape)
            if shape != self._shape:
                raise RuntimeError(f"output with shape {list(self._shape)} doesn't match the broadcast shape "
                                   f"{list(shape)}")
        dtype = self.dtype if self.dtype is other.dtype else _dt.result_type(self, other)
        if other.device is not self.device:
            check_same_device(self, other)
    else:
        other = as_operand(other)
        dtype = _dt.scalar_result_type(self.dtype, other)
    if fn_name == "div" and not dtype.is_floating_point:
        dtype = _dt.get_default_dtype()
    _dt.check_can_cast(dtype, self.dtype)
    check_writable(self)
    if dtype is self.dtype:  # compute straight into self's memory
        operand = cast(other, dtype) if isinstance(other, Tensor) else other
        backend_for(self.device).zip(fn_name, self, operand, out=self)
        return self
    result = div(self, other) if fn_name == "div" else binary(fn_name, self, other)
    return write_result(self, result)


def add_scaled_(self: Tensor, other: Tensor, alpha: Any) -> Tensor:
    """``self += alpha * other`` for a tensor ``other``; returns ``self``. Two floating-point tensors of one
    shape, dtype and device (an optimizer's update of a parameter by its gradient) take one primitive; anything
    else the general in-place path (broadcasting, promotion, torch's errors)."""
    if (other.dtype is self.dtype and other._shape == self._shape and self.dtype.is_floating_point
            and (other.device is self.device or other.device == self.device)):
        check_writable(self)
        return backend_for(self.device).add_scaled(self, other, alpha)
    return _inplace_binary("add", self, mul(other, alpha))


@differentiable("add_", export=False)
def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """In-place ``self += alpha * other``; returns ``self``."""
    if alpha != 1:
        if isinstance(alpha, float) and not self.dtype.is_floating_point:
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
        if isinstance(other, Tensor):
            return add_scaled_(self, other, alpha)
        other = other * alpha
    return _inplace_binary("add", self, other)


@differentiable("sub_", export=False)
def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """In-place ``self -= alpha * other``."""
    check_bool_arithmetic("sub", self, other)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return _inplace_binary("sub", self, other)


@differentiable("mul_", export=False)
def mul_(self: Tensor, other: Any) -> Tensor:
    """In-place ``self *= other``."""
    return _inplace_binary("mul", self, other)


@differentiable("div_", export=False)
def div_(self: Tensor, other: Any) -> Tensor:
    """In-place ``self /= other`` (refused for integer ``self``: the result is a float)."""
    return _inplace_binary("div", self, other)


@differentiable("pow_", export=False)
def pow_(self: Tensor, exponent: Any) -> Tensor:
    """In-place ``self **= exponent``."""
    return write_result(self, pow(self, exponent))


@differentiable("clamp_", export=False)
def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """In-place :func:`clamp`."""
    return write_result(self, clamp(self, min, max))


@differentiable("fill_", export=False)
def fill_(self: Tensor, value: Any) -> Tensor:
    """Set every element to ``value`` (a number or a 0-d tensor), in place."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        value = value.item()
    low, high = _dt.SCALAR_RANGE[self.dtype]
    if not low <= value <= high:  # the rare case: refused, or wrapped into an unsigned dtype
        value = _dt.fit_scalar(value, self.dtype)
    self._storage.version += 1  # not check_writable: torch fills an expanded view (every element gets one value)
    backend_for(self.device).fill(self, value)
    return self


@differentiable("zero_", export=False)
def zero_(self: Tensor) -> Tensor:
    """Set every element to 0, in place."""
    return fill_(self, 0)


@differentiable("copy_", export=False)
def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcastable, any dtype, any device) into ``self``, in place."""
    if src.device != self.device:
        src = src.to(self.device)
    check_fits(self, src._shape)
    check_writable(self)
    backend_for(self.device).copy_into(self, src)
    return self


def _make_unary_inplace(function):
    def inplace(self: Tensor) -> Tensor:
        return write_result(self, function(self))

    inplace.__name__ = inplace.__qualname__ = function.__name__ + "_"
    inplace.__doc__ = f"In-place :func:`{function.__name__}`; returns ``self``."
    return differentiable(inplace.__name__, export=False)(inplace)


neg_, abs_, exp_, log_, sqrt_, sigmoid_, tanh_, relu_, floor_, ceil_, round_, trunc_, sign_, reciprocal_ = (
    _make_unary_inplace(f) for f in (neg, abs, exp, log, sqrt, sigmoid, tanh, relu, floor, ceil, round, trunc, sign,
                                     reciprocal))


@differentiable("addcmul_", export=False)
def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """In-place :func:`~course_lib.ops.elementwise.addcmul`: ``self += value * tensor1 * tensor2``."""
    return _inplace_binary("add", self, mul(mul(tensor1, value) if value != 1 else tensor1, tensor2))


@differentiable("addcdiv_", export=False)
def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """In-place :func:`~course_lib.ops.elementwise.addcdiv`: ``self += value * tensor1 / tensor2``."""
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        return write_result(self, addcdiv(self, tensor1, tensor2, value=value))  # raises torch's error
    return _inplace_binary("add", self, div(mul(tensor1, value) if value != 1 else tensor1, tensor2))


@differentiable("lerp_", export=False)
def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
    """In-place :func:`~course_lib.ops.elementwise.lerp`: ``self += weight * (end - self)``."""
    return write_result(self, lerp(self, end, weight))
