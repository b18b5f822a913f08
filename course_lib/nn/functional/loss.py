"""Loss functions, like torch's: ``cross_entropy`` and ``nll_loss`` (with ``weight``, ``ignore_index``,
``label_smoothing``, class-probability targets, and ``reduction='mean'|'sum'|'none'``).

``cross_entropy`` of class indices (the MNIST case) is one node of the graph with its own backward,
``softmax(input) - one_hot(target)``, instead of the five or so nodes of ``log_softmax`` and a gather:
a training step spends its framework time per node. The other cases are composed of differentiable
operations. Like torch, ``mean`` divides by the summed weights of the targets that count (not ignored).
"""

from __future__ import annotations

from typing import Optional

from ... import dtypes as _dt
from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...autograd.grad_mode import is_grad_enabled
from ...ops.activation import log_softmax, softmax
from ...ops.creation import arange
from ...ops.dispatch import differentiable

REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction: str, size_average: Optional[bool] = None, reduce: Optional[bool] = None) -> str:
    """The reduction, from torch's current argument or its two deprecated ones."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _check_targets(input: Tensor, target: Tensor, ignore_index: int) -> None:
    """torch's errors for class-index targets of the wrong dtype or shape."""
    if input.dim() == 0:
        raise ValueError(f"Expected input batch_size (1) to match target batch_size ({target.numel()}).")
    batch = input.shape[0] if input.dim() > 1 else None
    if batch is not None and (target.dim() == 0 or target.shape[0] != batch):
        got = target.shape[0] if target.dim() else 1
        raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({got}).")
    if input.dim() <= 2 and target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target.dtype not in (_dt.int64, _dt.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target.dtype.name}")
    if input.dim() > 2 and tuple(target.shape) != (input.shape[0], *input.shape[2:]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    if not target.numel():
        return
    low, high = int(target.min()), int(target.max())
    if low < 0 or high >= classes:  # the rare case: look again without the ignored entries
        valid = target[target.ne(ignore_index)]
        if valid.numel() and (int(valid.min()) < 0 or int(valid.max()) >= classes):
            bad = int(valid.max()) if int(valid.max()) >= classes else int(valid.min())
            raise IndexError(f"Target {bad} is out of bounds.")


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
    return losses.sum() / weights.sum()


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
    rows = _class_dim_last(input)
    flat = target.reshape(-1)
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
    if target.dtype.is_floating_point and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    if input.dim() == 2 and weight is None and label_smoothing == 0.0:
        _check_targets(input, target, ignore_index)
        return cross_entropy_loss(input, target, ignore_index, reduction)
    log_p = log_softmax(input, 1 if input.dim() > 1 else 0)
    loss = nll_loss(log_p, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing == 0.0:
        return loss
    classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    smooth = _smoothing_term(log_p, target, weight, ignore_index, reduction) / classes
    return loss * (1 - label_smoothing) + smooth * label_smoothing


def _smoothing_term(log_p: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int,
                    reduction: str) -> Tensor:
    """The uniform part of label smoothing: ``-sum_c weight[c] * log_p[n, c]``, reduced as the loss is."""
    rows = _class_dim_last(log_p)
    flat = target.reshape(-1)
    keep = flat.ne(ignore_index).to(rows.dtype)
    per_class = rows if weight is None else rows * weight
    losses = -per_class.sum(1) * keep
    if reduction == "mean" and weight is not None:
        safe = flat.where(flat.ne(ignore_index), flat.new_zeros(()))
        return losses.sum() / (weight[safe] * keep).sum()
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
def cross_entropy_loss(input: Tensor, target: Tensor, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Cross-entropy of ``(N, C)`` logits and ``(N,)`` class indices, one node (``cross_entropy`` calls it
    after checking its arguments)."""
    picked = _picked(target, input.shape[1], ignore_index, input.dtype)
    return _loss_from(log_softmax(input, 1), picked, picked.sum(), reduction)


def _loss_from(log_p: Tensor, picked: Tensor, count: Tensor, reduction: str) -> Tensor:
    """The reduced loss from the log-probabilities and the picked targets (``count`` of them)."""
    chosen = log_p * picked
    if reduction == "none":
        return -chosen.sum(1)
    total = -chosen.sum()
    return total if reduction == "sum" else total / count


@backward_of("cross_entropy_loss")
class NllLossBackward0(Function):
    """``d loss / d input = (softmax(input) - one_hot(target)) * scale``; named like torch's last node."""

    @staticmethod
    def forward(ctx, input, target, ignore_index=-100, reduction="mean"):
        log_p = log_softmax(input, 1)
        picked = _picked(target, input.shape[1], ignore_index, input.dtype)
        count = picked.sum()
        ctx.save_for_backward(input, log_p, picked, count)
        ctx.reduction, ctx.counted = reduction, count.item()  # how many targets count (not ignored)
        return _loss_from(log_p, picked, count, reduction)

    @staticmethod
    def backward(ctx, grad):
        input, log_p, picked, count = ctx.saved_tensors
        if ctx.counted == 0:  # every target ignored: no gradient (the mean itself is 0/0, nan, as in torch)
            return log_p.new_zeros(log_p.shape), None
        if ctx.reduction == "none":
            scale = grad.unsqueeze(1) * picked.sum(1, keepdim=True)
        else:
            scale = grad / count if ctx.reduction == "mean" else grad
            if ctx.counted != log_p.shape[0]:  # an ignored target's row gets no gradient
                scale = scale * picked.sum(1, keepdim=True)
        # With create_graph, softmax(input) links the gradient to the input (second derivatives); without,
        # the saved log-probabilities give it in one cheap exp.
        probabilities = softmax(input, 1) if is_grad_enabled() else log_p.exp()
        return (probabilities - picked) * scale, None
