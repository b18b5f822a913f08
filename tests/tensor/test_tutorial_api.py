"""API that common tutorial code uses, compared with torch: values, dtypes, errors and gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import course_lib
from helpers.autograd import check_gradients, randn
from helpers.tensors import assert_same, raises_like

BOTH = pytest.mark.parametrize("L", [course_lib, torch], ids=["course_lib", "torch"])


def test_constants():
    for name in ("nan", "inf", "pi", "e"):
        ours, theirs = getattr(course_lib, name), getattr(torch, name)
        assert (math.isnan(ours) and math.isnan(theirs)) or ours == theirs


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_as_a_keyword(name):
    for size in [(), (2,), (2, 3)]:
        ours, theirs = getattr(course_lib, name)(size=size), getattr(torch, name)(size=size)
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype.name == str(theirs.dtype)[6:]


def test_round_with_decimals():
    data = np.array([1.2345, -2.5, 0.125, 1234.5678, -0.0051])
    for decimals in (0, 1, 2, -1, -2):
        assert_same(course_lib.round(course_lib.tensor(data), decimals=decimals),
                    torch.round(torch.tensor(data), decimals=decimals))
    check_gradients(lambda L, x: L.round(x, decimals=2) * x, randn(4, seed=3))


def test_indexing_with_a_range_and_lists_as_cross_entropy_does():
    probabilities = np.random.default_rng(0).random((4, 3))
    labels = [2, 0, 1, 1]
    check_gradients(lambda L, p: -L.log(p[range(4), labels]).mean(), probabilities)
    check_gradients(lambda L, p: p[range(1, 4), L.tensor(labels[1:])].sum(), probabilities)
    check_gradients(lambda L, p: p[[0, 3], [1, 2]], probabilities)


def test_movedim_with_tuples():
    data = randn(2, 3, 4, 5, seed=1)
    for source, destination in [((0, 1), (2, 0)), ((3,), (0,)), (1, -1), ([0, 2], [3, 1])]:
        assert_same(course_lib.tensor(data).movedim(source, destination),
                    torch.tensor(data).movedim(source, destination), check_layout=True)
    check_gradients(lambda L, x: L.movedim(x, (0, 1), (2, 0)) * 2, data)
    for bad in [((0, 1), (2,)), ((0, 0), (1, 2)), ((0, 1), (2, 2))]:
        raises_like(lambda: course_lib.ones(2, 3, 4).movedim(*bad), lambda: torch.ones(2, 3, 4).movedim(*bad))


def test_inner_of_n_d_tensors():
    for a, b in [((3,), (3,)), ((2, 3), (4, 3)), ((2, 5, 3), (3,)), ((3,), (2, 4, 3))]:
        check_gradients(lambda L, x, y: L.inner(x, y), randn(*a, seed=4), randn(*b, seed=5))
    check_gradients(lambda L, x, s: L.inner(x, s), randn(2, 3, seed=6), np.array(2.5))  # a 0-d operand scales
    raises_like(lambda: course_lib.inner(course_lib.ones(2, 3), course_lib.ones(4)),
                lambda: torch.inner(torch.ones(2, 3), torch.ones(4)))


@BOTH
def test_inference_mode_records_nothing(L):
    x = L.ones(2, requires_grad=True)
    with L.inference_mode():
        assert not (x * 2).requires_grad
    with L.inference_mode(False):
        assert (x * 2).requires_grad

    @L.inference_mode()
    def evaluate(v):
        return v * 3

    assert not evaluate(x).requires_grad and (x * 3).requires_grad
