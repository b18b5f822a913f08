"""Pipeline parallelism: a network cut into stages on 2-3 forked local ranks, trained with the GPipe schedule,
against torch's unsplit network (outputs, losses, gradients, parameters after SGD steps); the schedule's
order, forward-only runs, errors, and no process left behind."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
import torch

import course_lib
from course_lib.distributed.local import run_on_local_processes
from course_lib.distributed.pipelining import PipelineStage, Schedule1F1B, ScheduleGPipe
from course_lib.distributed.pipelining.schedules import one_forward_one_backward_order, split_microbatches
from course_lib.distributed.pipelining.stage import send_activation

SIZES = (6, 8, 8, 5, 4)
CUTS = {2: [(0, 4), (4, 7)], 3: [(0, 2), (2, 5), (5, 7)]}  # modules of the 7 (Linear, ReLU, ..., Linear)


def torch_network(seed: int = 0) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    layers = []
    for width_in, width_out in zip(SIZES, SIZES[1:]):
        layers += [torch.nn.Linear(width_in, width_out), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1]).double()


def course_piece(state: dict, start: int, end: int) -> course_lib.nn.Sequential:
    nn = course_lib.nn
    layers = []
    for width_in, width_out in zip(SIZES, SIZES[1:]):
        layers += [nn.Linear(width_in, width_out), nn.ReLU()]
    network = nn.Sequential(*layers[:-1]).double()
    network.load_state_dict({name: course_lib.tensor(value) for name, value in state.items()})
    return network[start:end]


def batches(steps: int, batch: int, seed: int = 1):
    generator = np.random.default_rng(seed)
    return [(generator.standard_normal((batch, SIZES[0])), generator.integers(0, SIZES[-1], batch))
            for _ in range(steps)]


def train_pipelined(rank: int, world_size: int, state: dict, data: list, micro: int, lr: float,
                    schedule_class=ScheduleGPipe) -> dict:
    piece = course_piece(state, *CUTS[world_size][rank])
    stage = PipelineStage(piece, rank, world_size)
    schedule = schedule_class(stage, micro, loss_fn=course_lib.nn.functional.cross_entropy)
    optimizer = course_lib.optim.SGD(piece.parameters(), lr=lr)
    losses, outputs = [], []
    for inputs, targets in data:
        optimizer.zero_grad()
        if rank == 0:
            output = schedule.step(course_lib.tensor(inputs))
        elif rank == world_size - 1:
            output = schedule.step(target=course_lib.tensor(targets), losses=losses)
        else:
            output = schedule.step()
        if output is not None:
            outputs.append(output.numpy())
        optimizer.step()
    return {"parameters": [p.detach().numpy() for p in piece.parameters()], "outputs": outputs,
            "losses": [loss.item() for loss in losses], "order": [(kind, chunk) for kind, chunk, *_ in stage.timeline]}


def train_unsplit(network: torch.nn.Sequential, data: list, micro: int, lr: float) -> dict:
    optimizer = torch.optim.SGD(network.parameters(), lr=lr)
    losses, outputs = [], []
    for inputs, targets in data:
        optimizer.zero_grad()
        output = network(torch.tensor(inputs))
        torch.nn.functional.cross_entropy(output, torch.tensor(targets)).backward()
        outputs.append(output.detach().numpy())
        losses += [torch.nn.functional.cross_entropy(o, t).item() for o, t in
                   zip(torch.tensor_split(output.detach(), micro), torch.tensor_split(torch.tensor(targets), micro))]
        optimizer.step()
    return {"parameters": [p.detach().numpy() for p in network.parameters()], "outputs": outputs, "losses": losses}


@pytest.mark.parametrize("schedule_class, stages, micro, batch",
                         [(ScheduleGPipe, 2, 1, 8), (ScheduleGPipe, 2, 4, 8), (ScheduleGPipe, 3, 3, 10),
                          (ScheduleGPipe, 3, 5, 7), (Schedule1F1B, 2, 4, 8), (Schedule1F1B, 3, 5, 7)])
def test_pipelined_training_equals_the_unsplit_network(schedule_class, stages, micro, batch):
    network, data = torch_network(), batches(3, batch)
    state = {name: value.detach().numpy().copy() for name, value in network.state_dict().items()}
    ranks = run_on_local_processes(train_pipelined, stages, state, data, micro, 0.3, schedule_class)
    expected = train_unsplit(network, data, micro, 0.3)
    ours = [p for rank in ranks for p in rank["parameters"]]
    for mine, theirs in zip(ours, expected["parameters"]):
        torch.testing.assert_close(torch.from_numpy(mine), torch.from_numpy(theirs))
    torch.testing.assert_close(torch.tensor(np.array(ranks[-1]["outputs"])), torch.tensor(np.array(expected["outputs"])))
    torch.testing.assert_close(torch.tensor(ranks[-1]["losses"]), torch.tensor(expected["losses"]))
    gpipe = [("F", i) for i in range(micro)] + [("B", i) for i in range(micro)]
    expected_orders = [gpipe if schedule_class is ScheduleGPipe else one_forward_one_backward_order(s, stages, micro)
                       for s in range(stages)]
    assert [rank["order"] for rank in ranks] == expected_orders  # the last step's order, on every stage
    assert not multiprocessing.active_children()


def forward_only(rank: int, world_size: int, state: dict, inputs: np.ndarray):
    piece = course_piece(state, *CUTS[world_size][rank])
    schedule = ScheduleGPipe(PipelineStage(piece, rank, world_size), 3)
    output = schedule.step(course_lib.tensor(inputs)) if rank == 0 else schedule.step()
    return None if output is None else (output.numpy(), output.requires_grad)


def test_without_a_loss_the_schedule_runs_forward_only():
    network, ((inputs, _),) = torch_network(), batches(1, 9)
    state = {name: value.detach().numpy().copy() for name, value in network.state_dict().items()}
    first, middle, (output, requires_grad) = run_on_local_processes(forward_only, 3, state, inputs)
    assert first is None and middle is None and not requires_grad
    torch.testing.assert_close(torch.from_numpy(output), network(torch.tensor(inputs)).detach())


def test_micro_batches_are_cut_like_torch_tensor_split():
    values = torch.arange(10.0)
    ours = split_microbatches(course_lib.arange(10.0), 3)
    for mine, theirs in zip(ours, torch.tensor_split(values, 3)):
        torch.testing.assert_close(torch.from_numpy(mine.numpy()), theirs)
    with pytest.raises(ValueError, match="a batch of 2 samples cannot be cut into 3 micro-batches"):
        split_microbatches(course_lib.zeros(2, 4), 3)


def misuse(rank: int, world_size: int) -> list:
    errors = []
    piece = course_lib.nn.Linear(2, 2)
    for call in (lambda: PipelineStage(piece, 1 - rank, world_size),
                 lambda: PipelineStage(piece, rank, 3),
                 lambda: ScheduleGPipe(PipelineStage(piece, rank, world_size), 0),
                 lambda: send_activation(course_lib.zeros(2, dtype=course_lib.bool), 1 - rank)):
        try:
            call()
        except Exception as error:  # noqa: BLE001  (the test compares the types and messages)
            errors.append((type(error).__name__, str(error)))
    if rank == 1:
        schedule = ScheduleGPipe(PipelineStage(piece, 1, 2), 1, loss_fn=course_lib.nn.functional.mse_loss)
        try:
            schedule.step()
        except ValueError as error:
            errors.append(("ValueError", str(error)))
    return errors


def test_misuse_raises_clear_errors():
    first, last = run_on_local_processes(misuse, 2)
    assert [kind for kind, _ in first] == ["ValueError", "ValueError", "ValueError", "TypeError"]
    assert "expected stage_index == rank (0)" in first[0][1] and "got stage_index=1" in first[0][1]
    assert "num_stages == world size (2)" in first[1][1]
    assert "n_microbatches must be at least 1, but got 0" in first[2][1]
    assert "but got bool with 1" in first[3][1]
    assert last[-1] == ("ValueError", "the last stage's step() needs target= to compute the loss")
