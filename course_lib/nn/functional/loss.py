"""Loss functions, like torch's: ``cross_entropy`` and ``nll_loss`` (with ``weight``, ``ignore_index``,
``label_smoothing``, class-probability targets, and ``reduction='mean'|'sum'|'none'``).

``cross_entropy`` of class indices (the MNIST case) is one node of the graph with its own backward,
``softmax(input) - one_hot(target)``, instead of the five or so nodes of ``log_softmax`` and a gather:
a training step spends its framework time per node. The other cases are composed of differentiable
operations. Like torch, ``mean`` divides by the summed weights of the targets that count (not ignored).

The losses of element-wise targets: ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``, ``huber_loss`` (composed),
and ``binary_cross_entropy`` (of probabilities) and ``binary_cross_entropy_with_logits`` (stable), each one
node with torch's gradient formulas (finite where the composed ones would not be, at 0 and 1).
"""

from __future__ import annotations

import warnings
from typing import Optional

from ... import dtypes as _dt
from ..._tensor import Tensor
from ...autograd.function import Function, FunctionCtx, backward_of
from ...ops.common import backend_for
from .sparse import one_hot
from ...autograd.grad_mode import is_grad_enabled
from ...ops.activation import log_softmax, softmax
from ...ops.creation import arange
from ...ops.dispatch import differentiable
from ...ops.views import broadcast_shapes

REDUCTIONS = ("mean", "sum", "none")
_SMALL = 1024  # up to this many targets, checking their range in Python beats two reductions


def _reduction(reduction: str, size_average: Optional[bool] = None, reduce: Optional[bool] = None) -> str:
    """The reduction, from torch's current argument or its two deprecated ones."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                      UserWarning, stacklevel=3)
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_targets(input: Tensor, target: Tensor, ignore_index: int) -> bool:
    """torch's errors for class-index targets of the wrong dtype, shape or range.

    Returns:
        True when every target counts: all in ``[0, C)`` and ``ignore_index`` outside that range.
    """
    input_dims, target_dims = len(input._shape), len(target._shape)
    if input_dims == 0:
        raise ValueError(f"Expected input batch_size (1) to match target batch_size ({target.numel()}).")
    batch = input._shape[0] if input_dims > 1 else None
    if batch is not None and (target_dims == 0 or target._shape[0] != batch):
        got = target._shape[0] if target_dims else 1
        raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({got}).")
    if input_dims <= 2 and target_dims > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dtype not in (_dt.int64, _dt.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype.type_name}")
    if input_dims > 2 and target._shape != (input._shape[0], *input._shape[2:]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    classes = input._shape[1] if input_dims > 1 else input._shape[0]
    if 0 in target._shape:
        return False
    if target_dims == 1 and target._shape[0] <= _SMALL:  # a batch's targets: one copy out, Python's min and max
        values = target.tolist()
        low, high = min(values), max(values)
    else:
        backend, every_dim = backend_for(target.device), tuple(range(target_dims))
        low = backend.reduce("min", target, every_dim, False).item()
        high = backend.reduce("max", target, every_dim, False).item()
    if low < 0 or high >= classes:  # the rare case: look again without the ignored entries
        valid = target[target.ne(ignore_index)]
        if valid.numel() and (int(valid.min()) < 0 or int(valid.max()) >= classes):
            bad = int(valid.max()) if int(valid.max()) >= classes else int(valid.min())
            raise IndexError(f"Target {bad} is out of bounds.")
        return False
    return not 0 <= ignore_index < classes


def _long(target: Tensor) -> Tensor:
    """uint8 class indices (torch takes them) as int64, the dtype gather and scatter index with."""
    return target if target.dtype == _dt.int64 else target.to(_dt.int64)


def _class_dim_last(t: Tensor) -> Tensor:
    """``(N, C, d1, ...)`` as ``(N * d1 * ..., C)``; ``(C,)`` as ``(1, C)``; ``(N, C)`` as it is."""
    if t.dim() == 1:
        return t.unsqueeze(0)
    if t.dim() == 2:
        return t
    return t.movedim(1, -1).reshape(-1, t.shape[1])


def _reduce(losses: Tensor, weights: Tensor, reduction: str, shape) -> Tensor:
    if reduction == "none":
        return losses.reshape(shape)
    if reduction == "sum":
        return losses.sum()
    return _weighted_mean(losses, weights)


def _weighted_mean(losses: Tensor, weights: Tensor) -> Tensor:
    """``losses.sum() / weights.sum()``; with nothing counted, torch's NaN loss but zero gradients (a plain
    ``0 / 0`` would send NaN gradients back to every input)."""
    total = weights.sum()
    empty = total.eq(0)
    nan_if_empty = total.new_zeros(()).masked_fill(empty, float("nan"))  # a constant: no gradient through it
    return losses.sum() / total.masked_fill(empty, 1) + nan_if_empty


def _no_weight_gradient(weight: Optional[Tensor], name: str) -> None:
    if weight is not None and weight.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{name}' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
             ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices: ``-input[n, target[n]] * weight[target[n]]``, reduced.

    Args:
        input: log-probabilities, ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``.
        target: class indices (int64), ``(N,)``, ``()`` or ``(N, d1, ...)``; ``ignore_index`` entries count
            for nothing.
        weight: ``(C,)`` per-class weights.
    """
    reduction = _reduction(reduction, size_average, reduce)
    _check_targets(input, target, ignore_index)
    _no_weight_gradient(weight, "nll_loss_forward")
    rows = _class_dim_last(input)
    flat = _long(target).reshape(-1)
    keep = flat.ne(ignore_index)
    safe = flat.where(keep, flat.new_zeros(()))  # an index to gather for ignored entries (then masked out)
    weights = keep.to(rows.dtype) if weight is None else weight[safe] * keep.to(rows.dtype)
    losses = -rows.gather(1, safe.unsqueeze(1)).squeeze(1) * weights
    return _reduce(losses, weights, reduction, target.shape)


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Optional[bool] = None, ignore_index: int = -100, reduce: Optional[bool] = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between ``softmax(input)`` (over dimension 1, the classes) and the targets.

    Args:
        input: unnormalised scores (logits), ``(N, C)``, ``(C,)`` or ``(N, C, d1, ...)``.
        target: class indices (int64, shaped like ``input`` without the class dimension) or class
            probabilities (floating point, shaped like ``input``).
        weight: ``(C,)`` per-class weights.
        ignore_index: a class index that counts for nothing (index targets only).
        reduction: ``"mean"`` (over the counted targets, weighted), ``"sum"`` or ``"none"``.
        label_smoothing: in ``[0, 1]``: the target becomes ``(1 - s) * target + s / C``.

    Raises:
        RuntimeError, ValueError, IndexError: torch's, for float targets of the wrong shape, batch sizes
            that differ, class indices out of range.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _no_weight_gradient(weight, "nll_loss_forward")
    if target.dtype.is_floating_point and tuple(target.shape) == tuple(input.shape):
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    if len(input._shape) == 2 and weight is None and label_smoothing == 0.0:
        every_target_counts = _check_targets(input, target, ignore_index)
        return cross_entropy_loss(input, _long(target), None if every_target_counts else ignore_index, reduction)
    # BEGIN EXERCISE 3.4
    log_p = log_softmax(input, 1 if input.dim() > 1 else 0)
    loss = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    # END EXERCISE
    if label_smoothing == 0.0:
        return loss
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    smooth = _smoothing_term(log_p, target, weight, ignore_index, reduction) / classes
    return loss * (1 - label_smoothing) + smooth * label_smoothing


def _smoothing_term(log_p: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int,
                    reduction: str) -> Tensor:
    """The uniform part of label smoothing: ``-sum_c weight[c] * log_p[n, c]``, reduced as the loss is."""
    rows = _class_dim_last(log_p)
    flat = _long(target).reshape(-1)
    keep = flat.ne(ignore_index).to(rows.dtype)
    per_class = rows if weight is None else rows * weight
    losses = -per_class.sum(1) * keep
    if reduction == "mean" and weight is not None:
        safe = flat.where(flat.ne(ignore_index), flat.new_zeros(()))
        return _weighted_mean(losses, weight[safe] * keep)
    return _reduce(losses, keep, reduction, target.shape)


def _cross_entropy_probabilities(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
                                 label_smoothing: float) -> Tensor:
    class_dim = 1 if input.dim() > 1 else 0
    classes = input.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    log_p = log_softmax(input, class_dim)
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = classes
        log_p = log_p * weight.reshape(shape)
    losses = -(log_p * target).sum(class_dim)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / (losses.numel() if input.dim() > 1 else 1)


def _picked(target: Tensor, classes: int, ignore_index: int, dtype) -> Tensor:
    """``(N, C)``: 1 where column ``c`` is row ``n``'s target class and that target counts, else 0.

    Built with one comparison against ``arange(C)`` rather than ``gather``/``scatter``: general advanced
    indexing costs ~0.5 ms a call, a whole training step's budget. An ``ignore_index`` outside
    ``[0, C)`` (the default -100) equals no column, so its rows come out all 0 without a mask."""
    picked = target.unsqueeze(1).eq(arange(classes, device=target.device))
    if 0 <= ignore_index < classes:
        picked = picked & target.ne(ignore_index).unsqueeze(1)
    return picked.to(dtype)


@differentiable("cross_entropy_loss", method=False, export=False)
def cross_entropy_loss(input: Tensor, target: Tensor, ignore_index: Optional[int] = -100,
                       reduction: str = "mean") -> Tensor:
    """Cross-entropy of ``(N, C)`` logits and ``(N,)`` class indices, one node (``cross_entropy`` calls it
    after checking its arguments; ``ignore_index=None`` when it found that every target counts)."""
    return NllLossBackward0.forward(FunctionCtx((False, False)), input, target, ignore_index, reduction)


def _loss_from(log_p: Tensor, picked: Tensor, count: Tensor, reduction: str) -> Tensor:
    """The reduced loss from the log-probabilities and the picked targets (``count`` of them)."""
    chosen = log_p * picked
    if reduction == "none":
        return -chosen.sum(1)
    total = -chosen.sum()
    return total if reduction == "sum" else total / count


@backward_of("cross_entropy_loss")
class NllLossBackward0(Function):
    """``d loss / d input = (softmax(input) - one_hot(target)) * scale``; named like torch's last node.

    When every target counts (the usual case, ``ignore_index=None``) each pass is one backend primitive,
    ``cross_entropy`` and ``cross_entropy_backward`` (unless the backward is recorded, ``create_graph``).
    """

    @staticmethod
    def forward(ctx, input, target, ignore_index=-100, reduction="mean"):
        ctx.reduction = reduction
        if ignore_index is None:
            loss, log_p = backend_for(input.device).cross_entropy(input, target, reduction)
            ctx.save_for_backward(input, log_p, target)
            ctx.counted, ctx.every_target_counts = input.shape[0], True
            return loss
        ctx.every_target_counts = False
        log_p = log_softmax(input, 1)
        picked = _picked(target, input.shape[1], ignore_index, input.dtype)
        count = picked.sum()
        ctx.save_for_backward(input, log_p, picked)
        ctx.counted = count.item()  # how many targets count (not ignored)
        return _loss_from(log_p, picked, count, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, log_p, picked = ctx.saved_tensors
        if ctx.every_target_counts:
            if not is_grad_enabled():
                return backend_for(log_p.device).cross_entropy_backward(grad, log_p, picked, ctx.reduction), None
            picked = one_hot(picked, log_p.shape[1]).to(log_p.dtype)  # the saved tensor was the targets
        if ctx.counted == 0:  # every target ignored: no gradient (the mean itself is 0/0, nan, as in torch)
            return log_p.new_zeros(log_p.shape), None
        if ctx.reduction == "none":
            scale = grad.unsqueeze(1)
        else:
            scale = grad / ctx.counted if ctx.reduction == "mean" else grad
        if ctx.counted != log_p.shape[0]:  # an ignored target's row gets no gradient
            scale = scale * picked.sum(1, keepdim=True)
        # With create_graph, softmax(input) links the gradient to the input (second derivatives); without,
        # the saved log-probabilities give it in one cheap exp.
        probabilities = softmax(input, 1) if is_grad_enabled() else log_p.exp()
        return (probabilities - picked) * scale, None


# --- losses of element-wise targets: regression (mse, l1, smooth l1, huber) and binary cross-entropy ---


def _warn_if_sizes_differ(input: Tensor, target: Tensor) -> None:
    """torch's warning: a target of another shape is broadcast, which is rarely what was meant."""
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape!r}) that is different to the input size ({input.shape!r}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=4)  # the loss's caller


def _reduce_elementwise(losses: Tensor, reduction: str, weight: Optional[Tensor] = None) -> Tensor:
    """``losses`` (times ``weight``), reduced; a weighted mean divides by the summed weights, as torch's
    ``mse_loss`` and ``l1_loss`` do (its ``huber_loss`` divides by the count: :func:`_weighted`)."""
    losses = _weighted(losses, weight)
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean() if weight is None else losses.sum() / weight.sum()


def _weighted(losses: Tensor, weight: Optional[Tensor]) -> Tensor:
    if weight is None:
        return losses
    if tuple(weight.shape) != tuple(losses.shape):
        raise ValueError("Weights and input must have the same size.")
    return losses * weight


def _difference(input: Tensor, target: Tensor, name: str, reduction: str, size_average, reduce) -> tuple:
    """``(input - target, reduction)`` after torch's checks: the size warning, the reduction, float dtypes."""
    _warn_if_sizes_differ(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if not (input.dtype.is_floating_point or target.dtype.is_floating_point):
        raise NotImplementedError(f'"{name}" not implemented for \'{input.dtype.type_name}\'')
    return input - target, reduction


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
             reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """Mean squared error ``(input - target)²``, reduced.

    Args:
        input, target: broadcastable tensors (a size that differs warns, as torch's: UserWarning).
        weight: per-element weights shaped like ``input``; the mean then divides by their sum.

    Returns:
        a 0-d tensor, or the broadcast shape for ``reduction='none'``.
    """
    difference, reduction = _difference(input, target, "mse_loss", reduction, size_average, reduce)
    return _reduce_elementwise(difference * difference, reduction, weight)


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
            reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    """Mean absolute error ``|input - target|``, reduced (the gradient at ``input == target`` is 0).

    Args: as :func:`mse_loss`'s.
    """
    difference, reduction = _difference(input, target, "l1_loss", reduction, size_average, reduce)
    return _reduce_elementwise(difference.abs(), reduction, weight)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
                   reduce: Optional[bool] = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``d = input - target``), reduced.

    ``beta = 0`` is the L1 loss. Raises RuntimeError for a negative ``beta``.
    """
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    difference, reduction = _difference(input, target, "smooth_l1_loss", reduction, size_average, reduce)
    size = difference.abs()
    if beta == 0:  # the quadratic branch is empty (and would divide by zero)
        return _reduce_elementwise(size, reduction)
    losses = (difference * difference * (0.5 / beta)).where(size < beta, size - 0.5 * beta)
    return _reduce_elementwise(losses, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Optional[Tensor] = None) -> Tensor:
    """``0.5 d²`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, reduced: ``delta`` times
    :func:`smooth_l1_loss` with ``beta = delta``. Raises RuntimeError for ``delta <= 0``."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    difference, reduction = _difference(input, target, "huber_loss", reduction, None, None)
    size = difference.abs()
    losses = (difference * difference * 0.5).where(size < delta, (size - 0.5 * delta) * delta)
    return _reduce_elementwise(_weighted(losses, weight), reduction)


def _binary_weights(input: Tensor, target: Tensor, weight: Optional[Tensor], name: str) -> Optional[Tensor]:
    _no_weight_gradient(weight, name)
    if weight is None or tuple(weight.shape) == tuple(input.shape):
        return weight
    try:
        return weight.expand(broadcast_shapes(tuple(target.shape), tuple(weight.shape)))
    except (RuntimeError, ValueError):
        raise RuntimeError(f"the weight of shape {list(weight.shape)} does not broadcast to the input's "
                           f"{list(input.shape)}") from None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    """``-weight * (target log(input) + (1 - target) log(1 - input))``, reduced; each log is clamped at
    ``-100`` as torch's (so ``input`` 0 or 1 gives a finite loss).

    Args:
        input: probabilities in ``[0, 1]``, any shape.
        target: the same shape and dtype as ``input``, in ``[0, 1]``.
        weight: broadcastable to ``input``'s shape.

    Raises:
        ValueError: ``target``'s shape differs from ``input``'s.
        RuntimeError: ``input`` or ``target`` outside ``[0, 1]`` (NaN too); ``target`` of another dtype.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape!r}) that is different to the input size "
                         f"({input.shape!r}) is deprecated. Please ensure they have the same size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {target.dtype.type_name} but expected {input.dtype.type_name}")
    weight = _binary_weights(input, target, weight, "binary_cross_entropy")
    if input.numel():
        for name, t in (("input", input), ("target", target)):
            if not bool(((t >= 0) & (t <= 1)).all()):  # NaN fails both comparisons
                raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    return binary_cross_entropy_loss(input, target, weight, reduction)


@differentiable("binary_cross_entropy_loss", method=False, export=False)
def binary_cross_entropy_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                              reduction: str = "mean") -> Tensor:
    """The binary cross-entropy of checked arguments, one node (:func:`binary_cross_entropy` calls it)."""
    log_p, log_q = input.log().clamp_min(-100), (1 - input).log().clamp_min(-100)
    losses = -(target * log_p + (1 - target) * log_q)
    return _reduce_elementwise(losses if weight is None else losses * weight, reduction)


@backward_of("binary_cross_entropy_loss")
class BinaryCrossEntropyBackward0(Function):
    """``d/d input = weight (input - target) / max(input (1 - input), 1e-12)`` (torch's bound: finite at 0
    and 1); ``d/d target = weight (log(1 - input) - log(input))``."""

    @staticmethod
    def forward(ctx, input, target, weight=None, reduction="mean"):
        ctx.save_for_backward(input, target, weight)
        ctx.reduction = reduction
        return binary_cross_entropy_loss(input, target, weight, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight = ctx.saved_tensors
        scale = _elementwise_scale(grad, ctx.reduction, input.numel(), weight)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_input = (input - target) / (input * (1 - input)).clamp_min(1e-12) * scale
        if ctx.needs_input_grad[1]:
            grad_target = ((1 - input).log() - input.log()) * scale
        return grad_input, grad_target


def _elementwise_scale(grad: Tensor, reduction: str, count: int, weight: Optional[Tensor]) -> Tensor:
    """What each element's gradient is multiplied by: the output gradient (over ``count`` for a mean),
    times its weight."""
    scale = grad / count if reduction == "mean" else grad
    return scale if weight is None else scale * weight


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                                     reduction: str = "mean", pos_weight: Optional[Tensor] = None) -> Tensor:
    """:func:`binary_cross_entropy` of ``sigmoid(input)``, computed stably from the logits (no overflow for
    large ``|input|``), as one node.

    Args:
        input: logits, any shape.
        target: the same shape, values usually in ``[0, 1]`` (not checked, as torch does not).
        weight: broadcastable to ``input``'s shape.
        pos_weight: weights of the positive term, broadcastable (usually ``(C,)`` for the last dimension).

    Raises:
        ValueError: ``target``'s shape differs from ``input``'s.
    """
    reduction = _reduction(reduction, size_average, reduce)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape!r}) must be the same as input size ({input.shape!r})")
    if not target.dtype.is_floating_point and not input.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {target.dtype.type_name}")
    weight = _binary_weights(input, target, weight, "binary_cross_entropy_with_logits")
    _no_weight_gradient(pos_weight, "binary_cross_entropy_with_logits")
    if pos_weight is not None:
        broadcast_shapes(tuple(input.shape), tuple(pos_weight.shape))  # torch's error for sizes that clash
    return binary_cross_entropy_with_logits_loss(input, target, weight, pos_weight, reduction)


def _log_sigmoid(x: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -(max(-x, 0) + log(1 + exp(-|x|)))``: exp never overflows."""
    return -((-x).clamp_min(0) + (-x.abs()).exp().log1p())


@differentiable("binary_cross_entropy_with_logits_loss", method=False, export=False)
def binary_cross_entropy_with_logits_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                          pos_weight: Optional[Tensor] = None, reduction: str = "mean") -> Tensor:
    """The loss of checked arguments, one node: ``-(pos_weight t log σ(x) + (1 - t) log(1 - σ(x)))``, with
    ``log(1 - σ(x)) = log σ(x) - x``."""
    log_sigmoid = _log_sigmoid(input)
    positive = log_sigmoid * target if pos_weight is None else log_sigmoid * target * pos_weight
    losses = -(positive + (1 - target) * (log_sigmoid - input))
    return _reduce_elementwise(losses if weight is None else losses * weight, reduction)


@backward_of("binary_cross_entropy_with_logits_loss")
class BinaryCrossEntropyWithLogitsBackward0(Function):
    """``d/d input = weight ((pos_weight t + 1 - t) σ(x) - pos_weight t)``;
    ``d/d target = -weight ((pos_weight - 1) log σ(x) + x)``."""

    @staticmethod
    def forward(ctx, input, target, weight=None, pos_weight=None, reduction="mean"):
        ctx.save_for_backward(input, target, weight, pos_weight)
        ctx.reduction = reduction
        return binary_cross_entropy_with_logits_loss(input, target, weight, pos_weight, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, target, weight, pos_weight = ctx.saved_tensors
        scale = _elementwise_scale(grad, ctx.reduction, input.numel(), weight)
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            if pos_weight is None:
                grad_input = (input.sigmoid() - target) * scale
            else:
                weighted = target * pos_weight
                grad_input = ((weighted + 1 - target) * input.sigmoid() - weighted) * scale
        if ctx.needs_input_grad[1]:
            if pos_weight is None:
                grad_target = -input * scale
            else:
                grad_target = -((pos_weight - 1) * _log_sigmoid(input) + input) * scale
        return grad_input, grad_target
