"""Indexing: ``x[...]`` and ``x[...] = value``.

Taught in notebooks/01_tensors.ipynb, section "Indexing and slicing".

*Basic* indexing — ints, slices with positive steps, ``None`` and ``...`` — only changes
the layout, so it returns a view: an int removes a dimension and moves the offset, a slice
shrinks a dimension and multiplies its stride by the step, ``None`` inserts a size-1
dimension. *Advanced* indexing — int lists or tensors, bool masks — picks arbitrary
elements, so it copies: the storage positions of the picked elements are computed with
tensor arithmetic, then gathered with the backend's ``take`` (or written with ``put``).
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from .. import dtypes as _dt
from ..backends import get_backend
from ..shape import normalize_dim, slice_layout
from .._tensor import Tensor, check_same_device, wrap_storage
from .common import backend_for
from . import creation, views
from .creation import arange, tensor, zeros
from .dispatch import differentiable, public
from .elementwise import where
from .writes import check_writable, write_result
from .inplace import fill_
from .linalg import matmul
from .views import as_view, broadcast_shapes, broadcast_tensors, expand, movedim, reshape, select, unsqueeze


# --------------------------------------------------------------------------- parsing a key


def _index_tensor(item: Any, device) -> Tensor:

    if isinstance(item, Tensor):
        result = item
    else:
        result = tensor(item, device=device)
    if result.dtype.is_floating_point:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return result


def _is_advanced(item: Any) -> bool:
    return isinstance(item, (Tensor, list, np.ndarray)) or (isinstance(item, tuple) and False)


def _dims_used(item: Any) -> int:
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor) and item.dtype is _dt.bool:
        return max(item.ndim, 1) if item.ndim else 0
    return 1


def _parse(input: Tensor, key: Any):
    """Apply the basic part of ``key``; return ``(view, advanced)`` where ``advanced`` lists
    ``(dim_in_view, int64 index tensor)`` pairs still to apply."""

    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(list(k) if isinstance(k, range) else k for k in key)  # y_hat[range(n), y]: a list of ints
    items = [(_index_tensor(k, input.device) if _is_advanced(k) else k) for k in key]
    used = sum(_dims_used(k) for k in items)
    if used > input.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input.ndim}")
    # NOTE: torch (unlike NumPy) accepts several ellipses: each one skips the dimensions that the other
    # items leave over (x[..., None, ...] of a (2, 3) tensor is (2, 3, 1)), so the loop below just repeats it.
    view, dim, original_dim = input, 0, 0
    advanced: List[Tuple[int, Tensor]] = []
    for item in items:
        if dim >= view.ndim and item is not None and item is not Ellipsis:  # several ellipses skipped every dim
            raise IndexError(f"too many indices for tensor of dimension {input.ndim}: the ellipses before "
                             f"{item!r} in the index already skipped all its dimensions")
        if item is None:
            view = unsqueeze(view, dim)
            dim += 1
        elif item is Ellipsis:
            skipped = input.ndim - used
            dim += skipped
            original_dim += skipped
        elif isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError("step must be greater than zero")
            shape, strides, offset = slice_layout(view._shape, view._strides, view._offset, dim, item)
            view = as_view(view, shape, strides, offset)
            dim += 1
            original_dim += 1
        elif isinstance(item, Tensor):
            if item.dtype is _dt.bool:
                dims = item.ndim
                for k in range(dims):
                    if item._shape[k] != view._shape[dim + k]:
                        raise IndexError(f"The shape of the mask {list(item._shape)} at index {k} does not match the "
                                         f"shape of the indexed tensor {list(input._shape)} at index {original_dim + k}")
                if dims == 0:  # x[True] adds a dimension of size 1 (or 0 for False)
                    view = unsqueeze(view, dim)
                    dims = 1
                    item = item.reshape(1)
                for k, index in enumerate(nonzero(item, as_tuple=True)):
                    advanced.append((dim + k, index))
                dim += dims
                original_dim += dims
            else:
                advanced.append((dim, item.long()))
                dim += 1
                original_dim += 1
        else:
            try:
                position = int(item.__index__()) if not isinstance(item, bool) else None
            except (AttributeError, TypeError):
                position = None
            if position is None:
                raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                                 f"are valid indices (got {type(item).__name__})")
            size = view._shape[dim]
            if not -size <= position < size:
                raise IndexError(f"index {position} is out of bounds for dimension {original_dim} with size {size}")
            view = select(view, dim, position)
            original_dim += 1
    if not advanced and view is input:
        view = as_view(input, input._shape, input._strides, input._offset)
    return view, advanced


def _positions(view: Tensor, advanced: List[Tuple[int, Tensor]]) -> Tensor:
    """Storage positions of the elements picked by the advanced indices (result-shaped, int64)."""

    try:
        shape = broadcast_shapes(*(index._shape for _, index in advanced))
    except NotImplementedError:  # an exercise not done yet (a subclass of RuntimeError): let it through
        raise
    except RuntimeError:
        shapes = ", ".join(str(list(index._shape)) for _, index in advanced)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}") from None
    total = None
    for dim, index in advanced:
        size = view._shape[dim]
        if index.numel():
            if bool((index >= size).any()) or bool((index < -size).any()):
                bad = int(index[(index >= size) | (index < -size)].reshape(-1)[0].item())
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
            index = index + (index < 0).long() * size
        term = index * view._strides[dim]
        total = term if total is None else total + term
    total = expand(total, shape) + view._offset
    dims = [d for d, _ in advanced]
    rest = [d for d in range(view.ndim) if d not in dims]
    consecutive = dims == list(range(dims[0], dims[0] + len(dims)))
    if consecutive:  # the indexed dimensions are replaced in place
        before = [d for d in rest if d < dims[0]]
        after = [d for d in rest if d > dims[-1]]
    else:  # torch (like NumPy) puts the indexed dimensions first
        before, after = [], rest
    result_shape = [view._shape[d] for d in before] + list(shape) + [view._shape[d] for d in after]
    ndim = len(result_shape)
    total = total.reshape([1] * len(before) + list(shape) + [1] * len(after))
    for position, d in enumerate(before + after):
        axis = position if position < len(before) else position + len(shape)
        layout = [1] * ndim
        layout[axis] = view._shape[d]
        total = total + (arange(view._shape[d], device=view.device) * view._strides[d]).reshape(layout)
    return expand(total, result_shape)


# --------------------------------------------------------------------------- get / set


@differentiable("getitem", method=False, export=False)
def getitem(input: Tensor, key: Any) -> Tensor:
    """``x[key]``: a view for basic indexing, a copy for advanced indexing."""
    key_type = type(key)
    if key_type is slice and input._shape and (key.step is None or key.step > 0):  # fast path: x[a:b:c]
        shape, strides, offset = slice_layout(input._shape, input._strides, input._offset, 0, key)
        return wrap_storage(input._storage, tuple(shape), tuple(strides), offset, input.dtype, input.device)
    if key_type is int and input._shape:  # fast path: x[i]

        return select(input, 0, key)
    view, advanced = _parse(input, key)
    if not advanced:
        return view
    positions = _positions(view, advanced)
    return get_backend(input.device.type).take(input, positions.contiguous())


@differentiable("setitem", method=False, export=False)
def setitem(input: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value``: ``value`` (a number or a tensor broadcastable to ``x[key]``) is cast
    to ``input``'s dtype and written into ``input``'s storage."""

    view, advanced = _parse(input, key)
    backend = get_backend(input.device.type)
    if not advanced:
        if isinstance(value, Tensor):
            check_writable(view)
            backend.copy_into(view, expand(value, view._shape) if value._shape != view._shape else value)
        elif isinstance(value, (bool, int, float, np.generic)):
            fill_(view, value)
        else:
            setitem(input, key, tensor(value, dtype=input.dtype, device=input.device))
        return
    positions = _positions(view, advanced).contiguous()
    if not isinstance(value, Tensor):
        value = tensor(value, dtype=input.dtype, device=input.device)
    elif value.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype.type_name} for the destination and {value.dtype.type_name} for the source.")
    values = expand(value, positions._shape).to(input.dtype).contiguous()
    check_writable(input)
    backend.put(input, positions, values)


@public()
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one 1-d tensor per dim."""
    found = get_backend(input.device.type).nonzero(input)
    if not as_tuple:
        return found
    if input.ndim == 0:
        return (found.reshape(-1),)
    return tuple(found[:, d].contiguous() for d in range(input.ndim))


@differentiable("index_select")
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """Elements at ``index`` (1-d int64) along ``dim`` (a copy).

    Raises:
        IndexError: ``index_select(): Index is supposed to be a vector`` for an index of 2 or more dims.
    """
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index.dtype not in (_dt.int32, _dt.int64):
        raise RuntimeError(f"index_select(): Expected dtype int32 or int64 for index, but got {index.dtype.name}")
    d = normalize_dim(dim, input.ndim)
    return getitem(input, (slice(None),) * d + (index,))


@public()
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements where ``mask`` is True, as a 1-d copy."""

    input, mask = broadcast_tensors(input, mask)
    return getitem(input, mask)


@differentiable("masked_fill")
def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with ``value`` where ``mask`` (broadcastable bool) is True."""

    if mask.dtype is not _dt.bool:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.type_name}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s) (shape {list(value._shape)}); use course_lib.where(mask, "
                               "value, input) to take values from a tensor")
        value = value.to(input.dtype)
    else:

        value = tensor(value, dtype=input.dtype, device=input.device)
    return where(mask, value, input)


@differentiable("masked_fill_", export=False)
def masked_fill_(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """In-place :func:`masked_fill`."""

    return write_result(input, masked_fill(input, mask, value))


@differentiable("gather")
def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for ``dim=0`` (and so on): pick along ``dim``.

    ``index`` has the same number of dimensions as ``input`` (int64); the result has
    ``index``'s shape.

    Raises:
        RuntimeError: for an index of another rank, or one outside ``[0, size)`` (negative indices do not
            count from the end here, as in torch).
    """

    d = normalize_dim(dim, input.ndim)
    if index.ndim != input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    size = input._shape[d] if input.ndim else 1
    if index.numel():
        outside = (index < 0) | (index >= size)
        if bool(outside.any()):
            bad = int(index[outside].reshape(-1)[0].item())
            raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}: gather's indices "
                               f"must lie in [0, {size})")
    if input.ndim and index.numel():  # the backend's gather (one NumPy call; a general getitem is ~50x slower)
        for axis, size in enumerate(index._shape):
            if axis != d and size > input._shape[axis]:
                raise RuntimeError(f"Size does not match at dimension {axis} expected index {list(index._shape)} to "
                                   f"be no larger than self {list(input._shape)} apart from dimension {d}")
        if index.device != input.device:
            check_same_device(input, index)
        return backend_for(input.device).gather(input, d, index.long())
    keys = []
    for axis in range(input.ndim):
        if axis == d:
            keys.append(index.long())
        else:
            layout = [1] * input.ndim
            layout[axis] = index._shape[axis]
            keys.append(arange(index._shape[axis], device=input.device).reshape(layout))
    return getitem(input, tuple(keys))


@differentiable("flip")
def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy: negative strides are not supported)."""
    result = views.clone(input)
    for d in (dims if isinstance(dims, (tuple, list)) else (dims,)):
        axis = normalize_dim(d, input.ndim)
        result = index_select(result, axis, creation.arange(input._shape[axis] - 1, -1, -1, device=input.device))
    return result


@public()
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted along ``dims`` (the flattened tensor when None), wrapping around (a copy)."""
    if dims is None:
        return reshape(roll(reshape(input, (-1,)), shifts, 0), input._shape)
    shifts = list(shifts) if isinstance(shifts, (tuple, list)) else [shifts]
    dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    result = input
    for shift, dim in zip(shifts, dims):
        d = normalize_dim(dim, input.ndim)
        size = input._shape[d]
        if size:
            order = tensor((np.arange(size) - shift) % size, device=input.device)
            result = index_select(result, d, order)
    return result


@public()
def repeat_interleave(input: Tensor, repeats: Any = None, dim: Optional[int] = None, *,
                      output_size: Optional[int] = None) -> Tensor:
    """Each element repeated ``repeats`` times (an int, or one count per element along ``dim``), a copy;
    the flattened tensor when ``dim`` is None."""
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = normalize_dim(dim, input.ndim)
    counts = repeats.cpu().numpy() if isinstance(repeats, Tensor) else repeats  # (torch syncs here too)
    order = np.repeat(np.arange(input._shape[d]), counts)
    return index_select(input, d, tensor(order.astype(np.int64), device=input.device))


def _scatter_key(index: Tensor, dim: int) -> tuple:
    """The advanced-indexing key that addresses, for every element of ``index``, the output element in its
    row along ``dim`` (torch's scatter rule: ``out[i][index[i][j]][k]`` for dim 1)."""
    key = []
    for d in range(index.ndim):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index._shape[d]
            key.append(expand(reshape(arange(index._shape[d], device=index.device), tuple(shape)), index._shape))
    return tuple(key)


@public()
def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    """A copy of ``input`` where ``src`` (or the number ``value``) is written at ``index`` along ``dim``.

    Raises:
        RuntimeError: ``scatter(): Expected dtype int64 for index`` for another index dtype.
    """
    if index.dtype is not _dt.int64:
        raise RuntimeError("scatter(): Expected dtype int64 for index")
    d = normalize_dim(dim, input.ndim)
    source = src if src is not None else value
    if isinstance(source, Tensor):
        source = source[tuple(slice(0, size) for size in index._shape)]  # only the part index addresses
    result = input.clone()
    setitem(result, _scatter_key(index, d), source)
    return result


@public(export=False)
def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    """In-place :func:`scatter`; returns ``self``."""
    return self.copy_(scatter(self, dim, index, src, value=value))


@public()
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source`` added along ``dim`` at the positions ``index`` (1-d), duplicates
    adding up. Composed as a matrix product with the one-hot matrix of ``index``, so it is differentiable."""
    d = normalize_dim(dim, input.ndim)
    if index.ndim != 1 or source._shape[d] != index._shape[0]:
        raise RuntimeError("index_add_(): Number of indices should be equal to source.size(dim)")
    one_hot = (unsqueeze(index, 1) == unsqueeze(arange(input._shape[d], device=input.device), 0)).to(source.dtype)
    moved = movedim(source, d, 0)
    added = matmul(one_hot.t(), reshape(moved, (moved._shape[0], -1)))
    added = movedim(reshape(added, (input._shape[d],) + moved._shape[1:]), 0, d)
    return input + added * alpha if alpha != 1 else input + added


@public(export=False)
def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """In-place :func:`index_add`; returns ``self``."""
    return self.copy_(index_add(self, dim, index, source, alpha=alpha))


@public()
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d input becomes a square matrix with it on the ``diagonal``-th diagonal; a 2-d input gives that
    diagonal as a 1-d tensor.

    Raises:
        RuntimeError: ``diag(): Supports 1D or 2D tensors. Got 3D`` (torch's words).
    """
    if input.ndim == 1:
        n = input._shape[0] + abs(diagonal)
        result = zeros((n, n), dtype=input.dtype, device=input.device)
        positions = arange(input._shape[0], device=input.device)
        rows, cols = (positions, positions + diagonal) if diagonal >= 0 else (positions - diagonal, positions)
        setitem(result, (rows, cols), input)
        return result
    if input.ndim == 2:
        rows, cols = input._shape
        count = max(0, min(rows, cols - diagonal) if diagonal >= 0 else min(rows + diagonal, cols))
        positions = arange(count, device=input.device)
        if diagonal >= 0:
            return input[positions, positions + diagonal]
        return input[positions - diagonal, positions]
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
