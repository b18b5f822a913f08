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


@pytest.mark.parametrize("diagonal", [-1, 0, 2])
def test_tril_triu_diag(diagonal):
    matrix, batch, vector = randn(3, 4, seed=7), randn(2, 3, 3, seed=8), randn(3, seed=9)
    for name in ("tril", "triu"):
        check_gradients(lambda L, x: getattr(L, name)(x, diagonal) * 2, matrix)
        check_gradients(lambda L, x: getattr(x, name)(diagonal), batch)
    check_gradients(lambda L, x: L.diag(x, diagonal) * 3, vector)
    check_gradients(lambda L, x: L.diag(x, diagonal) * 3, matrix)
    raises_like(lambda: course_lib.diag(course_lib.ones(2, 2, 2)), lambda: torch.diag(torch.ones(2, 2, 2)))


def test_roll_meshgrid_repeat_interleave_dist():
    data = randn(3, 4, seed=10)
    for shifts, dims in [(1, 0), (-2, 1), ((1, 2), (0, 1)), (5, None)]:
        check_gradients(lambda L, x: L.roll(x, shifts, dims) * x, data)
    for indexing in ("ij", "xy"):
        check_gradients(lambda L, a, b: [g * 2 for g in L.meshgrid(a, b, indexing=indexing)],
                        randn(3, seed=11), randn(2, seed=12))
    with pytest.warns(UserWarning):
        course_lib.meshgrid(course_lib.ones(2), course_lib.ones(3))
    check_gradients(lambda L, x: L.repeat_interleave(x, 2, dim=1), data)
    check_gradients(lambda L, x: x.repeat_interleave(L.tensor([1, 0, 3]), dim=0), data)
    check_gradients(lambda L, x: L.repeat_interleave(x, 2), data)
    for p in (1, 2, 3.5, math.inf):
        check_gradients(lambda L, x, y: L.dist(x, y, p), data, randn(4, seed=13))


def test_unique():
    data = np.array([[3, 1, 2], [1, 3, 5]])
    for kwargs in ({}, {"return_inverse": True}, {"return_counts": True}, {"return_inverse": True,
                                                                            "return_counts": True}):
        assert_same(course_lib.unique(course_lib.tensor(data), **kwargs), torch.unique(torch.tensor(data), **kwargs))


def test_scatter_and_index_add():
    data, source = randn(3, 5, seed=14), randn(2, 5, seed=15)
    index = np.array([[0, 1, 2, 0, 1], [2, 0, 0, 1, 2]])
    # src of the index's shape (torch's own backward refuses a larger src)
    check_gradients(lambda L, x, s: L.scatter(x, 0, L.tensor([[0, 1, 2, 0, 1]]), s[:1]), data, source)
    check_gradients(lambda L, x, s: x.scatter(1, L.tensor([[0, 3], [4, 1]]), s[:, :2]), data, source)
    assert_same(course_lib.scatter(course_lib.zeros(3, 5), 0, course_lib.tensor(index), value=2.0),
                torch.scatter(torch.zeros(3, 5), 0, torch.tensor(index), value=2.0))
    check_gradients(lambda L, x, s: L.index_add(x, 0, L.tensor([2, 0]), s, alpha=2.0), data, source)
    check_gradients(lambda L, x, s: x.index_add(1, L.tensor([4, 4, 0]), s), data, randn(3, 3, seed=20))  # 4 twice
    for L in (course_lib, torch):
        target = L.zeros(3)
        target.index_add_(0, L.tensor([0, 0, 2]), L.tensor([1.0, 2.0, 3.0]))
        target.scatter_(0, L.tensor([1]), L.tensor([9.0]))
        assert target.tolist() == [3.0, 9.0, 3.0]


@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("i,j->ij", [(3,), (4,)]),
    ("i,i->", [(3,), (3,)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ij,j->i", [(2, 3), (3,)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]), ("ij,jk", [(2, 3), (3, 4)]),
])
def test_einsum_common_subscripts(equation, shapes):
    arrays = [randn(*shape, seed=16 + i) for i, shape in enumerate(shapes)]
    check_gradients(lambda L, *xs: L.einsum(equation, *xs), *arrays)


OUT_CALLS = {
    "add": lambda L, out: L.add(L.ones(2, 3), L.arange(3.0), alpha=2, out=out),
    "sub": lambda L, out: L.sub(L.ones(2, 3), 0.5, out=out),
    "mul": lambda L, out: L.mul(L.ones(2, 3), L.ones(2, 3) * 3, out=out),
    "div": lambda L, out: L.div(L.ones(2, 3), 4, out=out),
    "matmul": lambda L, out: L.matmul(L.ones(2, 4), L.ones(4, 3), out=out),
    "mm": lambda L, out: L.mm(L.ones(2, 4), L.ones(4, 3), out=out),
    "exp": lambda L, out: L.exp(L.zeros(2, 3), out=out),
}


@pytest.mark.parametrize("name", sorted(OUT_CALLS))
def test_out_arguments(name):
    results = []
    for L in (course_lib, torch):
        out = L.empty(2, 3)
        returned = OUT_CALLS[name](L, out)
        assert returned is out
        results.append(out)
    assert_same(*results)
    for L in (course_lib, torch):  # a wrong shape is resized, with torch's warning
        out = L.zeros(5)
        with pytest.warns(UserWarning, match="resized"):
            OUT_CALLS[name](L, out)
        assert tuple(out.shape) == (2, 3)


def test_out_for_logical_functions_and_its_errors():
    for name in ("logical_and", "logical_or", "logical_xor"):
        results = []
        for L in (course_lib, torch):
            out = L.empty(3, dtype=L.bool)
            getattr(L, name)(L.tensor([1, 0, 1]), L.tensor([1, 1, 0]), out=out)
            results.append(out)
        assert_same(*results)
    raises_like(lambda: course_lib.add(course_lib.ones(2, requires_grad=True), 1, out=course_lib.empty(2)),
                lambda: torch.add(torch.ones(2, requires_grad=True), 1, out=torch.empty(2)))
    raises_like(lambda: course_lib.add(course_lib.ones(2), 1.5, out=course_lib.empty(2, dtype=course_lib.int64)),
                lambda: torch.add(torch.ones(2), 1.5, out=torch.empty(2, dtype=torch.int64)))
