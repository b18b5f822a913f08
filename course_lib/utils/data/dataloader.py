"""``DataLoader``: batches of a dataset's samples, collated into tensors, like ``torch.utils.data.DataLoader``.

For a map-style dataset it takes indices from a sampler (sequential, or shuffled with ``shuffle=True``),
groups them with a :class:`~course_lib.utils.data.sampler.BatchSampler`, and collates each group with
:func:`default_collate` (or ``collate_fn``). An IterableDataset is read in order, ``batch_size`` samples at a
time. With ``num_workers > 0`` worker processes load the batches (``worker.py``, ``worker_pool.py``: in the
sampler's order, ``prefetch_factor`` batches per worker ahead); ``pin_memory`` is accepted (the CPU has
nothing to pin).
"""

from __future__ import annotations

import collections.abc
from typing import Any, Callable, Iterator, List, Optional, Sequence

import numpy as np

from ..._tensor import Tensor
from ...dtypes import float64, int64
from ...generator import Generator
from ...ops.creation import empty, tensor
from ...ops.join import stack
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .worker import StreamEnd, map_fetcher, stream_fetcher
from .worker_pool import WorkerPool, pooled_batches


def default_convert(data: Any) -> Any:
    """One sample as course_lib tensors, without batching (``batch_size=None``): NumPy arrays and anything with
    ``__array__`` become tensors, recursively through dicts, tuples and lists; other values stay as they are."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) or _is_array_like(data):
        return tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return type(data)({key: default_convert(value) for key, value in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(item) for item in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(item) for item in data)
    return data


def _is_array_like(value: Any) -> bool:
    """A torch tensor, a PIL image...: anything NumPy can read through ``__array__`` (but no string)."""
    return hasattr(value, "__array__") and not isinstance(value, (str, bytes))


def default_collate(batch: Sequence[Any]) -> Any:
    """A list of samples as one batch, torch's way: tensors (and NumPy arrays, and anything with ``__array__``)
    are stacked on a new first dimension; ints become an int64 tensor, floats a float64 one, bools a bool one;
    strings stay a list; dicts, tuples and lists are collated field by field (a tuple gives a list, as in torch).

    Raises:
        RuntimeError: samples that are sequences of different lengths.
        TypeError: a type it cannot batch (torch's message).
    """
    element = batch[0]
    if isinstance(element, Tensor):
        return stack(batch)
    if isinstance(element, np.ndarray) or _is_array_like(element):
        arrays = [np.asarray(item) for item in batch]
        if arrays[0].dtype.kind in "OSU":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found {arrays[0].dtype}")
        return tensor(np.stack(arrays)) if arrays[0].ndim else tensor(np.array(arrays))
    if isinstance(element, float):
        return tensor(batch, dtype=float64)  # as torch: Python floats are doubles
    if isinstance(element, (bool, int)):
        return tensor(batch)
    if isinstance(element, (str, bytes)):
        return batch
    if isinstance(element, collections.abc.Mapping):
        return type(element)({key: default_collate([sample[key] for sample in batch]) for key in element})
    if isinstance(element, tuple) and hasattr(element, "_fields"):  # a namedtuple
        return type(element)(*(default_collate(items) for items in zip(*batch)))
    if isinstance(element, collections.abc.Sequence):
        if any(len(sample) != len(element) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(items) for items in zip(*batch)]  # (each column a tuple, as in torch)
        return columns if isinstance(element, tuple) else type(element)(columns)
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(element)}")


class DataLoader:
    """Iterate over ``dataset`` in batches.

    Args:
        batch_size: samples per batch (None: no batching, one converted sample at a time).
        shuffle: a new random order each epoch (from ``generator`` if given).
        sampler / batch_sampler: the order of indices / of batches of indices, instead of the default ones.
        collate_fn: turns a list of samples into a batch (default :func:`default_collate`).
        drop_last: leave out the last batch if it is short.
        num_workers: worker processes loading batches (0: in the main process); ``prefetch_factor`` batches
            per worker are loaded ahead; ``persistent_workers`` keeps them from one epoch to the next;
            ``worker_init_fn(worker_id)`` runs in each; ``timeout`` (seconds, 0: none) bounds the wait for a
            batch; ``multiprocessing_context`` (a context or "fork"/"spawn"/"forkserver") starts them.

    Raises:
        ValueError: torch's messages for options that exclude each other, a negative ``num_workers`` or
            ``timeout``, a bad ``batch_size``, ``prefetch_factor`` or ``persistent_workers`` without workers.
    """

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1, shuffle: Optional[bool] = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Optional[Callable[[List[Any]], Any]] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Optional[Callable] = None,
                 multiprocessing_context: Any = None, generator: Optional[Generator] = None, *,
                 prefetch_factor: Optional[int] = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset, self.num_workers, self.pin_memory, self.generator = dataset, num_workers, pin_memory, generator
        self.timeout, self.worker_init_fn, self.multiprocessing_context = timeout, worker_init_fn, multiprocessing_context
        self.prefetch_factor = (2 if prefetch_factor is None else prefetch_factor) if num_workers else None
        self.persistent_workers = persistent_workers
        self._pool: Optional[WorkerPool] = None
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        elif batch_size is not None and self._iterable:
            BatchSampler([], batch_size, drop_last)  # the same checks of batch_size and drop_last
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.collate_fn = collate_fn or (default_collate if batch_size is not None or batch_sampler is not None
                                         else default_convert)

    def __iter__(self) -> Iterator[Any]:
        # Every epoch draws the workers' base seed from the generator first, with or without workers (as torch
        # does): the shuffled order that follows is then the same for any num_workers.
        base_seed = int(empty((), dtype=int64).random_(generator=self.generator).item())
        if self.num_workers > 0:
            yield from self._from_workers(base_seed)
        elif self._iterable:  # the main process reads the way a worker does (worker.py's fetchers)
            fetch = stream_fetcher(self.dataset, self.collate_fn, self.batch_size, self.drop_last)
            while not isinstance(batch := fetch(None), StreamEnd):
                yield batch
        else:
            fetch = map_fetcher(self.dataset, self.collate_fn, self.batch_sampler is not None)
            for task in (self.sampler if self.batch_sampler is None else self.batch_sampler):
                yield fetch(task)

    def _from_workers(self, base_seed: int) -> Iterator[Any]:
        """One epoch from worker processes, seeded from ``base_seed`` (persistent workers keep their first)."""
        if not self.persistent_workers or self._iterable:
            yield from pooled_batches(self, None, base_seed)
            return
        if self._pool is None:
            self._pool = WorkerPool(self, base_seed)
        finished = False
        try:
            yield from pooled_batches(self, self._pool, base_seed)
            finished = True
        finally:
            if not finished:  # an epoch left half-way leaves batches in the queues: start afresh next time
                self._pool.shutdown()
                self._pool = None

    def __len__(self) -> int:
        if self._iterable:
            count = len(self.dataset)
            if self.batch_size is None:
                return count
            return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
        return len(self.batch_sampler) if self.batch_sampler is not None else len(self.sampler)
