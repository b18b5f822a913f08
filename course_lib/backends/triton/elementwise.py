"""Elementwise kernels: ``map``, ``zip``, ``where``, copies and casts, ``take`` and ``put``.

Taught in notebooks/05_gpus_and_kernels.ipynb. Each program handles ``BLOCK`` consecutive elements of the
result's row-major order; every operand (output included) finds its own storage positions through the
layout buffer (``layout.storage_position``), so broadcast, strided and transposed operands need no copy.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .functions import binary, unary
from .layout import storage_position


@triton.jit
def unary_kernel(x_ptr, out_ptr, layout_ptr, n, FN: tl.constexpr, NDIM: tl.constexpr, BLOCK: tl.constexpr):
    """``out = FN(x)``; operands 0 (x) and 1 (out) of the layout. Also copies and casts (FN "identity"/"truth")."""
    linear = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = linear < n
    x = tl.load(x_ptr + storage_position(linear, layout_ptr, 0, NDIM), mask=mask)
    y = unary(x, FN)
    tl.store(out_ptr + storage_position(linear, layout_ptr, 1, NDIM), y.to(out_ptr.dtype.element_ty), mask=mask)


@triton.jit
def binary_kernel(a_ptr, b_ptr, out_ptr, layout_ptr, n, FN: tl.constexpr, NDIM: tl.constexpr,
                  BLOCK: tl.constexpr):
    """``out = FN(a, b)``, broadcast through strides; operands 0 (a), 1 (b), 2 (out).

    Program ``p`` computes the result's elements ``p * BLOCK`` .. ``p * BLOCK + BLOCK - 1`` (row-major; those
    from ``n`` on do not exist). ``storage_position(linear, layout_ptr, k, NDIM)`` gives operand ``k``'s storage
    positions of those elements: a broadcast operand has stride 0 where it repeats, so it needs nothing else.
    """
    # BEGIN EXERCISE 5.2
    linear = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = linear < n
    a = tl.load(a_ptr + storage_position(linear, layout_ptr, 0, NDIM), mask=mask)
    b = tl.load(b_ptr + storage_position(linear, layout_ptr, 1, NDIM), mask=mask)
    y = binary(a, b, FN)
    tl.store(out_ptr + storage_position(linear, layout_ptr, 2, NDIM), y.to(out_ptr.dtype.element_ty), mask=mask)
    # END EXERCISE


@triton.jit
def where_kernel(condition_ptr, a_ptr, b_ptr, out_ptr, layout_ptr, n, NDIM: tl.constexpr, BLOCK: tl.constexpr):
    """``out = a if condition else b``; operands 0 (condition), 1 (a), 2 (b), 3 (out)."""
    linear = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = linear < n
    condition = tl.load(condition_ptr + storage_position(linear, layout_ptr, 0, NDIM), mask=mask)
    a = tl.load(a_ptr + storage_position(linear, layout_ptr, 1, NDIM), mask=mask)
    b = tl.load(b_ptr + storage_position(linear, layout_ptr, 2, NDIM), mask=mask)
    tl.store(out_ptr + storage_position(linear, layout_ptr, 3, NDIM), tl.where(condition != 0, a, b), mask=mask)


@triton.jit
def take_kernel(x_ptr, positions_ptr, out_ptr, layout_ptr, n, NDIM: tl.constexpr, BLOCK: tl.constexpr):
    """``out = x_storage[positions]``; operands 0 (positions), 1 (out)."""
    linear = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = linear < n
    positions = tl.load(positions_ptr + storage_position(linear, layout_ptr, 0, NDIM), mask=mask, other=0)
    values = tl.load(x_ptr + positions, mask=mask)
    tl.store(out_ptr + storage_position(linear, layout_ptr, 1, NDIM), values, mask=mask)


@triton.jit
def put_kernel(x_ptr, positions_ptr, values_ptr, layout_ptr, n, ACCUMULATE: tl.constexpr, NDIM: tl.constexpr,
               BLOCK: tl.constexpr):
    """``x_storage[positions] = values`` (or ``+=`` with every duplicate counted: atomic adds); operands 0
    (positions), 1 (values)."""
    linear = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = linear < n
    positions = tl.load(positions_ptr + storage_position(linear, layout_ptr, 0, NDIM), mask=mask, other=0)
    values = tl.load(values_ptr + storage_position(linear, layout_ptr, 1, NDIM), mask=mask)
    if ACCUMULATE:
        tl.atomic_add(x_ptr + positions, values, mask=mask)
    else:
        tl.store(x_ptr + positions, values, mask=mask)


@triton.jit
def contiguous_binary_kernel(a_ptr, b_ptr, out_ptr, a_offset, b_offset, out_offset, n, FN: tl.constexpr,
                             BLOCK: tl.constexpr):
    """``out = FN(a, b)`` for three contiguous operands of one shape: element ``i`` of each sits at its offset
    plus ``i``, so no layout is read (vector add is this kernel with FN "add").

    Program ``p`` handles elements ``p * BLOCK`` .. ``p * BLOCK + BLOCK - 1``; the last program's block runs past
    ``n``, and those lanes must neither read nor write (the memory after element ``n - 1`` belongs to someone
    else). ``binary(a, b, FN)`` computes the function; the result is stored in ``out``'s dtype.
    """
    # BEGIN EXERCISE 5.1
    i = tl.program_id(0).to(tl.int64) * BLOCK + tl.arange(0, BLOCK)
    mask = i < n
    a = tl.load(a_ptr + a_offset + i, mask=mask)
    b = tl.load(b_ptr + b_offset + i, mask=mask)
    tl.store(out_ptr + out_offset + i, binary(a, b, FN).to(out_ptr.dtype.element_ty), mask=mask)
    # END EXERCISE
