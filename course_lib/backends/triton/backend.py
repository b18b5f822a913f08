"""``TritonBackend``: the primitive table of ``backends/base.py`` on the cuda device, in Triton kernels.

Taught in notebooks/05_gpus_and_kernels.ipynb. Each primitive prepares its launch on the host (the result's
buffer, the layouts the kernel walks, the grid) and runs one kernel of this package; softmax and log-softmax
are one fused kernel each; the other composed primitives of ``base.Backend`` (cross-entropy, gather, cat,
random numbers...) run on the device unchanged. A Python number operand becomes a 0-d device tensor of the
operation's dtype.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import triton.language as tl

from ... import dtypes as _dtypes
from ...shape import broadcast_shape, broadcast_strides, fills_one_block, reduced_shape, row_major_strides
from .. import cuda as cuda_switches
from ..base import BOOL_RESULT, NUMBERS, Backend
from ..numpy_backend import NumpyBackend, wrap, wrap_int
from . import runtime
from .elementwise import (binary_kernel, contiguous_binary_kernel, put_kernel, take_kernel, unary_kernel,
                          where_kernel)
from .layout import coalesce, layout_numbers
from .matmul import matmul_kernel, tuned_matmul_kernel
from .reduction import arg_reduce_kernel, reduce_kernel, scan_kernel, softmax_kernel

_BOOL = _dtypes.bool
_INT64 = _dtypes.int64
_BOOL_AS = {"add": "logical_or", "mul": "logical_and", "maximum": "logical_or", "minimum": "logical_and"}
"""bool arithmetic as torch does it (True + True is True); Triton's 1-bit integers would wrap around."""

_ACCUMULATOR = {"float16": tl.float32, "float32": tl.float32, "float64": tl.float64}


def _accumulator(dtype: Any) -> Any:
    """The type a reduction or product accumulates ``dtype`` in (float16 in float32, integers in int64)."""
    return _ACCUMULATOR.get(dtype.name, tl.int64)


def _extremes(dtype: Any) -> Tuple[Any, Any]:
    """(lowest, highest) value of ``dtype``: the identities of max and min."""
    if dtype.is_floating_point:
        return float("-inf"), float("inf")
    if dtype is _BOOL:
        return 0, 1
    info = np.iinfo(dtype.numpy)
    return int(info.min), int(info.max)


def _split_layout(dims: Sequence[int], *tensors: Any) -> Tuple[List[Tuple[int, ...]], Tuple[int, int], int, int]:
    """Each tensor's layout as two coalesced layouts, its kept dimensions then its ``dims``, in a layout
    buffer's numbers; the tensors (of one shape) are coalesced together, so their numbers line up. Returns
    ``(numbers of each tensor, (kept dims, reduced dims), rows, columns)``."""
    shape = tensors[0]._shape
    kept = [d for d in range(len(shape)) if d not in dims]
    kept_sizes, kept_walks = coalesce([shape[d] for d in kept], *[[t._strides[d] for d in kept] for t in tensors])
    reduced_sizes, reduced_walks = coalesce([shape[d] for d in dims], *[[t._strides[d] for d in dims] for t in tensors])
    numbers = [layout_numbers(kept_sizes, [(t._offset, kept_walk)]) + layout_numbers(reduced_sizes, [(0, reduced_walk)])
               for t, kept_walk, reduced_walk in zip(tensors, kept_walks, reduced_walks)]
    return numbers, (len(kept_sizes), len(reduced_sizes)), runtime.element_count(kept_sizes), runtime.element_count(reduced_sizes)


def _result_strides(shape: Tuple[int, ...], *operands: Any) -> Optional[Tuple[int, ...]]:
    """The layout of an elementwise result: that of the first operand of the result's shape whose elements fill
    one block in some order of its dimensions (channels-last stays channels-last, as in torch), else None
    (row-major)."""
    for t in operands:
        if not isinstance(t, NUMBERS) and t._shape == shape and fills_one_block(shape, t._strides):
            return t._strides
    return None


def _contiguous(t: Any, shape: Tuple[int, ...]) -> bool:
    """``t`` is a tensor of ``shape`` stored row-major (from any offset)."""
    return not isinstance(t, NUMBERS) and t._shape == shape and t._strides == row_major_strides(shape)


def _reduction_blocks(rows: int, columns: int) -> Tuple[int, int]:
    """(BLOCK_R, BLOCK_C): fixed on a GPU; when simulated, one chunk of columns and as many rows as fit."""
    if not runtime.SIMULATED:
        return runtime.limited(16), runtime.limited(128)
    block_c = min(runtime.elementwise_block(columns), runtime.SIMULATED_ELEMENTS)
    block_r = min(runtime.elementwise_block(rows), max(1, runtime.SIMULATED_ELEMENTS // block_c))
    return block_r, block_c


class TritonBackend(Backend):
    """The cuda backend: Triton kernels on flat device buffers (compiled for a GPU, or interpreted)."""

    name = "triton"
    device_type = "cuda"

    def __init__(self) -> None:
        runtime.announce_simulation()
        self._host = NumpyBackend()
        self._scalars: Dict[Tuple[str, str], Any] = {}

    # ------------------------------------------------------------------ memory

    def empty(self, shape, dtype, device) -> Any:
        return runtime.allocate(tuple(shape), dtype, device)

    def full(self, shape, value, dtype, device) -> Any:
        out = self.empty(shape, dtype, device)
        self.fill(out, value)
        return out

    def from_host(self, array, dtype, device, owned: bool = False) -> Any:
        return runtime.upload(np.asarray(array), dtype, device)

    def to_host(self, x) -> np.ndarray:
        whole = x._offset == 0 and len(x._storage) == runtime.element_count(x._shape)
        packed = x if whole and x._strides == row_major_strides(x._shape) else self.copy(x)
        return packed._storage.buffers.to_host(packed._storage.data).reshape(x._shape)

    def copy(self, x) -> Any:
        out = self.empty(x._shape, x.dtype, x.device)  # row-major, whatever x's layout
        self._unary("identity", x, out)
        return out

    def copy_into(self, dst, src) -> None:
        if isinstance(src, NUMBERS):
            src = self._scalar(src, dst.dtype, dst.device)
        elif src._storage is dst._storage:
            src = self.copy(src)  # overlapping views: read everything before writing
        self._unary("truth" if dst.dtype is _BOOL and src.dtype is not _BOOL else "identity", src, dst)

    def cast(self, x, dtype) -> Any:
        out = runtime.allocate(x._shape, dtype, x.device, _result_strides(x._shape, x))
        self._unary("truth" if dtype is _BOOL and x.dtype is not _BOOL else "identity", x, out)
        return out

    def fill(self, x, value) -> None:
        self.copy_into(x, value)

    def arange(self, start, end, step, count, dtype, device) -> Any:
        # NOTE: computed on the host (NumPy's extended precision reproduces torch's fused multiply-add) and
        # copied over: a kernel would receive start and step as float32 scalars.
        values = self._host.arange(start, end, step, count, dtype)
        return self.from_host(self._host.to_host(values), dtype, device)

    # ------------------------------------------------------------------ elementwise

    def _scalar(self, value: Any, dtype: Any, device: Any) -> Any:
        """``value`` as a 0-d tensor of ``dtype`` on ``device`` (cached: kernels never write to it)."""
        key = (repr(value), dtype.name)
        tensor = self._scalars.get(key)
        if tensor is None:
            if isinstance(value, int) and not isinstance(value, bool) and not dtype.is_floating_point:
                value = wrap_int(value, dtype)  # 300 in int8 is 44, as torch wraps
            if len(self._scalars) > 1024:
                self._scalars.clear()
            tensor = self._scalars[key] = self.from_host(np.array(value), dtype, device)
        return tensor

    def _unary(self, fn_name: str, x, out) -> None:
        """Launch ``out = fn(x)`` with ``x`` broadcast to ``out``'s shape."""
        count = runtime.element_count(out._shape)
        if count == 0:
            return
        x_strides = broadcast_strides(x._shape, x._strides, out._shape)
        sizes, (xs, os_) = coalesce(out._shape, x_strides, out._strides)
        numbers = layout_numbers(sizes, [(x._offset, xs), (out._offset, os_)])
        block = runtime.elementwise_block(count)
        runtime.launch(unary_kernel, (runtime.cdiv(count, block),), x._storage.data, out._storage.data,
                       runtime.layout_buffer(numbers), count, FN=fn_name, NDIM=len(sizes), BLOCK=block)

    def map(self, fn_name, x) -> Any:
        out = runtime.allocate(x._shape, _BOOL if fn_name in BOOL_RESULT else x.dtype, x.device,
                               _result_strides(x._shape, x))
        self._unary(fn_name, x, out)
        return out

    def zip(self, fn_name, a, b, out=None) -> Any:
        dtype, device = (b.dtype, b.device) if isinstance(a, NUMBERS) else (a.dtype, a.device)
        if isinstance(a, NUMBERS):
            a = self._scalar(a, dtype, device)
        if isinstance(b, NUMBERS):
            b = self._scalar(b, dtype, device)
        if dtype is _BOOL:
            fn_name = _BOOL_AS.get(fn_name, fn_name)
        shape = broadcast_shape(a._shape, b._shape)
        if out is None:
            out = runtime.allocate(shape, _BOOL if fn_name in BOOL_RESULT else dtype, device,
                                   _result_strides(shape, a, b))
        count = runtime.element_count(shape)
        if count and _contiguous(a, shape) and _contiguous(b, shape) and _contiguous(out, shape):
            block = runtime.elementwise_block(count)  # the fast path: no layout to read
            runtime.launch(contiguous_binary_kernel, (runtime.cdiv(count, block),), a._storage.data,
                           b._storage.data, out._storage.data, a._offset, b._offset, out._offset, count, FN=fn_name,
                           BLOCK=block)
        elif count:
            sizes, (as_, bs, os_) = coalesce(shape, broadcast_strides(a._shape, a._strides, shape),
                                             broadcast_strides(b._shape, b._strides, shape), out._strides)
            numbers = layout_numbers(sizes, [(a._offset, as_), (b._offset, bs), (out._offset, os_)])
            block = runtime.elementwise_block(count)
            runtime.launch(binary_kernel, (runtime.cdiv(count, block),), a._storage.data, b._storage.data,
                           out._storage.data, runtime.layout_buffer(numbers), count, FN=fn_name, NDIM=len(sizes),
                           BLOCK=block)
        return out

    def where(self, condition, a, b) -> Any:
        dtype = b.dtype if isinstance(a, NUMBERS) else a.dtype
        device = condition.device
        a = self._scalar(a, dtype, device) if isinstance(a, NUMBERS) else a
        b = self._scalar(b, dtype, device) if isinstance(b, NUMBERS) else b
        shape = broadcast_shape(broadcast_shape(condition._shape, a._shape), b._shape)
        out = self.empty(shape, dtype, device)
        count = runtime.element_count(shape)
        if count:
            layouts = [broadcast_strides(t._shape, t._strides, shape) for t in (condition, a, b)]
            sizes, walks = coalesce(shape, *layouts, out._strides)
            offsets = (condition._offset, a._offset, b._offset, 0)
            numbers = layout_numbers(sizes, list(zip(offsets, walks)))
            block = runtime.elementwise_block(count)
            runtime.launch(where_kernel, (runtime.cdiv(count, block),), condition._storage.data, a._storage.data,
                           b._storage.data, out._storage.data, runtime.layout_buffer(numbers), count,
                           NDIM=len(sizes), BLOCK=block)
        return out

    # ------------------------------------------------------------------ reductions

    def reduce(self, fn_name, x, dims, keepdim) -> Any:
        dtype = _BOOL if fn_name in BOOL_RESULT else x.dtype
        out = self.empty(reduced_shape(x._shape, dims, keepdim), dtype, x.device)
        self.reduce_into(fn_name, x, dims, out)
        return out

    def reduce_into(self, fn_name: str, x, dims: Sequence[int], out) -> None:
        """Write the reduction of ``x`` over ``dims`` into ``out``: one element per kept index, row-major, from
        the start of ``out``'s storage (``out`` is a new tensor, or a check's canary buffer)."""
        (numbers,), (kept, reduced), rows, columns = _split_layout(dims, x)
        if fn_name in ("all", "any"):
            identity, accumulate = (1 if fn_name == "all" else 0), tl.int32
        else:
            accumulate = _accumulator(x.dtype)
            lowest, highest = _extremes(x.dtype)
            identity = {"sum": 0, "prod": 1, "max": lowest, "min": highest}[fn_name]
        block_r, block_c = _reduction_blocks(rows, columns)
        runtime.launch(reduce_kernel, (runtime.cdiv(rows, block_r),), x._storage.data, out._storage.data,
                       runtime.layout_buffer(numbers), rows, columns, FN=fn_name, IDENTITY=identity,
                       ACC=accumulate, KEPT=kept, REDUCED=reduced, BLOCK_R=block_r, BLOCK_C=block_c)

    def arg_reduce(self, fn_name, x, dim, keepdim) -> Any:
        if x.dtype is _BOOL:
            x = self.cast(x, _dtypes.uint8)
        dims = tuple(range(len(x._shape))) if dim is None else (dim,)
        if dim is None:
            shape = (1,) * len(x._shape) if keepdim else ()
        else:
            shape = reduced_shape(x._shape, dims, keepdim)
        out = self.empty(shape, _INT64, x.device)
        (numbers,), (kept, reduced), rows, columns = _split_layout(dims, x)
        lowest, highest = _extremes(x.dtype)
        block_r, block_c = _reduction_blocks(rows, columns)
        runtime.launch(arg_reduce_kernel, (runtime.cdiv(rows, block_r),), x._storage.data, out._storage.data,
                       runtime.layout_buffer(numbers), rows, columns, MAXIMUM=fn_name == "max",
                       WORST=lowest if fn_name == "max" else highest, ACC=_accumulator(x.dtype) if
                       x.dtype.is_floating_point else tl.int64, KEPT=kept, REDUCED=reduced, BLOCK_R=block_r,
                       BLOCK_C=block_c)
        return out

    def scan(self, fn_name, x, dim) -> Any:
        out = self.empty(x._shape, x.dtype, x.device)
        if runtime.element_count(x._shape) == 0:
            return out
        (numbers, out_numbers), (kept, reduced), rows, columns = _split_layout((dim,), x, out)
        block_r, block_c = _reduction_blocks(rows, columns)
        if runtime.SIMULATED:
            block_c = min(block_c, 4096)  # the interpreter's cumsum on a wide block is quadratic in memory
        runtime.launch(scan_kernel, (runtime.cdiv(rows, block_r),), x._storage.data, out._storage.data,
                       runtime.layout_buffer(numbers + out_numbers), rows, columns, PRODUCT=fn_name == "prod",
                       ACC=_accumulator(x.dtype), KEPT=kept, REDUCED=reduced, BLOCK_R=block_r, BLOCK_C=block_c)
        return out

    def softmax(self, x, dim) -> Any:
        return self._softmax(x, dim, log=False)

    def log_softmax(self, x, dim) -> Any:
        return self._softmax(x, dim, log=True)

    def _softmax(self, x, dim: int, log: bool) -> Any:
        """One fused kernel along ``dim`` (two passes over each row) instead of five primitives."""
        out = runtime.allocate(x._shape, x.dtype, x.device, _result_strides(x._shape, x))
        if runtime.element_count(x._shape) == 0:
            return out
        (numbers, out_numbers), (kept, _), rows, columns = _split_layout((dim,), x, out)
        block_r, block_c = _reduction_blocks(rows, columns)
        runtime.launch(softmax_kernel, (runtime.cdiv(rows, block_r),), x._storage.data, out._storage.data,
                       runtime.layout_buffer(numbers + out_numbers), rows, columns, LOG=log,
                       ACC=_accumulator(x.dtype), KEPT=kept, BLOCK_R=block_r, BLOCK_C=block_c)
        return out

    # ------------------------------------------------------------------ matrix product

    def matmul(self, a, b) -> Any:
        return self.matmul_in_tiles(a, b)

    def matmul_in_tiles(self, a, b, blocks: Optional[Tuple[int, int, int, int]] = None) -> Any:
        """``a @ b`` (batched, broadcast) by :func:`matmul_kernel`.

        Args:
            blocks: ``(BLOCK_N, BLOCK_M, BLOCK_K, GROUP)``; None: chosen here (on a GPU, float16 and float32
                products let ``triton.autotune`` choose among ``matmul.TUNING_CONFIGS``).
        """
        batch = broadcast_shape(a._shape[:-2], b._shape[:-2])
        n, k = a._shape[-2:]
        m = b._shape[-1]
        out = self.empty(batch + (n, m), a.dtype, a.device)
        if n == 0 or m == 0 or runtime.element_count(batch) == 0:
            return out
        if k == 0:
            self.fill(out, 0)
            return out
        sizes, walks = coalesce(batch, broadcast_strides(a._shape[:-2], a._strides[:-2], batch),
                                broadcast_strides(b._shape[:-2], b._strides[:-2], batch), out._strides[:-2])
        numbers = layout_numbers(sizes, list(zip((a._offset, b._offset, 0), walks)))
        use_dot = a.dtype.name in ("float32", "float16")
        precision = "tf32" if a.dtype.name == "float32" and cuda_switches.matmul.allow_tf32 else "ieee"
        arguments = (a._storage.data, b._storage.data, out._storage.data, runtime.layout_buffer(numbers), n, m, k,
                     a._strides[-2], a._strides[-1], b._strides[-2], b._strides[-1])
        constants = dict(BATCH_NDIM=len(sizes), USE_DOT=use_dot, PRECISION=precision, ACC=_accumulator(a.dtype))
        batches = runtime.element_count(batch)
        if blocks is None and use_dot and not runtime.SIMULATED:
            def grid(meta: Dict[str, Any]) -> Tuple[int, int]:
                return runtime.cdiv(n, meta["BLOCK_N"]) * runtime.cdiv(m, meta["BLOCK_M"]), batches

            runtime.launch(tuned_matmul_kernel, grid, *arguments, **constants)
            return out
        block_n, block_m, block_k, group = blocks or self._matmul_blocks(n, m, k, use_dot)
        grid = (runtime.cdiv(n, block_n) * runtime.cdiv(m, block_m), batches)
        runtime.launch(matmul_kernel, grid, *arguments, **constants, BLOCK_N=block_n, BLOCK_M=block_m,
                       BLOCK_K=block_k, GROUP=group)
        return out

    @staticmethod
    def _matmul_blocks(n: int, m: int, k: int, use_dot: bool) -> Tuple[int, int, int, int]:
        if not runtime.SIMULATED:
            return 16, 16, 16, 8
        block_n = min(runtime.elementwise_block(n), 256)
        block_m = min(runtime.elementwise_block(m), 256)
        block_k = min(runtime.elementwise_block(k), 1024)
        if not use_dot:  # the product is a (n, k, m) block in memory
            while block_k > 1 and block_n * block_k * block_m > runtime.SIMULATED_ELEMENTS:
                block_k //= 2
        return block_n, block_m, block_k, 8

    # ------------------------------------------------------------------ gathering and scattering

    def take(self, x, positions) -> Any:
        out = self.empty(positions._shape, x.dtype, x.device)
        count = runtime.element_count(positions._shape)
        if count:
            sizes, (ps, os_) = coalesce(positions._shape, positions._strides, out._strides)
            numbers = layout_numbers(sizes, [(positions._offset, ps), (0, os_)])
            block = runtime.elementwise_block(count)
            runtime.launch(take_kernel, (runtime.cdiv(count, block),), x._storage.data, positions._storage.data,
                           out._storage.data, runtime.layout_buffer(numbers), count, NDIM=len(sizes), BLOCK=block)
        return out

    def put(self, x, positions, values, accumulate: bool = False) -> None:
        count = runtime.element_count(positions._shape)
        if not count:
            return
        values_strides = broadcast_strides(values._shape, values._strides, positions._shape)
        sizes, (ps, vs) = coalesce(positions._shape, positions._strides, values_strides)
        numbers = layout_numbers(sizes, [(positions._offset, ps), (values._offset, vs)])
        block = runtime.elementwise_block(count)
        runtime.launch(put_kernel, (runtime.cdiv(count, block),), x._storage.data, positions._storage.data,
                       values._storage.data, runtime.layout_buffer(numbers), count, ACCUMULATE=accumulate,
                       NDIM=len(sizes), BLOCK=block)

    # ------------------------------------------------------------------ on the host
    # NOTE: nonzero and sort copy to the host, compute with NumPy and copy back. nonzero's result size is
    # known only after counting, so torch synchronises there too; a GPU sort is chapter-05 reading, not core.

    def nonzero(self, x) -> Any:
        host = self._host.nonzero(wrap(self.to_host(x), x.dtype))
        return self.from_host(self._host.to_host(host), _INT64, x.device)

    def sort(self, x, dim, descending) -> Tuple[Any, Any]:
        values, indices = self._host.sort(wrap(np.ascontiguousarray(self.to_host(x)), x.dtype), dim, descending)
        return (self.from_host(self._host.to_host(values), x.dtype, x.device),
                self.from_host(self._host.to_host(indices), _INT64, x.device))
