"""Samplers: the order in which a DataLoader visits a map-style dataset's indices (and, batched, in what groups).

- :class:`SequentialSampler`: 0, 1, 2...; :class:`RandomSampler`: a shuffle (from a ``generator``), or draws
  with replacement; :class:`SubsetRandomSampler`: a shuffle of given indices.
- :class:`BatchSampler`: groups another sampler's indices into lists of ``batch_size``.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Sequence

from ...dtypes import int64
from ...generator import Generator
from ...ops.creation import empty, randint, randperm


class Sampler:
    """Base class: ``iter(sampler)`` gives indices (or lists of indices for a batch sampler)."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _generator_or_fresh(generator: Optional[Generator]) -> Generator:
    """``generator``, or a new one seeded from the default generator (so each epoch shuffles differently)."""
    if generator is not None:
        return generator
    seed = int(empty((), dtype=int64).random_().item())
    return Generator().manual_seed(seed)


class RandomSampler(Sampler):
    """The indices shuffled (each once per epoch), or ``num_samples`` draws with ``replacement``.

    Raises:
        TypeError: ``replacement`` is not a bool.
        ValueError: ``num_samples`` is not a positive int.
    """

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: Optional[int] = None,
                 generator: Optional[Generator] = None) -> None:
        self.data_source, self.replacement, self._num_samples, self.generator = (data_source, replacement,
                                                                                 num_samples, generator)
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        # BEGIN EXERCISE 3.10
        size, generator = len(self.data_source), _generator_or_fresh(self.generator)
        if self.replacement:
            yield from randint(size, size=(self.num_samples,), generator=generator).tolist()
            return
        for _ in range(self.num_samples // size):
            yield from randperm(size, generator=generator).tolist()
        yield from randperm(size, generator=generator).tolist()[:self.num_samples % size]
        # END EXERCISE

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices``, shuffled each epoch."""

    def __init__(self, indices: Sequence[int], generator: Optional[Generator] = None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        for position in randperm(len(self.indices), generator=_generator_or_fresh(self.generator)).tolist():
            yield self.indices[position]

    def __len__(self) -> int:
        return len(self.indices)


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last, shorter one is dropped with ``drop_last``.

    Raises:
        ValueError: ``batch_size`` not a positive int, or ``drop_last`` not a bool (torch's messages).
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[List[int]]:
        # BEGIN EXERCISE 3.11
        batch: List[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch
        # END EXERCISE

    def __len__(self) -> int:
        count = len(self.sampler)
        return count // self.batch_size if self.drop_last else (count + self.batch_size - 1) // self.batch_size
