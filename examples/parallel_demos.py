"""Training steps for chapter 06's measurements of the three strategies (notebooks/06_parallel_training.ipynb and
bench/bench_parallel.py), each run in every rank of ``course_lib.distributed.local.run_on_local_processes``.

Each function trains a multilayer perceptron on random MNIST-shaped data for ``steps`` steps after a warm-up
and returns, per rank, the median seconds of a step and what it spent communicating. A world of one process
trains the unsplit model: the baseline. Every process computes on ``threads`` math-library threads.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable, Dict, List

import numpy as np

import course_lib
from course_lib.distributed.pipelining import PipelineStage, ScheduleGPipe
from course_lib.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module
from course_lib.nn.parallel.distributed import average_gradients

WIDTHS = (784, 512, 256, 10)  # chapter 04's MLP
PIPELINE_WIDTHS = (784, 512, 512, 512, 512, 10)  # deeper, so that two stages get about equal work


def mlp(widths=WIDTHS, seed: int = 0) -> Any:
    course_lib.manual_seed(seed)
    nn, layers = course_lib.nn, []
    for width_in, width_out in zip(widths, widths[1:]):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def random_batch(size: int, seed: int, width: int = WIDTHS[0]) -> tuple:
    generator = np.random.default_rng(seed)
    return (course_lib.tensor(generator.standard_normal((size, width)).astype(np.float32)),
            course_lib.tensor(generator.integers(0, 10, size)))


def median_seconds(step: Callable[[], None], steps: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def training_step(model: Any, optimizer: Any, loss_fn: Callable, x: Any, y: Any) -> Callable[[], None]:
    """One SGD step of ``model`` on ``(x, y)`` (course_lib's or torch's objects alike)."""
    def step() -> None:
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def data_parallel(rank: int, world_size: int, batch: int, steps: int, threads: int = 1) -> Dict[str, float]:
    """DistributedDataParallel at the global ``batch`` (``batch / world_size`` per process), SGD; also times the
    gradients' all-reduce alone (its share of a step, were nothing overlapped)."""
    course_lib.set_num_threads(threads)
    model = mlp()
    if world_size > 1:
        model = course_lib.nn.parallel.DistributedDataParallel(model)
    optimizer = course_lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = random_batch(batch // world_size, rank)
    step = training_step(model, optimizer, course_lib.nn.functional.cross_entropy, x, y)
    result = {"step_s": median_seconds(step, steps)}
    if world_size > 1:
        parameters = list(model.parameters())
        result["communication_s"] = median_seconds(lambda: average_gradients(parameters), steps)
    return result


def torch_data_parallel(rank: int, world_size: int, batch: int, steps: int, threads: int = 1) -> Dict[str, float]:
    """The same as :func:`data_parallel` with torch's modules and torch's DistributedDataParallel (the
    reference). The parent process must not have run torch's parallel kernels before forking the ranks."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for width_in, width_out in zip(WIDTHS, WIDTHS[1:]):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    if world_size > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = (torch.from_numpy(value.numpy()) for value in random_batch(batch // world_size, rank))
    return {"step_s": median_seconds(training_step(model, optimizer, torch.nn.functional.cross_entropy, x, y), steps)}


def pipeline(rank: int, world_size: int, batch: int, micro_batches: int, steps: int, threads: int = 1) -> Dict[str, Any]:
    """GPipe over 2 stages (an MLP of ``PIPELINE_WIDTHS``, cut after its second Linear layer and its ReLU: about
    equal work on each side) with ``micro_batches``; one process trains it unsplit."""
    course_lib.set_num_threads(threads)
    model = mlp(PIPELINE_WIDTHS)
    if world_size == 1:
        optimizer = course_lib.optim.SGD(model.parameters(), lr=0.01)
        step = training_step(model, optimizer, course_lib.nn.functional.cross_entropy, *random_batch(batch, 0))
        return {"step_s": median_seconds(step, steps)}
    piece = model[[slice(0, 4), slice(4, 9)][rank]]
    stage = PipelineStage(piece, rank, world_size)
    schedule = ScheduleGPipe(stage, micro_batches, loss_fn=course_lib.nn.functional.cross_entropy)
    optimizer = course_lib.optim.SGD(piece.parameters(), lr=0.01)
    x, y = random_batch(batch, 0)

    def step() -> None:
        optimizer.zero_grad()
        schedule.step(x) if stage.is_first else schedule.step(target=y)
        optimizer.step()
    return {"step_s": median_seconds(step, steps), "timeline": stage.timeline}


def tensor_parallel(rank: int, world_size: int, batch: int, steps: int, hidden: int = 2048,
                    threads: int = 1) -> Dict[str, float]:
    """Megatron's pair (784 -> ``hidden`` -> 784, GELU, split over the ranks) with a mean-square loss; also times
    the forward all-reduce of one output alone (a step makes two: one forward, one backward)."""
    course_lib.set_num_threads(threads)
    nn = course_lib.nn
    course_lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, hidden), nn.GELU(), nn.Linear(hidden, 784))
    if world_size > 1:
        model = parallelize_module(model, None, {"0": ColwiseParallel(), "2": RowwiseParallel()})
    optimizer = course_lib.optim.SGD(model.parameters(), lr=0.01)
    x, _ = random_batch(batch, 0)
    step = training_step(model, optimizer, course_lib.nn.functional.mse_loss, x, x)  # learn the identity
    result = {"step_s": median_seconds(step, steps)}
    if world_size > 1:
        output = course_lib.zeros(batch, 784)
        result["communication_s"] = 2 * median_seconds(lambda: course_lib.distributed.all_reduce(output), steps)
    return result


def slowest(ranks: List[Dict[str, Any]], key: str = "step_s") -> float:
    """A parallel step lasts as long as its slowest rank's."""
    return max(rank[key] for rank in ranks)
