"""Normalization: ``layer_norm`` (each sample over its last dimensions) and ``batch_norm`` (each channel over
the batch), each one node of the graph with its own backward.

Both compute ``x̂ = (x - mean) / sqrt(var + eps)`` with the biased variance, then ``x̂ * weight + bias``.
Their backward is the same formula over the dimensions that were averaged (``m`` elements each):
``d x = rstd * (g - mean(g) - x̂ * mean(g * x̂))`` with ``g = grad * weight``; in evaluation mode the
statistics are constants and ``d x = g * rstd``. One node instead of the ten or so of the composed formula
saves a training step their framework time, and names the node as torch does.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple

from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...autograd.grad_mode import is_grad_enabled, no_grad
from ...ops.dispatch import differentiable


def _statistics(input: Tensor, dims: Tuple[int, ...], eps: float) -> Tuple[Tensor, Tensor, Tensor]:
    """``(mean, biased variance, 1 / sqrt(var + eps))`` over ``dims``, kept as size-1 dimensions."""
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return mean, var, (var + eps).rsqrt()


def _affine(normalized: Tensor, weight: Optional[Tensor], bias: Optional[Tensor]) -> Tensor:
    out = normalized if weight is None else normalized * weight
    return out if bias is None else out + bias


def _normalization_grads(ctx, grad: Tensor, dims: Tuple[int, ...], per_feature) -> tuple:
    """``(d input, d weight, d bias)`` of a normalization whose statistics came from ``dims`` of the input
    (``ctx.batch_statistics``) or are constants; ``per_feature(t)`` sums ``t`` to the weight's shape."""
    normalized, rstd, weight, input = ctx.saved_tensors
    if is_grad_enabled():  # create_graph: x̂ and rstd again, from the input, so that this gradient has a graph
        normalized, rstd = ctx.normalize(input)
    needs = ctx.needs_input_grad
    grad_input = grad_weight = grad_bias = None
    if needs[0]:
        g = grad if weight is None else grad * ctx.reshape_weight(weight)
        if ctx.batch_statistics:
            g = g - g.mean(dims, keepdim=True) - normalized * (g * normalized).mean(dims, keepdim=True)
        grad_input = g * rstd
    if weight is not None and needs[ctx.weight_slot]:
        grad_weight = per_feature(grad * normalized)
    if ctx.has_bias and needs[ctx.weight_slot + 1]:
        grad_bias = per_feature(grad)
    return grad_input, grad_weight, grad_bias


# --- layer_norm ---


def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalize each sample over its last ``len(normalized_shape)`` dimensions, then scale and shift.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: a tuple or list of ints (torch refuses a bare int here; ``nn.LayerNorm`` takes one).
        weight, bias: shaped ``normalized_shape``, or None.

    Returns:
        a new tensor shaped like ``input``.

    Raises:
        TypeError: ``normalized_shape`` is not a sequence.
        RuntimeError: torch's, when ``input`` does not end with ``normalized_shape``, when ``weight`` or
            ``bias`` has another shape, or for an empty ``normalized_shape``.
    """
    if not isinstance(normalized_shape, (tuple, list)):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = [int(size) for size in normalized_shape]
    if not shape:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {shape}")
    if input.dim() < len(shape) or list(input.shape[input.dim() - len(shape):]) != shape:
        expected = ", ".join(map(str, shape))
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape [*, {expected}], but got input "
                           f"of size{list(input.shape)}")
    return layer_norm_kernel(input, len(shape), weight, bias, eps)


@differentiable("layer_norm_kernel", method=False, export=False)
def layer_norm_kernel(input: Tensor, normalized_dims: int, weight: Optional[Tensor] = None,
                      bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """:func:`layer_norm` of checked arguments over the last ``normalized_dims`` dimensions."""
    return _affine(_layer_normalized(input, normalized_dims, eps)[0], weight, bias)


def _layer_normalized(input: Tensor, normalized_dims: int, eps: float) -> Tuple[Tensor, Tensor]:
    dims = tuple(range(input.dim() - normalized_dims, input.dim()))
    mean, _, rstd = _statistics(input, dims, eps)
    return (input - mean) * rstd, rstd


@backward_of("layer_norm_kernel")
class NativeLayerNormBackward0(Function):
    """Saves ``x̂`` and ``rstd``: the backward formula needs only them and ``weight``; and the input, from which
    a backward under ``create_graph`` computes them again with their graph (second derivatives)."""

    @staticmethod
    def forward(ctx, input, normalized_dims, weight=None, bias=None, eps=1e-5):
        normalized, rstd = _layer_normalized(input, normalized_dims, eps)
        ctx.save_for_backward(normalized, rstd, weight, input)
        ctx.normalize = lambda x: _layer_normalized(x, normalized_dims, eps)
        ctx.normalized_dims, ctx.has_bias = normalized_dims, bias is not None
        ctx.batch_statistics, ctx.weight_slot = True, 2  # the statistics are the input's; weight is argument 2
        ctx.reshape_weight = lambda w: w
        return _affine(normalized, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        dims = tuple(range(grad.dim() - ctx.normalized_dims, grad.dim()))
        leading = tuple(range(grad.dim() - ctx.normalized_dims))
        per_feature = (lambda t: t.sum(leading)) if leading else (lambda t: t)
        grad_input, grad_weight, grad_bias = _normalization_grads(ctx, grad, dims, per_feature)
        return grad_input, None, grad_weight, grad_bias


# --- batch_norm ---


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalize each channel (dimension 1) over the batch and the other dimensions, then scale and shift.

    In training, the batch's statistics normalize (the biased variance), and the running statistics, when
    given, are updated in place: ``running = (1 - momentum) * running + momentum * batch`` (with the
    *unbiased* variance, as torch does). Otherwise the running statistics normalize.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` buffers, or None (then ``training`` must be True).
        weight, bias: ``(C,)``, or None.

    Returns:
        a new tensor shaped like ``input``.

    Raises:
        ValueError: training on a single value per channel.
        RuntimeError: torch's, for ``(C,)`` tensors of the wrong length, or evaluation without running stats.
    """
    if input.dim() < 2:
        raise RuntimeError(f"batch_norm: expected an input of at least 2 dimensions (N, C, *), got "
                           f"{list(input.shape)}")
    channels = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if training and input.numel() // max(channels, 1) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{input.shape!r}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode")
    if training and running_mean is not None and running_var is not None:
        _update_running_stats(input, running_mean, running_var, momentum)
    statistics = None if training else (running_mean, running_var)
    return batch_norm_kernel(input, weight, bias, statistics, eps)


def _update_running_stats(input: Tensor, running_mean: Tensor, running_var: Tensor, momentum: float) -> None:
    dims = _batch_dims(input)
    count = input.numel() // input.shape[1]
    with no_grad():
        mean = input.mean(dims)
        centered = input - mean.reshape(_channel_shape(input))
        unbiased_var = (centered * centered).sum(dims) / (count - 1)
        running_mean.mul_(1 - momentum).add_(mean.to(running_mean.dtype) * momentum)
        running_var.mul_(1 - momentum).add_(unbiased_var.to(running_var.dtype) * momentum)


def _batch_dims(input: Tensor) -> Tuple[int, ...]:
    return (0, *range(2, input.dim()))


def _channel_shape(input: Tensor) -> Tuple[int, ...]:
    return (1, input.shape[1]) + (1,) * (input.dim() - 2)


@differentiable("batch_norm_kernel", method=False, export=False)
def batch_norm_kernel(input: Tensor, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
                      statistics: Optional[Tuple[Tensor, Tensor]] = None, eps: float = 1e-5) -> Tensor:
    """:func:`batch_norm` of checked arguments: ``statistics`` ``(running_mean, running_var)`` or None
    (the batch's)."""
    normalized, _ = _batch_normalized(input, statistics, eps)
    return _affine(normalized, *_per_channel(input, weight, bias))


def _batch_normalized(input: Tensor, statistics, eps: float) -> Tuple[Tensor, Tensor]:
    if statistics is None:
        mean, _, rstd = _statistics(input, _batch_dims(input), eps)
    else:
        shape = _channel_shape(input)
        mean = statistics[0].reshape(shape)
        rstd = (statistics[1].reshape(shape) + eps).rsqrt()
    return (input - mean) * rstd, rstd


def _per_channel(input: Tensor, *tensors: Optional[Tensor]) -> list:
    shape = _channel_shape(input)
    return [None if t is None else t.reshape(shape) for t in tensors]


@backward_of("batch_norm_kernel")
class NativeBatchNormBackward0(Function):
    """As :class:`NativeLayerNormBackward0`, over the batch dimensions; torch's name on the CPU (its GPU
    node is ``CudnnBatchNormBackward0``)."""

    @staticmethod
    def forward(ctx, input, weight=None, bias=None, statistics=None, eps=1e-5):
        normalized, rstd = _batch_normalized(input, statistics, eps)
        ctx.save_for_backward(normalized, rstd, weight, input)
        ctx.normalize = lambda x: _batch_normalized(x, statistics, eps)
        shape = _channel_shape(input)
        ctx.has_bias, ctx.batch_statistics, ctx.weight_slot = bias is not None, statistics is None, 1  # weight: arg 1
        ctx.reshape_weight = lambda w: w.reshape(shape)
        return _affine(normalized, *_per_channel(input, weight, bias))

    @staticmethod
    def backward(ctx, grad):
        dims = _batch_dims(grad)
        return _normalization_grads(ctx, grad, dims, lambda t: t.sum(dims))
