"""Making tensors: from data, filled, ranges, random; and converting dtype or device.

Taught in notebooks/01_tensors.ipynb, section "Creating tensors". Every function matches
the torch function of the same name (arguments, defaults, dtype inference, errors). New
memory comes from the device's backend (``empty``, ``full``, ``arange``, ``from_host``,
random primitives), so the same code creates tensors on every device.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from .. import dtypes as _dt
from ..backends import get_backend
from ..backends.numpy_backend import share
from ..shape import broadcast_shape
from ..device import as_device
from ..generator import Generator, default_generator
from .._tensor import FROM_TORCH, Size, Tensor, is_torch_tensor
from .dispatch import public

Number = (bool, int, float)


# --------------------------------------------------------------------------- helpers


def _size_arg(sizes: Sequence[Any], size: Any, name: str) -> Tuple[int, ...]:
    """The shape given as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))`` (torch accepts all three)."""
    return _sizes(sizes if size is None else (size,), name)


def _sizes(args: Sequence[Any], name: str = "empty") -> Tuple[int, ...]:
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(x.shape)``.

    Raises:
        TypeError: for a size that is not an int.
        RuntimeError: ``zeros: Dimension size must be non-negative.`` (``name`` is the caller).
    """
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    try:
        shape = tuple(operator.index(s) for s in args)
    except TypeError:
        given = ", ".join(type(s).__name__ for s in args)
        raise TypeError(f"{name}(): size must be a tuple of ints, but got ({given})") from None
    for size in shape:
        if size < 0:
            raise RuntimeError(f"{name}: Dimension size must be non-negative.")
    return shape


def _finish(t: Tensor, requires_grad: bool) -> Tensor:
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_or(dtype: Any, default: _dt.dtype) -> _dt.dtype:
    return default if dtype is None else _dt.as_dtype(dtype)


def _fill_dtype(value: Any) -> _dt.dtype:
    """The dtype torch infers for a Python fill value."""
    if isinstance(value, (bool, np.bool_)):
        return _dt.bool
    if isinstance(value, (int, np.integer)):
        return _dt.int64
    if isinstance(value, Tensor):
        return value.dtype
    return _dt.get_default_dtype()


def _host_data(data: Any) -> Tuple[np.ndarray, _dt.dtype, Optional[int]]:
    """NumPy array and inferred dtype of ``data`` (nested sequences, NumPy data or tensors).

    The third value is the first Python int of ``data`` beyond the 64-bit integers (None when there
    is none): NumPy would hold such numbers as uint64, floats or objects, where torch reads every
    Python int as an int64 (see :func:`tensor`).
    """
    if isinstance(data, Tensor):
        return data._host_array(), data.dtype, None
    if isinstance(data, (np.ndarray, np.generic)):
        return np.asarray(data), _dt.from_numpy_dtype(data.dtype), None
    seen = _Seen()
    _check_nested(data, 0, seen)
    if seen.big_int is not None:  # torch infers int64 unless a float is present, then converts every number
        return np.array(data, dtype=np.float64), _dt.get_default_dtype() if seen.float else _dt.int64, seen.big_int
    array = np.array(data)
    kind = array.dtype.kind
    if kind == "b":
        return array, _dt.bool, None
    if kind in "iu":
        return array, _dt.int64, None
    if kind == "f":
        if array.dtype == np.float64:  # Python floats: the default dtype
            return array, _dt.get_default_dtype(), None
        return array, _dt.from_numpy_dtype(array.dtype), None
    raise TypeError(f"new(): invalid data type '{array.dtype.name}'")


class _Seen:
    """What :func:`_check_nested` noticed on its walk over the elements of nested Python data."""

    __slots__ = ("big_int", "float")

    def __init__(self) -> None:
        self.big_int: Optional[int] = None  # the first Python int outside int64
        self.float = False  # a Python or NumPy float


def _check_nested(data: Any, depth: int, seen: _Seen) -> Tuple[int, ...]:
    """Shape of nested Python sequences, raising torch's errors for ragged or invalid data.

    Like torch, the first element at each level fixes the expected shape below it. Elements that
    are sequences of another length raise ValueError; a number where a sequence is expected, or a
    sequence where a number is expected, raises TypeError (torch's types).
    """
    if isinstance(data, (list, tuple)):
        if not data:
            return (0,)
        first = _check_nested(data[0], depth + 1, seen)
        for item in data[1:]:
            shape = _check_nested(item, depth + 1, seen)
            if shape != first:
                _raise_ragged(first, shape, depth + 1)
        return (len(data),) + first
    if isinstance(data, Tensor):
        return tuple(data._shape)
    if isinstance(data, np.ndarray):
        return data.shape
    if isinstance(data, int):
        if seen.big_int is None and not isinstance(data, bool) and not -2 ** 63 <= data < 2 ** 63:
            seen.big_int = data
        return ()
    if isinstance(data, (float, np.floating)):
        seen.float = True
        return ()
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_, np.void)):
        return ()
    if is_torch_tensor(data):
        raise TypeError("course_lib.tensor() got a torch.Tensor: course_lib and torch tensors do not mix; "
                        + FROM_TORCH)
    if isinstance(data, str):
        if depth == 0:  # tensor("abc"): torch's TypeError; inside a list it is torch's ValueError below
            raise TypeError("new(): invalid data type 'str'")
        raise ValueError(f"too many dimensions '{type(data).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _raise_ragged(expected: Tuple[int, ...], got: Tuple[int, ...], dim: int) -> None:
    """torch's error for an element of shape ``got`` where the first element fixed ``expected`` (at ``dim``)."""
    for offset, (want, have) in enumerate(zip(expected, got)):
        if want != have:
            raise ValueError(f"expected sequence of length {want} at dim {dim + offset} (got {have})")
    where = dim + min(len(expected), len(got))
    if len(got) < len(expected):
        raise TypeError(f"not a sequence: expected a sequence of length {expected[len(got)]} at dim {where}, "
                        "got a number")
    raise TypeError(f"expected a number at dim {where} (as in the first element), got a sequence of length "
                    f"{got[len(expected)]}")


def _check_values_fit(array: np.ndarray, target: _dt.dtype) -> None:
    """Refuse, as torch does, Python numbers that an integer ``target`` cannot hold (300 in int8, nan, inf).

    Only for data given as Python numbers: torch converts each one with an overflow check, while NumPy
    arrays and tensors are cast (and wrap) silently. Vectorised: one min, max and NaN test per call.
    """
    if target.category != 1 or not array.size or array.dtype.kind not in "iuf":
        return
    if array.dtype.kind == "f" and np.isnan(array).any():
        _dt.fit_scalar(float("nan"), target)
    for extreme in (array.min(), array.max()):
        _dt.fit_scalar(extreme.item(), target)


# --------------------------------------------------------------------------- from data


@public(method=False)
def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a *copy* of ``data`` (nested lists, numbers, NumPy arrays, tensors).

    The dtype is inferred as torch does: Python floats -> the default dtype (float32),
    ints -> int64, bools -> bool; NumPy arrays and tensors keep their dtype.

    Raises:
        ValueError: for ragged nested lists (``expected sequence of length 2 at dim 1 (got 1)``);
            ``Overflow when unpacking long long`` for a Python int beyond int64 in an integer tensor.
        TypeError: for elements that are not numbers, or a number where a sequence is expected.
        RuntimeError: ``value 300 cannot be converted to type int8 without overflow`` (Python numbers that
            the integer ``dtype`` cannot hold).
    """
    array, inferred, big_int = _host_data(data)
    target = _dtype_or(dtype, inferred)
    if big_int is not None and target.category == 1:
        raise ValueError(f"Overflow when unpacking long long: {big_int} is outside the 64-bit integers "
                         f"(int64 holds -2**63 to 2**63 - 1); pass dtype=course_lib.float64 to store it as a float")
    if target.category == 1 and not isinstance(data, (Tensor, np.ndarray, np.generic)) and (
            target is not _dt.int64 or array.dtype.kind == "f"):  # Python ints already fit int64 (the walk saw them)
        _check_values_fit(array, target)
    dev = as_device(device)
    owned = not isinstance(data, (Tensor, np.ndarray))
    return _finish(get_backend(dev.type).from_host(array, target, dev, owned=owned), requires_grad)


@public(method=False)
def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like :func:`tensor`, but shares memory with ``data`` when no conversion is needed."""
    dev = data.device if device is None and isinstance(data, Tensor) else as_device(device)
    if isinstance(data, Tensor):
        return data.to(device=dev, dtype=_dtype_or(dtype, data.dtype))
    if isinstance(data, np.ndarray) and dev.type == "cpu" and (dtype is None or _dt.as_dtype(dtype).numpy == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=dev)


@public(method=False)
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A CPU tensor that *shares memory* with the NumPy ``ndarray`` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return share(ndarray, _dt.from_numpy_dtype(ndarray.dtype))


# --------------------------------------------------------------------------- filled


@public(method=False)
def empty(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape whose values are unspecified (zeros here, for reproducibility)."""
    return zeros(*sizes, size=size, dtype=dtype, device=device, requires_grad=requires_grad)


@public(method=False)
def zeros(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)`` and ``zeros((2, 3))`` both work."""
    dev = as_device(device)
    target = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    return _finish(get_backend(dev.type).full(_size_arg(sizes, size, "zeros"), 0, target, dev), requires_grad)


@public(method=False)
def ones(*sizes: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    dev = as_device(device)
    target = _dt.get_default_dtype() if dtype is None else _dt.as_dtype(dtype)
    return _finish(get_backend(dev.type).full(_size_arg(sizes, size, "ones"), 1, target, dev), requires_grad)


@public(method=False)
def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value``; the dtype is inferred from it (``full((2,), 3)`` is int64)."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dev = as_device(device)
    target = _dtype_or(dtype, _fill_dtype(fill_value))
    low, high = _dt.SCALAR_RANGE[target]
    if not low <= fill_value <= high:  # the rare case: refused, or wrapped into an unsigned dtype
        fill_value = _dt.fit_scalar(fill_value, target)
    return _finish(get_backend(dev.type).full(_sizes((size,), "full"), fill_value, target, dev), requires_grad)


@public(method=False)
def eye(n: int, m: Optional[int] = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """An ``n x m`` matrix with ones on the diagonal (``m`` defaults to ``n``)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    dev = as_device(device)
    target = _dtype_or(dtype, _dt.get_default_dtype())
    array = np.eye(n, n if m is None else m, dtype=target.numpy)
    return _finish(get_backend(dev.type).from_host(array, target, dev, owned=True), requires_grad)


# --------------------------------------------------------------------------- ranges


def as_operand(value: Any) -> Any:
    return value.item() if isinstance(value, Tensor) else value


@public(method=False)
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``[start, start + step, ...]`` up to but excluding ``end``; ``arange(n)`` is ``0 .. n-1``.

    The dtype is int64 when all arguments are ints, else the default float dtype.

    Raises:
        RuntimeError: ``step must be nonzero``; ``upper bound and lower bound inconsistent
            with step sign``.
    """
    if end is None:
        start, end = 0, start
    start, end, step = as_operand(start), as_operand(end), as_operand(step)
    inferred = _dt.int64 if all(isinstance(v, int) for v in (start, end, step)) else _dt.get_default_dtype()
    target = _dtype_or(dtype, inferred)
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"unsupported range: {start} -> {end} (start, end and step must be finite, got step "
                           f"{step})")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    count = max(0, math.ceil((end - start) / step))
    dev = as_device(device)
    return _finish(get_backend(dev.type).arange(start, end, step, count, target, dev), requires_grad)


@public(method=False)
def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Computed like torch: the first half counts up from ``start``, the second half down from
    ``end``, so both ends are exact.
    """
    start, end = as_operand(start), as_operand(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    target = _dtype_or(dtype, _dt.get_default_dtype())
    positions = np.arange(steps, dtype=np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    halfway = steps // 2
    values = np.where(positions < halfway, start + step * positions, end - step * (steps - 1 - positions))
    if steps == 1:
        values[0] = start
    dev = as_device(device)
    result = get_backend(dev.type).from_host(values.astype(target.numpy), target, dev, owned=True)
    return _finish(result, requires_grad)


# --------------------------------------------------------------------------- random


def _random_float_dtype(dtype: Any, kernel: str) -> _dt.dtype:
    target = _dtype_or(dtype, _dt.get_default_dtype())
    if not target.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{target.type_name}\'')  # torch's type
    return target


@public(method=False)
def rand(*sizes: Any, size: Any = None, generator: Optional[Generator] = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in ``[0, 1)`` from course_lib's generator (see ``manual_seed``)."""
    target = _random_float_dtype(dtype, "check_uniform_bounds")
    dev = as_device(device)
    result = get_backend(dev.type).rand(_size_arg(sizes, size, "rand"), target, dev, generator or default_generator)
    return _finish(result, requires_grad)


@public(method=False)
def randn(*sizes: Any, size: Any = None, generator: Optional[Generator] = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    target = _random_float_dtype(dtype, "normal_kernel_cpu")
    dev = as_device(device)
    result = get_backend(dev.type).randn(_size_arg(sizes, size, "randn"), target, dev, generator or default_generator)
    return _finish(result, requires_grad)


@public(method=False)
def randint(*args: Any, size: Any = None, generator: Optional[Generator] = None, dtype: Any = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)``: ``randint(high, size)`` or ``randint(low, high, size)``.

    Raises:
        RuntimeError: ``random_ expects 'from' to be less than 'to', but got from=3 >= to=3``.
    """
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, (high, shape) = 0, args
    elif len(args) == 3:
        low, high, shape = args
    else:
        raise TypeError("randint() expects (high, size) or (low, high, size)")
    low, high = int(as_operand(low)), int(as_operand(high))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dev = as_device(device)
    target = _dtype_or(dtype, _dt.int64)
    result = get_backend(dev.type).randint(low, high, _sizes((shape,)), target, dev, generator or default_generator)
    return _finish(result, requires_grad)


@public(method=False)
def randperm(n: int, *, generator: Optional[Generator] = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dev = as_device(device)
    target = _dtype_or(dtype, _dt.int64)
    return _finish(get_backend(dev.type).randperm(int(n), target, dev, generator or default_generator), requires_grad)


@public(method=False)
def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Optional[Generator] = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal random numbers: ``normal(mean, std, size)`` with numbers, or with tensors (broadcast).

    Raises:
        RuntimeError: ``normal expects std >= 0.0, but found std -1.0`` for a negative number std.
    """
    if not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if tensors:
        shape: Tuple[int, ...] = ()
        for t in tensors:
            shape = broadcast_shape(shape, t._shape)
        dev, target = tensors[0].device, tensors[0].dtype
    else:
        if size is None:
            raise TypeError("normal() with a number mean and std needs a size")
        shape, dev, target = _sizes((size,)), as_device(device), _random_float_dtype(dtype, "normal_kernel_cpu")
    noise = get_backend(dev.type).randn(shape, target, dev, generator or default_generator)
    return _finish(noise * std + mean, requires_grad)


# --------------------------------------------------------------------------- *_like and new_*


@public(method=False)
def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """An unspecified (here: zero) tensor with ``input``'s shape, dtype and device."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


@public(method=False)
def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """Zeros with ``input``'s shape, dtype and device."""
    return full_like(input, 0, dtype=dtype, device=device, requires_grad=requires_grad)


@public(method=False)
def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    """Ones with ``input``'s shape, dtype and device."""
    return full_like(input, 1, dtype=dtype, device=device, requires_grad=requires_grad)


@public(method=False)
def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``fill_value`` everywhere, with ``input``'s shape, dtype and device."""
    return full(input._shape, fill_value, dtype=_dtype_or(dtype, input.dtype), device=device or input.device,
                requires_grad=requires_grad)


@public(method=False)
def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    """Uniform ``[0, 1)`` numbers with ``input``'s shape, dtype and device."""
    return rand(input._shape, dtype=_dtype_or(dtype, input.dtype), device=device or input.device,
                requires_grad=requires_grad)


@public(method=False)
def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    """Standard normal numbers with ``input``'s shape, dtype and device."""
    return randn(input._shape, dtype=_dtype_or(dtype, input.dtype), device=device or input.device,
                 requires_grad=requires_grad)


@public(method=False)
def randint_like(input: Tensor, low: int = 0, high: Optional[int] = None, *, dtype: Any = None,
                 device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in ``[low, high)`` with ``input``'s shape (``randint_like(x, high)`` works too)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._shape, dtype=_dtype_or(dtype, input.dtype), device=device or input.device,
                   requires_grad=requires_grad)


@public(export=False)
def new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A copy of ``data`` with this tensor's dtype and device (unless given)."""
    return tensor(data, dtype=_dtype_or(dtype, self.dtype), device=device or self.device, requires_grad=requires_grad)


@public(export=False)
def new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor of ``size`` with this tensor's dtype and device."""
    return new_full(self, _sizes(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)


@public(export=False)
def new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype and device."""
    return new_full(self, _sizes(size), 0, dtype=dtype, device=device, requires_grad=requires_grad)


@public(export=False)
def new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``size`` with this tensor's dtype and device."""
    return new_full(self, _sizes(size), 1, dtype=dtype, device=device, requires_grad=requires_grad)


@public(export=False)
def new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, of ``size``, with this tensor's dtype and device."""
    return full(size, fill_value, dtype=_dtype_or(dtype, self.dtype), device=device or self.device,
                requires_grad=requires_grad)


__all__ = ["Size"]
