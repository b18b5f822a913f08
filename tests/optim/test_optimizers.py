"""Every optimizer against torch's: the same trajectory step for step (float64, from the same weights), through
a state-dict round trip in the middle of training, with torch's state dict, defaults and errors.

Each case trains two parameters of a small tanh layer on fixed data for six steps; after three, the optimizer
is rebuilt from its state dict (as resuming from a checkpoint does) and training goes on.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import course_lib
from helpers.both import raises_both

CASES = {
    "Adam": {},
    "Adam, amsgrad and weight decay": {"amsgrad": True, "weight_decay": 0.1},
    "Adam, maximize and other betas": {"maximize": True, "betas": (0.8, 0.9), "lr": 0.01},
    "AdamW": {},
    "AdamW, amsgrad and strong decay": {"amsgrad": True, "weight_decay": 0.3, "lr": 0.05},
    "RMSprop": {},
    "RMSprop, centered, momentum and weight decay": {"centered": True, "momentum": 0.9, "weight_decay": 0.1},
    "RMSprop, momentum and maximize": {"momentum": 0.5, "maximize": True},
    "Adagrad": {},
    "Adagrad, lr decay, initial accumulator and weight decay": {"lr_decay": 0.1, "initial_accumulator_value": 0.5,
                                                                 "weight_decay": 0.1},
    "Adadelta": {},
    "Adadelta, rho, lr, weight decay and maximize": {"rho": 0.5, "lr": 0.5, "weight_decay": 0.1, "maximize": True},
    "SGD, Nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True},
}


def optimizer_class(case: str) -> str:
    return case.split(",")[0]


def start(L, seed: int = 0):
    """The two parameters (float64, the same values in both libraries) and the data."""
    rng = np.random.default_rng(seed)
    weight, bias = rng.standard_normal((3, 4)), rng.standard_normal(4)
    data = rng.standard_normal((5, 3))
    params = [L.tensor(weight, requires_grad=True), L.tensor(bias, requires_grad=True)]
    return params, L.tensor(data)


def train(L, case: str, steps: int = 6, resume_after: int = 3):
    """The parameters after each step, as NumPy arrays, and the optimizer's state dict at the end."""
    params, data = start(L)
    make = getattr(L.optim, optimizer_class(case))
    options = dict(CASES[case])
    optimizer = make(params, **options)
    trajectory = []
    for step in range(steps):
        if step == resume_after:  # a checkpoint: a new optimizer over the same parameters, from the state dict
            saved = copy.deepcopy(optimizer.state_dict())
            optimizer = make(params, **options)
            optimizer.load_state_dict(saved)
        optimizer.zero_grad()
        ((data @ params[0] + params[1]).tanh() ** 2).sum().backward()
        optimizer.step()
        trajectory.append([p.detach().cpu().numpy().copy() for p in params])
    return trajectory, optimizer.state_dict()


def as_arrays(value):
    """A state dict with every tensor (of either library) as a NumPy array, for comparison."""
    if isinstance(value, dict):
        return {key: as_arrays(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(as_arrays(item) for item in value)
    if isinstance(value, (torch.Tensor, course_lib.Tensor)):
        return np.asarray(value.detach().cpu().numpy())
    return value


@pytest.mark.parametrize("case", list(CASES))
def test_trajectory_and_state_dict_equal_torchs(case):
    ours, our_state = train(course_lib, case)
    theirs, their_state = train(torch, case)
    for step, (mine, expected) in enumerate(zip(ours, theirs)):
        for index, (a, b) in enumerate(zip(mine, expected)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"step {step}, parameter {index}")
    ours_arrays, theirs_arrays = as_arrays(our_state), as_arrays(their_state)
    assert ours_arrays["param_groups"] == theirs_arrays["param_groups"]
    assert ours_arrays["state"].keys() == theirs_arrays["state"].keys()
    for index, state in theirs_arrays["state"].items():
        assert list(ours_arrays["state"][index]) == list(state)  # the same keys, in torch's order
        for key, value in state.items():
            np.testing.assert_allclose(ours_arrays["state"][index][key], value, rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_defaults_equal_torchs(name):
    ours = getattr(course_lib.optim, name)([course_lib.zeros(2, requires_grad=True)])
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert ours.defaults == theirs.defaults and list(ours.defaults) == list(theirs.defaults)


def test_adagrads_state_exists_before_the_first_step():
    state = as_arrays(course_lib.optim.Adagrad([course_lib.zeros(2, requires_grad=True)],
                                               initial_accumulator_value=0.5).state_dict())
    expected = as_arrays(torch.optim.Adagrad([torch.zeros(2, requires_grad=True)],
                                             initial_accumulator_value=0.5).state_dict())
    assert list(state["state"][0]) == list(expected["state"][0]) == ["step", "sum"]
    np.testing.assert_array_equal(state["state"][0]["sum"], expected["state"][0]["sum"])


BAD = {
    "Adam, negative lr": ("Adam", {"lr": -1.0}),
    "Adam, beta 1": ("Adam", {"betas": (1.0, 0.999)}),
    "Adam, negative second beta": ("Adam", {"betas": (0.9, -0.1)}),
    "Adam, negative eps": ("Adam", {"eps": -1e-8}),
    "AdamW, negative weight decay": ("AdamW", {"weight_decay": -0.1}),
    "RMSprop, negative alpha": ("RMSprop", {"alpha": -0.5}),
    "RMSprop, negative momentum": ("RMSprop", {"momentum": -0.5}),
    "Adagrad, negative lr decay": ("Adagrad", {"lr_decay": -1.0}),
    "Adagrad, negative initial accumulator": ("Adagrad", {"initial_accumulator_value": -1.0}),
    "Adadelta, rho above 1": ("Adadelta", {"rho": 1.5}),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_bad_options_raise_torchs_errors(bad):
    name, options = BAD[bad]
    raises_both(lambda L: getattr(L.optim, name)([L.zeros(2, requires_grad=True)], **options))


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad", "Adadelta"])
def test_step_with_a_closure_returns_its_loss_and_updates_like_torch(name):
    results = []
    for L in (course_lib, torch):
        params, data = start(L)
        optimizer = getattr(L.optim, name)(params)

        def closure():
            optimizer.zero_grad()
            loss = ((data @ params[0] + params[1]).tanh() ** 2).sum()
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        results.append((loss.item(), params[0].detach().cpu().numpy().copy()))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-10)
