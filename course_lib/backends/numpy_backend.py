"""The ``numpy`` backend (device ``cpu``): view the storage with the tensor's strides, call NumPy.

Taught in notebooks/01_tensors.ipynb, section "Devices and backends". This is the fast CPU
path: a tensor's elements are exposed to NumPy as an ``ndarray`` that *aliases* the storage
(same memory, the tensor's shape, strides and offset), built once and cached on the tensor.
Every primitive is then one or two NumPy calls, so the per-operation cost is Python
bookkeeping plus NumPy's own.
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Tuple

import numpy as np

from .. import dtypes as _dtypes
from ..device import CPU
from ..shape import broadcast_shape, fills_one_block, reduced_shape
from ..storage import Buffers, Storage
from ..shape import _ROW_MAJOR, row_major_strides
from . import base as _base
from .base import BOOL_RESULT, NUMBERS, Backend, tensor_from_storage
from .numpy_functions import BINARY, REDUCE, UNARY, quietly

_BOOL = _dtypes.bool
_INT64 = _dtypes.int64
_ndarray = np.ndarray


class HostBuffers(Buffers):
    """A storage's buffer on the CPU: a flat, contiguous NumPy array."""

    def length(self, data: np.ndarray) -> int:
        return int(data.shape[0])

    def element_size(self, data: np.ndarray) -> int:
        return int(data.itemsize)

    def data_ptr(self, data: np.ndarray) -> int:
        return int(data.ctypes.data)

    def to_host(self, data: np.ndarray) -> np.ndarray:
        return data

    def write(self, data: np.ndarray, position: int, value: Any) -> None:
        data[position] = value


HOST_BUFFERS = HostBuffers()


def array_of(t: Any) -> np.ndarray:
    """The NumPy view of ``t``'s elements (aliases the storage; built once, then cached in the tensor's
    ``_backend_cache``, the slot that belongs to its backend)."""
    array = t._backend_cache
    if array is None:
        array = t._backend_cache = _build_view(t)
    return array


def _build_view(t: Any) -> np.ndarray:
    data = t._storage.data
    shape, strides, offset = t._shape, t._strides, t._offset
    if strides == row_major_strides(shape):
        count = 1
        for size in shape:
            count *= size
        return data[offset:offset + count].reshape(shape)
    itemsize = data.itemsize
    if 0 in shape:
        return np.empty(shape, data.dtype)
    return _ndarray(shape, data.dtype, data, offset * itemsize, tuple([s * itemsize for s in strides]))


def wrap(array: Any, dtype, device=CPU) -> Any:
    """A Tensor owning the freshly computed ``array`` (which no other tensor may alias).

    A C-contiguous array becomes the storage as it is. So does an array NumPy allocated in its inputs' memory
    order (a ufunc's ``order="K"``: a permutation of a contiguous block, such as channels-last): its strides
    are kept, as torch keeps a dense input's layout in an elementwise result. A view, or any other layout, is
    copied to a row-major one.
    """
    if array.__class__ is not _ndarray:
        array = np.asarray(array)  # NumPy returns scalars from 0-d computations
    if not array.flags.c_contiguous:
        if array.base is None and array.size > 1 and _dense(array):
            itemsize = array.itemsize
            flat = np.lib.stride_tricks.as_strided(array, shape=(array.size,), strides=(itemsize,))
            strides = tuple(s // itemsize for s in array.strides)
            return _base._constructor(Storage(flat, device, HOST_BUFFERS), array.shape, strides, 0, dtype, device,
                                      array)
        array = np.ascontiguousarray(array)
    shape = array.shape
    strides = _ROW_MAJOR.get(shape) or row_major_strides(shape)
    # NOTE: base._constructor is what tensor_from_storage calls: every operation ends here, so one call less.
    return _base._constructor(Storage(array.reshape(-1), device, HOST_BUFFERS), shape, strides, 0, dtype, device, array)


def _dense(array: np.ndarray) -> bool:
    """True when ``array``'s elements fill one block without gaps, in some order of its dimensions."""
    return fills_one_block(array.shape, array.strides, array.itemsize)


def share(array: np.ndarray, dtype) -> Any:
    """A Tensor sharing memory with an existing NumPy ``array`` (``from_numpy``), keeping its strides.

    Raises:
        ValueError: for negative or misaligned strides, as ``torch.from_numpy`` does.
    """
    itemsize = array.itemsize
    if any(s < 0 for s in array.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making a "
                         "copy of your array with array.copy().) ")
    if any(s % itemsize for s in array.strides):
        raise ValueError("given numpy array strides not a multiple of the element byte size. "
                         "Copy the numpy array to reallocate the memory.")
    if array.flags.c_contiguous:
        flat = array.reshape(-1)
        strides = row_major_strides(array.shape)
    else:
        strides = tuple(s // itemsize for s in array.strides)
        span = 1 + sum((n - 1) * s for n, s in zip(array.shape, strides)) if array.size else 0
        flat = np.lib.stride_tricks.as_strided(array, shape=(span,), strides=(itemsize,))
    storage = Storage(flat, CPU, HOST_BUFFERS)
    storage.exposed = True  # the caller's array aliases it
    return tensor_from_storage(storage, array.shape, strides, 0, dtype, CPU, array)


@quietly
def _host_copy(array: np.ndarray, dtype: Any) -> np.ndarray:
    """A C-contiguous copy of ``array`` as ``dtype``; silent where the cast overflows (1e300 -> inf in
    float32), as torch is."""
    return np.array(array, dtype=dtype.numpy, order="C", copy=True)


def wrap_int(value: int, dtype: Any) -> int:
    """The Python int ``value`` wrapped around into ``dtype``'s range, as torch's integer arithmetic does
    (300 -> 44 in int8, 2**63 -> -2**63 in int64)."""
    with np.errstate(over="ignore"):
        return int(np.array(value).astype(dtype.numpy))


def _operand(value: Any) -> Any:
    return value if isinstance(value, NUMBERS) else array_of(value)


_NO_FLOAT_ERRORS = frozenset({"max", "min", "all", "any"})  # reductions that raise no floating-point warning

class NumpyBackend(Backend):
    """The CPU backend: NumPy on views of the storage."""

    name = "numpy"
    device_type = "cpu"

    # ------------------------------------------------------------------ memory

    def empty(self, shape, dtype, device=CPU) -> Any:
        return wrap(np.empty(shape, dtype.numpy), dtype, device)

    def full(self, shape, value, dtype, device=CPU) -> Any:
        if value == 0 and not (isinstance(value, float) and math.copysign(1.0, value) < 0):  # not -0.0
            return wrap(np.zeros(shape, dtype.numpy), dtype, device)  # cheaper than np.full
        return wrap(np.full(shape, value, dtype.numpy), dtype, device)

    def from_host(self, array, dtype, device=CPU, owned: bool = False) -> Any:
        if owned and array.dtype == dtype.numpy:
            return wrap(array, dtype, device)
        return wrap(_host_copy(array, dtype), dtype, device)

    def to_host(self, x) -> np.ndarray:
        return array_of(x)

    def copy(self, x) -> Any:
        return wrap(array_of(x).copy(order="C"), x.dtype, x.device)

    @quietly
    def copy_into(self, dst, src) -> None:
        np.copyto(array_of(dst), _operand(src), casting="unsafe")

    @quietly
    def cast(self, x, dtype) -> Any:
        array = array_of(x)  # a dense input keeps its layout (torch's preserve_format); others become row-major
        return wrap(array.astype(dtype.numpy, order="K" if _dense(array) else "C"), dtype, x.device)

    def fill(self, x, value) -> None:
        array_of(x)[...] = value

    def arange(self, start, end, step, count, dtype, device=CPU) -> Any:
        # NOTE: torch computes start + step * i with a fused multiply-add (one rounding), so the value
        # near 0 of arange(-8.0, 8.0, 0.1) is 4.4e-16, not 0.0; extended precision gives the same values.
        if not dtype.is_floating_point and isinstance(start, int) and isinstance(step, int):
            values = start + step * np.arange(count, dtype=np.int64)  # exact: no rounding to reproduce
            return wrap(values.astype(dtype.numpy, copy=False), dtype, device)
        positions = np.arange(count, dtype=np.longdouble)
        values = (positions * np.longdouble(step) + np.longdouble(start)).astype(np.float64)
        if not dtype.is_floating_point:
            values = np.floor(values) if step > 0 else np.ceil(values)
        return wrap(values.astype(dtype.numpy, copy=False), dtype, device)

    # ------------------------------------------------------------------ compute

    @quietly
    def map(self, fn_name, x) -> Any:
        result = UNARY[fn_name](array_of(x))
        return wrap(result, _BOOL if fn_name in BOOL_RESULT else x.dtype, x.device)

    @quietly
    def zip(self, fn_name, a, b, out=None) -> Any:
        if not isinstance(a, NUMBERS):
            x, dtype, device = array_of(a), a.dtype, a.device
            y = b if isinstance(b, NUMBERS) else array_of(b)
        else:
            x, y, dtype, device = a, array_of(b), b.dtype, b.device
        function = BINARY[fn_name]
        try:
            if out is None:
                result = function(x, y)
            elif type(function) is np.ufunc:
                function(x, y, out=array_of(out))
                return out
            else:
                np.copyto(array_of(out), function(x, y))
                return out
        except OverflowError:  # int8_tensor + 300: NumPy refuses the number, torch wraps it to the dtype
            if not isinstance(a, int) and not isinstance(b, int):
                raise
            wrapped = (wrap_int(a, dtype), b) if isinstance(a, int) else (a, wrap_int(b, dtype))
            return self.zip(fn_name, *wrapped, out=out)
        except ValueError:
            if not isinstance(a, NUMBERS) and not isinstance(b, NUMBERS):
                broadcast_shape(a._shape, b._shape)  # raises torch's message
            raise
        return wrap(result, _BOOL if fn_name in BOOL_RESULT else dtype, device)

    @quietly
    def where(self, condition, a, b) -> Any:
        dtype = b.dtype if isinstance(a, NUMBERS) else a.dtype
        result = np.where(array_of(condition), _operand(a), _operand(b))
        if result.dtype != dtype.numpy:
            result = result.astype(dtype.numpy)
        return wrap(result, dtype, condition.device)

    def reduce(self, fn_name, x, dims, keepdim) -> Any:
        # NOTE: max, min, all and any cannot overflow or divide, so they skip quietly's switch of NumPy's
        # error state: under it a reduction of 1M float32 runs ~2 us slower (the max bar is 1.10x NumPy).
        if fn_name in _NO_FLOAT_ERRORS:
            return self._reduce(fn_name, x, dims, keepdim)
        return self._quiet_reduce(fn_name, x, dims, keepdim)

    def _reduce(self, fn_name, x, dims, keepdim) -> Any:
        array = array_of(x)
        dtype = _BOOL if fn_name in BOOL_RESULT else x.dtype
        if fn_name in ("all", "any") and array.dtype != np.bool_:
            array = array != 0
        if fn_name == "sum" and x.dtype.is_floating_point:
            result = _fast_sum(array, dims)
        elif not keepdim and len(dims) == array.ndim:  # everything: a 0-d result
            return wrap(REDUCE[fn_name].reduce(array, axis=None), dtype, x.device)
        else:
            result = REDUCE[fn_name].reduce(array, axis=tuple(dims), keepdims=True)
        if not keepdim:
            result = result.reshape(() if len(dims) == array.ndim else reduced_shape(x._shape, dims, False))
        return wrap(result, dtype, x.device)

    _quiet_reduce = quietly(_reduce)

    @quietly
    def log_softmax(self, x, dim) -> Any:
        array = array_of(x)
        shifted = array - array.max(axis=dim, keepdims=True)
        exps = np.exp(shifted)
        shifted -= np.log(exps.sum(axis=dim, keepdims=True))
        return wrap(shifted, x.dtype, x.device)

    @quietly
    def softmax(self, x, dim) -> Any:
        array = array_of(x)
        exps = np.exp(array - array.max(axis=dim, keepdims=True))
        exps /= exps.sum(axis=dim, keepdims=True)
        return wrap(exps, x.dtype, x.device)

    def arg_reduce(self, fn_name, x, dim, keepdim) -> Any:
        array = array_of(x)
        function = np.argmax if fn_name == "max" else np.argmin
        if dim is None:
            result = np.asarray(function(array), dtype=np.int64)
            if keepdim:
                result = result.reshape((1,) * array.ndim)
        else:
            result = function(array, axis=dim, keepdims=keepdim).astype(np.int64, copy=False)
        return wrap(result, _INT64, x.device)

    @quietly
    def scan(self, fn_name, x, dim) -> Any:
        function = np.cumsum if fn_name == "sum" else np.cumprod
        return wrap(function(array_of(x), axis=dim), x.dtype, x.device)

    @quietly
    def matmul(self, a, b) -> Any:
        return wrap(np.matmul(array_of(a), array_of(b)), a.dtype, a.device)

    @quietly
    def linear(self, x, weight, bias=None) -> Any:
        out = np.matmul(array_of(x), array_of(weight).T)
        if bias is not None:
            out += array_of(bias)
        return wrap(out, x.dtype, x.device)

    @quietly
    def cross_entropy(self, logits, target, reduction: str) -> Tuple[Any, Any]:
        x, picks = array_of(logits), array_of(target)
        log_p = x - x.max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        chosen = log_p[np.arange(picks.size), picks]
        if reduction == "none":
            loss = np.negative(chosen)
        else:
            loss = -chosen.sum() / picks.size if reduction == "mean" else -chosen.sum()
        return wrap(loss, logits.dtype, logits.device), wrap(log_p, logits.dtype, logits.device)

    @quietly
    def cross_entropy_backward(self, grad, log_p, target, reduction: str) -> Any:
        picks, scale = array_of(target), array_of(grad)
        gradient = np.exp(array_of(log_p))
        gradient[np.arange(picks.size), picks] -= 1
        if reduction == "none":
            gradient *= scale[:, None]
        else:
            gradient *= scale / picks.size if reduction == "mean" else scale
        return wrap(gradient, log_p.dtype, log_p.device)

    @quietly
    def add_scaled(self, out, x, alpha: Any) -> Any:
        target = array_of(out)
        np.add(target, np.multiply(array_of(x), alpha), out=target)
        return out

    def threshold_backward(self, grad, result, threshold: Any = 0) -> Any:
        keep = np.asarray(np.less_equal(array_of(result), threshold))  # (a 0-d result gives a NumPy scalar)
        np.logical_not(keep, out=keep)  # not "greater": a NaN result passes its gradient on, as in torch
        return wrap(np.multiply(array_of(grad), keep, dtype=grad.dtype.numpy), grad.dtype, grad.device)

    def one_hot(self, index, classes: int, dtype) -> Any:
        flat = array_of(index).reshape(-1)
        out = np.zeros((flat.size, classes), dtype.numpy)
        out[np.arange(flat.size), flat] = 1
        return wrap(out.reshape(index._shape + (classes,)), dtype, index.device)

    @quietly
    def cat(self, tensors, dim, dtype) -> Any:
        arrays = [array_of(t) for t in tensors]
        return wrap(np.concatenate(arrays, axis=dim, dtype=dtype.numpy, casting="unsafe"), dtype, tensors[0].device)

    def gather(self, x, dim, index) -> Any:
        array, picks = array_of(x), array_of(index)
        if array.shape[:dim] + array.shape[dim + 1:] != picks.shape[:dim] + picks.shape[dim + 1:]:
            # torch reads only the leading part of x in the other dimensions (take_along_axis would broadcast)
            array = array[tuple(slice(0, size) if axis != dim else slice(None) for axis, size in enumerate(picks.shape))]
        return wrap(np.take_along_axis(array, picks, axis=dim), x.dtype, x.device)

    def take(self, x, positions) -> Any:
        return wrap(x._storage.data[array_of(positions)], x.dtype, x.device)

    @quietly
    def put(self, x, positions, values, accumulate: bool = False) -> None:
        if accumulate:  # np.add.at, unlike +=, adds every duplicate position's value
            np.add.at(x._storage.data, array_of(positions), array_of(values))
        else:
            x._storage.data[array_of(positions)] = array_of(values)

    def nonzero(self, x) -> Any:
        return wrap(np.argwhere(array_of(x)).astype(np.int64, copy=False), _INT64, x.device)

    def sort(self, x, dim, descending) -> Tuple[Any, Any]:
        array = array_of(x)
        if descending:
            # Sort the reversed array ascending (stable), then reverse back: equal values keep
            # their original order and NaN (the largest) comes first, as in torch.
            order = np.argsort(np.flip(array, dim), axis=dim, kind="stable")
            indices = (array.shape[dim] - 1) - np.flip(order, dim)
        else:
            indices = np.argsort(array, axis=dim, kind="stable")
        values = np.take_along_axis(array, indices, dim)
        return wrap(values, x.dtype, x.device), wrap(indices.astype(np.int64, copy=False), _INT64, x.device)


_ONES: dict = {}
_ONES_LIMIT = 1 << 22  # longest cached vector of ones (16 MB in float32)


def _ones(count: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``count`` ones, sliced from a cached one."""
    ones = _ONES.get(dtype)
    if ones is None or ones.size < count:
        ones = np.ones(max(count, 4096), dtype)
        ones.flags.writeable = False
        _ONES[dtype] = ones
    return ones[:count]


def _fast_sum(array: np.ndarray, dims: Sequence[int]) -> np.ndarray:
    """Floating-point sum over ``dims``, with ``keepdims=True``.

    # NOTE: a performance fast path. NumPy's pairwise ``add.reduce`` is accurate but 2-4x
    # slower than torch's vectorized, multi-threaded sum on large arrays. When the reduced
    # dimensions are the trailing (or the leading) ones of a contiguous array, the sum is a
    # matrix-vector product with a vector of ones, which BLAS computes vectorized and
    # multi-threaded; other layouts use ``einsum`` ("abc->ac"), which sums with SIMD partial
    # sums. Both accumulate in several float32 lanes: as accurate as torch in practice.
    """
    ndim, count = array.ndim, len(dims)
    keep_shape = tuple(1 if d in dims else n for d, n in enumerate(array.shape))
    if array.size < 4096 or ndim > 20:
        return np.add.reduce(array, axis=tuple(dims), keepdims=True)
    if array.flags.c_contiguous:
        if count == ndim:  # everything: SIMD partial sums over the flat array
            return np.asarray(np.einsum("i->", array.reshape(-1))).reshape(keep_shape)
        if tuple(dims) == tuple(range(ndim - count, ndim)):  # trailing dims: rows @ ones
            inner = int(np.prod(array.shape[ndim - count:]))
            if inner <= _ONES_LIMIT:
                return (array.reshape(-1, inner) @ _ones(inner, array.dtype)).reshape(keep_shape)
        elif tuple(dims) == tuple(range(count)):  # leading dims: ones @ rows
            inner = int(np.prod(array.shape[:count]))
            if inner <= _ONES_LIMIT:
                return (_ones(inner, array.dtype) @ array.reshape(inner, -1)).reshape(keep_shape)
    letters = "abcdefghijklmnopqrst"[:ndim]
    kept = "".join(letter for d, letter in enumerate(letters) if d not in dims)
    return np.asarray(np.einsum(f"{letters}->{kept}", array)).reshape(keep_shape)
