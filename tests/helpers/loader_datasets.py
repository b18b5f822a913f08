"""Datasets for the DataLoader worker tests, in a module so that "spawn"ed workers can import them by name."""

from __future__ import annotations

import os
import time

import numpy as np

from course_lib.utils.data import Dataset, IterableDataset, get_worker_info


class Numbers(Dataset):
    """Sample i is the int64 pair (i, i * i)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int):
        return np.array([index, index * index])


class Slow(Dataset):
    """Samples 0 .. count-1, each taking ``seconds``."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count, self.seconds = count, seconds

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> int:
        time.sleep(self.seconds)
        return index


class Pids(Dataset):
    """Each sample is the process id of the worker that loaded it."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> int:
        return os.getpid()


def sharded_range(start: int, end: int):
    """The numbers this worker reads of ``start .. end - 1``: every worker a contiguous share (all of it in the
    main process), as torch's documentation shards an IterableDataset."""
    info = get_worker_info()
    if info is None:
        return iter(range(start, end))
    share = -(-(end - start) // info.num_workers)
    first = start + info.id * share
    return iter(range(first, min(first + share, end)))


class ShardedRange(IterableDataset):
    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __iter__(self):
        return sharded_range(self.start, self.end)


class WritePid:
    """A picklable ``worker_init_fn`` writing each worker's pid into ``folder``."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, worker_id: int) -> None:
        with open(os.path.join(self.folder, f"worker{worker_id}"), "w") as handle:
            handle.write(str(os.getpid()))


def spawned_square(index: int, folder: str) -> None:
    """A ``multiprocessing.spawn`` target: writes index squared; process 1 fails when folder ends in 'fail'."""
    if folder.endswith("fail") and index == 1:
        raise ValueError("process 1 gives up")
    with open(os.path.join(folder, str(index)), "w") as handle:
        handle.write(str(index * index))
