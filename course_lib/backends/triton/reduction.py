"""Reductions along dimensions: ``reduce`` (sum, prod, max, min, all, any), ``arg_reduce``, ``scan``.

Taught in notebooks/05_gpus_and_kernels.ipynb. The input is seen as a matrix: one row per element of the
result (the kept dimensions), one column per reduced element (the reduced dimensions, in row-major order).
A program owns ``BLOCK_R`` rows and walks their columns ``BLOCK_C`` at a time, combining each chunk into a
running value: a chunk is reduced as a tree, chunks one after another.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .jit import device_function
from .layout import storage_position


@triton.jit
def _multiply(a, b):
    return a * b


@device_function
def _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT: tl.constexpr, REDUCED: tl.constexpr,
                      BLOCK_R: tl.constexpr, BLOCK_C: tl.constexpr):
    """Storage positions of a ``BLOCK_R x BLOCK_C`` tile of the input and its mask. The layout buffer holds
    two layouts: the kept dimensions (sizes, offset, strides) then the reduced ones (offset 0)."""
    r = row0 + tl.arange(0, BLOCK_R).to(tl.int64)
    c = column0 + tl.arange(0, BLOCK_C).to(tl.int64)
    row_positions = storage_position(r, layout_ptr, 0, KEPT)
    column_positions = storage_position(c, layout_ptr + 2 * KEPT + 1, 0, REDUCED)
    mask = (r < rows)[:, None] & (c < columns)[None, :]
    return row_positions[:, None] + column_positions[None, :], mask, r, c


@device_function
def _combine(accumulator, has_nan, x, FN: tl.constexpr, ACC: tl.constexpr):
    """Fold a ``BLOCK_R x BLOCK_C`` tile ``x`` into the rows' running values: ``(accumulator, has_nan)`` after
    it. ``has_nan`` remembers a NaN in a row (max and min must return NaN then, as torch does)."""
    if FN == "all" or FN == "any":
        x = x != 0
    x = x.to(ACC)
    if ACC.is_floating():
        has_nan = tl.maximum(has_nan, tl.max((x != x).to(tl.int32), 1))
    if FN == "sum":
        accumulator = accumulator + tl.sum(x, 1)
    elif FN == "prod":
        accumulator = accumulator * tl.reduce(x, 1, _multiply)
    elif FN == "max" or FN == "any":
        accumulator = tl.maximum(accumulator, tl.max(x, 1))
    else:
        accumulator = tl.minimum(accumulator, tl.min(x, 1))
    return accumulator, has_nan


@device_function
def _finish(accumulator, has_nan, FN: tl.constexpr, ACC: tl.constexpr):
    """The rows' results: a row of max or min that held a NaN is NaN."""
    if FN == "max" or FN == "min":
        if ACC.is_floating():
            accumulator = tl.where(has_nan != 0, float("nan"), accumulator)
    return accumulator


@triton.jit
def reduce_kernel(x_ptr, out_ptr, layout_ptr, rows, columns, FN: tl.constexpr, IDENTITY: tl.constexpr,
                  ACC: tl.constexpr, KEPT: tl.constexpr, REDUCED: tl.constexpr, BLOCK_R: tl.constexpr,
                  BLOCK_C: tl.constexpr):
    """``out[r] = FN over the columns of row r`` (out contiguous), accumulated in ``ACC`` starting from
    ``IDENTITY`` (0, 1, or the lowest or highest value). NaN wins max and min, as in torch.

    Program ``p`` owns rows ``p * BLOCK_R`` .. ``p * BLOCK_R + BLOCK_R - 1`` (those from ``rows`` on do not exist)
    and walks their ``columns`` ``BLOCK_C`` at a time: ``_rows_and_columns`` gives a tile's storage positions and
    mask, ``_combine`` folds a loaded tile into the running values, ``_finish`` gives the rows' results.
    """
    # BEGIN EXERCISE 5.4
    row0 = tl.program_id(0).to(tl.int64) * BLOCK_R
    accumulator = tl.full((BLOCK_R,), IDENTITY, ACC)
    has_nan = tl.zeros((BLOCK_R,), tl.int32)
    for column0 in range(0, columns, BLOCK_C):
        positions, mask, r, c = _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT, REDUCED,
                                                  BLOCK_R, BLOCK_C)
        x = tl.load(x_ptr + positions, mask=mask, other=IDENTITY)  # a missing element changes nothing
        accumulator, has_nan = _combine(accumulator, has_nan, x, FN, ACC)
    r = row0 + tl.arange(0, BLOCK_R).to(tl.int64)
    result = _finish(accumulator, has_nan, FN, ACC)
    tl.store(out_ptr + r, result.to(out_ptr.dtype.element_ty), mask=r < rows)
    # END EXERCISE


@triton.jit
def arg_reduce_kernel(x_ptr, out_ptr, layout_ptr, rows, columns, MAXIMUM: tl.constexpr, WORST: tl.constexpr,
                      ACC: tl.constexpr, KEPT: tl.constexpr, REDUCED: tl.constexpr, BLOCK_R: tl.constexpr,
                      BLOCK_C: tl.constexpr):
    """``out[r] = the first column of row r holding its max (or min)``; a NaN counts as the extreme, and the
    first NaN wins, as in torch. ``WORST`` is a value no element beats (-inf for a max of floats)."""
    row0 = tl.program_id(0).to(tl.int64) * BLOCK_R
    best = tl.full((BLOCK_R,), WORST, ACC)
    best_column = tl.zeros((BLOCK_R,), tl.int64) - 1
    best_is_nan = tl.zeros((BLOCK_R,), tl.int32)
    for column0 in range(0, columns, BLOCK_C):
        positions, mask, r, c = _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT, REDUCED,
                                                  BLOCK_R, BLOCK_C)
        x = tl.load(x_ptr + positions, mask=mask, other=WORST).to(ACC)
        columns_2d = positions * 0 + c[None, :]
        never = columns + 1
        is_nan = (x != x) & mask
        chunk_nan = tl.max(is_nan.to(tl.int32), 1)
        first_nan = tl.min(tl.where(is_nan, columns_2d, never), 1)
        clean = tl.where(is_nan | ~mask, tl.full(x.shape, WORST, ACC), x)
        if MAXIMUM:
            extreme = tl.max(clean, 1)
            better = extreme > best
        else:
            extreme = tl.min(clean, 1)
            better = extreme < best
        first_extreme = tl.min(tl.where((clean == extreme[:, None]) & mask & ~is_nan, columns_2d, never), 1)
        take = (best_is_nan == 0) & (chunk_nan == 0) & (first_extreme < never) & ((best_column < 0) | better)
        best = tl.where(take, extreme, best)
        best_column = tl.where(take, first_extreme, best_column)
        take_nan = (best_is_nan == 0) & (chunk_nan != 0)
        best_column = tl.where(take_nan, first_nan, best_column)
        best_is_nan = tl.maximum(best_is_nan, chunk_nan)
    r = row0 + tl.arange(0, BLOCK_R).to(tl.int64)
    tl.store(out_ptr + r, tl.maximum(best_column, 0), mask=r < rows)


@triton.jit
def _last(a, b):
    return b


@triton.jit
def scan_kernel(x_ptr, out_ptr, layout_ptr, rows, columns, PRODUCT: tl.constexpr, ACC: tl.constexpr,
                KEPT: tl.constexpr, REDUCED: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_C: tl.constexpr):
    """Running sum (or product) along the columns, carried from chunk to chunk; the layout buffer holds the
    input's two layouts, then the output's (kept dimensions, then the scanned one)."""
    row0 = tl.program_id(0).to(tl.int64) * BLOCK_R
    out_layout = layout_ptr + 2 * KEPT + 1 + 2 * REDUCED + 1
    carry = tl.full((BLOCK_R,), 1 if PRODUCT else 0, ACC)
    for column0 in range(0, columns, BLOCK_C):
        positions, mask, r, c = _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT, REDUCED,
                                                  BLOCK_R, BLOCK_C)
        out_positions, _, _, _ = _rows_and_columns(out_layout, row0, column0, rows, columns, KEPT, REDUCED,
                                                   BLOCK_R, BLOCK_C)
        x = tl.load(x_ptr + positions, mask=mask, other=1 if PRODUCT else 0).to(ACC)
        if PRODUCT:
            running = tl.cumprod(x, 1) * carry[:, None]
        else:
            running = tl.cumsum(x, 1) + carry[:, None]
        carry = tl.reduce(running, 1, _last)  # the row's running value after this chunk
        tl.store(out_ptr + out_positions, running.to(out_ptr.dtype.element_ty), mask=mask)


@triton.jit
def softmax_kernel(x_ptr, out_ptr, layout_ptr, rows, columns, LOG: tl.constexpr, ACC: tl.constexpr,
                   KEPT: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_C: tl.constexpr):
    """Softmax (or log-softmax) of each row in two passes over its columns: the first keeps a running max and
    the sum of ``exp(x - max)``, rescaling the sum whenever the max grows (an "online" softmax); the second
    writes ``exp(x - max) / sum`` (or ``x - max - log(sum)``). The layout buffer holds the input's two layouts
    (the scanned dimension is one), then the output's.

    Program ``p`` owns rows ``p * BLOCK_R`` .. ``p * BLOCK_R + BLOCK_R - 1``: ``_rows_and_columns(layout_ptr, row0,
    column0, rows, columns, KEPT, 1, BLOCK_R, BLOCK_C)`` gives the storage positions of a tile of the input and
    its mask; with ``out_layout`` instead of ``layout_ptr``, those of the output. Compute in ``ACC``.
    """
    row0 = tl.program_id(0).to(tl.int64) * BLOCK_R
    out_layout = layout_ptr + 2 * KEPT + 1 + 3
    # BEGIN EXERCISE 5.3
    running_max = tl.full((BLOCK_R,), float("-inf"), ACC)
    total = tl.zeros((BLOCK_R,), ACC)
    for column0 in range(0, columns, BLOCK_C):
        positions, mask, r, c = _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT, 1, BLOCK_R, BLOCK_C)
        x = tl.load(x_ptr + positions, mask=mask, other=float("-inf")).to(ACC)
        new_max = tl.maximum(running_max, tl.max(x, 1))
        # (a row that is -inf so far keeps its zero sum: -inf - -inf would be NaN)
        rescale = tl.where(new_max == running_max, 1.0, tl.exp(running_max - new_max))
        shifted = tl.where(new_max[:, None] == float("-inf"), float("-inf"), x - new_max[:, None])
        total = total * rescale + tl.sum(tl.exp(shifted), 1)
        running_max = new_max
    for column0 in range(0, columns, BLOCK_C):
        positions, mask, r, c = _rows_and_columns(layout_ptr, row0, column0, rows, columns, KEPT, 1, BLOCK_R, BLOCK_C)
        out_positions, _, _, _ = _rows_and_columns(out_layout, row0, column0, rows, columns, KEPT, 1, BLOCK_R,
                                                   BLOCK_C)
        x = tl.load(x_ptr + positions, mask=mask, other=0).to(ACC)
        if LOG:
            y = x - running_max[:, None] - tl.log(total)[:, None]
        else:
            y = tl.exp(x - running_max[:, None]) / total[:, None]
        tl.store(out_ptr + out_positions, y.to(out_ptr.dtype.element_ty), mask=mask)
    # END EXERCISE
