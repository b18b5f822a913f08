"""Gradients of reductions, scans and softmax against torch (float64): every dim and
keepdim, zeros in products, ties in max/min, large inputs in softmax."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.autograd import check_gradients, check_pair, randn
from helpers.tensors import layouts

FAST = settings(max_examples=25, deadline=None)


@st.composite
def shape_and_dims(draw, max_dims: int = 4):
    """A non-empty shape and a dim argument for it: None, an int (maybe negative) or a tuple."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=max_dims)))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-len(shape), len(shape) - 1))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    return shape, tuple(dims)


REDUCTIONS = {
    "sum": lambda L, x, dim, keep: x.sum() if dim is None else x.sum(dim, keepdim=keep),
    "mean": lambda L, x, dim, keep: x.mean() if dim is None else x.mean(dim=dim, keepdim=keep),
    "amax": lambda L, x, dim, keep: x.amax() if dim is None else x.amax(dim, keep),
    "amin": lambda L, x, dim, keep: L.amin(x) if dim is None else L.amin(x, dim, keepdim=keep),
    "var": lambda L, x, dim, keep: x.var(dim, keepdim=keep),
    "var unbiased=False": lambda L, x, dim, keep: x.var(dim, unbiased=False, keepdim=keep),
    "std": lambda L, x, dim, keep: x.std(dim, keepdim=keep) if x.numel() > 1 else x.std(dim, correction=0),
    "std correction=0": lambda L, x, dim, keep: x.std(dim, keepdim=keep, correction=0),
    "norm": lambda L, x, dim, keep: x.norm(2, dim=dim, keepdim=keep),
    "norm fro": lambda L, x, dim, keep: x.norm(dim=dim if not isinstance(dim, tuple) else dim[:2], keepdim=keep),
    "norm p=1": lambda L, x, dim, keep: x.norm(p=1, dim=dim, keepdim=keep),
    "norm p=3": lambda L, x, dim, keep: x.norm(p=3, dim=dim, keepdim=keep),
    "norm p=inf": lambda L, x, dim, keep: x.norm(p=math.inf, dim=dim, keepdim=keep),
    "logsumexp": lambda L, x, dim, keep: x.logsumexp(dim if dim is not None else tuple(range(x.dim())), keep),
}


@FAST
@given(shape_and_dims(), st.booleans(), st.sampled_from(sorted(REDUCTIONS)), st.integers(0, 1000))
def test_reductions_over_any_dims(shape_dims, keepdim, op, seed):
    shape, dim = shape_dims
    if op.startswith("var") or op == "std":  # fewer elements than the correction: inf/nan in both
        count = math.prod(shape) if dim is None else math.prod(shape[d] for d in np.atleast_1d(dim))
        assume(count >= 2)
    check_gradients(lambda L, x: REDUCTIONS[op](L, x, dim, keepdim), randn(*shape, seed=seed), seed=seed)


@FAST
@given(layouts("float64"), st.integers(0, 3))
def test_reductions_of_strided_inputs(layout, dim):
    theirs, ours, _ = layout
    if theirs.dim() == 0:
        expression = lambda L, x: x.sum() * x.mean() + x.prod()  # noqa: E731
    else:
        d = dim % theirs.dim()
        expression = lambda L, x: (x.sum(d) + x.mean(d, keepdim=True).sum(d) + x.amax(d) + x.logsumexp(d)  # noqa: E731
                                   + x.cumsum(d).sum(d) + x.softmax(d).sum(d) * x.norm(dim=d))
    check_pair(expression, [ours.requires_grad_()], [theirs.requires_grad_()])


@pytest.mark.parametrize("data", [
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
    [[1.0, 0.0, 3.0], [4.0, 5.0, 6.0]],  # one zero
    [[0.0, 0.0, 3.0], [4.0, 5.0, 0.0]],  # two zeros in a row, one in another
    [[0.0, 2.0, 0.0], [0.0, 0.0, 0.0]],
], ids=["no zeros", "one zero", "zeros in several rows", "mostly zeros"])
def test_prod_with_zeros(data):
    x = np.array(data)
    check_gradients(lambda L, x: x.prod(), x)
    check_gradients(lambda L, x: x.prod(1), x)
    check_gradients(lambda L, x: x.prod(0, keepdim=True), x)
    check_gradients(lambda L, x: L.prod(x, dim=-1), x)


def test_prod_of_0d_and_single_element():
    check_gradients(lambda L, x: x.prod(), np.array(3.0))
    check_gradients(lambda L, x: x.prod(0), np.array([[2.0, 0.0, 3.0]]))


@pytest.mark.parametrize("op", ["max", "min"])
def test_full_max_min_ties_share_the_gradient(op):
    """max()/amax() of all elements: tied extremes share the gradient evenly (as torch)."""
    x = np.array([[3.0, 1.0, 3.0], [-3.0, 3.0, -3.0]])
    check_gradients(lambda L, x: getattr(x, op)(), x)
    check_gradients(lambda L, x: getattr(L, "a" + op)(x), x)
    check_gradients(lambda L, x: getattr(x, "a" + op)(dim=1), x)
    check_gradients(lambda L, x: getattr(x, "a" + op)(dim=(0, 1), keepdim=True), x)


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_along_dim_send_the_gradient_to_the_index(op, keepdim):
    x = np.array([[3.0, 1.0, 3.0], [-3.0, 3.0, -3.0], [0.0, 0.0, 0.0]])
    for dim in (0, 1, -1):
        check_gradients(lambda L, x: getattr(x, op)(dim, keepdim=keepdim).values, x)
        check_gradients(lambda L, x: getattr(L, op)(x, dim=dim, keepdim=keepdim)[0] * 2, x)


def test_max_along_dim_returns_the_indices_too():
    import course_lib

    x = course_lib.tensor([[1.0, 5.0], [7.0, 2.0]], requires_grad=True)
    values, indices = x.max(1)
    assert indices.tolist() == [1, 0] and indices.grad_fn is None
    assert values.grad_fn.name() == "MaxBackward0"


def test_max_of_0d_along_dim():
    check_gradients(lambda L, x: x.max(0).values + x.min(dim=0, keepdim=True)[0], np.array(2.0))


def test_cumsum_and_cumprod():
    x = randn(3, 4, seed=1)
    for dim in (0, 1, -1):
        check_gradients(lambda L, x: x.cumsum(dim), x)
        check_gradients(lambda L, x: x.cumprod(dim), x)
        check_gradients(lambda L, x: L.cumsum(x, dim=dim) * L.cumprod(x, dim), x)
    check_gradients(lambda L, x: x.cumprod(1), np.array([[1.0, 0.0, 3.0, 0.0], [2.0, 2.0, 0.0, 4.0]]))
    check_gradients(lambda L, x: x.cumsum(0) * x.cumprod(0), np.array(2.5))


def test_sort_and_topk_values():
    x = np.array([[3.0, 1.0, 2.0, 5.0], [0.5, -1.0, 4.0, 2.0]])
    check_gradients(lambda L, x: x.sort().values, x)
    check_gradients(lambda L, x: x.sort(0, descending=True)[0], x)
    check_gradients(lambda L, x: L.sort(x, dim=1).values * 2, x)
    check_gradients(lambda L, x: x.topk(2).values, x)
    check_gradients(lambda L, x: L.topk(x, 1, dim=0, largest=False)[0], x)


def test_var_std_mean_statistics():
    x = randn(3, 4, seed=2)
    check_gradients(lambda L, x: L.var_mean(x, 1), x)
    check_gradients(lambda L, x: L.std_mean(x, dim=0, keepdim=True), x)


def test_norm_special_cases():
    x = np.array([[3.0, -4.0, 0.0], [0.0, 0.0, 0.0]])  # a zero row: torch's subgradient 0
    check_gradients(lambda L, x: x.norm(dim=1), x)
    check_gradients(lambda L, x: x.norm(p="fro"), x)
    check_gradients(lambda L, x: L.norm(x, 2), x)
    check_gradients(lambda L, x: x.norm(p=math.inf, dim=1), np.array([[3.0, -3.0, 1.0], [2.0, 0.5, -1.0]]))
    check_gradients(lambda L, x: x.norm(p=1), np.array([[3.0, -4.0, 1.0]]))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_gradients_stay_finite_for_large_inputs(op):
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])
    check_gradients(lambda L, x: getattr(x, op)(1), x)
    check_gradients(lambda L, x: getattr(L, op)(x, dim=0), x)
    check_gradients(lambda L, x: getattr(x, op)(dim=-1), randn(2, 3, 4, seed=3))


def test_logsumexp_large_inputs():
    check_gradients(lambda L, x: x.logsumexp(1), np.array([[1000.0, 1000.0], [-1000.0, 5.0]]))


def test_mean_and_sum_with_dtype():
    x = randn(2, 3, seed=4)
    check_gradients(lambda L, x: x.sum(dtype=L.float64) + x.mean(1, dtype=L.float64).sum(), x)


def test_reductions_with_empty_dims():
    check_gradients(lambda L, x: x.sum(1) + x.mean(1, keepdim=True).sum(1), randn(3, 0, seed=5))
    check_gradients(lambda L, x: x.sum(), randn(0, 2, seed=6))
    check_gradients(lambda L, x: x.softmax(0) + x.log_softmax(1) + x.cumsum(0).cumprod(1), randn(0, 3, seed=7))
    check_gradients(lambda L, x: x.amax(1), randn(0, 3, seed=8))
