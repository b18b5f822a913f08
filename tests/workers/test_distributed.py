"""course_lib tensors through torch.distributed's collectives (gloo over loopback, ranks forked here): each
collective against torch's own on the same values, and the local runner's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
import course_lib.distributed as dist
from course_lib.distributed.local import run_on_local_processes


def values(rank: int, shape=(2, 3)) -> np.ndarray:
    return np.random.default_rng(rank).standard_normal(shape)


def every_collective(rank: int, world_size: int, library: str) -> dict:
    """Each collective on this rank's values, with course_lib's wrappers or with torch.distributed directly."""
    import torch.distributed as torch_dist

    ours = library == "course_lib"
    make = course_lib.tensor if ours else torch.from_numpy
    api = dist if ours else torch_dist
    ops = dist.ReduceOp if ours else torch_dist.ReduceOp
    out = {}
    for name in ("SUM", "MAX", "MIN"):
        x = make(values(rank))
        api.all_reduce(x, op=getattr(ops, name))
        out[f"all_reduce {name}"] = x.numpy().copy()
    x = make(values(rank))
    api.broadcast(x, src=1)
    out["broadcast from 1"] = x.numpy().copy()
    gathered = [make(np.zeros((2, 3))) for _ in range(world_size)]
    api.all_gather(gathered, make(values(rank)))
    out["all_gather"] = np.stack([g.numpy() for g in gathered])
    if ours:
        part = make(np.zeros(3))
        dist.reduce_scatter(part, [make(values(rank)[0] + k) for k in range(world_size)])
        out["reduce_scatter"] = part.numpy().copy()
        x = course_lib.tensor(values(rank))
        dist.all_reduce(x, op=dist.ReduceOp.AVG)
        out["all_reduce AVG"] = x.numpy().copy()
    else:  # gloo has neither: the same results from an all-reduce
        total = torch.stack([torch.from_numpy(values(rank)[0] + k) for k in range(world_size)])
        torch_dist.all_reduce(total)
        out["reduce_scatter"] = total[rank].numpy()
        x = torch.from_numpy(values(rank))
        torch_dist.all_reduce(x)
        out["all_reduce AVG"] = (x / world_size).numpy()
    message = make(np.full(4, float(rank)))
    if rank == 0:
        api.send(message, dst=1)
    elif rank == 1:
        api.recv(message, src=0)
    out["send 0 -> recv 1"] = message.numpy().copy()
    return out


@pytest.mark.parametrize("world_size", [2, 3])
def test_every_collective_equals_torchs(world_size):
    ours = run_on_local_processes(every_collective, world_size, "course_lib")
    theirs = run_on_local_processes(every_collective, world_size, "torch")
    for rank, (mine, reference) in enumerate(zip(ours, theirs)):
        assert mine.keys() == reference.keys()
        for name in mine:
            np.testing.assert_allclose(mine[name], reference[name], rtol=1e-12, err_msg=f"{name} on rank {rank}")


def test_all_reduce_writes_into_a_tensor_that_requires_grad():
    def job(rank, world_size):
        weight = course_lib.ones(3, requires_grad=True)
        dist.all_reduce(weight)
        return weight.tolist(), weight.requires_grad, dist.get_rank(), dist.get_world_size(), dist.get_backend()

    assert run_on_local_processes(job, 2) == [([2.0] * 3, True, rank, 2, "gloo") for rank in range(2)]


def test_a_ranks_error_is_raised_here_with_its_type_and_rank():
    def job(rank, world_size):
        if rank == 1:
            raise KeyError("rank 1 lost its data")
        return rank

    with pytest.raises(KeyError, match="Caught KeyError on rank 1"):
        run_on_local_processes(job, 2)


def test_collectives_work_in_ranks_forked_after_torch_ran_in_parallel():
    """torch's OpenMP threads do not survive a fork: a forked rank that ran a parallel torch kernel would hang.
    The collectives only move bytes through torch, so a large averaging all-reduce finishes."""
    torch.set_num_threads(2)
    (torch.ones(2_000_000) / 3).sum()  # a parallel kernel here, in the parent

    def average(rank, world_size):
        gradient = course_lib.full((300_000,), float(rank))
        dist.all_reduce(gradient, op=dist.ReduceOp.AVG)
        return float(gradient[0]), float(gradient[-1])

    assert run_on_local_processes(average, 2, timeout=30) == [(0.5, 0.5), (0.5, 0.5)]
