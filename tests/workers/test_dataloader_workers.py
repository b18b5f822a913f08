"""DataLoader with worker processes: torch's batches, in sampler order, the same with 0 and 2 workers; errors,
timeouts, persistent workers, IterableDataset shards; and no worker outlives its loop, however the loop ends
(each test has a timeout, and checks that no child process is left)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import course_lib
from course_lib.utils.data import DataLoader, get_worker_info
from helpers import REPO
from course_lib.checks.ch06 import FailingDataset
from helpers.loader_datasets import Numbers, Pids, ShardedRange, Slow, WritePid, sharded_range

TEST_SECONDS = 60
"""No test here runs longer: a loader that hangs fails its test instead of stalling the suite."""


class WorkerTestTimedOut(Exception):
    """A worker test ran past TEST_SECONDS."""


@pytest.fixture(autouse=True)
def no_workers_left():
    """Each test within TEST_SECONDS (an alarm), and after it no child process of this one is alive (the loaders
    shut their workers down)."""
    def give_up(signum, frame):
        raise WorkerTestTimedOut(f"the test ran for more than {TEST_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(TEST_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children(), multiprocessing.active_children()


def batches_as_lists(loader) -> list:
    return [batch.tolist() for batch in loader]


def torch_numbers(count: int):
    return [np.array([i, i * i]) for i in range(count)]


@pytest.mark.parametrize("workers", [0, 2])
def test_same_batches_as_torch_over_a_torch_made_order(workers):
    order = torch.randperm(23, generator=torch.Generator().manual_seed(3)).tolist()
    ours = DataLoader(Numbers(23), batch_size=4, sampler=order, num_workers=workers)
    theirs = torch.utils.data.DataLoader(torch_numbers(23), batch_size=4, sampler=order)
    assert batches_as_lists(ours) == [batch.tolist() for batch in theirs]


def test_shuffled_batches_are_the_same_with_0_and_2_workers():
    def epochs(workers: int) -> list:
        loader = DataLoader(Numbers(30), batch_size=4, shuffle=True, num_workers=workers,
                            generator=course_lib.Generator().manual_seed(11))
        return [batches_as_lists(loader) for _ in range(2)]

    in_main, in_workers = epochs(0), epochs(2)
    assert in_main == in_workers and in_main[0] != in_main[1]  # and each epoch is a new order


def test_spawned_workers_load_the_same_batches():
    loader = DataLoader(Numbers(10), batch_size=3, num_workers=2, multiprocessing_context="spawn")
    assert batches_as_lists(loader) == batches_as_lists(DataLoader(Numbers(10), batch_size=3))


def test_without_batching_and_with_a_prefetch_factor_of_one():
    loader = DataLoader(Numbers(5), batch_size=None, num_workers=2, prefetch_factor=1)
    assert [sample.tolist() for sample in loader] == [[i, i * i] for i in range(5)]


def test_an_error_in_a_worker_is_raised_here_with_its_traceback():
    loader = DataLoader(FailingDataset(10, bad=7), batch_size=2, num_workers=2)
    seen = []
    with pytest.raises(ValueError) as raised:
        for batch in loader:
            seen.append(batch.tolist())
    assert seen == [[0, 1], [2, 3], [4, 5]]  # the batches before the broken one, in order
    message = str(raised.value)
    assert "Caught ValueError in DataLoader worker process 1" in message
    assert "Original Traceback (most recent call last)" in message and "sample 7 is broken" in message
    assert "ch06.py" in message  # the worker's own traceback


def test_a_failing_worker_init_fn_is_raised_here():
    def init(worker_id):
        raise RuntimeError(f"worker {worker_id} cannot start")

    with pytest.raises(RuntimeError, match="cannot start"):
        list(DataLoader(Numbers(4), batch_size=2, num_workers=2, worker_init_fn=init))


def test_timeout():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.5 seconds"):
        list(DataLoader(Slow(4, seconds=3), batch_size=2, num_workers=1, timeout=0.5))


def test_persistent_workers_serve_every_epoch():
    loader = DataLoader(Pids(), batch_size=None, num_workers=2, persistent_workers=True)
    first, second = list(loader), list(loader)
    assert first == second and len(set(first)) == 2 and os.getpid() not in first
    fresh = DataLoader(Pids(), batch_size=None, num_workers=2)
    assert set(list(fresh)).isdisjoint(list(fresh))  # without: new workers each epoch
    loader._pool.shutdown()


def test_iterable_dataset_shards_as_in_torch():
    class TorchShards(torch.utils.data.IterableDataset):
        def __iter__(self):
            info = torch.utils.data.get_worker_info()
            if info is None:
                return iter(range(3, 20))
            share = -(-17 // info.num_workers)
            return iter(range(3 + info.id * share, min(3 + (info.id + 1) * share, 20)))

    for workers in (0, 2):
        ours = DataLoader(ShardedRange(3, 20), batch_size=4, num_workers=workers)
        theirs = torch.utils.data.DataLoader(TorchShards(), batch_size=4, num_workers=workers)
        assert batches_as_lists(ours) == [b.tolist() for b in theirs], workers
    assert list(sharded_range(0, 3)) == [0, 1, 2] and get_worker_info() is None  # in the main process


def test_worker_init_fn_and_worker_info(tmp_path):
    loader = DataLoader(Numbers(4), batch_size=2, num_workers=2, worker_init_fn=WritePid(str(tmp_path)))
    list(loader)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["worker0", "worker1"]


@pytest.mark.parametrize("how", ["break", "raise", "interrupt"])
def test_no_worker_outlives_a_loop_that_stops_early(how):
    loader = DataLoader(Slow(100, seconds=0.01), batch_size=2, num_workers=2)
    try:
        for number, batch in enumerate(loader):
            if number == 2:
                if how == "break":
                    break
                raise KeyboardInterrupt if how == "interrupt" else ValueError("the step failed")
    except (KeyboardInterrupt, ValueError):
        pass
    # (the autouse fixture asserts that no child process is left)


KILLED_LOOP = r'''
import sys, time
sys.path[:0] = [sys.argv[2], sys.argv[2] + "/tests"]
from course_lib.utils.data import DataLoader
from helpers.loader_datasets import Slow, WritePid
for batch in DataLoader(Slow(1000, 0.05), batch_size=2, num_workers=2, worker_init_fn=WritePid(sys.argv[1])):
    time.sleep(0.05)
'''


def test_workers_exit_when_the_training_process_is_killed(tmp_path):
    """SIGKILL gives the main process no chance to clean up: its workers notice they lost their parent."""
    process = subprocess.Popen([sys.executable, "-c", KILLED_LOOP, str(tmp_path), str(REPO)])
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(path.read_text()) for path in tmp_path.iterdir()]
    assert len(pids) == 2
    time.sleep(0.3)  # the loop is running
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (an exited child nobody has reaped yet)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" not in status.read_text()
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("options", [dict(prefetch_factor=2), dict(persistent_workers=True), dict(timeout=-1),
                                     dict(num_workers=-1)])
def test_bad_options_raise_what_torch_raises(options):
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(list(range(4)), **options)
    with pytest.raises(ValueError) as ours:
        DataLoader(list(range(4)), **options)
    assert str(ours.value) == str(theirs.value)


def test_leaving_early_with_large_batches_in_flight_is_quick():
    """Batches bigger than a pipe's buffer wait in the workers when the loop breaks: shutdown reads them away
    instead of waiting for the workers' timeout and killing them."""
    big = course_lib.utils.data.TensorDataset(course_lib.zeros(64, 64, 256))
    loader = DataLoader(big, batch_size=8, num_workers=2, prefetch_factor=4)
    start = time.monotonic()
    for _ in loader:
        break
    assert time.monotonic() - start < 3  # (the join timeout is 5 s)
