"""Checks for chapter 06's split models (notebooks/06_parallel_training.ipynb): one model across processes.

The GPipe schedule (6.7) runs a network cut into 2 or 3 pipeline stages, on as many local processes, and is
compared with torch's unsplit network: outputs, each micro-batch's loss and every parameter's gradient; then
the order each stage ran its micro-batches in. The column-parallel Linear (6.8) runs on 2 and 3 processes and
is compared with torch's whole ``Linear``: each rank's output, the input's gradient and this rank's slice of the
weight and bias gradients; then inside Megatron's pair, before a ``RowParallelLinear``.

The ranks are forked (``distributed.local``), so a check judges the learner's code it was given.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

import numpy as np

from .. import _api
from ..distributed.local import run_on_local_processes
from ..distributed.pipelining import PipelineStage, ScheduleGPipe
from ..distributed.tensor.parallel import ColumnParallelLinear, RowParallelLinear, shard_range
from .harness import Case, register_check


def _torch():
    import torch

    return torch


def _torch_network(sizes: Tuple[int, ...], seed: int) -> Any:
    """torch's float64 network: Linear layers of ``sizes`` with Tanh between them."""
    torch = _torch()
    torch.manual_seed(seed)
    layers: List[Any] = []
    for width_in, width_out in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1]).double()


def _course_copy(state: Dict[str, np.ndarray], sizes: Tuple[int, ...]) -> Any:
    """course_lib's network of the same shape holding ``state`` (torch's weights as NumPy arrays)."""
    nn = _api.nn
    layers: List[Any] = []
    for width_in, width_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(width_in, width_out), nn.Tanh()]
    network = nn.Sequential(*layers[:-1]).double()
    network.load_state_dict({name: _api.tensor(values) for name, values in state.items()})
    return network


def _numpy_state(module: Any) -> Dict[str, np.ndarray]:
    return {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}


# ---------------------------------------------------------------- 6.7: the GPipe schedule

SIZES = (5, 6, 6, 4, 3)  # 4 Linear layers: 7 modules with the Tanh between them


def _stage_bounds(stages: int) -> List[Tuple[int, int]]:
    """Which modules of the 7 each stage holds (cut between a Linear and its Tanh, or after it)."""
    return {2: [(0, 3), (3, 7)], 3: [(0, 2), (2, 5), (5, 7)]}[stages]


def _pipeline_on_rank(rank: int, world_size: int, state: Dict[str, np.ndarray], inputs: np.ndarray,
                      targets: np.ndarray, micro: int) -> Dict[str, Any]:
    start, end = _stage_bounds(world_size)[rank]
    piece = _course_copy(state, SIZES)[start:end]
    stage = PipelineStage(piece, rank, world_size)
    schedule = ScheduleGPipe(stage, micro, loss_fn=_api.nn.functional.cross_entropy)
    losses: List[Any] = []
    if rank == 0:
        output = schedule.step(_api.tensor(inputs))
    elif rank == world_size - 1:
        output = schedule.step(target=_api.tensor(targets), losses=losses)
    else:
        output = schedule.step()
    return {"gradients": [p.grad.numpy() for p in piece.parameters()],
            "output": None if output is None else output.numpy(), "losses": [loss.item() for loss in losses],
            "order": [kind for kind, *_ in stage.timeline]}


def _pipeline_problem(batch: int, seed: int) -> Tuple[Any, np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    return (_torch_network(SIZES, seed), generator.standard_normal((batch, SIZES[0])),
            generator.integers(0, SIZES[-1], batch))


def _pipeline_case(stages: int, micro: int, batch: int, seed: int) -> Case:
    torch = _torch()
    network, inputs, targets = _pipeline_problem(batch, seed)

    def ours() -> list:
        ranks = run_on_local_processes(_pipeline_on_rank, stages, _numpy_state(network), inputs, targets, micro)
        gradients = [_api.tensor(g) for rank in ranks for g in rank["gradients"]]
        return [_api.tensor(ranks[-1]["output"]), _api.tensor(ranks[-1]["losses"], dtype=_api.float64), gradients]

    def theirs() -> list:
        network.zero_grad()
        output = network(torch.tensor(inputs))
        torch.nn.functional.cross_entropy(output, torch.tensor(targets)).backward()
        losses = [torch.nn.functional.cross_entropy(o, t) for o, t in
                  zip(torch.tensor_split(output.detach(), micro), torch.tensor_split(torch.tensor(targets), micro))]
        return [output.detach(), torch.stack(losses), [p.grad for p in network.parameters()]]

    sizes = [len(piece) for piece in np.array_split(np.arange(batch), micro)]
    return Case(f"{stages} stages, {micro} micro-batch{'es' if micro > 1 else ''} (sizes {sizes})",
                f"network {SIZES} with Tanh, float64, cross-entropy; batch of {batch} drawn with seed {seed}; "
                "compared: the output, each micro-batch's loss, every parameter's gradient",
                actual=ours, expected=theirs)


def _forwards_before_first_backward(stages: int, micro: int) -> List[List[int]]:
    network, inputs, targets = _pipeline_problem(8, 3)
    ranks = run_on_local_processes(_pipeline_on_rank, stages, _numpy_state(network), inputs, targets, micro)
    return [[rank["order"].index("B"), rank["order"].count("F"), rank["order"].count("B")] for rank in ranks]


@register_check("6.7")
def check_gpipe() -> Iterator[Case]:
    """``ScheduleGPipe`` on 2 and 3 local processes against torch's unsplit network, then the order of each
    stage's work (all its forwards before its first backward)."""
    yield _pipeline_case(2, 1, 6, 0)
    yield _pipeline_case(2, 4, 8, 1)
    yield _pipeline_case(3, 3, 10, 2)
    yield Case("3 stages, 4 micro-batches: each stage's forwards before its first backward",
               "per stage: [events before the first backward, forwards, backwards]; GPipe: [4, 4, 4]",
               actual=lambda: _forwards_before_first_backward(3, 4), expected=lambda: [[4, 4, 4]] * 3)


# ---------------------------------------------------------------- 6.8: the column-parallel Linear


def _column_on_rank(rank: int, world_size: int, state: Dict[str, np.ndarray], inputs: np.ndarray,
                    weights: np.ndarray, gather_output: bool, then_row: bool) -> List[np.ndarray]:
    """Run this rank's layer(s) on the whole input; the loss is ``sum(output * weights)`` of the whole output."""
    def whole_linear(prefix: str) -> Any:
        weight, bias = state[f"{prefix}.weight"], state[f"{prefix}.bias"]
        layer = _api.nn.Linear(weight.shape[1], weight.shape[0]).double()
        layer.load_state_dict({"weight": _api.tensor(weight), "bias": _api.tensor(bias)})
        return layer

    layers = [ColumnParallelLinear.from_linear(whole_linear("0"), gather_output=gather_output)]
    if then_row:
        layers += [_api.nn.Tanh(), RowParallelLinear.from_linear(whole_linear("2"))]
    x = _api.tensor(inputs, requires_grad=True)
    output = _api.nn.Sequential(*layers)(x)
    (output * _api.tensor(weights)).sum().backward()
    return [output.detach().numpy(), x.grad.numpy()] + [p.grad.numpy() for layer in layers
                                                         for p in layer.parameters()]


def _column_case(world_size: int, input_shape: Tuple[int, ...], width: int, gather_output: bool,
                 then_row: bool, seed: int) -> Case:
    torch = _torch()
    sizes = (input_shape[-1], width, 3) if then_row else (input_shape[-1], width)
    network = _torch_network(sizes, seed)
    generator = np.random.default_rng(seed)
    inputs = generator.standard_normal(input_shape)
    # the loss weights of the whole output; when each rank's output is a slice (no gather, no row layer after),
    # each rank weights its slice, and the ranks' losses add up to the whole one
    weights = np.random.default_rng(seed + 50).standard_normal((*input_shape[:-1], sizes[-1]))
    sliced = not (gather_output or then_row)

    def ours() -> list:
        state = {name: value for name, value in _numpy_state(network).items() if then_row or name.startswith("0.")}
        ranks = run_on_local_processes(lambda rank, size: _column_on_rank(
            rank, size, state, inputs, weights[..., shard_range(width, size, rank)] if sliced else weights,
            gather_output, then_row), world_size)
        return [[_api.tensor(value) for value in rank] for rank in ranks]

    def theirs() -> list:
        network.zero_grad()
        x = torch.tensor(inputs, requires_grad=True)
        output = network(x)
        (output * torch.tensor(weights)).sum().backward()
        first, *rest = list(network.children())
        results = []
        for rank in range(world_size):
            rows = shard_range(width, world_size, rank)
            grads = [output.detach()[..., rows] if sliced else output.detach(), x.grad, first.weight.grad[rows],
                     first.bias.grad[rows]]
            if then_row:
                grads += [rest[-1].weight.grad[:, rows], rest[-1].bias.grad]
            results.append(grads)
        return results

    pair = "ColumnParallelLinear -> Tanh -> RowParallelLinear" if then_row else \
        f"ColumnParallelLinear(gather_output={gather_output})"
    return Case(f"{pair}, {world_size} ranks, input {input_shape}",
                f"{sizes} float64 (torch's weights, seed {seed}); loss sum(output * w), w drawn with seed {seed + 50}; "
                "compared per rank: output, input gradient, this rank's weight and bias gradients",
                actual=ours, expected=theirs)


@register_check("6.8")
def check_column_parallel_linear() -> Iterator[Case]:
    """``ColumnParallelLinear`` on 2 and 3 local processes against torch's whole ``Linear``, then in Megatron's pair."""
    yield _column_case(2, (4, 5), 6, True, False, 0)
    yield _column_case(3, (2, 3, 4), 6, True, False, 1)
    yield _column_case(2, (4, 5), 8, False, False, 2)
    yield _column_case(2, (4, 5), 8, False, True, 3)
