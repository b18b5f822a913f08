"""Shape operations: views that reuse the storage, and the few that copy.

Taught in notebooks/01_tensors.ipynb, sections "Views: transpose and permute" and "Views:
view and reshape". A *view* is a new Tensor over the same storage with a new layout
(shape, strides, offset) computed by the stride arithmetic of ``shape.py`` — no element is
copied, and writing through a view changes the original. Only ``contiguous``/``clone`` (and
``reshape``/``flatten`` when a view is impossible) and ``repeat`` copy here (``flip`` is in ``indexing``);
joining tensors (``cat``, ``stack``) is in ``join``.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, Sequence, Tuple

from .. import dtypes as _dt
from ..backends import get_backend
from ..shape import (broadcast_shape, broadcast_strides, expanded_shape, infer_size, is_contiguous, normalize_dim,
                     numel, permute_shape_strides, row_major_strides, slice_layout, view_strides)
from .._tensor import Size, Tensor, wrap_storage
from .dispatch import differentiable, public


def as_view(input: Tensor, shape: Sequence[int], strides: Sequence[int], offset: int) -> Tensor:
    """A Tensor over ``input``'s storage with the given layout (no copy)."""
    return wrap_storage(input._storage, tuple(shape), tuple(strides), offset, input.dtype, input.device)


def _shape_args(args: Sequence[Any]) -> Tuple[int, ...]:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))``, each an int (as torch: ``view(2, 3.0)`` is a TypeError)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    sizes = []
    for position, size in enumerate(args, start=1):
        try:
            sizes.append(operator.index(size))
        except TypeError:
            raise TypeError(f"argument 'size' failed to unpack the object at pos {position} with error \"type must "
                            f"be tuple of ints,but got {type(size).__name__}\"") from None
    return tuple(sizes)


# --------------------------------------------------------------------------- view / reshape


def _view_layout(input: Tensor, new_shape: Tuple[int, ...]) -> Any:
    """Strides of ``input`` viewed as ``new_shape``, or None when no view is possible.

    Library copy of exercise 1.9 (``shape.view_strides``), for the common case: a row-major tensor views
    as row-major strides, so ``view``/``reshape`` of contiguous tensors work before that exercise is done.
    """
    if input._strides == row_major_strides(input._shape):
        return row_major_strides(new_shape)
    return view_strides(input._shape, input._strides, new_shape)


@differentiable("view", export=False, sizes_keyword="size")
def view(input: Tensor, *shape: Any) -> Tensor:
    """The same elements read with a new shape (one size may be -1), sharing storage.

    Raises:
        RuntimeError: ``shape '[-1, 5]' is invalid for input of size 12``; or, when the
            strides make a view impossible (say after ``transpose``), ``view size is not
            compatible with input tensor's size and stride ... Use .reshape(...) instead.``
    """
    if len(shape) == 1 and isinstance(shape[0], _dt.dtype):
        raise NotImplementedError("view(dtype) (reinterpreting the bytes) is not part of course_lib")
    new_shape = infer_size(_shape_args(shape), input.numel())
    strides = _view_layout(input, new_shape)
    if strides is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return as_view(input, new_shape, strides, input._offset)


@public(export=False)
def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.view(other.shape)``."""
    return view(input, other._shape)


@differentiable("reshape", sizes_keyword="shape")
def reshape(input: Tensor, *shape: Any) -> Tensor:
    """Like :func:`view` when a view is possible; otherwise a contiguous copy with the new shape."""
    new_shape = infer_size(_shape_args(shape), input.numel())
    strides = _view_layout(input, new_shape)
    if strides is None:
        return view(contiguous(input), new_shape)
    return as_view(input, new_shape, strides, input._offset)


@public(export=False)
def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.reshape(other.shape)``."""
    return reshape(input, other._shape)


@differentiable("flatten")
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one (a view when possible, like reshape)."""
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = normalize_dim(start_dim, input.ndim), normalize_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = numel(input._shape[start:end + 1])
    return reshape(input, input._shape[:start] + (merged,) + input._shape[end + 1:])


@differentiable("unflatten")
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one may be -1).

    Raises:
        RuntimeError: ``unflatten: Provided sizes [4, -1] don't multiply up to the size of dim 1 (6) ...``.
    """
    d = normalize_dim(dim, input.ndim)
    sizes = tuple(sizes)
    try:
        resolved = infer_size(sizes, input._shape[d])
    except NotImplementedError:
        raise
    except RuntimeError:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                           f"({input._shape[d]}) in the input tensor") from None
    return reshape(input, input._shape[:d] + resolved + input._shape[d + 1:])


# --------------------------------------------------------------------------- permutations


def _permuted(input: Tensor, dims: Tuple[int, ...]) -> Tensor:
    """The view of ``input`` with dimensions reordered by the (validated) permutation ``dims``."""
    shape, strides = permute_shape_strides(input._shape, input._strides, dims)
    return wrap_storage(input._storage, tuple(shape), tuple(strides), input._offset, input.dtype, input.device)


@differentiable("permute", sizes_keyword="dims")
def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dimensions: dimension ``i`` of the result is dimension ``dims[i]`` of ``input`` (a view).

    Raises:
        RuntimeError: wrong number of dims, or repeated dims.
    """
    dims = _shape_args(dims)
    if len(dims) != input.ndim:
        raise RuntimeError("permute(): number of dimensions in the tensor input does not match the length of the "
                           f"desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    normalized = tuple(normalize_dim(d, input.ndim) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permuted(input, normalized)


@differentiable("transpose")
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view): the permutation that exchanges ``dim0`` and ``dim1``."""
    ndim = len(input._shape)
    d0, d1 = normalize_dim(dim0, ndim), normalize_dim(dim1, ndim)
    if ndim == 0:
        return as_view(input, input._shape, input._strides, input._offset)
    order = list(range(ndim))
    order[d0], order[d1] = d1, d0
    return _permuted(input, tuple(order))


@public()
def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """:func:`transpose` under NumPy's name (a view)."""
    return transpose(input, dim0, dim1)


@public()
def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """:func:`transpose` with NumPy's parameter names (a view)."""
    return transpose(input, axis0, axis1)


@differentiable("t")
def t(input: Tensor) -> Tensor:
    """Transpose of a matrix; 0-d and 1-d tensors are returned as they are (views).

    Raises:
        RuntimeError: ``t() expects a tensor with <= 2 dimensions, but self is 3D``.
    """
    ndim = len(input._shape)
    if ndim == 2:
        return _permuted(input, (1, 0))
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return as_view(input, input._shape, input._strides, input._offset)


def T(input: Tensor) -> Tensor:  # noqa: N802  (the ``.T`` property)
    """All dimensions reversed (the ``.T`` property); recorded as a permute, as in torch.

    Warns (UserWarning, as torch) unless ``input`` is a matrix: ``.mT`` transposes batches of matrices.
    """
    if input.ndim != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=3)
    return permute(input, tuple(reversed(range(input.ndim))))


def mT(input: Tensor) -> Tensor:  # noqa: N802  (the ``.mT`` property)
    """The last two dimensions swapped (the ``.mT`` property: a batch of transposes)."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {input.ndim}-D tensor.")
    return transpose(input, -2, -1)


@public()
def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination`` (ints or equal-length tuples; a view).

    Raises:
        RuntimeError: ``movedim: Invalid source or destination dims: source ([0, 1] dims) should contain
            the same number of dims as destination ([0] dims)``, or repeated dims.
    """
    sources = list(source) if isinstance(source, (tuple, list)) else [source]
    destinations = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    if len(sources) != len(destinations):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({sources} dims) should contain "
                           f"the same number of dims as destination ({destinations} dims)")
    s = [normalize_dim(d, input.ndim) for d in sources]
    d = [normalize_dim(d, input.ndim) for d in destinations]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({sources})")
    if len(set(d)) != len(d):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({destinations})")
    order = [None] * input.ndim
    for src, dst in zip(s, d):
        order[dst] = src
    rest = iter(i for i in range(input.ndim) if i not in s)
    return permute(input, [i if i is not None else next(rest) for i in order])


# --------------------------------------------------------------------------- size-1 dimensions, expand


@differentiable("squeeze")
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dimensions (all of them, or those in ``dim``); a view."""
    if dim is None:
        dims = {d for d, size in enumerate(input._shape) if size == 1}
    else:
        dims = {normalize_dim(d, input.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        dims = {d for d in dims if input.ndim > 0 and input._shape[d] == 1}
    keep = [d for d in range(input.ndim) if d not in dims]
    return as_view(input, [input._shape[d] for d in keep], [input._strides[d] for d in keep], input._offset)


@differentiable("unsqueeze")
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dimension at ``dim`` (``-1`` appends); a view."""
    d = normalize_dim(dim, input.ndim + 1)
    stride = input._shape[d] * input._strides[d] if d < input.ndim else 1
    return as_view(input, input._shape[:d] + (1,) + input._shape[d:], input._strides[:d] + (stride,) + input._strides[d:], input._offset)


@differentiable("expand", export=False, sizes_keyword="size")
def expand(input: Tensor, *sizes: Any) -> Tensor:
    """View ``input`` with a larger shape: size-1 (or new leading) dimensions repeat with stride 0.

    ``-1`` keeps a size. Nothing is copied, so every repeated element is the same memory
    (writing into an expanded tensor is refused).
    """
    target = _shape_args(sizes)
    strides = broadcast_strides(input._shape, input._strides, target)
    return as_view(input, expanded_shape(input._shape, target), strides, input._offset)


@public(export=False)
def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.expand(other.shape)``."""
    return expand(input, other._shape)


@public()
def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """:func:`expand` to ``size`` (a view; recorded as ``ExpandBackward0``, as in torch)."""
    return expand(input, size)


@public(method=False)
def broadcast_shapes(*shapes: Sequence[int]) -> Tuple[int, ...]:
    """The broadcast of several shapes."""
    result: Tuple[int, ...] = ()
    for s in shapes:
        result = broadcast_shape(result, tuple(s) if isinstance(s, (tuple, list)) else (s,))
    return Size(result)


@public(method=False)
def broadcast_tensors(*tensors: Tensor) -> Tuple[Tensor, ...]:
    """Expand every tensor to their common broadcast shape (views)."""
    shape = broadcast_shapes(*(t._shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


# --------------------------------------------------------------------------- slices of one dimension


@differentiable("select")
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The sub-tensor at ``index`` along ``dim`` (that dimension disappears); a view.

    Raises:
        IndexError: ``index 5 is out of bounds for dimension 0 with size 3``.
    """
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, input.ndim)
    size = input._shape[d]
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of bounds for dimension {d} with size {size}")
    index = index + size if index < 0 else index
    return as_view(input, input._shape[:d] + input._shape[d + 1:], input._strides[:d] + input._strides[d + 1:],
                   input._offset + index * input._strides[d])


@differentiable("narrow")
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """Elements ``start .. start + length - 1`` along ``dim``; a view (uses ``slice_layout``).

    Raises:
        RuntimeError: ``start (4) + length (3) exceeds dimension size (6).``
    """
    d = normalize_dim(dim, input.ndim)
    size = input._shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    shape, strides, offset = slice_layout(input._shape, input._strides, input._offset, d, slice(start, start + length, 1))
    return as_view(input, shape, strides, offset)


@differentiable("unfold", export=False)
def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every slice of ``size`` elements along ``dimension``, one every ``step``: a view (windows may overlap).

    ``dimension`` becomes the number of windows, ``(n - size) // step + 1``, and a new last dimension of
    ``size`` runs inside each window. Only strides change: the windows dimension moves ``step`` elements,
    the new one a single element. Convolution and pooling read their windows through it (twice: rows, then
    columns).

    Raises:
        RuntimeError: ``maximum size for tensor at dimension 1 is 5 but size is 6``; a step below 1 or a
            negative size.
    """
    d = normalize_dim(dimension, input.ndim)
    length = input._shape[d] if input.ndim else 1
    stride = input._strides[d] if input.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    windows = (length - size) // step + 1
    if input.ndim == 0:
        return as_view(input, (size,), (1,), input._offset)
    return as_view(input, input._shape[:d] + (windows,) + input._shape[d + 1:] + (size,),
                   input._strides[:d] + (stride * step,) + input._strides[d + 1:] + (stride,), input._offset)


@public()
def unbind(input: Tensor, dim: int = 0) -> Tuple[Tensor, ...]:
    """All the slices along ``dim``, as a tuple of views."""
    d = normalize_dim(dim, input.ndim)
    return tuple(select(input, d, i) for i in range(input._shape[d]))


@public()
def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> Tuple[Tensor, ...]:
    """Views of consecutive pieces along ``dim``: of ``split_size`` each (the last may be
    smaller), or of the given list of sizes. (torch names the tensor ``tensor`` here, and the
    method's size ``split_size``: :func:`split_method`.)"""
    input = tensor
    d = normalize_dim(dim, input.ndim)
    size = input._shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        sizes = [min(step, size - start) for start in range(0, size, step)] if step > 0 else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
                               f"at dimension {d}), but got split_sizes={sizes}")
    pieces, start = [], 0
    for length in sizes:
        pieces.append(narrow(input, d, start, length))
        start += length
    return tuple(pieces)


@public()
def chunk(input: Tensor, chunks: int, dim: int = 0) -> Tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer if the size runs out)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input._shape[normalize_dim(dim, input.ndim)]
    return split(input, max(1, math.ceil(size / chunks)), dim)


# --------------------------------------------------------------------------- copies


@differentiable("contiguous", export=False)
def contiguous(input: Tensor, memory_format: Any = None) -> Tensor:
    """``input`` itself when it is contiguous, else a contiguous copy."""
    if is_contiguous(input._shape, input._strides):
        return input
    return get_backend(input.device.type).copy(input)


@differentiable("clone")
def clone(input: Tensor, memory_format: Any = None) -> Tensor:
    """A contiguous copy with its own storage."""
    return get_backend(input.device.type).copy(input)


@differentiable("repeat", sizes_keyword="repeats")
def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile ``input``: repeat it ``sizes[i]`` times along dimension ``i`` (a copy)."""
    sizes = _shape_args(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(sizes) - input.ndim) + input._shape
    base = reshape(input, padded)
    # Interleave a new size-`r` axis before each axis, expand it, then merge the pairs.
    expanded_shape_, view_shape = [], []
    for r, s in zip(sizes, padded):
        expanded_shape_ += [r, s]
        view_shape += [1, s]
    tiled = expand(reshape(base, view_shape), expanded_shape_)
    return reshape(contiguous(tiled), [r * s for r, s in zip(sizes, padded)])


def split_method(self: Tensor, split_size: Any, dim: int = 0) -> Tuple[Tensor, ...]:
    """``Tensor.split``: :func:`split` with torch's method parameter names."""
    return split(self, split_size, dim)
