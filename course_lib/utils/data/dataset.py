"""Datasets, like ``torch.utils.data``'s: something indexable with a length (map-style) or iterable.

- :class:`Dataset`: ``dataset[i]`` and ``len(dataset)``; ``a + b`` concatenates.
- :class:`IterableDataset`: ``iter(dataset)`` (a stream: no index, maybe no length).
- :class:`TensorDataset`: row ``i`` of each tensor; :class:`Subset`: some indices of another dataset;
  :class:`ConcatDataset`: several datasets one after the other; :func:`random_split`: disjoint random subsets.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Iterable, List, Optional, Sequence

from ...generator import Generator, default_generator
from ...ops.creation import randperm


class Dataset:
    """A map-style dataset: subclasses give ``__getitem__`` (and usually ``__len__``)."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset") -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses give ``__iter__``. A DataLoader batches them in the order they come."""

    def __iter__(self):
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")


class TensorDataset(Dataset):
    """Sample ``i`` is ``(tensors[0][i], tensors[1][i], ...)``: views of row ``i`` of each tensor.

    Raises:
        AssertionError: ``Size mismatch between tensors`` when their first dimensions differ (as torch).
    """

    def __init__(self, *tensors: Any) -> None:
        assert all(tensors[0].size(0) == tensor.size(0) for tensor in tensors), "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``subset[i] = dataset[indices[i]]``)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after the other: index ``i`` is found by the running total of lengths.

    Raises:
        AssertionError: no datasets, or an IterableDataset among them (torch's messages).
        ValueError: a negative index beyond the length.
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        assert len(self.datasets) > 0, "datasets should not be an empty iterable"
        for dataset in self.datasets:
            assert not isinstance(dataset, IterableDataset), "ConcatDataset does not support IterableDataset"
        self.cumulative_sizes: List[int] = []
        total = 0
        for dataset in self.datasets:
            total += len(dataset)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def random_split(dataset: Any, lengths: Sequence[float], generator: Optional[Generator] = default_generator
                 ) -> List[Subset]:
    """Split ``dataset`` into disjoint random subsets of the given ``lengths`` (or fractions summing to 1, whose
    rounding remainder goes one by one to the first subsets, as torch does).

    Raises:
        ValueError: fractions that do not sum to 1, or lengths that do not sum to the dataset's length.
    """
    total = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for fraction in lengths:
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {len(counts)} is not between 0 and 1")
            counts.append(int(math.floor(total * fraction)))
        for index in range(total - sum(counts)):
            counts[index % len(counts)] += 1
        lengths = counts
    if sum(lengths) != total:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = randperm(sum(lengths), generator=generator).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length]))
        start += length
    return subsets
