"""The main-process side of a ``DataLoader`` with ``num_workers > 0``: starting workers, handing out batches,
putting the results back in order, and shutting everything down.

Taught in notebooks/06_parallel_training.ipynb. Batch ``k`` (in the batch sampler's order) goes to worker
``k % num_workers``'s index queue; at most ``prefetch_factor`` batches per worker are out at a time, so the
workers load ahead while the training step computes. Results come back on one shared queue in whatever order
the workers finish, and a :class:`ReorderBuffer` releases them in sampler order. Workers stop when the
loop ends, breaks, raises or is interrupted (:meth:`WorkerPool.shutdown`, also called when the iterator is
garbage-collected), or when the main process dies (they watch their parent).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import time
from typing import Any, Dict, Iterator, List, Optional

from .worker import ExceptionWrapper, StreamEnd, worker_main

JOIN_SECONDS = 5.0
"""How long shutdown waits for a worker to exit before terminating it."""


class ReorderBuffer:
    """Results that arrive in any order, released in the order of their numbers ``0, 1, 2, ...``."""

    def __init__(self) -> None:
        self.next_number = 0
        self.waiting: Dict[int, Any] = {}

    def add(self, number: int, value: Any) -> List[Any]:
        """Keep ``value`` (result number ``number``); return the values whose turn has come, in order: result
        ``next_number`` and those right after it that have all arrived (``next_number`` moves past them)."""
        # BEGIN EXERCISE 6.2
        self.waiting[number] = value
        ready = []
        while self.next_number in self.waiting:
            ready.append(self.waiting.pop(self.next_number))
            self.next_number += 1
        return ready
        # END EXERCISE


def start_method_context(context: Any) -> Any:
    """The multiprocessing context workers start in: the given one (a context or a method name), else the
    platform's default (fork on Linux, spawn on macOS and Windows, as in torch)."""
    if context is None:
        return multiprocessing.get_context()
    return multiprocessing.get_context(context) if isinstance(context, str) else context


class WorkerPool:
    """``num_workers`` worker processes of one loader, their queues, and the batches they owe."""

    def __init__(self, loader: Any, base_seed: int) -> None:
        context = start_method_context(loader.multiprocessing_context)
        self.loader = loader
        self.result_queue = context.Queue()
        self.index_queues = [context.Queue() for _ in range(loader.num_workers)]
        self.workers = []
        for worker_id, index_queue in enumerate(self.index_queues):
            worker = context.Process(target=worker_main, daemon=True, args=(
                loader.dataset, index_queue, self.result_queue, loader.collate_fn, loader.batch_sampler is not None,
                loader._iterable, loader.drop_last, loader.batch_size, base_seed, worker_id, loader.num_workers,
                loader.worker_init_fn, os.getpid()))
            worker.start()
            self.workers.append(worker)
        self.closed = False

    def batches(self, tasks: Iterator[Any]) -> Iterator[Any]:
        """The batches of ``tasks`` (each a list of indices, or None: "your stream's next batch"), in order."""
        reorder, numbers = ReorderBuffer(), itertools.count()
        owner: Dict[int, int] = {}  # batch number -> the worker loading it
        active = list(range(len(self.workers)))  # workers whose stream has not ended
        depth = self.loader.prefetch_factor * len(self.workers)
        turn = itertools.count()

        def hand_out() -> bool:
            if not active:
                return False
            task = next(tasks, StopIteration)
            if task is StopIteration:
                return False
            number = next(numbers)
            worker_id = active[next(turn) % len(active)]
            owner[number] = worker_id
            self.index_queues[worker_id].put((number, task))
            return True

        for _ in range(depth):
            if not hand_out():
                break
        while owner:
            number, result = self._receive()
            worker_id = owner.pop(number, None)
            if worker_id is None:  # a task handed out after its worker's stream ended: already settled
                continue
            if isinstance(result, StreamEnd):
                active.remove(worker_id)
                for later in [n for n, w in owner.items() if w == worker_id]:  # asked after the end: nothing comes
                    owner.pop(later)
                    reorder.add(later, result)
            for value in reorder.add(number, result):
                if isinstance(value, ExceptionWrapper):
                    value.reraise()
                if not isinstance(value, StreamEnd):
                    yield value
                    hand_out()
                elif active:
                    hand_out()

    def _receive(self) -> Any:
        """The next ``(number, result)`` from any worker; raises a worker's fatal error, a dead worker, or a
        ``timeout`` as torch does."""
        timeout = self.loader.timeout
        while True:
            try:
                number, result = self.result_queue.get(timeout=timeout if timeout > 0 else 1.0)
            except queue.Empty:
                if timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None
                dead = [w for w in self.workers if not w.is_alive()]
                if dead:
                    ids = ", ".join(str(w.pid) for w in dead)
                    raise RuntimeError(f"DataLoader worker (pid(s) {ids}) exited unexpectedly") from None
                continue
            if number == -1:  # a worker failed outside any batch
                result.reraise()
            return number, result

    def shutdown(self) -> None:
        """Stop every worker (asked first, terminated if it does not exit in time) and close the queues."""
        if self.closed:
            return
        self.closed = True
        for index_queue in self.index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        # A worker exits only once the batches it put are through the pipe: read (and drop) them meanwhile.
        deadline = time.monotonic() + JOIN_SECONDS
        while any(worker.is_alive() for worker in self.workers) and time.monotonic() < deadline:
            try:
                self.result_queue.get(timeout=0.05)
            except (queue.Empty, OSError, EOFError, ValueError):
                pass
        for worker in self.workers:
            if worker.is_alive():
                worker.terminate()
            worker.join(timeout=JOIN_SECONDS)
        for worker_queue in (*self.index_queues, self.result_queue):
            worker_queue.cancel_join_thread()
            worker_queue.close()

    def __del__(self) -> None:
        self.shutdown()


def pooled_batches(loader: Any, pool: Optional[WorkerPool], base_seed: int) -> Iterator[Any]:
    """One epoch of ``loader``'s batches from worker processes (``pool``: the persistent workers, or None for
    workers of this epoch only, shut down however the epoch ends)."""
    own = pool is None
    pool = pool or WorkerPool(loader, base_seed)
    if loader._iterable:
        tasks: Iterator[Any] = itertools.repeat(None)
    elif loader.batch_sampler is not None:
        tasks = iter(loader.batch_sampler)
    else:
        tasks = iter(loader.sampler)
    try:
        yield from pool.batches(tasks)
    finally:
        if own:
            pool.shutdown()
