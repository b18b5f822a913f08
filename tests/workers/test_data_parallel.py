"""Data parallelism: DistributedDataParallel on 2 local processes trains exactly as one process on the whole
batch; no_sync accumulates; DistributedSampler shares a dataset as torch's does; the post-accumulate hook."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import course_lib
from course_lib.distributed.local import run_on_local_processes
from course_lib.nn.parallel import DistributedDataParallel
from course_lib.utils.data import DataLoader, DistributedSampler, TensorDataset
from helpers import REPO

STEPS, GLOBAL_BATCH = 50, 64


def mnist_subset():
    from course_lib.datasets import MNIST

    raw = MNIST(REPO / "data", train=True)
    images = (raw.data[:STEPS * GLOBAL_BATCH].numpy().reshape(-1, 784).astype(np.float32) / 255 - 0.1307) / 0.3081
    return TensorDataset(course_lib.tensor(images), raw.targets[:STEPS * GLOBAL_BATCH])


def mlp():
    course_lib.manual_seed(0)
    nn = course_lib.nn
    return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))


def train(model, loader):
    optimizer = course_lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for images, labels in loader:
        optimizer.zero_grad()
        course_lib.nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    return [p.detach().numpy() for p in model.parameters()]


def train_on_rank(rank, world_size, dataset):
    if rank == 1:
        course_lib.manual_seed(123)  # a different start on rank 1: DDP's broadcast must replace it
    model = DistributedDataParallel(mlp() if rank == 0 else course_lib.nn.Sequential(
        course_lib.nn.Linear(784, 64), course_lib.nn.ReLU(), course_lib.nn.Linear(64, 10)))
    sampler = DistributedSampler(dataset, shuffle=False)
    return train(model, DataLoader(dataset, batch_size=GLOBAL_BATCH // world_size, sampler=sampler))


def test_two_processes_train_as_one_on_the_whole_batch():
    dataset = mnist_subset()
    alone = train(mlp(), DataLoader(dataset, batch_size=GLOBAL_BATCH))
    ranks = run_on_local_processes(train_on_rank, 2, dataset, timeout=120)
    for replica in ranks:
        for ours, reference in zip(replica, alone):
            np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-5)


def accumulate_then_sync(rank, world_size, inputs, targets):
    model = DistributedDataParallel(mlp())
    mine = slice(rank * 8, rank * 8 + 8)  # this rank's 8 samples, in two micro-batches of 4
    loss_fn = course_lib.nn.functional.cross_entropy
    with model.no_sync():
        (loss_fn(model(inputs[mine][:4]), targets[mine][:4]) / 2).backward()
    (loss_fn(model(inputs[mine][4:]), targets[mine][4:]) / 2).backward()
    return [p.grad.numpy() for p in model.parameters()]


def test_no_sync_accumulates_and_the_next_backward_averages_the_sum():
    inputs = course_lib.randn(16, 784)
    targets = course_lib.randint(0, 10, (16,))
    model = mlp()
    course_lib.nn.functional.cross_entropy(model(inputs), targets).backward()
    expected = [p.grad.numpy() for p in model.parameters()]
    for replica in run_on_local_processes(accumulate_then_sync, 2, inputs, targets):
        for ours, reference in zip(replica, expected):
            np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("size, replicas, shuffle, drop_last", [(10, 3, False, False), (10, 3, True, False),
                                                                 (10, 3, False, True), (11, 4, True, True),
                                                                 (2, 3, False, False)])
def test_distributed_sampler_shares_as_torchs(size, replicas, shuffle, drop_last, monkeypatch):
    """The same shares as torch's sampler given course_lib's permutation (the two generators' streams differ)."""
    def course_lib_permutation(n, generator=None, **_):
        seeded = course_lib.Generator().manual_seed(generator.initial_seed())
        return torch.tensor(course_lib.randperm(n, generator=seeded).tolist())

    monkeypatch.setattr(torch, "randperm", course_lib_permutation)
    for rank in range(replicas):
        ours = DistributedSampler(range(size), replicas, rank, shuffle=shuffle, seed=5, drop_last=drop_last)
        theirs = torch.utils.data.DistributedSampler(range(size), replicas, rank, shuffle=shuffle, seed=5,
                                                     drop_last=drop_last)
        for epoch in (0, 1):
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_errors_are_torchs():
    for arguments in (dict(num_replicas=2, rank=2), dict(num_replicas=2, rank=-1), dict()):
        with pytest.raises((ValueError, RuntimeError)) as theirs:
            torch.utils.data.DistributedSampler(range(4), **arguments)
        with pytest.raises(type(theirs.value)) as ours:
            DistributedSampler(range(4), **arguments)
        assert str(ours.value) == str(theirs.value)


def test_post_accumulate_grad_hook_sees_the_accumulated_grad():
    for library in (course_lib, torch):
        weight = library.ones(3, requires_grad=True)
        seen = []
        weight.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
        (weight * 2).sum().backward()
        (weight * 3).sum().backward()
        assert seen == [[2.0] * 3, [5.0] * 3], library.__name__
    for make, message in ((lambda lib: lib.ones(2, requires_grad=True) * 2, "non-leaf"),
                          (lambda lib: lib.ones(2), "doesn't require gradient")):
        with pytest.raises(RuntimeError) as theirs:
            make(torch).register_post_accumulate_grad_hook(lambda p: None)
        with pytest.raises(RuntimeError) as ours:
            make(course_lib).register_post_accumulate_grad_hook(lambda p: None)
        assert message in str(theirs.value) and str(ours.value) == str(theirs.value)


DDP_SCRIPT = '''
import os
import sys
{import_line}


class ToyModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net1 = torch.nn.Linear(10, 10)
        self.relu = torch.nn.ReLU()
        self.net2 = torch.nn.Linear(10, 5)

    def forward(self, x):
        return self.net2(self.relu(self.net1(x)))


def demo_basic(rank, world_size):
    torch.distributed.init_process_group("gloo", rank=rank, world_size=world_size)
    torch.manual_seed(rank)  # different starts: DDP makes them equal
    model = ToyModel()
    ddp_model = torch.nn.parallel.DistributedDataParallel(model)
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(ddp_model.parameters(), lr=0.001)
    for _ in range(3):
        optimizer.zero_grad()
        outputs = ddp_model(torch.randn(20, 10))
        labels = torch.randn(20, 5)
        loss_fn(outputs, labels).backward()
        optimizer.step()
    total = sum(float(p.detach().sum()) for p in model.parameters())
    print(f"rank {{rank}} parameters sum {{total:.10f}}", flush=True)
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    torch.multiprocessing.spawn(demo_basic, args=(2,), nprocs=2, join=True)
'''


@pytest.mark.slow
@pytest.mark.parametrize("import_line", ["import torch", "import course_lib as torch"])
def test_torchs_ddp_example_runs_with_course_lib(tmp_path, import_line):
    """torch's basic DDP example, written once: only its import line changes. The two replicas end equal."""
    import os
    import subprocess
    import sys

    from course_lib.distributed.local import free_port

    script = tmp_path / "ddp_example.py"
    script.write_text(DDP_SCRIPT.format(import_line=import_line))
    environment = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(free_port()), GLOO_SOCKET_IFNAME="lo",
                       PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240, env=environment,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    # (the two ranks print into one pipe: their lines may interleave)
    sums = dict(re.findall(r"rank (\d) parameters sum (-?\d+\.\d{10})", done.stdout))
    assert sorted(sums) == ["0", "1"] and sums["0"] == sums["1"], done.stdout
