"""Data types (``course_lib.float32`` ...) and PyTorch's type promotion rules.

Taught in notebooks/01_tensors.ipynb, sections "Creating tensors" and "5 · What PyTorch does beyond this"
(type promotion).

A dtype says how to read the bytes of a storage. Each course_lib dtype maps to a NumPy
dtype (the CPU backend stores data in NumPy arrays); its name is the torch dtype's.

Promotion (what ``a + b`` returns) follows ``torch.result_type``:

- categories are ordered ``bool < integer < floating point``; within a category the wider
  type wins (``float32 + float64 -> float64``);
- operands come in three priorities: tensors with at least one dimension, 0-d tensors, and
  Python numbers. A lower-priority operand only matters when it is of a *higher category*:
  ``int64 tensor + 2.5 -> float32`` (Python floats count as the default dtype), but
  ``float32 tensor + float64 0-d tensor -> float32`` and ``float32 tensor + 2.5 -> float32``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

import numpy as np


class dtype:  # noqa: N801  (named like torch.dtype)
    """A tensor element type, e.g. ``course_lib.float32``.

    Attributes:
        name: ``"float32"``, ``"int64"``, ...
        itemsize: bytes per element.
        is_floating_point: True for float16/32/64.
        is_signed: False for bool and uint8.
        numpy: the matching ``numpy.dtype``.
        category: 0 bool, 1 integer, 2 floating point (the promotion order).
    """

    __slots__ = ("name", "itemsize", "is_floating_point", "is_signed", "numpy", "category", "type_name", "cpp_name")
    is_complex = False

    def __init__(self, name: str, numpy_dtype: Any, category: int, type_name: str, cpp_name: str):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.itemsize = self.numpy.itemsize
        self.category = category
        self.is_floating_point = category == 2
        self.is_signed = name not in ("bool", "uint8")
        self.type_name = type_name  # "Float": PyTorch's name in error messages
        self.cpp_name = cpp_name  # "float": the C++ name some PyTorch messages use

    def __repr__(self) -> str:
        return f"course_lib.{self.name}"

    def __reduce__(self):  # dtypes are singletons, also through pickle
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, 2, "Half", "c10::Half")
float32 = dtype("float32", np.float32, 2, "Float", "float")
float64 = dtype("float64", np.float64, 2, "Double", "double")
uint8 = dtype("uint8", np.uint8, 1, "Byte", "unsigned char")
int8 = dtype("int8", np.int8, 1, "Char", "signed char")
int16 = dtype("int16", np.int16, 1, "Short", "short int")
int32 = dtype("int32", np.int32, 1, "Int", "int")
int64 = dtype("int64", np.int64, 1, "Long", "long int")
bool = dtype("bool", np.bool_, 0, "Bool", "bool")  # noqa: A001  (torch.bool)

# Aliases, as in torch.
half = float16
float = float32  # noqa: A001
double = float64
short = int16
int = int32  # noqa: A001
long = int64

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)

_BY_NAME: Dict[str, dtype] = {d.name: d for d in ALL_DTYPES}
_BY_NUMPY: Dict[np.dtype, dtype] = {d.numpy: d for d in ALL_DTYPES}

_default_dtype = float32


def _by_name(name: str) -> dtype:
    return _BY_NAME[name]


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (``float32``)."""
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    """Change the default floating-point dtype (``float32`` or ``float64``)."""
    global _default_dtype
    if d not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype = d


def from_numpy_dtype(numpy_dtype: Any) -> dtype:
    """The course_lib dtype of a NumPy dtype.

    Raises:
        TypeError: for NumPy types course_lib does not support (complex, strings, ...).
    """
    found = _BY_NUMPY.get(np.dtype(numpy_dtype))
    if found is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(numpy_dtype).name}. The only supported "
                        "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return found


def as_dtype(value: Any) -> dtype:
    """Accept a course_lib dtype, a torch dtype, a NumPy dtype or the Python types ``float/int/bool``."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, str):  # torch refuses names: zeros(2, dtype="float") is a TypeError, not float64
        raise TypeError(f"argument 'dtype' must be course_lib.dtype, not str ({value!r}: use course_lib.{value})")
    if value is builtins_float:
        return float64
    if value is builtins_int:
        return int64
    if value is builtins_bool:
        return bool
    name = getattr(value, "__module__", "")
    if type(value).__name__ == "dtype" and str(value).startswith("torch."):
        return _BY_NAME[str(value)[len("torch."):]]
    if name == "torch":
        return _BY_NAME[str(value).split(".")[-1]]
    try:
        return from_numpy_dtype(value)
    except TypeError:
        raise TypeError(f"{value!r} is not a dtype") from None


import builtins as _builtins  # noqa: E402  (the module shadows float/int/bool above)

builtins_float, builtins_int, builtins_bool = _builtins.float, _builtins.int, _builtins.bool


# --------------------------------------------------------------------------- promotion


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to without losing their category.

    The higher category wins (``int64 + float16 -> float16``, as in torch); in the same
    category the wider type wins; ``uint8`` with a signed integer type needs a wider signed type.
    """
    a, b = type1, type2
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    if a.category == 1 and a.is_signed != b.is_signed:
        unsigned, signed = (a, b) if not a.is_signed else (b, a)
        return signed if signed.itemsize > unsigned.itemsize else int16
    return a if a.itemsize >= b.itemsize else b


def _scalar_dtype(value: Any) -> dtype:
    """The dtype a Python number stands for in promotion (floats: the default dtype)."""
    if isinstance(value, builtins_bool):
        return bool
    if isinstance(value, builtins_int):
        return int64
    return _default_dtype


def _combine(higher: Optional[dtype], lower: Optional[dtype]) -> Optional[dtype]:
    """Merge a higher-priority result with a lower-priority one (c10's ``combine_categories``)."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> dtype:
    """The dtype of an elementwise operation on ``operands`` (tensors and Python numbers).

    Follows ``torch.result_type``; see the module docstring for the rules.

    Raises:
        TypeError: for an operand that is neither a tensor nor a Python number.
    """
    dim_result = zero_dim_result = scalar_result = None
    for operand in operands:
        operand_dtype = getattr(operand, "dtype", None)
        if isinstance(operand_dtype, dtype):
            if operand.ndim > 0:
                dim_result = operand_dtype if dim_result is None else promote_types(dim_result, operand_dtype)
            else:
                zero_dim_result = operand_dtype if zero_dim_result is None else promote_types(zero_dim_result,
                                                                                             operand_dtype)
        elif isinstance(operand, (builtins_bool, builtins_int, builtins_float)):
            d = _scalar_dtype(operand)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
        else:
            raise TypeError(f"expected a Tensor or a Python number, but got {type(operand).__name__}")
    result = _combine(dim_result, _combine(zero_dim_result, scalar_result))
    if result is None:
        raise TypeError("result_type() needs at least one operand")
    return result


def scalar_result_type(tensor_dtype: dtype, scalar: Any) -> dtype:
    """Fast path of :func:`result_type` for ``tensor op python_number``."""
    if isinstance(scalar, builtins_bool):
        return tensor_dtype
    if isinstance(scalar, builtins_int):
        return int64 if tensor_dtype is bool else tensor_dtype
    return tensor_dtype if tensor_dtype.is_floating_point else _default_dtype


def can_cast(from_: dtype, to: dtype) -> builtins_bool:
    """Whether an in-place operation may write a ``from_`` result into a ``to`` tensor.

    PyTorch forbids only lowering the category (float -> integer, non-bool -> bool).
    """
    return from_.category <= to.category


def check_can_cast(result: dtype, out: dtype) -> None:
    """Raise PyTorch's error when a result of dtype ``result`` cannot be written into ``out``."""
    if result.category > out.category:
        raise RuntimeError(f"result type {result.type_name} can't be cast to the desired output type {out.type_name}")


_INT_RANGES = {d: (builtins_int(np.iinfo(d.numpy).min), builtins_int(np.iinfo(d.numpy).max)) for d in ALL_DTYPES if d.category == 1}
_FLOAT_MAX = {d: builtins_float(np.finfo(d.numpy).max) for d in ALL_DTYPES if d.category == 2}


def scalar_overflows(value: Any, target: dtype) -> builtins_bool:
    """Whether the Python number ``value`` cannot be converted to ``target`` without overflow (c10's ``overflows``).

    Bools fit everywhere and everything fits into bool. An integer ``target`` refuses NaN, infinities and
    numbers outside its range, except that an unsigned type takes a negative integer whose magnitude fits
    (``-1`` is 255 in uint8, two's complement, as in torch). A floating-point ``target`` takes infinities and
    NaN but refuses finite numbers beyond its largest value (``1e10`` in float16).
    """
    if isinstance(value, builtins_bool) or target is bool:
        return False
    bounds = _INT_RANGES.get(target)
    if bounds is not None:
        low, high = bounds
        if isinstance(value, builtins_int) and low == 0 and value < 0:
            return -value > high
        return not low <= value <= high  # False for NaN too: NaN compares false
    return _FLOAT_MAX[target] < abs(value) < _INF


_INF = builtins_float("inf")

SCALAR_RANGE: Dict[dtype, tuple] = {**{d: (-m, m) for d, m in _FLOAT_MAX.items()}, **_INT_RANGES, bool: (0, 1)}
"""dtype -> ``(low, high)``: a Python number inside fits for sure (a hot path's one comparison before it calls
:func:`fit_scalar`, which also accepts the rest that fits: inf and nan in floats, wrapped negatives in uint8...)."""


def fit_scalar(value: Any, target: dtype) -> Any:
    """The Python number ``value`` as stored into a ``target`` tensor, refused as torch does when it overflows.

    Used where a number is written as it is: ``full``, ``fill_``, ``masked_fill``, ``x[i] = v``, ``clamp``
    bounds (arithmetic such as ``int8_tensor + 300`` wraps instead, as in torch). A negative integer for an
    unsigned type comes back wrapped (``-1`` -> 255 for uint8); any other value comes back unchanged.

    Raises:
        RuntimeError: ``value 300 cannot be converted to type int8 without overflow (int8 holds integers from
            -128 to 127)``.
        OverflowError: for an integer beyond 64 bits (torch's scalars hold int64 or uint64).
    """
    if not isinstance(value, (builtins_int, builtins_float)):
        return value
    if isinstance(value, builtins_int) and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError(f"int too big to convert: {value} is outside the 64-bit integers a scalar holds")
    bounds = _INT_RANGES.get(target)
    if scalar_overflows(value, target):
        if bounds is not None:
            holds = f"{target.name} holds integers from {bounds[0]} to {bounds[1]}"
        else:
            holds = f"{target.name} holds finite values up to {_FLOAT_MAX[target]:g}, and inf and nan"
        raise RuntimeError(f"value {value!r} cannot be converted to type {target.name} without overflow ({holds})")
    if bounds is not None and bounds[0] == 0 and value < 0 and isinstance(value, builtins_int):
        return value + bounds[1] + 1
    return value
