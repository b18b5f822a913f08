"""Elementwise operations: arithmetic, comparisons, math functions, ``where``, ``clamp``, in-place ops.

Taught in notebooks/01_tensors.ipynb, sections "Elementwise operations and broadcasting" and "Broadcasting".

Every function here does the Tensor-level bookkeeping and then calls one backend
primitive (``map``, ``zip`` or ``where``):

1. promote dtypes with torch's rules (``dtypes.result_type``) and cast the tensor operands
   to the dtype to compute in (Python numbers stay numbers: they are "weak");
2. check devices (all tensors on one device);
3. call the primitive of the device's backend, which broadcasts.

Unary functions (``exp``, ``relu``...) are in ``unary``, in-place versions (``add_``,
``x += y``) in ``inplace``; the shared bookkeeping is in ``common``.
"""

from __future__ import annotations

from typing import Any, Optional

from .. import dtypes as _dt
from ..shape import broadcast_shape
from .._tensor import Tensor, check_same_device
from .creation import tensor
from .common import as_operand, backend_for, binary, cast, check_bool_arithmetic, promote_operands
from .writes import accepts_out
from .dispatch import alias, differentiable, public

# --------------------------------------------------------------------------- arithmetic


@differentiable("add")
@accepts_out
def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``, broadcasting, with torch's dtype promotion."""
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return binary("add", input, other)


@differentiable("sub")
@accepts_out
def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``.

    Raises:
        NotImplementedError: for two bool tensors (as torch).
    """
    check_bool_arithmetic("sub", input, other)
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return binary("sub", input, other)


@differentiable("mul")
@accepts_out
def mul(input: Any, other: Any) -> Tensor:
    """``input * other``."""
    return binary("mul", input, other)


@differentiable("div")
@accepts_out
def div(input: Any, other: Any, *, rounding_mode: Optional[str] = None) -> Tensor:
    """``input / other``: true division (integers give floats) unless ``rounding_mode`` is
    ``"trunc"`` or ``"floor"``, which keep integer dtypes."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        quotient = div(input, other)
        truncated = quotient.trunc()
        _, _, dtype, _ = promote_operands(input, other)
        return truncated if dtype.is_floating_point else truncated.to(dtype)
    if rounding_mode is not None:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    a, b, dtype, device = promote_operands(input, other)
    if not dtype.is_floating_point:  # int / int is a float, as in Python 3
        target = _dt.get_default_dtype()
        a = cast(a, target) if isinstance(a, Tensor) else a
        b = cast(b, target) if isinstance(b, Tensor) else b
    return backend_for(device).zip("div", a, b)


true_divide, divide = alias("true_divide", div), alias("divide", div)
multiply = alias("multiply", mul)
subtract = alias("subtract", sub)


def _integer_division(fn_name: str, input: Any, other: Any) -> Tensor:
    a, b, dtype, device = promote_operands(input, other)
    if not dtype.is_floating_point:
        divisor = b if isinstance(b, Tensor) else None
        if (divisor is None and b == 0) or (divisor is not None and backend_for(device).reduce(
                "any", backend_for(device).zip("eq", divisor, 0), tuple(range(divisor.ndim)), False).item()):
            raise RuntimeError("ZeroDivisionError")
    return backend_for(device).zip(fn_name, a, b)


@public()
def floor_divide(input: Any, other: Any) -> Tensor:
    """``input // other``, rounding towards minus infinity (like Python)."""
    return _integer_division("floor_divide", input, other)


@public()
def remainder(input: Any, other: Any) -> Tensor:
    """``input % other`` with the sign of ``other`` (like Python)."""
    return _integer_division("remainder", input, other)


@public()
def fmod(input: Any, other: Any) -> Tensor:
    """C-style remainder with the sign of ``input``."""
    return _integer_division("fmod", input, other)


@differentiable("pow")
def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001  (torch.pow)
    """``input ** exponent``.

    Raises:
        RuntimeError: ``Integers to negative integer powers are not allowed.`` for an integer
            tensor and a negative Python int exponent (with a tensor exponent, torch gives 0).
    """
    a, b, dtype, device = promote_operands(input, exponent)
    if not dtype.is_floating_point and isinstance(b, int) and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return backend_for(device).zip("pow", a, b)


@differentiable("maximum")
def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum (NaN wins, as in torch)."""
    return binary("maximum", input, other)


@differentiable("minimum")
def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum (NaN wins, as in torch)."""
    return binary("minimum", input, other)


@differentiable("atan2")
def atan2(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise ``atan2(input, other)`` (floating point)."""
    a, b, dtype, device = promote_operands(input, other)
    if not dtype.is_floating_point:
        a, b = cast(a, _dt.get_default_dtype()), cast(b, _dt.get_default_dtype())
    return backend_for(device).zip("atan2", a, b)


# --------------------------------------------------------------------------- comparisons and logic


@public()
def eq(input: Any, other: Any) -> Tensor:
    """``input == other`` elementwise (a bool tensor)."""
    return binary("eq", input, other)


@public()
def ne(input: Any, other: Any) -> Tensor:
    """``input != other`` elementwise."""
    return binary("ne", input, other)


@public()
def lt(input: Any, other: Any) -> Tensor:
    """``input < other`` elementwise."""
    return binary("lt", input, other)


@public()
def le(input: Any, other: Any) -> Tensor:
    """``input <= other`` elementwise."""
    return binary("le", input, other)


@public()
def gt(input: Any, other: Any) -> Tensor:
    """``input > other`` elementwise."""
    return binary("gt", input, other)


@public()
def ge(input: Any, other: Any) -> Tensor:
    """``input >= other`` elementwise."""
    return binary("ge", input, other)


greater, greater_equal, less, less_equal, not_equal = (
    alias(name, op) for name, op in [("greater", gt), ("greater_equal", ge), ("less", lt), ("less_equal", le),
                                     ("not_equal", ne)])


@public()
def equal(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool(eq(input, other).all())


@public()
@accepts_out
def logical_and(input: Any, other: Any) -> Tensor:
    """Elementwise AND of truth values (non-zero is true)."""
    return binary("logical_and", input, other)


@public()
@accepts_out
def logical_or(input: Any, other: Any) -> Tensor:
    """Elementwise OR of truth values."""
    return binary("logical_or", input, other)


@public()
@accepts_out
def logical_xor(input: Any, other: Any) -> Tensor:
    """Elementwise XOR of truth values."""
    return binary("logical_xor", input, other)


def _bitwise(fn_name: str, a: Any, b: Any) -> Tensor:
    a, b, dtype, device = promote_operands(a, b)
    if dtype.is_floating_point:
        raise NotImplementedError(f'"{fn_name}_cpu" not implemented for \'{dtype.type_name}\'')
    return backend_for(device).zip(fn_name, a, b)


@public()
def bitwise_and(input: Any, other: Any) -> Tensor:
    """``input & other`` (bool or integer tensors)."""
    return _bitwise("bitwise_and", input, other)


@public()
def bitwise_or(input: Any, other: Any) -> Tensor:
    """``input | other`` (bool or integer tensors)."""
    return _bitwise("bitwise_or", input, other)


@public()
def bitwise_xor(input: Any, other: Any) -> Tensor:
    """``input ^ other`` (bool or integer tensors)."""
    return _bitwise("bitwise_xor", input, other)


# --------------------------------------------------------------------------- where and clamp


@differentiable("where", method=False)
def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` is True, else ``other`` (all three broadcast).

    ``where(condition)`` alone returns the indices of the True elements, one tensor per dim.

    Raises:
        RuntimeError: when ``condition`` is not a bool tensor.
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)  # ops/indexing.py (a Tensor method: indexing is above this module)
    if condition.dtype is not _dt.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition.dtype.type_name}")
    operands = [v if isinstance(v, Tensor) else as_operand(v) for v in (input, other)]
    dtype = _dt.result_type(*operands)
    a, b = [cast(v, dtype) if isinstance(v, Tensor) else v for v in operands]
    low, high = _dt.SCALAR_RANGE[dtype]
    for value in (a, b):
        if not isinstance(value, Tensor) and not low <= value <= high:
            _dt.fit_scalar(value, dtype)  # where(c, int8_tensor, 300) is refused, as in torch
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = tensor(a, dtype=dtype, device=condition.device)
    check_same_device(condition, *[v for v in (a, b) if isinstance(v, Tensor)])
    backend = backend_for(condition.device)
    try:
        return backend.where(condition, a, b)
    except ValueError:
        shape = broadcast_shape(condition._shape, getattr(a, "_shape", ()))
        broadcast_shape(shape, getattr(b, "_shape", ()))  # raises torch's message
        raise


@differentiable("clamp")
def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]`` (either may be None; tensors broadcast).

    Raises:
        RuntimeError: when both ``min`` and ``max`` are None.
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dtype = _dt.result_type(input, *[v for v in (min, max) if v is not None])
    low, high = _dt.SCALAR_RANGE[dtype]
    for bound in (min, max):
        if bound is not None and not isinstance(bound, Tensor) and not low <= bound <= high:
            _dt.fit_scalar(bound, dtype)  # clamp(int8_tensor, max=300) is refused, as in torch
    result = cast(input, dtype)
    if min is not None:
        result = binary("maximum", result, min if not isinstance(min, Tensor) else cast(min, dtype))
    if max is not None:
        result = binary("minimum", result, max if not isinstance(max, Tensor) else cast(max, dtype))
    return result


clip = alias("clip", clamp)


@differentiable("clamp_min")
def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``."""
    return clamp(input, min=min)


@differentiable("clamp_max")
def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``."""
    return clamp(input, max=max)


# --------------------------------------------------------------------------- torch's fused pointwise helpers
# Composed of the operations above (so they are differentiable through them); optimizers call them.


@public()
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 * tensor2``, broadcasting (a new tensor)."""
    return add(input, mul(mul(tensor1, value) if value != 1 else tensor1, tensor2))


@public()
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """``input + value * tensor1 / tensor2``, broadcasting (a new tensor).

    Raises:
        RuntimeError: for two integer tensors, as torch (integer division is ambiguous).
    """
    if not (tensor1.dtype.is_floating_point or tensor2.dtype.is_floating_point):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                           "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    return add(input, div(mul(tensor1, value) if value != 1 else tensor1, tensor2))


@public()
def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)`` (a new tensor), computed as torch does: from ``end`` where
    ``|weight| >= 0.5``, which is exact at ``weight = 1``."""
    difference = sub(end, input)
    if isinstance(weight, Tensor):
        near_start = weight.abs() < 0.5
        return where(near_start, add(input, mul(weight, difference)), sub(end, mul(difference, 1 - weight)))
    if -0.5 < weight < 0.5:
        return add(input, mul(difference, weight))
    return sub(end, mul(difference, 1 - weight))
