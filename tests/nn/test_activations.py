"""Activations of ``nn.functional`` and their modules against torch: values, gradients (and double backward
where torch has it), grad_fn names, edge values, errors, and the modules' ``repr``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import course_lib
from helpers.autograd import grad_fn_name
from helpers.nn import assert_same
from helpers.tensors import raises_like

EDGES = [0.0, -0.0, 1e-8, -1e-8, 5.0, -5.0, 8.5, -8.5, 30.0, -30.0, 1e4, -1e4, float("inf"), float("-inf"),
         float("nan")]

FUNCTIONS = {
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu 0.2": lambda F, x: F.leaky_relu(x, negative_slope=0.2),
    "leaky_relu -0.5": lambda F, x: F.leaky_relu(x, -0.5),
    "gelu": lambda F, x: F.gelu(x),
    "gelu tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "softmax": lambda F, x: F.softmax(x, dim=-1),
    "log_softmax": lambda F, x: F.log_softmax(x, 0),
}


def both_leaves(array: np.ndarray):
    """The same values as leaves of both libraries, viewed through a transpose (a non-contiguous input)."""
    return [L.tensor(array.T.copy(), requires_grad=True) for L in (torch, course_lib)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_values_and_gradients_match_torch(name, dtype):
    array = np.random.default_rng(0).standard_normal((7, 5)).astype(dtype) * 3
    theirs, ours = both_leaves(array)
    out_t, out_o = FUNCTIONS[name](torch.nn.functional, theirs.t()), FUNCTIONS[name](course_lib.nn.functional, ours.t())
    weights = np.random.default_rng(1).standard_normal(out_t.shape).astype(dtype)
    (out_t * torch.tensor(weights)).sum().backward()
    (out_o * course_lib.tensor(weights)).sum().backward()
    assert_same(out_o, out_t)
    assert_same(ours.grad, theirs.grad)
    assert grad_fn_name(out_o) == grad_fn_name(out_t)


@pytest.mark.parametrize("name", [name for name in sorted(FUNCTIONS) if "softmax" not in name])
def test_edge_values_match_torch(name):
    theirs, ours = (L.tensor(EDGES, dtype=L.float64, requires_grad=True) for L in (torch, course_lib))
    out_t, out_o = FUNCTIONS[name](torch.nn.functional, theirs), FUNCTIONS[name](course_lib.nn.functional, ours)
    out_t.sum().backward()
    out_o.sum().backward()
    assert_same(out_o, out_t)
    assert_same(ours.grad, theirs.grad)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_of_half_precision_matches_torch(approximate, dtype="float16"):
    array = np.linspace(-6, 6, 49)
    x_t = torch.tensor(array).to(getattr(torch, dtype))
    x_o = course_lib.tensor(array).to(getattr(course_lib, dtype))
    assert_same(course_lib.nn.functional.gelu(x_o, approximate=approximate),
                torch.nn.functional.gelu(x_t, approximate=approximate))


def test_gelu_matches_torch_closely_over_a_wide_range():
    """The erfc series behind exact gelu: float64 to ~1e-13 relative. torch computes ``x/2 (1 + erf(x/sqrt 2))``,
    which cancels in the tail (0 below x = -8.3, where x Phi(x) is below 1e-15): hence the small atol."""
    x = np.concatenate([np.linspace(-38, 38, 4001), np.geomspace(1e-300, 1e300, 200)])
    x = np.concatenate([x, -x])
    ours = course_lib.nn.functional.gelu(course_lib.tensor(x))
    theirs = torch.nn.functional.gelu(torch.tensor(x))
    assert_same(ours, theirs, rtol=1e-13, atol=1e-15)
    x = x[np.abs(x) < 1e38].astype("float32")  # NOTE: torch's float32 gelu(inf) is NaN (float64's is inf, as ours)
    ours32 = course_lib.nn.functional.gelu(course_lib.tensor(x))
    assert_same(ours32, torch.nn.functional.gelu(torch.tensor(x)), rtol=2e-6, atol=1e-6)  # torch cancels to ~5e-7 near x = -4


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_double_backward_matches_torch(approximate):
    array = np.random.default_rng(2).standard_normal(9) * 2
    results = []
    for L in (torch, course_lib):
        x = L.tensor(array, requires_grad=True)
        v = L.tensor(np.linspace(-1, 1, 9), requires_grad=True)
        (g,) = L.autograd.grad(L.nn.functional.gelu(x, approximate=approximate), [x], grad_outputs=[v],
                               create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach(), x.grad, v.grad))
    assert_same(list(results[1]), list(results[0]))


def test_leaky_relu_double_backward_reaches_the_incoming_gradient():
    array = np.random.default_rng(3).standard_normal(9)
    results = []
    for L in (torch, course_lib):
        x = L.tensor(array, requires_grad=True)
        v = L.tensor(np.linspace(-1, 1, 9), requires_grad=True)
        (g,) = L.autograd.grad(L.nn.functional.leaky_relu(x, 0.3), [x], grad_outputs=[v], create_graph=True)
        (g * g).sum().backward()
        results.append((g.detach(), v.grad))
    assert_same(list(results[1]), list(results[0]))


def test_leaky_relu_inplace_writes_into_the_input_and_keeps_the_gradient():
    array = np.random.default_rng(4).standard_normal(6)
    results = []
    for L in (torch, course_lib):
        x = L.tensor(array, requires_grad=True)
        y = x * 2
        out = L.nn.functional.leaky_relu(y, 0.1, inplace=True)
        assert out is y
        (out * L.arange(6.0, dtype=L.float64)).sum().backward()
        results.append((out.detach(), x.grad))
    assert_same(list(results[1]), list(results[0]))


def test_log_softmax_is_stable_for_large_inputs():
    array = np.array([[1000.0, 1001.0, 999.0], [-1e4, 0.0, 1e4]], dtype="float32")
    for name in ("log_softmax", "softmax"):
        ours = getattr(course_lib.nn.functional, name)(course_lib.tensor(array), 1)
        theirs = getattr(torch.nn.functional, name)(torch.tensor(array), 1)
        assert_same(ours, theirs)
        assert bool(ours.isfinite().all())


BAD_CALLS = {
    "gelu of an int tensor": lambda L: L.nn.functional.gelu(L.tensor([1, 2])),
    "gelu approximate unknown": lambda L: L.nn.functional.gelu(L.ones(2), approximate="erf"),
    "leaky_relu of an int tensor": lambda L: L.nn.functional.leaky_relu(L.tensor([1, 2])),
    "leaky_relu inplace on a leaf requiring grad": lambda L: L.nn.functional.leaky_relu(
        L.ones(2, requires_grad=True), inplace=True),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception(name):
    raises_like(lambda: BAD_CALLS[name](course_lib), lambda: BAD_CALLS[name](torch))


MODULES = {
    "LeakyReLU()": lambda nn: nn.LeakyReLU(),
    "LeakyReLU(0.2, True)": lambda nn: nn.LeakyReLU(0.2, True),
    "GELU()": lambda nn: nn.GELU(),
    "GELU('tanh')": lambda nn: nn.GELU(approximate="tanh"),
    "Sigmoid()": lambda nn: nn.Sigmoid(),
    "Tanh()": lambda nn: nn.Tanh(),
    "ReLU(inplace=True)": lambda nn: nn.ReLU(inplace=True),
    "Softmax(dim=1)": lambda nn: nn.Softmax(dim=1),
    "LogSoftmax(0)": lambda nn: nn.LogSoftmax(0),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_match_torch_and_print_like_it(name):
    theirs, ours = MODULES[name](torch.nn), MODULES[name](course_lib.nn)
    assert repr(ours) == repr(theirs)
    array = np.random.default_rng(5).standard_normal((4, 3))
    x_t, x_o = torch.tensor(array) * 1, course_lib.tensor(array) * 1  # not leaves: inplace modules may write
    assert_same(ours(x_o), theirs(x_t))
    assert list(ours.parameters()) == [] and ours.state_dict() == {}


@pytest.mark.parametrize("module", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_softmax_modules_without_dim_pick_torchs_dimension_and_warn(module, shape):
    array = np.random.default_rng(6).standard_normal(shape)
    outputs = []
    for L in (torch, course_lib):
        layer = getattr(L.nn, module)()
        assert repr(layer) == f"{module}(dim=None)"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outputs.append(layer(L.tensor(array)))
        assert [w.category for w in caught] == [UserWarning]
    assert_same(outputs[1], outputs[0])
