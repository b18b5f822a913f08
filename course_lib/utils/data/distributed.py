"""``DistributedSampler``: each process of a data-parallel run reads its own share of the dataset, like
``torch.utils.data.distributed.DistributedSampler``.

Taught in notebooks/06_parallel_training.ipynb. Every rank draws the same order (shuffled from ``seed + epoch``:
call ``set_epoch`` at each epoch for a new one), pads it by repeating its start until it divides evenly
(or, with ``drop_last``, cuts the tail), and takes every ``num_replicas``-th index from position ``rank``: the
ranks' shares are disjoint and of one size, so every rank makes the same number of steps.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Optional

from ...generator import Generator
from ...ops.creation import randperm
from ...distributed.process_group import get_rank, get_world_size
from .sampler import Sampler


class DistributedSampler(Sampler):
    """The indices of rank ``rank``'s share of ``dataset`` (see the module docstring).

    Args:
        num_replicas, rank: the world size and this process's rank (default: the process group's).

    Raises:
        ValueError: no process group while ``num_replicas`` or ``rank`` is not given, or a rank outside
            ``[0, num_replicas - 1]`` (torch's messages).
    """

    def __init__(self, dataset: Any, num_replicas: Optional[int] = None, rank: Optional[int] = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = get_world_size()  # (torch's ValueError without a process group)
        if rank is None:
            rank = get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last, self.epoch = shuffle, seed, drop_last, 0
        if drop_last and len(dataset) % num_replicas:
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            generator = Generator().manual_seed(self.seed + self.epoch)
            order = randperm(len(self.dataset), generator=generator).tolist()
        else:
            order = list(range(len(self.dataset)))
        if self.drop_last:
            order = order[:self.total_size]
        else:
            missing = self.total_size - len(order)
            order += (order * math.ceil(missing / len(order)))[:missing] if missing else []
        return iter(order[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` in the shuffle's seed: call it before each epoch, on every rank, for a new order."""
        self.epoch = epoch
