"""The worker side of a ``DataLoader`` with ``num_workers > 0``: what each worker process runs.

Taught in notebooks/06_parallel_training.ipynb. A worker is a separate process with its own copy of the
dataset. It takes tasks ``(batch number, indices)`` from its own index queue, loads and collates that batch,
and puts ``(batch number, batch)`` on the result queue all workers share; ``None`` tells it to stop. An error
while loading a batch does not kill the worker: it travels to the main process as an :class:`ExceptionWrapper`,
which re-raises it there with the worker's traceback. Each worker seeds its random generators from the
loader's base seed, as torch does, so that random transforms differ between workers and repeat between runs.
"""

from __future__ import annotations

import os
import queue
import random
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

import numpy as np

from ...generator import manual_seed
from ...multiprocessing.errors import ExceptionWrapper
from ...threads import set_num_threads

POLL_SECONDS = 0.5
"""How often a waiting worker checks that the main process is still alive."""


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` returns inside a worker (None in the main process).

    Attributes:
        id: this worker's number, ``0 .. num_workers - 1``.
        num_workers: how many workers the loader has.
        seed: this worker's seed (course_lib's and Python's generators were seeded with it).
        dataset: this worker's copy of the dataset (an IterableDataset uses ``id`` to read its own shard).
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any


_WORKER_INFO: Optional[WorkerInfo] = None


def get_worker_info() -> Optional[WorkerInfo]:
    """This worker's :class:`WorkerInfo`, or None in the main process (as ``torch.utils.data.get_worker_info``)."""
    return _WORKER_INFO


@dataclass(frozen=True)
class StreamEnd:
    """What a worker sends when its IterableDataset has no more samples."""

    worker_id: int


def worker_seeds(base_seed: int, worker_id: int) -> Tuple[int, list]:
    """The seeds of worker ``worker_id``, torch's rule: ``(seed for course_lib and random, seed for NumPy)``.

    Each epoch the loader draws one ``base_seed`` (a 63-bit integer) from its generator; worker ``i`` seeds
    course_lib's and Python's generators with ``base_seed + i``. NumPy's global generator gets four 32-bit
    words mixed from ``[worker_id, low 32 bits of base_seed, high bits, 0]`` by NumPy's ``SeedSequence``:
    a different algorithm from ``base_seed + i``, so no two workers' NumPy streams start like their other ones.
    """
    # BEGIN EXERCISE 6.3
    low, high = base_seed & 0xFFFFFFFF, base_seed >> 32
    numpy_seed = np.random.SeedSequence([worker_id, low, high, 0]).generate_state(4).tolist()
    return base_seed + worker_id, numpy_seed
    # END EXERCISE


def serve_batches(index_queue: Any, result_queue: Any, fetch: Callable[[Any], Any], worker_id: int) -> None:
    """The worker's loop: for each task ``(number, indices)`` taken from ``index_queue``, put
    ``(number, fetch(indices))`` on ``result_queue``; stop at the task ``None``.

    An exception raised by ``fetch`` is put in the batch's place as ``ExceptionWrapper(f"in DataLoader worker
    process {worker_id}")`` (made inside the ``except`` block), and the loop goes on with the next task.
    """
    # BEGIN EXERCISE 6.1
    while True:
        task = index_queue.get()
        if task is None:
            return
        number, indices = task
        try:
            batch = fetch(indices)
        except Exception:
            batch = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        result_queue.put((number, batch))
    # END EXERCISE


class ParentWatchingQueue:
    """A worker's index queue: ``get()`` waits for a task, and answers ``None`` (stop) if the main process died
    meanwhile, so that a worker never outlives its loader (a killed main process leaves no orphans)."""

    def __init__(self, tasks: Any, parent: int) -> None:
        self.tasks, self.parent = tasks, parent

    def get(self) -> Any:
        while True:
            try:
                return self.tasks.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != self.parent:
                    return None


def worker_main(dataset: Any, index_queue: Any, result_queue: Any, collate_fn: Callable, auto_collation: bool,
                iterable: bool, drop_last: bool, batch_size: Optional[int], base_seed: int, worker_id: int,
                num_workers: int, worker_init_fn: Optional[Callable], parent: int) -> None:
    """A worker process's entry point: seed, limit the math libraries to one thread, run ``worker_init_fn``,
    then :func:`serve_batches` until told to stop. An error outside a batch (in ``worker_init_fn``, or an
    unfinished exercise) is sent as a wrapper numbered -1: the main process raises it."""
    global _WORKER_INFO
    try:
        set_num_threads(1)  # workers x math threads must not exceed the cores (torch does the same)
        seed, numpy_seed = worker_seeds(base_seed, worker_id)
        random.seed(seed)
        manual_seed(seed)
        np.random.seed(numpy_seed)
        _WORKER_INFO = WorkerInfo(worker_id, num_workers, seed, dataset)
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
        fetch = stream_fetcher(dataset, collate_fn, batch_size, drop_last, worker_id) if iterable else \
            map_fetcher(dataset, collate_fn, auto_collation)
        serve_batches(ParentWatchingQueue(index_queue, parent), result_queue, fetch, worker_id)
    except KeyboardInterrupt:
        pass  # the main process was interrupted too: it shuts the workers down
    except BaseException:
        result_queue.put((-1, ExceptionWrapper(f"in DataLoader worker process {worker_id}")))
    finally:
        result_queue.close()
        result_queue.join_thread()  # everything put is delivered before the process exits


def map_fetcher(dataset: Any, collate_fn: Callable, auto_collation: bool) -> Callable[[Any], Any]:
    """How a batch of a map-style dataset is loaded, in a worker or in the main process: ``fetch(indices)``
    collates the samples at ``indices`` (with ``__getitems__`` when the dataset has it); without
    ``auto_collation`` (no batch sampler) ``fetch(index)`` converts one sample."""
    def fetch(indices: Any) -> Any:
        if not auto_collation:
            return collate_fn(dataset[indices])
        fetch_many = getattr(dataset, "__getitems__", None)
        return collate_fn(fetch_many(indices) if fetch_many else [dataset[i] for i in indices])

    return fetch


def stream_fetcher(dataset: Any, collate_fn: Callable, batch_size: Optional[int], drop_last: bool,
                   worker_id: int = -1) -> Callable[[Any], Any]:
    """How an IterableDataset's batches are read, in a worker or in the main process: each call ``fetch(_)``
    returns the stream's next batch (a full one, or the short last one unless ``drop_last``; one converted
    sample when ``batch_size`` is None); after the end, :class:`StreamEnd`."""
    stream = iter(dataset)

    def fetch(_: Any) -> Any:
        if batch_size is None:
            for sample in stream:
                return collate_fn(sample)
            return StreamEnd(worker_id)
        batch = [sample for _, sample in zip(range(batch_size), stream)]
        if not batch or (drop_last and len(batch) < batch_size):
            return StreamEnd(worker_id)
        return collate_fn(batch)

    return fetch
