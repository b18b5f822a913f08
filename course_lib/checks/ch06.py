"""Checks for chapter 06 (notebooks/06_parallel_training.ipynb): DataLoader workers and gradient accumulation.

The worker loop (6.1) runs in this process on ordinary queues, then in real worker processes; the batches are
compared with torch's DataLoader over the same indices. Putting batches back in order (6.2) is fed results
out of order, then run by a loader whose first batch is slow to load. The workers' seeds (6.3) are compared
with torch's own rule, and with what real workers were seeded with. Gradient accumulation (6.4) is compared
with torch's gradients of the whole batch, on twin models with the same weights.

Worker processes start with "fork" where the platform has it (a check judges a private copy of course_lib,
which a "spawn"ed process could not import by name).
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from typing import Any, Iterator, List, Tuple

import numpy as np

from .. import _api
from ..utils.data import DataLoader, Dataset, TensorDataset, default_collate
from ..utils.data.worker import ExceptionWrapper, get_worker_info, serve_batches, worker_seeds
from ..utils.data.worker_pool import ReorderBuffer
from ..distributed import ring_all_reduce
from ..distributed.local import run_on_local_processes
from ..nn.parallel import DistributedDataParallel
from ..nn.parallel.distributed import average_gradients
from ..nn.utils import accumulate_gradients
from .harness import Case, register_check


def _torch():
    import torch

    return torch


def _start_method() -> str:
    return "fork" if "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_start_method()


def _pairs(count: int, seed: int) -> Tuple[Any, Any]:
    """``(course_lib TensorDataset, torch TensorDataset)`` of the same ``count`` (features, label) samples."""
    torch = _torch()
    generator = np.random.default_rng(seed)
    features, labels = generator.standard_normal((count, 3)).astype(np.float32), np.arange(count)
    return (TensorDataset(_api.tensor(features), _api.tensor(labels)),
            torch.utils.data.TensorDataset(torch.tensor(features), torch.tensor(labels)))


def _torch_batches(dataset: Any, batches: List[List[int]]) -> List[Any]:
    """torch's DataLoader (no workers) over exactly these batches of indices."""
    torch = _torch()
    return list(torch.utils.data.DataLoader(dataset, batch_sampler=batches))


class FailingDataset(Dataset):
    """Samples ``0 .. count-1``; asking for ``bad`` raises ValueError."""

    def __init__(self, count: int, bad: int) -> None:
        self.count, self.bad = count, bad

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> int:
        if index == self.bad:
            raise ValueError(f"sample {index} is broken")
        return index


class SlowStartDataset(Dataset):
    """Samples ``0 .. count-1``; the first ``slow`` take ``seconds`` each: batch 0 comes back after later ones."""

    def __init__(self, count: int, slow: int, seconds: float) -> None:
        self.count, self.slow, self.seconds = count, slow, seconds

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> int:
        if index < self.slow:
            time.sleep(self.seconds)
        return index


class SeedsDataset(Dataset):
    """Each sample is the seed its worker got: ``(worker id, seed, first word of NumPy's state)``."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> Tuple[int, int, int]:
        info = get_worker_info()
        return info.id, info.seed, int(np.random.get_state()[1][0])


# ---------------------------------------------------------------- 6.1: the worker loop


def _serve(tasks: List[Any], fetch: Any) -> Tuple[List[Any], int]:
    """Run ``serve_batches`` here on ordinary queues: the results it put, and how many tasks it left unread."""
    index_queue, result_queue = queue.Queue(), queue.Queue()
    for task in tasks:
        index_queue.put(task)
    serve_batches(index_queue, result_queue, fetch, 0)
    results = []
    while not result_queue.empty():
        results.append(result_queue.get())
    return results, index_queue.qsize()


@register_check("6.1")
def check_worker_loop() -> Iterator[Case]:
    """``serve_batches``: tasks to batches until the stop marker, errors wrapped, then in worker processes."""
    ours, theirs = _pairs(10, 0)
    batches = [[3, 1, 4], [5, 9], [2, 6, 0]]
    tasks = [(number, indices) for number, indices in enumerate(batches)]

    def fetch(indices: List[int]) -> Any:
        return default_collate([ours[i] for i in indices])

    yield Case("three tasks: (number, batch) each, as torch's DataLoader collates them",
               f"tasks {tasks}, then None", actual=lambda: [list(r) for r in _serve(tasks + [None], fetch)[0]],
               expected=lambda: [[n, b] for n, b in enumerate(_torch_batches(theirs, batches))])
    yield Case("stops at None: the task after it stays in the queue", "tasks [(0, [1]), None, (1, [2])]",
               actual=lambda: _serve([(0, [1]), None, (1, [2])], fetch)[1], expected=lambda: 1)

    failing = FailingDataset(6, bad=4)

    def fetch_failing(indices: List[int]) -> Any:
        return default_collate([failing[i] for i in indices])

    def error_then_more() -> Tuple[Any, ...]:
        (first, second, third), _ = _serve([(0, [0, 1]), (1, [3, 4]), (2, [5]), None], fetch_failing)
        wrapped = second[1]
        try:
            wrapped.reraise()
        except ValueError as error:
            text = str(error)
        return (first[0], second[0], isinstance(wrapped, ExceptionWrapper), "in DataLoader worker process 0" in text,
                "sample 4 is broken" in text, third[0])

    yield Case("an error in a batch travels as an ExceptionWrapper, and the loop goes on",
               "sample 4 raises ValueError; tasks (0, [0, 1]), (1, [3, 4]), (2, [5]), None",
               actual=error_then_more, expected=lambda: (0, 1, True, True, True, 2))

    order = _torch().randperm(10, generator=_torch().Generator().manual_seed(6)).tolist()
    groups = [order[i:i + 3] for i in range(0, 10, 3)]
    yield Case("2 worker processes: torch's batches over a torch-made order", f"sampler={order}, batch_size=3",
               actual=lambda: list(DataLoader(ours, batch_size=3, sampler=order, num_workers=2,
                                              multiprocessing_context=_start_method())),
               expected=lambda: _torch_batches(theirs, groups))


# ---------------------------------------------------------------- 6.2: results back in order


def _releases(arrivals: List[int]) -> List[List[str]]:
    buffer = ReorderBuffer()
    return [buffer.add(number, f"batch {number}") for number in arrivals]


def _expected_releases(arrivals: List[int]) -> List[List[str]]:
    """What must come out after each arrival: every batch from the first missing one's predecessor on."""
    seen, released, out = set(), 0, []
    for number in arrivals:
        seen.add(number)
        ready = []
        while released in seen:
            ready.append(f"batch {released}")
            released += 1
        out.append(ready)
    return out


@register_check("6.2")
def check_reorder() -> Iterator[Case]:
    """``ReorderBuffer.add``: results out of order come out in order; a loader whose first batch is slow."""
    for arrivals in ([0, 1, 2], [2, 0, 1, 4, 3], [1, 2, 3, 0], [3, 2, 1, 0, 4]):
        yield Case(f"arrivals {arrivals}", f"add(number, 'batch number') for number in {arrivals}",
                   actual=lambda a=arrivals: _releases(a), expected=lambda a=arrivals: _expected_releases(a))
    dataset = SlowStartDataset(12, slow=2, seconds=0.3)
    yield Case("2 workers, batch 0 slow to load: batches still in sampler order",
               "samples 0 and 1 take 0.3 s each; batch_size=2, num_workers=2, prefetch_factor=2",
               actual=lambda: list(DataLoader(dataset, batch_size=2, num_workers=2,
                                              multiprocessing_context=_start_method())),
               expected=lambda: list(_torch().utils.data.DataLoader(list(range(12)), batch_size=2)))


# ---------------------------------------------------------------- 6.3: the workers' seeds


@register_check("6.3")
def check_worker_seeds() -> Iterator[Case]:
    """``worker_seeds`` against torch's rule, and the seeds real workers got."""
    from torch.utils.data._utils.worker import _generate_state

    for base_seed, worker_id in ((0, 0), (12345, 1), (900450186894289455, 3), (2**63 - 1, 7)):
        yield Case(f"base seed {base_seed}, worker {worker_id}", f"base_seed={base_seed}, worker_id={worker_id}",
                   actual=lambda b=base_seed, w=worker_id: worker_seeds(b, w),
                   expected=lambda b=base_seed, w=worker_id: (b + w, _generate_state(b, w)))

    def seeds_in_workers() -> List[Tuple[int, int, int]]:
        loader = DataLoader(SeedsDataset(), batch_size=None, num_workers=2, generator=_api.Generator().manual_seed(7),
                            multiprocessing_context=_start_method())
        return [tuple(int(v) for v in sample) for sample in loader]

    def expected_seeds() -> List[Tuple[int, int, int]]:
        generator = _api.Generator().manual_seed(7)  # the loader draws its base seed the same way
        base_seed = int(_api.empty((), dtype=_api.int64).random_(generator=generator).item())
        rows = []
        for index in range(4):
            worker = index % 2
            numpy_state = np.random.RandomState(_generate_state(base_seed, worker)).get_state()[1][0]
            rows.append((worker, base_seed + worker, int(numpy_state)))
        return rows

    yield Case("what 2 workers were seeded with (course_lib's seed and NumPy's state)",
               "a dataset returning get_worker_info().seed and NumPy's first state word; generator seeded 7",
               actual=seeds_in_workers, expected=expected_seeds)


# ---------------------------------------------------------------- 6.4: gradient accumulation


def _twin_models(seed: int) -> Tuple[Any, Any]:
    """The same small network in both libraries (float64), torch's weights copied into course_lib's."""
    torch = _torch()
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.Tanh(), torch.nn.Linear(4, 3)).double()
    nn = _api.nn
    ours = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    ours.load_state_dict({k: v.detach().clone() for k, v in theirs.state_dict().items()})
    return ours, theirs


@register_check("6.4")
def check_accumulation() -> Iterator[Case]:
    """``accumulate_gradients`` with k micro-batches against torch's one backward on the whole batch."""
    torch = _torch()
    for seed, (batch, micro, loss_name) in enumerate([(12, 3, "cross_entropy"), (10, 3, "cross_entropy"),
                                                      (7, 7, "mse_loss"), (8, 1, "cross_entropy")]):
        generator = np.random.default_rng(seed)
        inputs = generator.standard_normal((batch, 5))
        targets = generator.integers(0, 3, batch) if loss_name == "cross_entropy" else \
            generator.standard_normal((batch, 3))

        def ours(inputs=inputs, targets=targets, micro=micro, loss_name=loss_name, seed=seed) -> tuple:
            model, _ = _twin_models(seed)
            loss_fn = getattr(_api.nn.functional, loss_name)
            loss = accumulate_gradients(model, loss_fn, _api.tensor(inputs), _api.tensor(targets), micro)
            return (loss, *[p.grad for p in model.parameters()])

        def theirs(inputs=inputs, targets=targets, loss_name=loss_name, seed=seed) -> tuple:
            _, model = _twin_models(seed)
            loss = getattr(torch.nn.functional, loss_name)(model(torch.tensor(inputs)), torch.tensor(targets))
            loss.backward()
            return (loss.item(), *[p.grad for p in model.parameters()])

        sizes = [len(c) for c in torch.arange(batch).chunk(micro)]
        yield Case(f"{loss_name}, batch {batch} in {micro} micro-batches", f"micro-batch sizes {sizes} (float64); "
                   "(loss, gradients of the 4 parameters)", actual=ours, expected=theirs)


# ---------------------------------------------------------------- 6.5: ring all-reduce


def _rank_values(rank: int, shape: Tuple[int, ...], integers: bool) -> np.ndarray:
    generator = np.random.default_rng(100 + rank)
    return generator.integers(-50, 50, shape) if integers else generator.standard_normal(shape)


def _ring_on_rank(rank: int, world_size: int, shape: Tuple[int, ...], integers: bool) -> np.ndarray:
    values = _api.tensor(_rank_values(rank, shape, integers))
    ring_all_reduce(values)
    return values.numpy()


def _torch_all_reduce_on_rank(rank: int, world_size: int, shape: Tuple[int, ...], integers: bool) -> Any:
    import torch.distributed as dist

    values = _torch().from_numpy(_rank_values(rank, shape, integers))
    dist.all_reduce(values)
    return values


@register_check("6.5")
def check_ring_all_reduce() -> Iterator[Case]:
    """``ring_all_reduce`` on 2-4 local processes against ``torch.distributed.all_reduce`` on the same values."""
    for world_size, shape, integers in ((2, (7,), False), (3, (5,), False), (3, (4, 4), False), (4, (9,), True)):
        kind = "int64" if integers else "float64"
        yield Case(f"{world_size} ranks, {kind} {shape}", f"rank r holds values drawn with seed 100 + r; shape {shape}",
                   actual=lambda w=world_size, s=shape, i=integers: [_api.tensor(v) for v in run_on_local_processes(
                       _ring_on_rank, w, s, i)],
                   expected=lambda w=world_size, s=shape, i=integers: run_on_local_processes(
                       _torch_all_reduce_on_rank, w, s, i))


# ---------------------------------------------------------------- 6.6: averaging the gradients


SHAPES = ((3, 4), (4,), (2, 2, 2))


def _rank_gradients(rank: int) -> List[np.ndarray]:
    generator = np.random.default_rng(200 + rank)
    return [generator.standard_normal(shape) for shape in SHAPES]


def _average_on_rank(rank: int, world_size: int) -> List[np.ndarray]:
    parameters = [_api.nn.Parameter(_api.zeros(shape, dtype=_api.float64)) for shape in SHAPES]
    for parameter, gradient in zip(parameters, _rank_gradients(rank)):
        parameter.grad = _api.tensor(gradient)
    average_gradients(parameters)
    return [p.grad.numpy() for p in parameters]


def _data_parallel_steps(rank: int, world_size: int) -> List[np.ndarray]:
    model, _ = _twin_models(rank)  # different starts: rank 0's is broadcast
    model = DistributedDataParallel(model)
    optimizer = _api.optim.SGD(model.parameters(), lr=0.5)
    inputs, targets = np.random.default_rng(7).standard_normal((4, 8, 5)), np.random.default_rng(8).integers(0, 3, (4, 8))
    share = slice(rank * 8 // world_size, (rank + 1) * 8 // world_size)
    for step in range(4):
        optimizer.zero_grad()
        loss = _api.nn.functional.cross_entropy(model(_api.tensor(inputs[step][share])), _api.tensor(targets[step][share]))
        loss.backward()
        optimizer.step()
    return [p.detach().numpy() for p in model.parameters()]


def _torch_steps() -> List[Any]:
    torch = _torch()
    _, model = _twin_models(0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    inputs, targets = np.random.default_rng(7).standard_normal((4, 8, 5)), np.random.default_rng(8).integers(0, 3, (4, 8))
    for step in range(4):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.tensor(inputs[step])), torch.tensor(targets[step])).backward()
        optimizer.step()
    return [p.detach() for p in model.parameters()]


@register_check("6.6")
def check_average_gradients() -> Iterator[Case]:
    """``average_gradients`` on 2 and 3 local processes against the mean torch computes; then
    DistributedDataParallel on 2 processes against torch training one process on the whole batch."""
    torch = _torch()
    for world_size in (2, 3):
        yield Case(f"{world_size} ranks, 3 parameters", f"rank r's gradients drawn with seed 200 + r; shapes {SHAPES}",
                   actual=lambda w=world_size: [[_api.tensor(g) for g in rank] for rank in run_on_local_processes(
                       _average_on_rank, w)],
                   expected=lambda w=world_size: [[torch.stack([torch.from_numpy(_rank_gradients(r)[i])
                                                                for r in range(w)]).mean(0) for i in range(len(SHAPES))]
                                                  for _ in range(w)])
    yield Case("DistributedDataParallel, 2 ranks x 4 samples: torch's weights after 4 steps on batches of 8",
               "a 5-4-3 network in float64, SGD lr=0.5, cross-entropy; rank 1 starts from other weights",
               actual=lambda: [[_api.tensor(w) for w in rank] for rank in run_on_local_processes(_data_parallel_steps, 2)],
               expected=lambda: [_torch_steps(), _torch_steps()])
