"""Tensor (layer-wise) parallelism on 2-4 forked local ranks: Megatron's pair of split Linear layers against
torch's unsplit layers (outputs, the input's gradient, every weight's gradient slice, parameters after SGD
steps), the communication Functions on their own, construction from a seed, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from course_lib.distributed.local import run_on_local_processes
from course_lib.distributed.tensor.parallel import (ColumnParallelLinear, ColwiseParallel, RowParallelLinear,
                                                     RowwiseParallel, gather_from_parallel_region,
                                                     parallelize_module, scatter_to_parallel_region, shard_range)


def torch_mlp(width_in: int, hidden: int, width_out: int, seed: int = 0) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(width_in, hidden), torch.nn.GELU(),
                               torch.nn.Linear(hidden, width_out)).double()


def course_mlp(state: dict) -> course_lib.nn.Sequential:
    nn = course_lib.nn
    hidden, width_in = state["0.weight"].shape
    network = nn.Sequential(nn.Linear(width_in, hidden), nn.GELU(), nn.Linear(hidden, state["2.weight"].shape[0]))
    network = network.double()
    network.load_state_dict({name: course_lib.tensor(value) for name, value in state.items()})
    return network


def numpy_state(module) -> dict:
    return {name: value.detach().numpy().copy() for name, value in module.state_dict().items()}


def split_step(rank: int, world_size: int, state: dict, inputs: np.ndarray, weights: np.ndarray,
               strided: bool) -> list:
    network = parallelize_module(course_mlp(state), None, {"0": ColwiseParallel(), "2": RowwiseParallel()})
    if strided:  # the same values, as a non-contiguous view (the transpose of a contiguous tensor)
        leaf = course_lib.tensor(np.ascontiguousarray(np.swapaxes(inputs, -1, -2)), requires_grad=True)
        x = leaf.transpose(-1, -2)
        assert not x.is_contiguous()
    else:
        leaf = x = course_lib.tensor(inputs, requires_grad=True)
    output = network(x)
    (output * course_lib.tensor(weights)).sum().backward()
    grad = np.swapaxes(leaf.grad.numpy(), -1, -2) if strided else leaf.grad.numpy()
    return [output.detach().numpy(), grad] + [p.grad.numpy() for p in network.parameters()]


@pytest.mark.parametrize("world_size, batch_shape, hidden, strided",
                         [(2, (5,), 6, False), (4, (2, 3), 8, False), (3, (1,), 9, False), (2, (3, 5), 4, True)])
def test_megatron_pair_equals_the_unsplit_layers(world_size, batch_shape, hidden, strided):
    network = torch_mlp(4, hidden, 3)
    generator = np.random.default_rng(world_size)
    inputs, weights = generator.standard_normal((*batch_shape, 4)), generator.standard_normal((*batch_shape, 3))
    ranks = run_on_local_processes(split_step, world_size, numpy_state(network), inputs, weights, strided)
    x = torch.tensor(inputs, requires_grad=True)
    output = network(x)
    (output * torch.tensor(weights)).sum().backward()
    first, _, second = network
    for rank, values in enumerate(ranks):
        rows = shard_range(hidden, world_size, rank)
        expected = [output, x.grad, first.weight.grad[rows], first.bias.grad[rows], second.weight.grad[:, rows],
                    second.bias.grad]
        for mine, theirs in zip(values, expected):
            torch.testing.assert_close(torch.from_numpy(mine), theirs.detach())


def split_training(rank: int, world_size: int, state: dict, data: list) -> list:
    network = parallelize_module(course_mlp(state), None, {"0": ColwiseParallel(), "2": RowwiseParallel()})
    optimizer = course_lib.optim.SGD(network.parameters(), lr=0.2, momentum=0.9)
    for inputs, targets in data:
        optimizer.zero_grad()
        course_lib.nn.functional.cross_entropy(network(course_lib.tensor(inputs)), course_lib.tensor(targets)).backward()
        optimizer.step()
    return [p.detach().numpy() for p in network.parameters()]


def test_training_steps_keep_the_split_model_equal_to_the_unsplit_one():
    network, generator = torch_mlp(5, 6, 3, seed=1), np.random.default_rng(2)
    data = [(generator.standard_normal((8, 5)), generator.integers(0, 3, 8)) for _ in range(5)]
    ranks = run_on_local_processes(split_training, 2, numpy_state(network), data)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.2, momentum=0.9)
    for inputs, targets in data:
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(network(torch.tensor(inputs)), torch.tensor(targets)).backward()
        optimizer.step()
    first, _, second = network
    for rank, (w1, b1, w2, b2) in enumerate(ranks):
        rows = shard_range(6, 2, rank)
        for mine, theirs in zip((w1, b1, w2, b2), (first.weight[rows], first.bias[rows], second.weight[:, rows],
                                                   second.bias)):
            torch.testing.assert_close(torch.from_numpy(mine), theirs.detach())


def layers_from_a_seed(rank: int, world_size: int) -> list:
    course_lib.manual_seed(7)
    column = ColumnParallelLinear(3, 4)
    course_lib.manual_seed(7)
    row = RowParallelLinear(4, 2, input_is_parallel=False)
    course_lib.manual_seed(7)
    whole_column = course_lib.nn.Linear(3, 4)
    course_lib.manual_seed(7)
    whole_row = course_lib.nn.Linear(4, 2)
    x = course_lib.randn(5, 4, requires_grad=True)  # the same on both ranks (same seed, same draws so far)
    output = row(x)
    output.sum().backward()
    rows = shard_range(4, world_size, rank)
    return [np.array_equal(column.weight.detach().numpy(), whole_column.weight.detach().numpy()[rows]),
            np.array_equal(row.weight.detach().numpy(), whole_row.weight.detach().numpy()[:, rows]),
            np.allclose(output.detach().numpy(), whole_row(x).detach().numpy(), atol=1e-6),
            np.allclose(x.grad.numpy(), np.broadcast_to(whole_row.weight.detach().numpy().sum(0), (5, 4)), atol=1e-6),
            repr(column)]


def test_layers_built_after_a_seed_are_slices_of_the_layer_built_after_it():
    for rank, (column_equal, row_equal, output_equal, grad_equal, text) in enumerate(
            run_on_local_processes(layers_from_a_seed, 2)):
        assert column_equal and row_equal and output_equal and grad_equal
        assert text == f"ColumnParallelLinear(in_features=3, out_features=4, bias=True, gather_output=True, rank={rank} of 2)"


def gather_and_scatter(rank: int, world_size: int) -> list:
    x = course_lib.tensor(np.arange(6.0).reshape(2, 3) + 10 * rank, requires_grad=True)
    gathered = gather_from_parallel_region(x)
    (gathered * course_lib.arange(3.0 * world_size)).sum().backward()
    y = course_lib.tensor(np.arange(12.0).reshape(2, 6), requires_grad=True)
    part = scatter_to_parallel_region(y)
    (part * (rank + 1)).sum().backward()
    return [gathered.detach().numpy(), x.grad.numpy(), part.detach().numpy(), y.grad.numpy()]


def test_gather_and_scatter_are_each_others_adjoint():
    (gathered, x_grad, part, y_grad), _ = run_on_local_processes(gather_and_scatter, 2)
    np.testing.assert_array_equal(gathered, np.concatenate([np.arange(6.0).reshape(2, 3),
                                                            np.arange(6.0).reshape(2, 3) + 10], axis=1))
    np.testing.assert_array_equal(x_grad, np.broadcast_to(np.arange(3.0), (2, 3)))  # rank 0's slice of the weights
    np.testing.assert_array_equal(part, np.arange(12.0).reshape(2, 6)[:, :3])
    np.testing.assert_array_equal(y_grad, np.array([[1.0] * 3 + [2.0] * 3] * 2))  # each rank's slice, gathered


def misuse(rank: int, world_size: int) -> list:
    errors = []
    for call in (lambda: ColumnParallelLinear(3, 5),
                 lambda: RowParallelLinear(5, 3),
                 lambda: ColumnParallelLinear.from_linear(course_lib.nn.ReLU()),
                 lambda: parallelize_module(course_lib.nn.Sequential(course_lib.nn.ReLU()), None, ColwiseParallel()),
                 lambda: parallelize_module(course_lib.nn.Sequential(course_lib.nn.Linear(2, 2)), None, ["0"]),
                 lambda: parallelize_module(course_lib.nn.Sequential(course_lib.nn.Linear(2, 2)), None,
                                            {"1": ColwiseParallel()})):
        try:
            call()
        except Exception as error:  # noqa: BLE001  (the test compares the types and messages)
            errors.append((type(error).__name__, str(error)))
    return errors


def test_misuse_raises_clear_errors():
    errors, _ = run_on_local_processes(misuse, 2)
    kinds = [kind for kind, _ in errors]
    assert kinds == ["ValueError", "ValueError", "TypeError", "TypeError", "TypeError", "AttributeError"], errors
    assert errors[0][1] == ("tensor parallelism splits 5 features into 2 equal shares: 5 is not divisible by 2")
    assert "expected an nn.Linear, but got ReLU" in errors[2][1] and "expected an nn.Linear, but got Sequential" in errors[3][1]
    assert "but got list" in errors[4][1]
