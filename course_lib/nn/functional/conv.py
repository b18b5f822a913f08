"""Convolution, like torch's ``F.conv2d``, ``F.unfold`` (im2col) and ``F.pad``.

A convolution is composed of operations every backend has, so every backend has convolutions, and their
gradients come from autograd through those operations:

1. ``pad`` the input (one node, its backward crops the gradient back),
2. read every window through two ``Tensor.unfold`` views (rows, then columns): ``(N, C, oh, ow, kh, kw)``
   with no copy (dilation is a strided slice of a wider window),
3. copy the windows into a matrix (``reshape``), the only copy, ``C*kh*kw`` times the input's size over
   the stride squared,
4. one matrix product with the weight, ``(O, C*kh*kw)``, per group.

The backward of step 2 adds each window's gradient back onto the input (``UnfoldBackward0``), which is
torch's col2im. Pooling (``pooling.py``) reads its windows the same way.
"""

from __future__ import annotations

import operator
from typing import Any, Optional, Sequence, Tuple, Union

from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...autograd.grad_mode import is_grad_enabled
from ...ops.creation import full
from ...ops.dispatch import differentiable
from ...ops.indexing import flip
from ...ops.join import cat
from .linear import linear

PAD_MODES = ("constant", "reflect", "replicate", "circular")


# --------------------------------------------------------------------------- argument helpers


def pair(value: Any, name: str, function: str = "convolution") -> Tuple[int, int]:
    """``3`` as ``(3, 3)``, ``(2, 3)`` as it is; anything else is torch's RuntimeError (naming the argument)."""
    if isinstance(value, (tuple, list)):
        values = tuple(value)
        if len(values) == 1:
            values = values * 2
    else:
        values = (value, value)
    if len(values) != 2:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of 2 values to match the "
                           f"{function} dimensions, but got {name}={list(values)}")
    try:
        return operator.index(values[0]), operator.index(values[1])
    except TypeError:
        raise TypeError(f"{function}(): argument '{name}' must be a tuple of ints, but got "
                        f"{type(value).__name__}") from None


def output_size(length: int, kernel: int, stride: int, padding: int, dilation: int,
                ceil_mode: bool = False) -> int:
    """How many windows of ``kernel`` (spread by ``dilation``) fit in ``length`` padded on both sides."""
    span = dilation * (kernel - 1) + 1
    room = length + 2 * padding - span
    count = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (count - 1) * stride >= length + padding:  # the last window would start in the padding
        count -= 1
    return count


def sliding_windows(padded: Tensor, kernel: Tuple[int, int], stride: Tuple[int, int],
                    dilation: Tuple[int, int]) -> Tensor:
    """Every window of an ``(N, C, H, W)`` tensor: a view ``(N, C, oh, ow, kh, kw)``, no copy.

    The window count is ``(H - span) // stride + 1`` per dimension, ``span = dilation * (kernel - 1) + 1``:
    the caller has padded ``padded`` already (with its ceil-mode extra).
    """
    windows = padded
    for dim, (k, s, d) in enumerate(zip(kernel, stride, dilation), start=2):
        windows = windows.unfold(dim, d * (k - 1) + 1, s)
        if d > 1:  # a dilated window is every d-th element of a wider one
            windows = windows[..., ::d]
    return windows


def _check_spatial_fits(padded_size: Tuple[int, int], kernel: Tuple[int, int], dilation: Tuple[int, int]) -> None:
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if padded_size[0] < span[0] or padded_size[1] < span[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded_size[0]} x {padded_size[1]}). "
                           f"Kernel size: ({span[0]} x {span[1]}). Kernel size can't be greater than actual "
                           f"input size")


# --------------------------------------------------------------------------- pad


@differentiable("constant_pad_nd", method=False, export=False)
def constant_pad_nd(input: Tensor, pad: Sequence[int], value: Any = 0) -> Tensor:
    """``input`` with ``pad = (left, right, top, bottom, ...)`` elements of ``value`` added around its last
    dimensions (the last dimension first); negative amounts crop. A new tensor.

    Raises:
        RuntimeError: an odd number of amounts, more amounts than twice the dimensions, or a crop that
            leaves a negative size.
    """
    pad = tuple(operator.index(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {input.dim()}")
    shape, source, target = list(input.shape), [slice(None)] * input.dim(), [slice(None)] * input.dim()
    for i in range(len(pad) // 2):
        dim, before, after = input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]
        size = shape[dim]
        new_size = size + before + after
        if new_size < 0:
            raise RuntimeError(f"The input size {size}, plus negative padding {before} and {after} resulted in a "
                               f"negative output size, which is invalid. Check dimension {dim} of your input.")
        shape[dim] = new_size
        # Negative amounts crop the source; positive ones shift the target.
        source[dim] = slice(max(-before, 0), size - max(-after, 0))
        target[dim] = slice(max(before, 0), new_size - max(after, 0))
    out = full(shape, value, dtype=input.dtype, device=input.device)
    if out.numel() and all(s.start < s.stop for s in source[input.dim() - len(pad) // 2:]):
        out[tuple(target)] = input[tuple(source)]
    return out


@backward_of("constant_pad_nd")
class ConstantPadNdBackward0(Function):
    """The gradient of the padding is the padding undone: pad the gradient by the opposite amounts."""

    @staticmethod
    def forward(ctx, input, pad, value=0):
        ctx.pad = tuple(pad)
        return constant_pad_nd(input, pad, value)

    @staticmethod
    def backward(ctx, grad):
        return constant_pad_nd(grad, [-p for p in ctx.pad]), None, None


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    """Pad the last dimensions of ``input``: ``pad = (left, right)`` for the last one, then ``(top, bottom)``
    for the one before, and so on. A new tensor.

    Args:
        mode: ``"constant"`` (fill with ``value``, default 0; negative amounts crop), ``"reflect"`` (mirror
            without repeating the edge), ``"replicate"`` (repeat the edge), ``"circular"`` (wrap around).
            The last three pad 1 to 3 trailing dimensions of an input with one or two more (a batch and
            channels), by amounts that are not negative.

    Raises:
        NotImplementedError: an unknown mode, or a non-constant mode with a pad length the input's rank
            does not allow (torch's types).
        RuntimeError: the constant mode's errors (:func:`constant_pad_nd`); a reflect amount not smaller
            than its dimension; a circular amount larger than its dimension.
    """
    if mode not in PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
    pad = tuple(operator.index(p) for p in pad)
    dims = len(pad) // 2
    if len(pad) % 2 or dims not in (1, 2, 3) or input.dim() not in (dims + 1, dims + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.")
    if min(pad) < 0:
        raise NotImplementedError(f"negative padding in mode {mode!r} is not part of course_lib")
    out = input
    for i in range(dims):
        dim, before, after = input.dim() - 1 - i, pad[2 * i], pad[2 * i + 1]
        out = _pad_one_dim(out, dim, before, after, mode)
    return out


def _pad_one_dim(input: Tensor, dim: int, before: int, after: int, mode: str) -> Tensor:
    """One dimension of a non-constant pad, as ``cat`` of slices of ``input`` (so autograd differentiates it)."""
    size = input.shape[dim]
    if mode == "reflect" and (before >= size or after >= size):
        raise RuntimeError(f"Padding size should be less than the corresponding input dimension, but got: padding "
                           f"({before}, {after}) at dimension {dim} of input {list(input.shape)}")
    if mode == "circular" and (before > size or after > size):
        raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode == "replicate" and size == 0:
        raise RuntimeError(f"padding size is expected to be less than or equal to the input size, got input "
                           f"{list(input.shape)}")
    if mode == "reflect":  # mirror around the edge element, which appears once
        left = flip(input.narrow(dim, 1, before), [dim])
        right = flip(input.narrow(dim, size - 1 - after, after), [dim])
    elif mode == "replicate":
        edge_shape = list(input.shape)
        left = input.narrow(dim, 0, 1).expand(*edge_shape[:dim], before, *edge_shape[dim + 1:])
        right = input.narrow(dim, size - 1, 1).expand(*edge_shape[:dim], after, *edge_shape[dim + 1:])
    else:  # circular: the far end comes first
        left, right = input.narrow(dim, size - before, before), input.narrow(dim, 0, after)
    return cat([left, input, right], dim)


# --------------------------------------------------------------------------- unfold (im2col) and conv2d


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """im2col: every ``kh x kw`` window of a ``(N, C, H, W)`` (or ``(C, H, W)``) input as a column.

    Returns:
        ``(N, C*kh*kw, L)`` (``(C*kh*kw, L)`` unbatched), a new tensor: row ``c*kh*kw + i*kw + j`` holds
        element ``(i, j)`` of channel ``c``'s window; column ``l`` is window ``l`` in row-major order of the
        ``oh x ow`` output positions.

    Raises:
        IndexError: an input of rank below 3 (torch's). NotImplementedError: another rank.
        RuntimeError: a non-positive kernel, stride or dilation, a negative padding, or no window fitting.
    """
    kernel, dilation = pair(kernel_size, "kernel_size", "im2col"), pair(dilation, "dilation", "im2col")
    padding, stride = pair(padding, "padding", "im2col"), pair(stride, "stride", "im2col")
    if input.dim() < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.dim()}, "
                         f"{input.dim() - 1}], but got {input.dim()})")
    if input.dim() != 4 and input.dim() != 3:
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.dim()}D)")
    if min(kernel) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} "
                           f"kernel_width: {kernel[1]}")
    if min(stride) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {stride[0]} dW: {stride[1]}")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dilation[0]} "
                           f"dilation_width: {dilation[1]}")
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} pad_width: "
                           f"{padding[1]}")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    sizes = [output_size(n, k, s, p, d) for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation)]
    if min(sizes) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
                           f"blocks as {tuple(sizes)}, but its components must be at least one.")
    columns = _columns(x, kernel, stride, padding, dilation)
    return columns if batched else columns.squeeze(0)


def _columns(x: Tensor, kernel: Tuple[int, int], stride: Tuple[int, int], padding: Tuple[int, int],
             dilation: Tuple[int, int], pads: Optional[Tuple[int, int, int, int]] = None) -> Tensor:
    """``(N, C*kh*kw, oh*ow)`` windows of a 4-d ``x`` (``pads``: (left, right, top, bottom) when uneven)."""
    if pads is None:
        pads = (padding[1], padding[1], padding[0], padding[0])
    padded = constant_pad_nd(x, pads) if any(pads) else x
    windows = sliding_windows(padded, kernel, stride, dilation)  # (N, C, oh, ow, kh, kw)
    n, c, oh, ow, kh, kw = windows.shape
    return windows.permute(0, 1, 4, 5, 2, 3).reshape(n, c * kh * kw, oh * ow)  # the one copy


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: Any = 1,
           padding: Union[int, Tuple[int, int], str] = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-d cross-correlation (what deep learning calls convolution), torch's ``F.conv2d``.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        weight: ``(O, C / groups, kh, kw)``.
        bias: ``(O,)`` or None.
        stride, dilation: an int or a pair (rows, columns), at least 1.
        padding: an int or a pair of zeros added on both sides, or ``"valid"`` (none) or ``"same"`` (as many
            as keep the size, an odd total putting the extra one after; stride 1 only).
        groups: input and output channels split in ``groups`` independent convolutions.

    Returns:
        ``(N, O, oh, ow)`` (``(O, oh, ow)`` unbatched), a new tensor, with
        ``oh = (H + 2*padding - dilation*(kh-1) - 1) // stride + 1`` (likewise ``ow``). With stride 1,
        dilation 1 and one group its memory is channels-last, ``(N, oh, ow, O)``, the matrix product's rows as
        they come (torch's output of a contiguous input is contiguous): elementwise results keep that layout,
        ``reshape``/``flatten`` work as in torch, and a ``view`` that merges the channels with the positions
        needs ``contiguous()`` first.

    Raises:
        RuntimeError: torch's messages for an input of another rank, a channel count that does not match the
            weight, a bias of another size, a kernel larger than the padded input, a non-positive stride or
            dilation, a negative padding, a dtype mismatch.
    """
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                           f"{list(input.shape)}")
    if weight.dim() != 4:
        raise RuntimeError(f"conv2d: expected weight to be 4-dimensional (out_channels, in_channels / groups, "
                           f"kh, kw), but got weight of size {list(weight.shape)}")
    kernel = tuple(weight.shape[2:])
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("non-positive dilation is not supported")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    out_channels, channels = weight.shape[0], x.shape[1]
    if channels != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {channels} "
                           f"channels instead")
    if out_channels % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        other = weight.dtype if weight.dtype != input.dtype else bias.dtype
        raise RuntimeError(f"expected scalar type {input.dtype.type_name} but found "
                           f"{other.type_name}")
    pads = _conv_pads(padding, kernel, stride, dilation)
    _check_spatial_fits((x.shape[2] + pads[2] + pads[3], x.shape[3] + pads[0] + pads[1]), kernel, dilation)
    if groups == 1 and stride == (1, 1) and dilation == (1, 1):  # the common case: one node, scatter-free backward
        out = convolution(x, weight, bias, pads)
        return out if batched else out.squeeze(0)
    columns = _columns(x, kernel, stride, (0, 0), dilation, pads)  # (N, C*kh*kw, L)
    n, length = x.shape[0], columns.shape[2]
    oh = output_size(x.shape[2] + pads[2] + pads[3], kernel[0], stride[0], 0, dilation[0])
    ow = output_size(x.shape[3] + pads[0] + pads[1], kernel[1], stride[1], 0, dilation[1])
    if groups == 1:  # (O, K) @ (N, K, L): one product per sample, the weight broadcast
        out = weight.reshape(out_channels, -1).matmul(columns)
    else:  # (G, O/G, K/G) @ (N, G, K/G, L)
        per_group = columns.reshape(n, groups, -1, length)
        out = weight.reshape(groups, out_channels // groups, -1).matmul(per_group)
    out = out.reshape(n, out_channels, oh, ow)
    if bias is not None:
        out = out + bias.reshape(out_channels, 1, 1)
    return out if batched else out.squeeze(0)


def window_columns(x: Tensor, kernel: Tuple[int, int], pads: Tuple[int, int, int, int]) -> Tensor:
    """``(N * oh * ow, kh * kw * C)``: the stride-1 windows of the channels-last ``x`` (N, H, W, C), zero-padded
    by ``pads`` (left, right, top, bottom), each copied in (kernel row, kernel column, channel) order.

    NOTE: the order of the one copy decides its speed: each window row is then runs of C contiguous channels
    (the channels-first order copies runs of ``kw`` elements, ~4x slower for 32 channels).
    """
    # BEGIN EXERCISE 3.5
    # Padded or not, a channels-last copy first (x is usually a view of channels-first memory).
    padded = constant_pad_nd(x, (0, 0) + tuple(pads)) if any(pads) else x.contiguous()
    windows = padded.unfold(1, kernel[0], 1).unfold(2, kernel[1], 1)  # (N, oh, ow, C, kh, kw), a view
    n, oh, ow, c = windows.shape[:4]
    return windows.permute(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kernel[0] * kernel[1] * c)
    # END EXERCISE


def _channels_last_kernel(weight: Tensor) -> Tensor:
    """``(O, kh * kw * C)``: the kernel in the columns' (row, column, channel) order."""
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


@differentiable("convolution", method=False, export=False)
def convolution(input: Tensor, weight: Tensor, bias: Optional[Tensor], pads: Tuple[int, int, int, int]) -> Tensor:
    """``conv2d`` of a checked 4-d ``input`` with stride 1, dilation 1 and one group, zero-padded by ``pads``
    (left, right, top, bottom): the windows of the channels-last input copied into columns, one matrix product
    (``linear``, the bias added in it), the result a channels-first view of channels-last memory (no copy: the
    ReLU after it keeps that layout, and the next convolution reads it as it is). One graph node."""
    return _convolve(input, weight, bias, pads)[0]


def _convolve(input: Tensor, weight: Tensor, bias: Optional[Tensor], pads: Tuple[int, int, int, int]) -> tuple:
    """:func:`convolution`'s output and the columns it multiplied (which the weight's gradient reuses)."""
    n, out_channels = input.shape[0], weight.shape[0]
    kernel = (weight.shape[2], weight.shape[3])
    columns = window_columns(input.permute(0, 2, 3, 1), kernel, pads)  # (N*oh*ow, kh*kw*C)
    oh = input.shape[2] + pads[2] + pads[3] - kernel[0] + 1
    ow = input.shape[3] + pads[0] + pads[1] - kernel[1] + 1
    out = linear(columns, _channels_last_kernel(weight), bias)  # (N*oh*ow, O)
    return out.reshape(n, oh, ow, out_channels).permute(0, 3, 1, 2), columns  # channels-last memory, no copy


@backward_of("convolution")
class ConvolutionBackward0(Function):
    """The gradients of :func:`convolution`, channels-last and without a scatter:

    - weight: the output gradient's rows times the input's columns, kept from the forward (``kh * kw`` times
      the input's size, as torch's CPU convolution keeps them; computed again, with their graph, under
      ``create_graph``);
    - input: the *full* convolution of the output gradient (zero-padded by ``kernel - 1``) with the kernel
      flipped in both directions and its channel axes swapped, then the forward's padding cut off;
    - bias: the output gradient summed over the batch and the positions.

    Each is Tensor operations (windows, a copy, a matmul), so every backend has them, and a backward under
    ``create_graph`` is differentiable again.
    """

    @staticmethod
    def forward(ctx, input, weight, bias, pads):
        out, columns = _convolve(input, weight, bias, pads)
        ctx.save_for_backward(input, weight, columns if ctx.needs_input_grad[1] else None)
        ctx.pads, ctx.has_bias = pads, bias is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        input, weight, columns = ctx.saved_tensors
        needs = ctx.needs_input_grad
        n, out_channels, oh, ow = grad.shape
        channels, kh, kw = weight.shape[1], weight.shape[2], weight.shape[3]
        grad_last = grad.permute(0, 2, 3, 1)  # (N, oh, ow, O), a view
        rows = grad_last.reshape(n * oh * ow, out_channels)
        grad_input = grad_weight = grad_bias = None
        if needs[0]:
            flipped = flip(weight, (2, 3)).permute(1, 2, 3, 0).reshape(channels, -1)  # (C, kh*kw*O)
            grad_columns = window_columns(grad_last, (kh, kw), (kw - 1, kw - 1, kh - 1, kh - 1))
            height, width = oh + kh - 1, ow + kw - 1  # the padded input's size
            full = grad_columns.matmul(flipped.t()).reshape(n, height, width, channels).permute(0, 3, 1, 2)
            left, right, top, bottom = ctx.pads
            grad_input = full[:, :, top:height - bottom, left:width - right]
        if needs[1]:
            if is_grad_enabled():  # create_graph: the columns again, from the input, with their graph
                columns = window_columns(input.permute(0, 2, 3, 1), (kh, kw), ctx.pads)
            grad_weight = rows.t().matmul(columns).reshape(out_channels, kh, kw, channels).permute(0, 3, 1, 2)
        if ctx.has_bias and needs[2]:
            grad_bias = rows.sum(0)
        return grad_input, grad_weight, grad_bias, None


def _conv_pads(padding: Any, kernel: Tuple[int, int], stride: Tuple[int, int],
               dilation: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """(left, right, top, bottom) zeros for ``conv2d``'s ``padding`` (an int, a pair, ``"valid"``, ``"same"``)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if stride != (1, 1):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]  # an odd total puts the extra one after
        return (totals[1] // 2, totals[1] - totals[1] // 2, totals[0] // 2, totals[0] - totals[0] // 2)
    rows, columns = pair(padding, "padding")
    if min(rows, columns) < 0:
        raise RuntimeError("negative padding is not supported")
    return (columns, columns, rows, rows)

