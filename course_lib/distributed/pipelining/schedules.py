"""Schedules: in which order the stages run the micro-batches of one batch.

A batch is cut into ``n_microbatches`` micro-batches. With one micro-batch (the *naive* pipeline) only one
stage works at a time: with ``S`` stages each is idle ``(S - 1) / S`` of the step. **GPipe** runs every
micro-batch forward, then every one backward: while stage 1 works on micro-batch 0, stage 0 already works on
micro-batch 1. The idle fraction (the *bubble*) falls to ``(S - 1) / (M + S - 1)`` for ``M`` micro-batches
of equal cost, at the price of keeping all ``M`` micro-batches' activations until their backward. **1F1B**
(one forward, one backward) starts each micro-batch's backward as soon as it can: after a warm-up of
``S - 1 - s`` forwards, stage ``s`` alternates one forward and one backward, so it keeps at most ``S - s``
micro-batches' activations, for the same bubble.

Gradients add up over the micro-batches. Each micro-batch's loss is weighted by its share of the batch, so
that with a mean loss the gradients equal those of the whole batch in one piece (torch's ``scale_grads``).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

from ..._tensor import Tensor
from ...ops.join import cat
from .stage import PipelineStage


def split_microbatches(value: Any, n_microbatches: int) -> List[Any]:
    """``value`` cut along dimension 0 into ``n_microbatches`` views, the first ``size % n_microbatches`` of them
    one sample longer (torch's ``tensor_split``, which torch's schedules use).

    Raises:
        ValueError: the batch has fewer samples than ``n_microbatches``.
    """
    size = value.shape[0]
    if size < n_microbatches:
        raise ValueError(f"a batch of {size} samples cannot be cut into {n_microbatches} micro-batches")
    share, longer = divmod(size, n_microbatches)
    starts = [index * share + min(index, longer) for index in range(n_microbatches + 1)]
    return [value[start:end] for start, end in zip(starts, starts[1:])]


class ScheduleGPipe:
    """GPipe: all micro-batches forward, then all backward (torch's ``ScheduleGPipe``).

    Every rank calls ``step`` once per batch: the first stage with the inputs, the last one with
    ``target=`` (and ``losses=`` a list, to get each micro-batch's loss), the others with nothing.

    Args:
        stage: this rank's :class:`PipelineStage`.
        n_microbatches: how many pieces each batch is cut into.
        loss_fn: ``loss_fn(output, target)``, a mean over the micro-batch; without it, ``step`` runs forward only.
    """

    def __init__(self, stage: PipelineStage, n_microbatches: int, loss_fn: Optional[Callable] = None) -> None:
        if n_microbatches < 1:
            raise ValueError(f"n_microbatches must be at least 1, but got {n_microbatches}")
        self._stage, self._n_microbatches, self._loss_fn = stage, n_microbatches, loss_fn
        self._targets: List[Any] = []  # this batch's micro-batches of targets (last stage), set by step
        self._batch_size, self._losses = 0, None

    def step(self, *args: Any, target: Any = None, losses: Optional[list] = None) -> Optional[Tensor]:
        """Run one batch through the pipeline; returns the whole output on the last stage, None elsewhere."""
        stage, count = self._stage, self._n_microbatches
        arg_chunks = list(zip(*[split_microbatches(a, count) for a in args])) if stage.is_first else [()] * count
        if stage.is_last and self._loss_fn is not None:
            if target is None:
                raise ValueError("the last stage's step() needs target= to compute the loss")
            self._targets, self._batch_size, self._losses = split_microbatches(target, count), len(target), losses
        stage.begin_step()
        if self._loss_fn is None:
            outputs = [stage.forward_only(index, *arg_chunks[index]) for index in range(count)]
        else:
            outputs = self._step_microbatches(arg_chunks)
        stage.finish_step()
        return cat([output.detach() for output in outputs]) if stage.is_last else None

    def _loss(self, index: int, output: Tensor) -> Optional[Tensor]:
        """Micro-batch ``index``'s loss, weighted by its share of the batch (last stage; None elsewhere)."""
        if not self._stage.is_last:
            return None
        loss = self._loss_fn(output, self._targets[index])
        if self._losses is not None:
            self._losses.append(loss.detach())
        return loss * (len(self._targets[index]) / self._batch_size)

    def _step_microbatches(self, arg_chunks: Sequence[tuple]) -> List[Tensor]:
        """The schedule: run micro-batch ``i`` forward with ``self._stage.forward_one_chunk(i, *arg_chunks[i])``
        and backward with ``self._stage.backward_one_chunk(i, loss=self._loss(i, output_i))``; return the
        outputs in micro-batch order."""
        stage = self._stage
        # BEGIN EXERCISE 6.7
        outputs = [stage.forward_one_chunk(index, *arg_chunks[index]) for index in range(self._n_microbatches)]
        for index in range(self._n_microbatches):
            stage.backward_one_chunk(index, loss=self._loss(index, outputs[index]))
        return outputs
        # END EXERCISE


def one_forward_one_backward_order(stage_index: int, num_stages: int, n_microbatches: int) -> List[Tuple[str, int]]:
    """The order in which stage ``stage_index`` runs its micro-batches under 1F1B: ``[("F", 0), ...]``."""
    warmup = min(num_stages - 1 - stage_index, n_microbatches)
    order = [("F", index) for index in range(warmup)]
    for index in range(n_microbatches - warmup):
        order += [("F", warmup + index), ("B", index)]
    return order + [("B", index) for index in range(n_microbatches - warmup, n_microbatches)]


class Schedule1F1B(ScheduleGPipe):
    """1F1B: after a warm-up, each stage alternates one forward and one backward (torch's ``Schedule1F1B``).

    The same gradients as GPipe (the same micro-batches, summed), with at most ``num_stages - stage_index``
    micro-batches' activations kept at once instead of all of them. Same arguments and ``step`` as
    :class:`ScheduleGPipe`.
    """

    def _step_microbatches(self, arg_chunks: Sequence[tuple]) -> List[Tensor]:
        stage = self._stage
        outputs: List[Optional[Tensor]] = [None] * self._n_microbatches
        for kind, index in one_forward_one_backward_order(stage.stage_index, stage.num_stages, self._n_microbatches):
            if kind == "F":
                outputs[index] = stage.forward_one_chunk(index, *arg_chunks[index])
            else:
                stage.backward_one_chunk(index, loss=self._loss(index, outputs[index]))
        return outputs
