"""Batched matrix product: ``(..., n, k) @ (..., k, m)``, tiled, with ``tl.dot``.

Taught in notebooks/05_gpus_and_kernels.ipynb. Program ``(tile, batch)`` computes one ``BLOCK_N x BLOCK_M``
tile of one matrix of the batch: it walks ``k`` in steps of ``BLOCK_K``, multiplying a tile of ``a`` by a
tile of ``b`` and accumulating. Tiles are numbered in groups of ``GROUP`` tile rows, column by column inside a
group, so that programs running at the same time share tiles of ``a`` and ``b`` in the GPU's cache. The batch
dimensions broadcast through strides (a stride of 0 repeats a matrix), as in elementwise kernels.

float32 products are computed in full precision (``PRECISION="ieee"``, as torch's default) or, when
``course_lib.backends.cuda.matmul.allow_tf32`` is set, on the tensor cores in TF32 (``"tf32"``: 10-bit
mantissas, as torch's switch of the same name); float16 accumulates in float32; float64 and integers multiply
and sum without ``tl.dot``. On a GPU the fp16/fp32 kernel picks its tile sizes among :data:`TUNING_CONFIGS`
(``triton.autotune`` times each once per shape); simulated, the sizes are fixed.
"""

from __future__ import annotations

import triton
import triton.language as tl

from .layout import storage_position


@triton.jit(do_not_specialize=["n", "m", "k", "a_rows", "a_inner", "b_inner", "b_columns"])
def matmul_kernel(a_ptr, b_ptr, out_ptr, layout_ptr, n, m, k, a_rows, a_inner, b_inner, b_columns,
                  BATCH_NDIM: tl.constexpr, USE_DOT: tl.constexpr, PRECISION: tl.constexpr, ACC: tl.constexpr,
                  BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr, GROUP: tl.constexpr):
    """One output tile; the layout buffer holds the batch sizes and the offsets and batch strides of a, b and
    out (out's matrices are row-major). ``a_rows``/``a_inner`` are a's strides along n and k,
    ``b_inner``/``b_columns`` b's along k and m.

    Program ``tile`` finds its tile's row and column through the grouped order: groups of ``GROUP`` tile rows,
    and inside a group the tiles go down a column before moving to the next one.
    """
    # BEGIN EXERCISE 5.5
    tile = tl.program_id(0)
    batch = tl.program_id(1).to(tl.int64)
    tiles_n = tl.cdiv(n, BLOCK_N)
    tiles_m = tl.cdiv(m, BLOCK_M)
    tiles_per_group = GROUP * tiles_m
    first_tile_row = (tile // tiles_per_group) * GROUP
    group_rows = tl.minimum(tiles_n - first_tile_row, GROUP)  # the last group may be shorter
    tile_row = first_tile_row + (tile % tiles_per_group) % group_rows
    tile_column = (tile % tiles_per_group) // group_rows
    rows = tile_row.to(tl.int64) * BLOCK_N + tl.arange(0, BLOCK_N)
    columns = tile_column.to(tl.int64) * BLOCK_M + tl.arange(0, BLOCK_M)
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
            accumulator = tl.dot(a_tile, b_tile, accumulator, input_precision=PRECISION, out_dtype=ACC)
        else:
            accumulator += tl.sum(a_tile.to(ACC)[:, :, None] * b_tile.to(ACC)[None, :, :], 1)
    out_positions = out_start + rows[:, None] * m + columns[None, :]
    tl.store(out_ptr + out_positions, accumulator.to(out_ptr.dtype.element_ty),
             mask=(rows < n)[:, None] & (columns < m)[None, :])
    # END EXERCISE


TUNING_CONFIGS = [
    triton.Config({"BLOCK_N": 128, "BLOCK_M": 256, "BLOCK_K": 64, "GROUP": 8}, num_stages=3, num_warps=8),
    triton.Config({"BLOCK_N": 128, "BLOCK_M": 128, "BLOCK_K": 32, "GROUP": 8}, num_stages=4, num_warps=4),
    triton.Config({"BLOCK_N": 128, "BLOCK_M": 128, "BLOCK_K": 64, "GROUP": 8}, num_stages=3, num_warps=8),
    triton.Config({"BLOCK_N": 64, "BLOCK_M": 128, "BLOCK_K": 32, "GROUP": 8}, num_stages=4, num_warps=4),
    triton.Config({"BLOCK_N": 64, "BLOCK_M": 64, "BLOCK_K": 32, "GROUP": 8}, num_stages=5, num_warps=2),
]
"""The tile sizes the GPU kernel chooses from, for each (n, m, k, dtype, precision): large tiles for large
matrices (more reuse of each loaded tile), small ones so that small matrices still fill the GPU's cores."""

tuned_matmul_kernel = triton.autotune(configs=TUNING_CONFIGS, key=["n", "m", "k", "PRECISION"])(matmul_kernel)
""":func:`matmul_kernel` with its tile sizes chosen by timing (on a GPU; not launched when simulated)."""
