"""Gradient accumulation: one batch's gradients from several smaller backward passes.

Taught in notebooks/06_parallel_training.ipynb. A batch too large for memory is cut into ``k`` micro-batches;
each is run forward and backward on its own, and ``backward`` adds each one's gradients into the parameters'
``.grad``. If each micro-batch's mean loss is weighted by its share of the batch (``len(micro) / len(batch)``),
the sum of the gradients is exactly the gradient of the whole batch's mean loss. Data parallelism (two of
chapter 06) is the same sum, with the micro-batches on different devices and the adding done by all-reduce.
Layers whose output depends on the batch (batch norm) break the equality: they see micro-batches.
"""

from __future__ import annotations

from typing import Any, Callable


def accumulate_gradients(model: Callable[[Any], Any], loss_fn: Callable[[Any, Any], Any], inputs: Any, targets: Any,
                         micro_batches: int) -> float:
    """Add to the parameters' ``.grad`` the gradient of ``loss_fn(model(inputs), targets)`` (a mean over the
    batch), computed in ``micro_batches`` pieces (``inputs.chunk(micro_batches)``, which may be of unequal
    sizes); returns the whole batch's loss as a float.

    Args:
        model: maps a batch of inputs to outputs (an ``nn.Module``).
        loss_fn: a loss that averages over the batch (``reduction="mean"``, the default).
        inputs, targets: the whole batch, batch dimension first.
        micro_batches: how many pieces (1: one ordinary backward).
    """
    # BEGIN EXERCISE 6.4
    total = len(inputs)
    loss_sum = 0.0
    for micro_inputs, micro_targets in zip(inputs.chunk(micro_batches), targets.chunk(micro_batches)):
        loss = loss_fn(model(micro_inputs), micro_targets) * (len(micro_inputs) / total)
        loss.backward()
        loss_sum += loss.item()
    return loss_sum
    # END EXERCISE
