"""Pooling, like torch's ``F.max_pool2d``, ``F.avg_pool2d`` and ``F.adaptive_avg_pool2d``.

Composed like the convolution (``conv.py``): pad, read the windows as a view ``(N, C, oh, ow, kh, kw)``,
then reduce each window (``max`` over a copy of the windows, ``sum`` over the view). Autograd
differentiates those operations: ``max``'s backward sends each window's gradient to the first maximum
of the window in row-major order, as torch's max pooling does, and the windows' backward adds the
shares of overlapping windows.
"""

from __future__ import annotations

import math
import operator
from typing import Any, Optional, Tuple

from ... import dtypes as _dt
from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...ops.creation import arange, ones, tensor
from ...ops.dispatch import differentiable
from .conv import constant_pad_nd, output_size, pair, sliding_windows


def _pool_pair(value: Any, name: str, function: str) -> Tuple[int, int]:
    """A pooling argument as a pair (torch's message for any other length)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) not in (1, 2):
        raise RuntimeError(f"{function}: {name} must either be a single int, or a tuple of two ints")
    return pair(values, name, function)


def _pool_geometry(input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool,
                   function: str) -> Tuple[Tuple[int, int], ...]:
    """Checked ``(kernel, stride, padding, dilation, (oh, ow), (extra rows, extra columns))`` of a pooling.

    The extra rows and columns pad the bottom and right so that ceil mode's last, partial window fits.
    """
    kernel = _pool_pair(kernel_size, "kernel_size", function)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else \
        _pool_pair(stride, "stride", function)
    padding, dilation = _pool_pair(padding, "padding", function), _pool_pair(dilation, "dilation", function)
    if min(stride) == 0:
        raise RuntimeError("stride should not be zero")
    if min(kernel) <= 0 or min(stride) < 0 or min(dilation) <= 0:
        raise RuntimeError(f"{function}: kernel_size, stride and dilation must be greater than zero, but got "
                           f"kernel_size={kernel}, stride={stride}, dilation={dilation}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0 or p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    height, width = input.shape[-2:]
    sizes = tuple(output_size(n, k, s, p, d, ceil_mode)
                  for n, k, s, p, d in zip((height, width), kernel, stride, padding, dilation))
    if min(sizes) < 1:
        channels = input.shape[-3]
        raise RuntimeError(f"Given input size: ({channels}x{height}x{width}). Calculated output size: "
                           f"({channels}x{sizes[0]}x{sizes[1]}). Output size is too small")
    # ceil mode: pad the far side so that the last window, which may run past the padding, is whole
    extra = tuple(max(0, (o - 1) * s + d * (k - 1) + 1 - (n + 2 * p))
                  for o, n, k, s, p, d in zip(sizes, (height, width), kernel, stride, padding, dilation))
    return kernel, stride, padding, dilation, sizes, extra


def _batched(input: Tensor, function: str) -> Tensor:
    """``input`` as ``(N, C, H, W)``; torch's error for another rank or an empty non-batch dimension."""
    if input.dim() not in (3, 4) or any(size == 0 for size in input.shape[-3:]):
        raise RuntimeError(f"{function}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got: {list(input.shape)}")
    return input if input.dim() == 4 else input.unsqueeze(0)


def _lowest(dtype: _dt.dtype) -> Any:
    """The padding of a max pooling: a value no element is below."""
    if dtype.is_floating_point:
        return -math.inf
    return -(1 << (8 * dtype.itemsize - 1)) if dtype.is_signed else 0


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """The largest element of each ``kh x kw`` window (``stride`` defaults to the kernel size).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        padding: at most half the (dilated) kernel on each side; padded elements never win.
        ceil_mode: round the output size up: a last, partial window counts if it starts inside the input
            or the left padding.
        return_indices: also return where each maximum is, as a flat index into its ``H x W`` plane.

    Returns:
        ``(N, C, oh, ow)`` (or ``(C, oh, ow)``), a new tensor; with ``return_indices``, ``(values,
        indices)``, the indices int64. A window with several maxima picks (and sends its gradient to) the
        first one in row-major order, as torch does.

    Raises:
        RuntimeError: torch's messages: another rank, an empty plane, a zero stride, a padding larger than
            half the kernel, no window fitting.
    """
    x = _batched(input, "max_pool2d")
    kernel, stride, padding, dilation, (oh, ow), extra = _pool_geometry(x, kernel_size, stride, padding, dilation,
                                                                        ceil_mode, "max_pool2d")
    pads = (padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0])
    if stride == kernel and dilation == (1, 1) and not any(pads) and not return_indices:  # side by side: one node
        values = tiled_max_pool(x, kernel)
    else:
        padded = constant_pad_nd(x, pads, _lowest(x.dtype)) if any(pads) else x
        windows = sliding_windows(padded, kernel, stride, dilation)
        n, c = x.shape[:2]
        values, where = windows.reshape(n, c, oh, ow, kernel[0] * kernel[1]).max(-1)
    if input.dim() == 3:
        values = values.squeeze(0)
    if not return_indices:
        return values
    indices = _plane_indices(where, x.shape[3], kernel, stride, padding, dilation)
    return values, indices if input.dim() == 4 else indices.squeeze(0)


def tile_maxima(x: Tensor, kernel: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
    """``(values, where)``, each ``(N, C, oh, ow)``: the maximum of each side-by-side ``kh x kw`` window of a 4-d
    ``x`` and its position in the window (the first maximum, row-major). Rows and columns beyond the last whole
    window are left out, as torch leaves them. The values are picked by their argmax: no second reduction."""
    # BEGIN EXERCISE 3.6
    n, c, height, width = x.shape
    oh, ow = height // kernel[0], width // kernel[1]
    windows = sliding_windows(x, kernel, kernel, (1, 1))  # (N, C, oh, ow, kh, kw), a view
    tiles = windows.reshape(n, c, oh, ow, kernel[0] * kernel[1])  # the one copy
    where = tiles.argmax(-1)
    return tiles.gather(-1, where.unsqueeze(-1)).squeeze(-1), where
    # END EXERCISE


@differentiable("tiled_max_pool", method=False, export=False)
def tiled_max_pool(input: Tensor, kernel: Tuple[int, int]) -> Tensor:
    """The maximum of each side-by-side window of a 4-d ``input``: one graph node (max-pool with stride =
    kernel, the usual case)."""
    return tile_maxima(input, kernel)[0]


@backward_of("tiled_max_pool")
class MaxPool2DWithIndicesBackward0(Function):
    """Each window's gradient goes to its first maximum, through a one-hot of the position (no scatter): the
    one-hot times the gradient, laid back out as the input's plane (zeros beyond the last whole window)."""

    @staticmethod
    def forward(ctx, input, kernel):
        values, where = tile_maxima(input, kernel)
        ctx.save_for_backward(where)
        ctx.kernel, ctx.input_shape = kernel, tuple(input.shape)
        # A convolution's output is channels-last in memory: the gradient is laid out the same way, so that the
        # ReLU and convolution backwards before it read both operands in one order.
        ctx.channels_last = input.shape[1] > 1 and input.stride(1) == 1
        return values

    @staticmethod
    def backward(ctx, grad):
        # BEGIN EXERCISE 3.7
        (where,) = ctx.saved_tensors
        (kh, kw), (n, c, height, width) = ctx.kernel, ctx.input_shape
        oh, ow = where.shape[2], where.shape[3]
        first = where.unsqueeze(-1) == arange(kh * kw, device=where.device)  # (N, C, oh, ow, kh*kw)
        spread = (first * grad.unsqueeze(-1)).reshape(n, c, oh, ow, kh, kw)
        if ctx.channels_last:  # the same plane, copied into (N, H, W, C) memory
            plane = spread.permute(0, 2, 4, 3, 5, 1).reshape(n, oh * kh, ow * kw, c).permute(0, 3, 1, 2)
        else:
            plane = spread.permute(0, 1, 2, 4, 3, 5).reshape(n, c, oh * kh, ow * kw)
        missing = (0, width - ow * kw, 0, height - oh * kh)
        return (constant_pad_nd(plane, missing) if any(missing) else plane), None
        # END EXERCISE


def _plane_indices(where: Tensor, width: int, kernel: Tuple[int, int], stride: Tuple[int, int],
                   padding: Tuple[int, int], dilation: Tuple[int, int]) -> Tensor:
    """Flat ``row * width + column`` positions in the input plane of each window's pick ``where``."""
    oh, ow = where.shape[-2:]
    top = (arange(oh, device=where.device) * stride[0] - padding[0]).reshape(oh, 1)
    left = arange(ow, device=where.device) * stride[1] - padding[1]
    rows = top + (where // kernel[1]) * dilation[0]
    columns = left + (where % kernel[1]) * dilation[1]
    return rows * width + columns


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: Optional[int] = None) -> Tensor:
    """The mean of each ``kh x kw`` window (``stride`` defaults to the kernel size).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``, floating point.
        padding: zeros on each side, at most half the kernel.
        ceil_mode: as :func:`max_pool2d`; the part of a last window beyond the padding never counts.
        count_include_pad: divide by the window's size including the padded zeros (else only the input's
            elements in it).
        divisor_override: divide every window's sum by this instead.

    Returns:
        ``(N, C, oh, ow)`` (or ``(C, oh, ow)``), a new tensor.

    Raises:
        IndexError: an input of rank below 3 (torch's type). RuntimeError: as :func:`max_pool2d`, and a zero
            ``divisor_override``.
    """
    if input.dim() < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(input.dim(), 1)}, "
                         f"{max(input.dim(), 1) - 1}], but got -3)")
    x = _batched(input, "avg_pool2d")
    kernel, stride, padding, _, (oh, ow), extra = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode,
                                                                 "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    pads = (padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0])
    padded = constant_pad_nd(x, pads) if any(pads) else x
    sums = sliding_windows(padded, kernel, stride, (1, 1)).sum((-2, -1))  # summed from the view, no copy
    if divisor_override is not None:
        out = sums / divisor_override
    elif not any(extra) and (count_include_pad or not any(padding)):
        out = sums / (kernel[0] * kernel[1])
    else:  # windows differ in how many elements count: count them by pooling a mask of ones
        counted = ones(*x.shape[2:], dtype=x.dtype, device=x.device).reshape(1, 1, *x.shape[2:])
        if count_include_pad:
            counted = constant_pad_nd(counted, (padding[1], padding[1], padding[0], padding[0]), 1)
            mask_pads = (0, extra[1], 0, extra[0])
        else:
            mask_pads = pads
        counts = sliding_windows(constant_pad_nd(counted, mask_pads), kernel, stride, (1, 1)).sum((-2, -1))
        out = sums / counts
    return out if input.dim() == 4 else out.squeeze(0)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to a given output size: output row ``i`` averages input rows
    ``floor(i*H/oh) .. ceil((i+1)*H/oh) - 1`` (likewise columns), so windows may differ by one and overlap.

    Computed as ``A_h @ x @ A_w^T`` with averaging matrices (a window is a product of a range of rows and
    a range of columns): two matrix products on any backend.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``, floating point, non-empty planes.
        output_size: ``oh`` (square) or ``(oh, ow)``, where None keeps the input's size.

    Returns:
        ``(N, C, oh, ow)`` (or ``(C, oh, ow)``), a new tensor.

    Raises:
        RuntimeError: another rank, an empty non-batch dimension, a negative size. ValueError: an
            ``output_size`` of another length (torch's type). NotImplementedError: an integer input.
    """
    if isinstance(output_size, (tuple, list)) and len(output_size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must have 2 elements, got {len(output_size)}")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    for dim in range(input.dim() - 3, input.dim()):
        if input.shape[dim] == 0:
            raise RuntimeError(f"adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} being "
                               f"empty")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for '{input.dtype.type_name}'")
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    height, width = input.shape[-2:]
    oh, ow = (height if sizes[0] is None else operator.index(sizes[0]),
              width if sizes[1] is None else operator.index(sizes[1]))
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
                           f"received {{{oh}, {ow}}}")
    if (oh, ow) == (1, 1):  # the global average, the common case
        return input.mean((-2, -1), keepdim=True)
    rows = _averaging_matrix(oh, height, input)
    columns = _averaging_matrix(ow, width, input)
    return rows.matmul(input).matmul(columns.t())


def _averaging_matrix(out: int, size: int, like: Tensor) -> Tensor:
    """``(out, size)``: row ``i`` is ``1/len`` on adaptive window ``i`` (``floor(i*size/out) ..
    ceil((i+1)*size/out)``), 0 elsewhere."""
    matrix = [[0.0] * size for _ in range(out)]
    for i in range(out):
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        for j in range(start, end):
            matrix[i][j] = 1.0 / (end - start)
    return tensor(matrix, dtype=like.dtype, device=like.device).reshape(out, size)
