"""Pure shape and stride arithmetic, shared by every backend.

Taught in notebooks/00_getting_started.ipynb (``numel``) and notebooks/01_tensors.ipynb
(everything else). Nothing here touches data: the functions take and return tuples of ints,
so they can be tested in isolation and reused by the python, NumPy and Triton backends.

Vocabulary: a tensor's elements live in a flat *storage*; the element at multi-dimensional
``index`` lives at storage *position* ``offset + sum(index[d] * strides[d])``.
"""

from __future__ import annotations

import operator
from typing import Dict, Optional, Sequence, Tuple

Shape = Tuple[int, ...]
"""Sizes of the dimensions, outermost first, e.g. ``(2, 3)`` for 2 rows of 3 columns."""

Strides = Tuple[int, ...]
"""How many storage elements to skip to move one step along each dimension."""

Index = Tuple[int, ...]
"""A multi-dimensional index: one non-negative coordinate per dimension."""


def numel(shape: Sequence[int]) -> int:
    """Number of elements in a tensor of the given shape.

    Args:
        shape: sizes of the dimensions; ``()`` is a 0-d tensor (a scalar).

    Returns:
        The product of the sizes: 1 for ``()``, 0 if any size is 0.
    """
    # BEGIN EXERCISE 0.1
    count = 1
    for size in shape:
        count *= size
    return count
    # END EXERCISE


# --------------------------------------------------------------------------- layout


def contiguous_strides(shape: Sequence[int]) -> Strides:
    """Strides of a contiguous (row-major, "C order") tensor of the given shape.

    The last dimension has stride 1; each earlier dimension skips a whole block of the
    dimensions after it. Like PyTorch, a size-0 dimension counts as size 1 when computing
    the strides of the dimensions before it: ``(2, 0, 3) -> (3, 3, 1)``.

    Taught in notebooks/01_tensors.ipynb, section "Storage, shape and strides".

    Args:
        shape: sizes of the dimensions.

    Returns:
        One stride per dimension; ``()`` for a 0-d tensor. Example: ``(2, 3, 4) -> (12, 4, 1)``.
    """
    # BEGIN EXERCISE 1.1
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))
    # END EXERCISE


_ROW_MAJOR: Dict[Shape, Strides] = {}


def row_major_strides(shape: Shape) -> Strides:
    """Row-major strides of ``shape`` (a tuple), cached, for the hot paths.

    Library copy of exercise 1.1 (``contiguous_strides``), so that creating a tensor works before that
    exercise is done; the python backend uses the exercise's.
    """
    strides = _ROW_MAJOR.get(shape)
    if strides is None:
        result, step = [], 1
        for size in reversed(shape):
            result.append(step)
            step *= max(size, 1)
        strides = _ROW_MAJOR[shape] = tuple(reversed(result))
    return strides


def index_to_position(index: Sequence[int], strides: Sequence[int], offset: int = 0) -> int:
    """Storage position of the element at ``index``.

    Taught in notebooks/01_tensors.ipynb, section "Storage, shape and strides".

    Args:
        index: one coordinate per dimension (same length as ``strides``).
        strides: the tensor's strides.
        offset: storage position of element ``(0, 0, ...)`` (the storage offset).

    Returns:
        ``offset + sum(index[d] * strides[d])``.
    """
    # BEGIN EXERCISE 1.2
    position = offset
    for coordinate, stride in zip(index, strides):
        position += coordinate * stride
    return position
    # END EXERCISE


def position_to_index(position: int, shape: Sequence[int]) -> Index:
    """The multi-dimensional index of the ``position``-th element in row-major order.

    The inverse of ``index_to_position(index, contiguous_strides(shape))``: counting
    ``position = 0, 1, 2, ...`` visits every index of ``shape`` with the last coordinate
    moving fastest, like an odometer. (NumPy calls this ``unravel_index``.)

    Taught in notebooks/01_tensors.ipynb, section "Storage, shape and strides".

    Args:
        position: ``0 <= position < numel(shape)``.
        shape: sizes of the dimensions (all > 0).

    Returns:
        A tuple with one coordinate per dimension; ``()`` for a 0-d shape.
    """
    # BEGIN EXERCISE 1.3
    index = []
    for size in reversed(shape):
        index.append(position % size)
        position //= size
    return tuple(reversed(index))
    # END EXERCISE


def is_contiguous(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """True when a tensor with this layout is laid out row-major without gaps.

    As in PyTorch, the stride of a size-1 dimension does not matter, and a tensor with no
    elements is always contiguous.
    """
    if 0 in shape:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def fills_one_block(shape: Sequence[int], strides: Sequence[int], unit: int = 1) -> bool:
    """True when a layout's elements fill one block without gaps, in *some* order of its dimensions (row-major,
    channels-last, any transpose of a contiguous tensor). ``unit`` is the smallest stride: 1 for element
    strides, the item size for NumPy's byte strides. Elementwise results keep such a layout (torch's
    ``preserve_format``)."""
    expected = unit
    for stride, size in sorted((s, n) for s, n in zip(strides, shape) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True


# --------------------------------------------------------------------------- broadcasting


def broadcast_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """Shape of the result of broadcasting shapes ``a`` and ``b`` (NumPy/PyTorch rules).

    Align the shapes on the right; a missing dimension counts as size 1; two sizes are
    compatible when they are equal or one of them is 1 (which stretches to the other).

    Taught in notebooks/01_tensors.ipynb, section "Broadcasting".

    Raises:
        RuntimeError: when two sizes differ and neither is 1, with PyTorch's message, e.g.
            ``The size of tensor a (3) must match the size of tensor b (4) at non-singleton
            dimension 1`` (the dimension is counted in the result shape).

    Example:
        ``broadcast_shape((3, 1), (4,)) == (3, 4)``.
    """
    # BEGIN EXERCISE 1.4
    ndim = max(len(a), len(b))
    a = (1,) * (ndim - len(a)) + tuple(a)
    b = (1,) * (ndim - len(b)) + tuple(b)
    result = [0] * ndim
    for dim in reversed(range(ndim)):  # from the right, so errors name the last mismatch, as torch
        size_a, size_b = a[dim], b[dim]
        if size_a == size_b or size_b == 1:
            result[dim] = size_a
        elif size_a == 1:
            result[dim] = size_b
        else:
            raise RuntimeError(f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) "
                               f"at non-singleton dimension {dim}")
    return tuple(result)
    # END EXERCISE


def broadcast_index(big_index: Sequence[int], big_shape: Sequence[int], shape: Sequence[int]) -> Index:
    """Map an index of the broadcast result back to an index of one (smaller) input.

    ``shape`` broadcasts to ``big_shape``; the input's element used for result element
    ``big_index`` is found by dropping the extra leading coordinates and using coordinate 0
    in every dimension where the input has size 1.

    Taught in notebooks/01_tensors.ipynb, section "Broadcasting".

    Args:
        big_index: an index into ``big_shape``.
        big_shape: the broadcast shape.
        shape: the input's shape (broadcastable to ``big_shape``).

    Returns:
        An index with ``len(shape)`` coordinates. Example: index ``(2, 3)`` of ``(3, 4)``
        maps to ``(0,)`` of shape ``(1,)`` and to ``(3,)`` of shape ``(4,)``.
    """
    # BEGIN EXERCISE 1.5
    extra = len(big_shape) - len(shape)
    index = []
    for dim, size in enumerate(shape):
        index.append(0 if size == 1 else big_index[dim + extra])
    return tuple(index)
    # END EXERCISE


def broadcast_strides(shape: Sequence[int], strides: Sequence[int], target_shape: Sequence[int]) -> Strides:
    """Strides that view a tensor of ``shape`` as the larger ``target_shape`` (``expand``).

    New leading dimensions and stretched size-1 dimensions get stride 0: every step along
    them reads the same element again, so no memory is copied. A size of ``-1`` in
    ``target_shape`` keeps the existing size.

    Raises:
        RuntimeError: with PyTorch's messages when ``target_shape`` has fewer dimensions,
            asks for ``-1`` in a new leading dimension, or changes a size that is not 1.
    """
    extra = len(target_shape) - len(shape)
    if extra < 0:
        raise RuntimeError(f"expand(tensor of shape {list(shape)}, size={list(target_shape)}): the number of sizes "
                           f"provided ({len(target_shape)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({len(shape)})")
    # Walk from the last dimension, like torch's inferExpandGeometry: a new leading dimension
    # starts with the stride a contiguous layout would give it; any dimension that really
    # stretches (size 1 -> n) gets stride 0.
    result = [0] * len(target_shape)
    sizes = list(target_shape)  # the expanded sizes (-1 resolved)
    for dim in range(len(target_shape) - 1, -1, -1):
        target = target_shape[dim]
        if dim < extra:
            if target < 0:
                raise RuntimeError(f"The expanded size of the tensor ({target}) isn't allowed in a leading, "
                                   f"non-existing dimension {dim}")
            size = 1
            stride = 0 if dim == len(target_shape) - 1 else sizes[dim + 1] * result[dim + 1]
        else:
            size, stride = shape[dim - extra], strides[dim - extra]
            if target == -1:
                target = size
        sizes[dim] = target
        if size != target:
            if size != 1:
                raise RuntimeError(f"The expanded size of the tensor ({target}) must match the existing size ({size}) "
                                   f"at non-singleton dimension {dim}.  Target sizes: {list(target_shape)}.  "
                                   f"Tensor sizes: {list(shape)}")
            stride = 0
        result[dim] = stride
    return tuple(result)


def expanded_shape(shape: Sequence[int], target_shape: Sequence[int]) -> Shape:
    """``target_shape`` with each ``-1`` replaced by the existing size (see :func:`broadcast_strides`)."""
    extra = len(target_shape) - len(shape)
    return tuple(shape[d - extra] if target == -1 and d >= extra else target for d, target in enumerate(target_shape))


# --------------------------------------------------------------------------- views


def permute_shape_strides(shape: Sequence[int], strides: Sequence[int], dims: Sequence[int]) -> Tuple[Shape, Strides]:
    """Shape and strides of ``tensor.permute(*dims)``: the same storage, dimensions reordered.

    Dimension ``i`` of the result is dimension ``dims[i]`` of the input, so its size and
    stride are ``shape[dims[i]]`` and ``strides[dims[i]]``. No element moves in memory.

    Taught in notebooks/01_tensors.ipynb, section "Views: transpose and permute".

    Args:
        shape, strides: the input's layout.
        dims: a permutation of ``range(len(shape))`` (already validated, non-negative).

    Returns:
        ``(new_shape, new_strides)``. Example: shape ``(2, 3)``, strides ``(3, 1)``, dims
        ``(1, 0)`` give ``((3, 2), (1, 3))``, the transpose.
    """
    # BEGIN EXERCISE 1.8
    new_shape = tuple(shape[d] for d in dims)
    new_strides = tuple(strides[d] for d in dims)
    return new_shape, new_strides
    # END EXERCISE


def view_strides(shape: Sequence[int], strides: Sequence[int], new_shape: Sequence[int]) -> Optional[Strides]:
    """Strides that let the same storage be read with ``new_shape``, or None if impossible.

    This is PyTorch's rule for ``view`` (``computeStride`` in ATen). Split the old
    dimensions into *chunks* of dimensions that are contiguous with each other (``stride[d]
    == shape[d + 1] * stride[d + 1]``). A view is possible when the new shape splits into
    consecutive groups with the same numbers of elements as those chunks: inside a chunk the
    memory is evenly spaced, so any regrouping of it is evenly spaced too. New dimensions of
    size 1 may go anywhere.

    Taught in notebooks/01_tensors.ipynb, section "Views: view and reshape".

    Args:
        shape, strides: the input's layout.
        new_shape: the requested shape, with ``numel(new_shape) == numel(shape)`` and no -1.

    Returns:
        The new strides, or None when the view would need a copy (then ``reshape`` copies).
        Examples: ``((2, 3), (3, 1), (6,)) -> (1,)``; the transpose ``((3, 2), (1, 3), (6,))
        -> None``.
    """
    # BEGIN EXERCISE 1.9
    if len(shape) == 0:  # a 0-d tensor: every new dimension has size 1
        return (1,) * len(new_shape)
    if numel(shape) == 0:  # no elements: any strides work; use contiguous-like ones
        if tuple(shape) == tuple(new_shape):
            return tuple(strides)
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_stride = strides[-1]  # stride of the innermost dimension of the current chunk
    chunk_numel = 1  # elements in the old chunk so far
    view_numel = 1  # elements in the matching new dimensions so far
    for d in range(len(shape) - 1, -1, -1):
        chunk_numel *= shape[d]
        chunk_ends = d == 0 or (shape[d - 1] != 1 and strides[d - 1] != chunk_numel * chunk_stride)
        if not chunk_ends:
            continue
        # Give the new dimensions that cover this chunk evenly spaced strides.
        while view_d >= 0 and (view_numel < chunk_numel or new_shape[view_d] == 1):
            new_strides[view_d] = view_numel * chunk_stride
            view_numel *= new_shape[view_d]
            view_d -= 1
        if view_numel != chunk_numel:
            return None  # a new dimension would straddle two chunks
        if d > 0:  # start the next chunk
            chunk_stride = strides[d - 1]
            chunk_numel = 1
            view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)
    # END EXERCISE


def infer_size(shape: Sequence[int], count: int) -> Shape:
    """Replace a ``-1`` in ``shape`` by the size that makes it hold ``count`` elements.

    Raises:
        RuntimeError: with PyTorch's messages: more than one ``-1``, a size below -1, or a
            shape that cannot hold ``count`` elements (``shape '[-1, 5]' is invalid for input
            of size 12``).
    """
    inferred = None
    known = 1
    for dim, size in enumerate(shape):
        if size == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = dim
        elif size < 0:
            raise RuntimeError(f"invalid shape dimension {size} at index {dim} of shape {list(shape)}")
        else:
            known *= size
    if inferred is None:
        if known != count:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {count}")
        return tuple(shape)
    if known == 0 and count == 0:
        raise RuntimeError(f"cannot reshape tensor of {count} elements into shape {list(shape)} because the "
                           "unspecified dimension size -1 can be any value and is ambiguous")
    if known == 0 or count % known != 0:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {count}")
    result = list(shape)
    result[inferred] = count // known
    return tuple(result)


def slice_layout(shape: Sequence[int], strides: Sequence[int], offset: int, dim: int,
                 index: slice) -> Tuple[Shape, Strides, int]:
    """Layout of the view ``x[..., start:stop:step, ...]`` that slices dimension ``dim``.

    The view starts at element ``start`` of that dimension (the offset moves by
    ``start * strides[dim]``), takes every ``step``-th element (the stride is multiplied by
    ``step``) and has as many elements as ``range(start, stop, step)``. Out-of-range
    ``start``/``stop`` are clipped like Python list slicing; ``slice.indices(size)`` does that.

    Taught in notebooks/01_tensors.ipynb, section "Indexing and slicing".

    Args:
        shape, strides, offset: the input's layout.
        dim: the (non-negative) dimension to slice.
        index: the slice; its step is positive (checked by the caller).

    Returns:
        ``(new_shape, new_strides, new_offset)``. Example: shape ``(10,)``, strides ``(1,)``,
        offset 0 and ``slice(2, 9, 3)`` give ``((3,), (3,), 2)``: elements 2, 5, 8.
    """
    # BEGIN EXERCISE 1.10
    start, stop, step = index.indices(shape[dim])
    length = len(range(start, stop, step))
    new_shape = tuple(shape[:dim]) + (length,) + tuple(shape[dim + 1:])
    new_strides = tuple(strides[:dim]) + (strides[dim] * step,) + tuple(strides[dim + 1:])
    return new_shape, new_strides, offset + start * strides[dim]
    # END EXERCISE


# --------------------------------------------------------------------------- dimensions


def normalize_dim(dim: int, ndim: int) -> int:
    """Turn a possibly negative dimension into ``0 <= dim < ndim`` (``-1`` is the last).

    A 0-d tensor accepts ``dim`` in ``[-1, 0]``, as in PyTorch.

    Raises:
        IndexError: ``Dimension out of range (expected to be in range of [-2, 1], but got 2)``.
        TypeError: when ``dim`` is not an int.
    """
    try:
        dim = operator.index(dim)
    except TypeError:
        raise TypeError(f"dim must be an int, but got {type(dim).__name__}") from None
    bound = max(ndim, 1)
    if dim < -bound or dim >= bound:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-bound}, {bound - 1}], but got {dim})")
    return dim + bound if dim < 0 else dim


def normalize_dims(dims, ndim: int) -> Tuple[int, ...]:
    """Normalize ``None`` (all dimensions), an int or a sequence of ints to a sorted tuple.

    Raises:
        IndexError: for a dimension out of range.
        RuntimeError: ``dim 0 appears multiple times in the list of dims``.
    """
    if dims is None:
        return tuple(range(ndim))
    if not isinstance(dims, (tuple, list)):
        return (normalize_dim(dims, ndim),) if ndim > 0 else ()
    result = []
    for dim in dims:
        d = normalize_dim(dim, ndim)
        if d in result:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        result.append(d)
    if ndim == 0:
        return ()
    return tuple(sorted(result))


def reduced_shape(shape: Sequence[int], dims: Sequence[int], keepdim: bool) -> Shape:
    """Shape of the result of reducing (summing, say) ``shape`` over ``dims``.

    Taught in notebooks/01_tensors.ipynb, section "Reductions".

    Args:
        shape: the input's shape.
        dims: the reduced dimensions, normalized (non-negative, no repeats).
        keepdim: keep each reduced dimension with size 1 (so the result broadcasts against
            the input) instead of removing it.

    Returns:
        Example: shape ``(2, 3, 4)``, dims ``(1,)`` gives ``(2, 4)``, or ``(2, 1, 4)`` with
        ``keepdim=True``.
    """
    # BEGIN EXERCISE 1.11
    result = []
    for dim, size in enumerate(shape):
        if dim not in dims:
            result.append(size)
        elif keepdim:
            result.append(1)
    return tuple(result)
    # END EXERCISE
