"""Ring all-reduce: the sum of a tensor over every rank, from messages between neighbours only.

Taught in notebooks/06_parallel_training.ipynb. The ranks stand in a ring; the tensor is cut into
``world_size`` chunks. In the **reduce-scatter** phase (``world_size - 1`` steps), each rank sends one chunk to
the next rank and adds the chunk it receives from the previous one into its own copy; afterwards rank ``r``
holds the complete sum of chunk ``(r + 1) % world_size``. In the **all-gather** phase (``world_size - 1`` more
steps), the complete chunks travel once around the ring, each rank copying what it receives. Every rank sends
``2 (world_size - 1) / world_size`` times the tensor's size in all, whatever the number of ranks: why data
parallelism scales, and what NCCL and gloo do inside ``all_reduce``.
"""

from __future__ import annotations

from typing import Any, List

from ..autograd.grad_mode import no_grad
from ..ops.creation import zeros_like
from .collectives import irecv, isend
from .process_group import get_rank, get_world_size


def chunk_bounds(numel: int, world_size: int) -> List[int]:
    """Where each of ``world_size`` chunks of ``numel`` elements starts (and, last, where the last one ends):
    sizes differ by at most one."""
    return [(index * numel) // world_size for index in range(world_size + 1)]


def exchange(send_chunk: Any, receive_into: Any, rank: int, world_size: int) -> None:
    """Send ``send_chunk`` to the next rank while receiving the previous rank's chunk into ``receive_into``."""
    sending = isend(send_chunk, (rank + 1) % world_size)
    receiving = irecv(receive_into, (rank - 1) % world_size)
    sending.wait()
    receiving.wait()


def ring_all_reduce(tensor: Any) -> None:
    """Replace ``tensor`` (contiguous, at least ``world_size`` elements) by its sum over every rank, in place,
    with the ring's two phases (module docstring). ``chunk_bounds`` cuts it; ``exchange`` passes a chunk on."""
    world_size, rank = get_world_size(), get_rank()
    if world_size == 1:
        return
    with no_grad():
        flat = tensor.view(-1)
        bounds = chunk_bounds(flat.shape[0], world_size)

        def chunk(index: int) -> Any:
            index %= world_size
            return flat[bounds[index]:bounds[index + 1]]

        # BEGIN EXERCISE 6.5
        for step in range(world_size - 1):  # reduce-scatter: add the arriving chunk into ours
            incoming = zeros_like(chunk(rank - step - 1))
            exchange(chunk(rank - step), incoming, rank, world_size)
            chunk(rank - step - 1).add_(incoming)
        for step in range(world_size - 1):  # all-gather: pass the complete chunks around
            incoming = zeros_like(chunk(rank - step))
            exchange(chunk(rank - step + 1), incoming, rank, world_size)
            chunk(rank - step).copy_(incoming)
        # END EXERCISE
