"""Layouts as kernels read them: the Python side (coalescing dimensions) and the ``@triton.jit`` counterparts of
``shape.py``'s index helpers.

Taught in notebooks/05_gpus_and_kernels.ipynb. A kernel numbers the elements it computes ``0 .. n - 1`` in
row-major order of a shape; each operand finds its element's storage position from that number, its own
offset and strides (0 along broadcast dimensions): ``position_to_index`` then ``index_to_position``, fused.

Dimensions that every operand walks through in one stride pattern are merged first (``coalesce``): a
contiguous tensor, however many dimensions it has, becomes one dimension of stride 1, and the kernel's
index arithmetic shrinks with it.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

import triton.language as tl

from .jit import device_function


def coalesce(shape: Sequence[int], *layouts: Sequence[int]) -> Tuple[Tuple[int, ...], List[Tuple[int, ...]]]:
    """Merge dimensions of ``shape`` that all operands' ``layouts`` (their strides) traverse as one.

    Args:
        shape: the shape the kernel walks (every operand already broadcast to it).
        layouts: each operand's strides over ``shape``.

    Returns:
        ``(sizes, strides)``: at least one dimension; dimensions of size 1 dropped; ``strides[k]`` are
        operand ``k``'s strides over ``sizes``. The row-major walk visits the same positions in the same order.
    """
    sizes: List[int] = []
    strides: List[List[int]] = [[] for _ in layouts]
    for dim, size in enumerate(shape):
        if size == 1:
            continue
        if sizes and all(walk[-1] == layout[dim] * size for walk, layout in zip(strides, layouts)):
            sizes[-1] *= size
            for walk, layout in zip(strides, layouts):
                walk[-1] = layout[dim]
        else:
            sizes.append(size)
            for walk, layout in zip(strides, layouts):
                walk.append(layout[dim])
    if not sizes:
        return (1,), [(0,) for _ in layouts]
    return tuple(sizes), [tuple(walk) for walk in strides]


def layout_numbers(sizes: Sequence[int], operands: Sequence[Tuple[int, Sequence[int]]]) -> Tuple[int, ...]:
    """What a kernel's layout buffer holds: the sizes, then each operand's offset and strides."""
    numbers = list(sizes)
    for offset, strides in operands:
        numbers.append(offset)
        numbers.extend(strides)
    return tuple(numbers)


@device_function
def storage_position(linear, layout_ptr, OPERAND: tl.constexpr, NDIM: tl.constexpr):
    """The storage positions of the elements numbered ``linear`` (row-major over the layout's sizes) for
    operand ``OPERAND`` of the layout buffer (sizes, then offset and strides per operand).

    ``position_to_index`` followed by ``index_to_position`` (shape.py), fused, on a block at once.
    """
    base = NDIM + OPERAND * (NDIM + 1)
    offset = tl.load(layout_ptr + base)
    if NDIM == 1:  # (the common case after coalescing: no division at all)
        return offset + linear * tl.load(layout_ptr + base + 1)
    position = linear * 0 + offset
    rest = linear
    for step in tl.static_range(NDIM):
        dim = NDIM - 1 - step  # the last coordinate moves fastest
        stride = tl.load(layout_ptr + base + 1 + dim)
        if dim == 0:
            position += rest * stride  # the first coordinate is what is left
        else:
            size = tl.load(layout_ptr + dim)
            position += (rest % size) * stride
            rest = rest // size
    return position
