"""``optim.Optimizer`` and ``optim.SGD`` against torch: the constructor's checks, parameter groups,
``zero_grad``, ``step(closure)``, and ``state_dict``/``load_state_dict``.

Each test is a function of the library ``L`` (``helpers.both``); the updates themselves are compared on
the same starting values (``helpers.nn.twins``).
"""

from __future__ import annotations

import pytest
import torch

import course_lib
from helpers.both import raises_both, run_both
from helpers.nn import assert_same, same_data, twins


def fixed(L, *shape, requires_grad=True):
    """A leaf of the given shape with the same values in both libraries (0.1, 0.2, ...)."""
    count = 1
    for size in shape:
        count *= size
    return (L.arange(1, count + 1, dtype=L.float32) / 10).reshape(*shape).requires_grad_(requires_grad)


def with_grads(L, *params):
    """``params`` after a backward that gives each a different gradient."""
    sum(((p * p * (k + 1)).sum() for k, p in enumerate(params)), L.zeros(())).backward()
    return list(params)


# ---------------------------------------------------------------------------------------------- errors


BAD = {
    "a tensor instead of a list": lambda L: L.optim.SGD(fixed(L, 2), lr=0.1),
    "an empty list": lambda L: L.optim.SGD([], lr=0.1),
    "a generator of nothing": lambda L: L.optim.SGD(L.nn.ReLU().parameters(), lr=0.1),
    "a parameter in two groups": lambda L: _two_groups_sharing(L),
    "a non-leaf": lambda L: L.optim.SGD([fixed(L, 2) * 2], lr=0.1),
    "a list of numbers": lambda L: L.optim.SGD([1.0, 2.0], lr=0.1),
    "a group of a set": lambda L: L.optim.SGD([{"params": {fixed(L, 2)}}], lr=0.1),
    "named and unnamed groups": lambda L: L.optim.SGD([{"params": [("a", fixed(L, 2))]}, {"params": [fixed(L, 1)]}]),
    "a group that is not a dict": lambda L: L.optim.SGD([fixed(L, 2)], lr=0.1).add_param_group([fixed(L, 1)]),
    "a negative lr": lambda L: L.optim.SGD([fixed(L, 2)], lr=-1),
    "a negative momentum": lambda L: L.optim.SGD([fixed(L, 2)], momentum=-0.5),
    "a negative weight decay": lambda L: L.optim.SGD([fixed(L, 2)], weight_decay=-1e-4),
    "nesterov without momentum": lambda L: L.optim.SGD([fixed(L, 2)], nesterov=True),
    "nesterov with dampening": lambda L: L.optim.SGD([fixed(L, 2)], momentum=0.9, dampening=0.1, nesterov=True),
    "some names missing": lambda L: L.optim.SGD([("a", fixed(L, 2)), fixed(L, 1)], lr=0.1),
    "load a state with another number of groups": lambda L: _load_mismatch(L, groups=2),
    "load a state with another group size": lambda L: _load_mismatch(L, groups=1),
}


def _two_groups_sharing(L):
    p = fixed(L, 2)
    L.optim.SGD([{"params": [p]}, {"params": [p, fixed(L, 1)]}], lr=0.1)


def _load_mismatch(L, groups):
    source = L.optim.SGD([{"params": [fixed(L, 2)]} for _ in range(groups)], lr=0.1)
    L.optim.SGD([fixed(L, 2), fixed(L, 1)], lr=0.1).load_state_dict(source.state_dict())


@pytest.mark.parametrize("bad", sorted(BAD))
def test_bad_optimizer_arguments_raise_torchs_errors(bad):
    raises_both(BAD[bad])


def test_duplicate_parameters_in_a_group_warn():
    def duplicated(L):
        p = fixed(L, 2)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            return len(L.optim.SGD([p, p], lr=0.1).param_groups[0]["params"])

    run_both(duplicated)


# ---------------------------------------------------------------------------------------------- groups


def test_param_groups_hold_torchs_options_in_torchs_order():
    def groups(L):
        a, b = fixed(L, 2), fixed(L, 3)
        given = {"params": b, "lr": 0.5, "momentum": 0.9}
        optimizer = L.optim.SGD([{"params": [a]}, given], lr=0.1, weight_decay=1e-3)
        return ([{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups],
                [len(g["params"]) for g in optimizer.param_groups], optimizer.param_groups[1] is given,
                dict(optimizer.defaults), repr(optimizer))

    run_both(groups)


def test_named_parameters_are_accepted():
    def named(L):
        model = L.nn.Linear(2, 1)
        optimizer = L.optim.SGD(model.named_parameters(), lr=0.1)
        return optimizer.param_groups[0]["param_names"], [p is q for p, q in
                                                         zip(optimizer.param_groups[0]["params"], model.parameters())]

    run_both(named)


def test_groups_with_different_lr_and_add_param_group_update_like_torch():
    def steps(L):
        a, b, c = fixed(L, 2, 2), fixed(L, 3), fixed(L, 1)
        optimizer = L.optim.SGD([{"params": [a], "lr": 0.5}, {"params": [b], "momentum": 0.9}], lr=0.1)
        optimizer.add_param_group({"params": c, "nesterov": True, "momentum": 0.5})
        for _ in range(3):
            optimizer.zero_grad()
            with_grads(L, a, b, c)
            optimizer.step()
        return a, b, c, [g["lr"] for g in optimizer.param_groups], [g["nesterov"] for g in optimizer.param_groups]

    run_both(steps, rtol=1e-6, atol=1e-7)


def test_a_parameter_without_grad_is_skipped_and_gets_no_state():
    def skipped(L):
        a, b = fixed(L, 2), fixed(L, 2)
        optimizer = L.optim.SGD([a, b], lr=0.1, momentum=0.9)
        with_grads(L, a)
        optimizer.step()
        return a, b, len(optimizer.state), b in optimizer.state

    run_both(skipped, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_optimizer_zero_grad(set_to_none):
    def zero(L):
        params = with_grads(L, fixed(L, 2), fixed(L, 3))
        L.optim.SGD(params, lr=0.1).zero_grad(set_to_none=set_to_none)
        return [p.grad for p in params]

    run_both(zero)


def test_step_with_a_closure_returns_its_loss_with_grad_enabled():
    def closure_step(L):
        p = fixed(L, 3)
        optimizer = L.optim.SGD([p], lr=0.1)
        seen = []

        def closure():
            optimizer.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            seen.append(L.is_grad_enabled())
            return loss

        with L.no_grad():
            loss = optimizer.step(closure)
        return loss, p, seen, optimizer.step() is None

    run_both(closure_step, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------------------------- state_dict


def test_optimizer_state_dict_has_torchs_format():
    def state(L):
        a, b, c = fixed(L, 2), fixed(L, 3), fixed(L, 1)
        optimizer = L.optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
        with_grads(L, a, b, c)
        optimizer.step()
        state = optimizer.state_dict()
        return state, state["state"][0]["momentum_buffer"] is optimizer.state[a]["momentum_buffer"]

    run_both(state)


def test_optimizer_load_state_dict_continues_like_the_original():
    def resumed(L):
        params = [fixed(L, 2), fixed(L, 3)]
        optimizer = L.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True)
        with_grads(L, *params)
        optimizer.step()
        copies = [p.detach().clone().requires_grad_() for p in params]
        resumed = L.optim.SGD(copies, lr=0.2)
        resumed.load_state_dict(optimizer.state_dict())
        for opt, ps in ((optimizer, params), (resumed, copies)):
            opt.zero_grad()
            with_grads(L, *ps)
            opt.step()
        return params, copies, resumed.param_groups[0]["params"][0] is copies[0], resumed.param_groups[0]["lr"], \
            resumed.param_groups[0]["nesterov"], resumed.state[copies[1]]

    run_both(resumed, rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------------------------- a model


@pytest.mark.parametrize("options", [dict(momentum=0.9, weight_decay=1e-2), dict(momentum=0.9, maximize=True)])
def test_sgd_on_a_model_with_groups(options):
    def factory(L):
        return L.nn.Sequential(L.nn.Linear(5, 4), L.nn.ReLU(), L.nn.Linear(4, 2))

    models = twins(factory)
    (x_t,), (x_o,) = same_data(3, (6, 5))
    for L, model, x in zip((torch, course_lib), models, (x_t, x_o)):
        optimizer = L.optim.SGD([{"params": model[0].parameters(), "lr": 0.05},
                                 {"params": model[2].parameters()}], lr=0.2, **options)
        for _ in range(3):
            optimizer.zero_grad()
            (model(x) ** 2).mean().backward()
            optimizer.step()
    assert_same(list(models[1].parameters()), list(models[0].parameters()), rtol=1e-5, atol=1e-6)
