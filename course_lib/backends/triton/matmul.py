"""Batched matrix product: ``(..., n, k) @ (..., k, m)``, tiled, with ``tl.dot``.

Taught in notebooks/05_gpus_and_kernels.ipynb. Program ``(tile, batch)`` computes one ``BLOCK_N x BLOCK_M``
tile of one matrix of the batch: it walks ``k`` in steps of ``BLOCK_K``, multiplying a tile of ``a`` by a
tile of ``b`` and accumulating. The batch dimensions broadcast through strides (a stride of 0 repeats a
matrix), as in elementwise kernels. float32 products are computed in full precision (``"ieee"``: no TF32, as
torch's default), float16 accumulates in float32; float64 and integers multiply and sum without ``tl.dot``.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .layout import storage_position


@triton.jit(do_not_specialize=["n", "m", "k", "a_rows", "a_inner", "b_inner", "b_columns"])
def matmul_kernel(a_ptr, b_ptr, out_ptr, layout_ptr, n, m, k, a_rows, a_inner, b_inner, b_columns,
                  BATCH_NDIM: tl.constexpr, USE_DOT: tl.constexpr, ACC: tl.constexpr, BLOCK_N: tl.constexpr,
                  BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    """One output tile; the layout buffer holds the batch sizes and the offsets and batch strides of a, b and
    out. ``a_rows``/``a_inner`` are a's strides along n and k, ``b_inner``/``b_columns`` b's along k and m."""
    tile = tl.program_id(0)
    batch = tl.program_id(1).to(tl.int64)
    tiles_m = (m + BLOCK_M - 1) // BLOCK_M
    rows = (tile // tiles_m).to(tl.int64) * BLOCK_N + tl.arange(0, BLOCK_N)
    columns = (tile % tiles_m).to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
    a_start = storage_position(batch, layout_ptr, 0, BATCH_NDIM)
    b_start = storage_position(batch, layout_ptr, 1, BATCH_NDIM)
    out_start = storage_position(batch, layout_ptr, 2, BATCH_NDIM)
    accumulator = tl.zeros((BLOCK_N, BLOCK_M), ACC)
    for inner0 in range(0, k, BLOCK_K):
        inner = inner0 + tl.arange(0, BLOCK_K).to(tl.int64)
        a_tile = tl.load(a_ptr + a_start + rows[:, None] * a_rows + inner[None, :] * a_inner,
                         mask=(rows < n)[:, None] & (inner < k)[None, :], other=0)
        b_tile = tl.load(b_ptr + b_start + inner[:, None] * b_inner + columns[None, :] * b_columns,
                         mask=(inner < k)[:, None] & (columns < m)[None, :], other=0)
        if USE_DOT:
            accumulator = tl.dot(a_tile, b_tile, accumulator, input_precision="ieee", out_dtype=ACC)
        else:
            accumulator += tl.sum(a_tile.to(ACC)[:, :, None] * b_tile.to(ACC)[None, :, :], 1)
    out_positions = out_start + rows[:, None] * m + columns[None, :]
    tl.store(out_ptr + out_positions, accumulator.to(out_ptr.dtype.element_ty),
             mask=(rows < n)[:, None] & (columns < m)[None, :])
