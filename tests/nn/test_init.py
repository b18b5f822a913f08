"""``nn.init`` against torch: the same statistical checks on samples of both libraries (bounds, spread), the
gains, and torch's errors. torch's expected values come from torch's own samples on the same shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import to_numpy
from helpers.tensors import raises_like

SHAPE = (300, 200)  # fan_in 200, fan_out 300
CONV_SHAPE = (40, 30, 3, 3)  # fan_in 270, fan_out 360

UNIFORM_LIKE = {
    "uniform_": lambda init, w: init.uniform_(w, -0.3, 0.7),
    "xavier_uniform_": lambda init, w: init.xavier_uniform_(w),
    "xavier_uniform_ gain": lambda init, w: init.xavier_uniform_(w, gain=init.calculate_gain("relu")),
    "kaiming_uniform_ sqrt(5)": lambda init, w: init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_uniform_ relu fan_out": lambda init, w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
}
NORMAL_LIKE = {
    "normal_": lambda init, w: init.normal_(w, 0.5, 2.0),
    "xavier_normal_": lambda init, w: init.xavier_normal_(w),
    "kaiming_normal_": lambda init, w: init.kaiming_normal_(w),
    "kaiming_normal_ tanh fan_out": lambda init, w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="tanh"),
    "trunc_normal_": lambda init, w: init.trunc_normal_(w, 0.0, 1.0, -0.5, 1.5),
}


def samples(fill, shape):
    torch.manual_seed(0)
    course_lib.manual_seed(0)
    out = []
    for L in (torch, course_lib):
        w = L.nn.Parameter(L.empty(shape))
        assert fill(L.nn.init, w) is w and w.requires_grad  # in place, outside the graph
        out.append(to_numpy(w.detach()).ravel().astype(float))
    return out


@pytest.mark.parametrize("shape", [SHAPE, CONV_SHAPE])
@pytest.mark.parametrize("name", sorted(UNIFORM_LIKE))
def test_uniform_initialisers_have_torchs_bounds(name, shape):
    theirs, ours = samples(UNIFORM_LIKE[name], shape)
    width = theirs.max() - theirs.min()
    # With n samples the gap between a bound and the sample's extreme is about width / n.
    assert abs(ours.min() - theirs.min()) < width * 1e-3 and abs(ours.max() - theirs.max()) < width * 1e-3
    assert abs(ours.std() / theirs.std() - 1) < 0.02


@pytest.mark.parametrize("shape", [SHAPE, CONV_SHAPE])
@pytest.mark.parametrize("name", sorted(NORMAL_LIKE))
def test_normal_initialisers_have_torchs_mean_and_std(name, shape):
    theirs, ours = samples(NORMAL_LIKE[name], shape)
    assert abs(ours.mean() - theirs.mean()) < 5 * theirs.std() / math.sqrt(theirs.size) * math.sqrt(2)
    assert abs(ours.std() / theirs.std() - 1) < 0.02
    if name == "trunc_normal_":
        assert ours.min() >= -0.5 and ours.max() <= 1.5


@pytest.mark.parametrize("name, fill", [("constant_", lambda init, w: init.constant_(w, 0.25)),
                                        ("ones_", lambda init, w: init.ones_(w)),
                                        ("zeros_", lambda init, w: init.zeros_(w))])
def test_constant_initialisers_match_torch(name, fill):
    theirs, ours = samples(fill, (3, 4))
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_is_torchs(nonlinearity, param):
    assert course_lib.nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
def test_empty_weights_are_left_alone_by_kaiming():
    for L in (torch, course_lib):
        w = L.empty(0, 3)
        assert L.nn.init.kaiming_uniform_(w) is w and L.nn.init.kaiming_normal_(w) is w


BAD_CALLS = {
    "xavier_uniform_ of a 1-d tensor": lambda L: L.nn.init.xavier_uniform_(L.empty(5)),
    "xavier_normal_ of a 0-d tensor": lambda L: L.nn.init.xavier_normal_(L.empty(())),
    "kaiming_uniform_ of a 1-d tensor": lambda L: L.nn.init.kaiming_uniform_(L.empty(5)),
    "kaiming_normal_ bad mode": lambda L: L.nn.init.kaiming_normal_(L.empty(3, 4), mode="fan_avg"),
    "kaiming_uniform_ bad nonlinearity": lambda L: L.nn.init.kaiming_uniform_(L.empty(3, 4), nonlinearity="swish"),
    "calculate_gain unknown": lambda L: L.nn.init.calculate_gain("swish"),
    "calculate_gain leaky_relu a string slope": lambda L: L.nn.init.calculate_gain("leaky_relu", "0.2"),
    "uniform_ a > b": lambda L: L.nn.init.uniform_(L.empty(3), 1.0, 0.0),
    "normal_ negative std": lambda L: L.nn.init.normal_(L.empty(3), 0.0, -1.0),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception(name):
    raises_like(lambda: BAD_CALLS[name](course_lib), lambda: BAD_CALLS[name](torch))
