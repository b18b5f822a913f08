"""The ``python`` backend: every primitive as explicit loops over storage positions.

Taught in notebooks/01_tensors.ipynb, sections "A backend of loops", "Reductions" and
"Matrix multiplication". This is the teaching version of a backend: each loop walks the
output's indices one by one and uses the index helpers of ``shape.py`` to find the input
elements in storage. It is slow (one Python step per element), so use it on tiny tensors.

The loops work on :class:`Strided` tuples — a flat storage array plus a layout — so they
read any view (transposed, sliced, expanded) without copying it first. Primitives outside
chapter 01's exercises (random numbers, sorting, gathering...) are inherited from the
NumPy backend.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from .. import dtypes as _dtypes
from ..shape import (Shape, Strides, broadcast_index, broadcast_shape, broadcast_strides, contiguous_strides,
                     index_to_position, numel, position_to_index, reduced_shape)
from ..storage import Storage
from .numpy_functions import BINARY, REDUCE, UNARY, identity, quietly, reduce_identity
from .base import BOOL_RESULT, NUMBERS, Backend, tensor_from_storage
from .numpy_backend import HOST_BUFFERS, NumpyBackend, wrap_int


class Strided(NamedTuple):
    """A tensor's raw parts: element ``index`` lives at ``storage[offset + sum(index * strides)]``."""

    storage: np.ndarray
    shape: Shape
    strides: Strides
    offset: int


def strided(t: Any) -> Strided:
    """The raw parts of tensor ``t``."""
    return Strided(t._storage.data, t._shape, t._strides, t._offset)


def new_output(shape: Shape, dtype, device) -> Strided:
    """Storage and contiguous layout for a new result of ``shape``."""
    return Strided(np.empty(numel(shape), dtype.numpy), tuple(shape), contiguous_strides(shape), 0)


def as_tensor(out: Strided, dtype, device) -> Any:
    """Wrap a result made by :func:`new_output` as a Tensor."""
    return tensor_from_storage(Storage(out.storage, device, HOST_BUFFERS), out.shape, out.strides, out.offset, dtype, device)


# --------------------------------------------------------------------------- the loops


def map_loop(fn: Callable[[Any], Any], x: Strided, out: Strided) -> None:
    """Write ``fn(x[index])`` to ``out[index]`` for every index of ``out.shape`` (== ``x.shape``).

    Taught in notebooks/01_tensors.ipynb, section "A backend of loops".

    Args:
        fn: a function of one element (a NumPy scalar).
        x: the input's raw parts; any strides (a transposed or sliced view works).
        out: the output's raw parts; written in place.
    """
    # BEGIN EXERCISE 1.6
    for position in range(numel(out.shape)):
        index = position_to_index(position, out.shape)
        x_position = index_to_position(index, x.strides, x.offset)
        out_position = index_to_position(index, out.strides, out.offset)
        out.storage[out_position] = fn(x.storage[x_position])
    # END EXERCISE


def zip_loop(fn: Callable[[Any, Any], Any], a: Strided, b: Strided, out: Strided) -> None:
    """Write ``fn(a[...], b[...])`` to every element of ``out``, broadcasting ``a`` and ``b``.

    ``out.shape`` is ``broadcast_shape(a.shape, b.shape)``. For each index of ``out``, the
    elements of ``a`` and ``b`` to combine are found with ``broadcast_index``.

    Taught in notebooks/01_tensors.ipynb, section "A backend of loops".
    """
    # BEGIN EXERCISE 1.7
    for position in range(numel(out.shape)):
        index = position_to_index(position, out.shape)
        a_index = broadcast_index(index, out.shape, a.shape)
        b_index = broadcast_index(index, out.shape, b.shape)
        a_value = a.storage[index_to_position(a_index, a.strides, a.offset)]
        b_value = b.storage[index_to_position(b_index, b.strides, b.offset)]
        out.storage[index_to_position(index, out.strides, out.offset)] = fn(a_value, b_value)
    # END EXERCISE


def reduce_loop(fn: Callable[[Any, Any], Any], x: Strided, dims: Sequence[int], out: Strided) -> None:
    """Combine the elements of ``x`` over ``dims`` into ``out`` with ``fn``.

    ``out`` has ``x``'s shape with size 1 in each reduced dimension (``keepdim=True``) and
    already holds the starting value (0 for a sum, -inf for a max...). Each element of ``x``
    is folded into the output element whose index is ``x``'s index with 0 in the reduced
    dimensions: ``out[o] = fn(out[o], x[index])``.

    Taught in notebooks/01_tensors.ipynb, section "Reductions".
    """
    # BEGIN EXERCISE 1.12
    for position in range(numel(x.shape)):
        index = position_to_index(position, x.shape)
        out_index = tuple(0 if dim in dims else i for dim, i in enumerate(index))
        out_position = index_to_position(out_index, out.strides, out.offset)
        x_value = x.storage[index_to_position(index, x.strides, x.offset)]
        out.storage[out_position] = fn(out.storage[out_position], x_value)
    # END EXERCISE


def matmul_loop(a: Strided, b: Strided, out: Strided) -> None:
    """Batched matrix product: ``out[..., i, j] = sum_k a[..., i, k] * b[..., k, j]``.

    ``a`` is ``(..., n, k)``, ``b`` is ``(..., k, m)`` and ``out`` is ``(..., n, m)``, where
    ``out``'s batch dimensions are the broadcast of ``a``'s and ``b``'s (use
    ``broadcast_index`` on the batch part of the index). ``out`` is written in place.

    Taught in notebooks/01_tensors.ipynb, section "Matrix multiplication".
    """
    # BEGIN EXERCISE 1.13
    batch_shape = out.shape[:-2]
    inner = a.shape[-1]
    for position in range(numel(out.shape)):
        index = position_to_index(position, out.shape)
        batch, i, j = index[:-2], index[-2], index[-1]
        a_batch = broadcast_index(batch, batch_shape, a.shape[:-2])
        b_batch = broadcast_index(batch, batch_shape, b.shape[:-2])
        total = out.storage.dtype.type(0)
        for k in range(inner):
            a_value = a.storage[index_to_position(a_batch + (i, k), a.strides, a.offset)]
            b_value = b.storage[index_to_position(b_batch + (k, j), b.strides, b.offset)]
            total += a_value * b_value
        out.storage[index_to_position(index, out.strides, out.offset)] = total
    # END EXERCISE


# --------------------------------------------------------------------------- the backend


class PythonBackend(NumpyBackend):
    """A CPU backend whose chapter-01 primitives are the loops above."""

    name = "python"
    device_type = "cpu"

    def _scalar_operand(self, value: Any, like: Any) -> Any:
        """A Python number as a 0-d tensor of ``like``'s dtype (an int beyond the dtype wraps, as in torch)."""
        try:
            element = np.array([value], like.dtype.numpy)
        except OverflowError:
            element = np.array([wrap_int(value, like.dtype)], like.dtype.numpy)
        return as_tensor(Strided(element, (), (), 0), like.dtype, like.device)

    @quietly
    def map(self, fn_name, x) -> Any:
        dtype = _dtypes.bool if fn_name in BOOL_RESULT else x.dtype
        out = new_output(x._shape, dtype, x.device)
        map_loop(UNARY[fn_name], strided(x), out)
        return as_tensor(out, dtype, x.device)

    @quietly
    def zip(self, fn_name, a, b, out=None) -> Any:
        if isinstance(a, NUMBERS):
            a = self._scalar_operand(a, b)
        if isinstance(b, NUMBERS):
            b = self._scalar_operand(b, a)
        dtype = _dtypes.bool if fn_name in BOOL_RESULT else a.dtype
        result = new_output(broadcast_shape(a._shape, b._shape), dtype, a.device)
        zip_loop(BINARY[fn_name], strided(a), strided(b), result)
        if out is not None:
            self.copy_into(out, as_tensor(result, dtype, a.device))
            return out
        return as_tensor(result, dtype, a.device)

    @quietly
    def reduce(self, fn_name, x, dims, keepdim) -> Any:
        dtype = _dtypes.bool if fn_name in BOOL_RESULT else x.dtype
        out = new_output(reduced_shape(x._shape, dims, True), dtype, x.device)
        out.storage[:] = reduce_identity(fn_name, dtype.numpy)
        function = REDUCE[fn_name]
        if fn_name in ("all", "any"):
            function = _logical(function)
        reduce_loop(function, strided(x), tuple(dims), out)
        result = as_tensor(out, dtype, x.device)
        if not keepdim:
            shape = reduced_shape(x._shape, dims, False)
            result = as_tensor(Strided(out.storage, shape, contiguous_strides(shape), 0), dtype, x.device)
        return result

    @quietly
    def matmul(self, a, b) -> Any:
        batch = broadcast_shape(a._shape[:-2], b._shape[:-2])
        out = new_output(batch + (a._shape[-2], b._shape[-1]), a.dtype, a.device)
        matmul_loop(strided(a), strided(b), out)
        return as_tensor(out, a.dtype, a.device)

    def copy(self, x) -> Any:
        out = new_output(x._shape, x.dtype, x.device)
        map_loop(identity, strided(x), out)
        return as_tensor(out, x.dtype, x.device)

    @quietly
    def cast(self, x, dtype) -> Any:
        out = new_output(x._shape, dtype, x.device)
        map_loop(identity, strided(x), out)  # storing into the output storage converts the type
        return as_tensor(out, dtype, x.device)

    @quietly
    def copy_into(self, dst, src) -> None:
        if isinstance(src, NUMBERS):
            self.fill(dst, src)
            return
        if src._storage is dst._storage:
            src = self.copy(src)  # reading and writing the same memory: read everything first
        source = strided(src)
        if source.shape != dst._shape:  # broadcast: stride 0 along the stretched dimensions
            source = Strided(source.storage, dst._shape, broadcast_strides(source.shape, source.strides, dst._shape),
                             source.offset)
        map_loop(identity, source, strided(dst))

    cat = Backend.cat  # composed from empty + copy_into (your map_loop), not NumPy's concatenate
    # Composed from the loops too, not NumPy's fused versions:
    linear, log_softmax, softmax = Backend.linear, Backend.log_softmax, Backend.softmax
    gather, one_hot = Backend.gather, Backend.one_hot
    add_scaled, threshold_backward = Backend.add_scaled, Backend.threshold_backward
    cross_entropy, cross_entropy_backward = Backend.cross_entropy, Backend.cross_entropy_backward

    @quietly
    def where(self, condition, a, b) -> Any:
        if isinstance(a, NUMBERS):
            a = self._scalar_operand(a, b)
        if isinstance(b, NUMBERS):
            b = self._scalar_operand(b, a)
        shape = broadcast_shape(broadcast_shape(condition._shape, a._shape), b._shape)
        out = new_output(shape, a.dtype, a.device)
        c, x, y = strided(condition), strided(a), strided(b)
        for position in range(numel(shape)):
            index = position_to_index(position, shape)
            source = x if c.storage[index_to_position(broadcast_index(index, shape, c.shape), c.strides, c.offset)] else y
            source_index = broadcast_index(index, shape, source.shape)
            out.storage[position] = source.storage[index_to_position(source_index, source.strides, source.offset)]
        return as_tensor(out, a.dtype, a.device)


def _logical(function: Callable) -> Callable:
    """``all``/``any`` fold truth values: compare each element with 0 first."""
    return lambda accumulated, value: function(accumulated, value != 0)
