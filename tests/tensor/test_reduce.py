"""Reductions, sorting and matrix products against torch (values, dtypes, shapes, errors)."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib
from helpers.tensors import assert_same, both, layouts, random_array, same_message

# A representative subset: these tests also run on the python backend (the loops of chapter 01).
pytestmark = pytest.mark.python_backend

FAST = settings(max_examples=40, deadline=None)


@FAST
@given(layouts(min_size=0), st.data(), st.sampled_from(["float32", "float64"]))
def test_sum_mean_over_dims_match_torch(pair, data, dtype):
    theirs, ours, _ = pair
    theirs, ours = theirs.to(getattr(torch, dtype)), ours.to(getattr(course_lib, dtype))
    ndim = theirs.dim()
    dims = None
    if ndim and data.draw(st.booleans()):
        dims = tuple(data.draw(st.sets(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim)))
        if len({d % ndim for d in dims}) != len(dims):
            return
    keepdim = data.draw(st.booleans())
    if dims is None:
        assert_same(ours.sum(), theirs.sum())
        assert_same(ours.mean(), theirs.mean())
    else:
        assert_same(ours.sum(dims, keepdim), theirs.sum(dims, keepdim))
        assert_same(ours.mean(dims, keepdim=keepdim), theirs.mean(dims, keepdim=keepdim))
        assert_same(course_lib.amax(ours, dims, keepdim), torch.amax(theirs, dims, keepdim)) if theirs.numel() else None


@FAST
@given(layouts(dtype="int64"), st.data())
def test_integer_and_bool_reductions(pair, data):
    theirs, ours, _ = pair
    dim = data.draw(st.integers(-theirs.dim(), theirs.dim() - 1)) if theirs.dim() else None
    assert_same(ours.sum(dim), theirs.sum(dim))
    assert_same((ours > 0).sum(dim), (theirs > 0).sum(dim))
    assert_same((ours > 0).any(dim) if dim is not None else (ours > 0).any(),
                (theirs > 0).any(dim) if dim is not None else (theirs > 0).any())
    assert_same((ours > -5).all(dim) if dim is not None else (ours > -5).all(),
                (theirs > -5).all(dim) if dim is not None else (theirs > -5).all())
    if dim is not None:
        assert_same(ours.cumsum(dim), theirs.cumsum(dim))
        assert_same(ours.prod(dim), theirs.prod(dim))
        assert_same(ours.max(dim), theirs.max(dim))
        assert_same(ours.argmin(dim, keepdim=True), theirs.argmin(dim, keepdim=True))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(dim, keepdim):
    theirs, ours = both(random_array((4, 5), "float32", 2))
    theirs[1, 2], ours[1, 2] = math.nan, math.nan
    for name in ("max", "min"):
        result, expected = getattr(ours, name)(dim, keepdim), getattr(theirs, name)(dim, keepdim)
        assert_same(tuple(result), tuple(expected))
        assert_same(result.values, expected.values) and assert_same(result.indices, expected.indices)
    assert_same(ours.argmax(dim, keepdim), theirs.argmax(dim, keepdim))
    assert_same(ours.max(), theirs.max())
    assert_same(ours.argmax(), theirs.argmax())
    assert "values=" in repr(ours.max(dim)) and "indices=" in repr(ours.max(dim))


def test_max_of_two_tensors_is_elementwise():
    (ta, a), (tb, b) = both(random_array((3,), "float32", 0)), both(random_array((2, 1), "float32", 1))
    assert_same(course_lib.max(a, b), torch.max(ta, tb))
    assert_same(course_lib.min(a, b), torch.min(ta, tb))


@pytest.mark.parametrize("kwargs", [{}, {"dim": 1}, {"dim": (0, 1)}, {"unbiased": False}, {"dim": 0, "correction": 0},
                                    {"dim": 1, "keepdim": True}, {"correction": 2}])
def test_var_and_std(kwargs):
    theirs, ours = both(random_array((3, 4), "float64", 3))
    assert_same(ours.var(**kwargs), theirs.var(**kwargs))
    assert_same(ours.std(**kwargs), theirs.std(**kwargs))
    assert_same(course_lib.var_mean(ours, **kwargs), torch.var_mean(theirs, **kwargs))


def test_var_positional_unbiased_and_single_element():
    theirs, ours = both(random_array((3, 4), "float32", 4))
    assert_same(ours.var(1, False), theirs.var(1, False))
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ours_single = course_lib.tensor([2.0]).var()
    with pytest.warns(UserWarning, match="degrees of freedom"):
        theirs_single = torch.tensor([2.0]).var()
    assert_same(ours_single, theirs_single)


@pytest.mark.parametrize("p, dim", [("fro", None), (2, None), (1, None), (2, 1), (1, 0), (math.inf, 1), (-math.inf, None),
                                    (0, None), (3, 1), (0.5, None)])
def test_norm_matches_torch(p, dim):
    theirs, ours = both(random_array((3, 4), "float32", 5))
    assert_same(ours.norm(p=p, dim=dim), theirs.norm(p=p, dim=dim))
    assert_same(ours.norm(p, dim, keepdim=True), theirs.norm(p, dim, keepdim=True))


def test_norm_examples():
    assert course_lib.norm(course_lib.tensor([3.0, -4.0])).item() == 5.0
    assert course_lib.norm(course_lib.ones((4, 9))).item() == 6.0


def test_cumulative_and_logsumexp():
    theirs, ours = both(random_array((3, 4), "float32", 6))
    for dim in (0, 1, -1):
        assert_same(ours.cumsum(dim), theirs.cumsum(dim))
        assert_same(ours.cumprod(dim), theirs.cumprod(dim))
        assert_same(ours.logsumexp(dim), theirs.logsumexp(dim))
    assert_same(course_lib.tensor([True, False, True]).cumsum(0), torch.tensor([True, False, True]).cumsum(0))
    minus_inf = [[-math.inf, -math.inf], [0.0, 1.0]]
    assert_same(course_lib.tensor(minus_inf).logsumexp(1), torch.tensor(minus_inf).logsumexp(1))


@pytest.mark.parametrize("descending", [False, True])
def test_sort_topk_argsort(descending):
    theirs, ours = both(random_array((4, 6), "float32", 7))
    for dim in (0, 1):
        assert_same(tuple(ours.sort(dim, descending)), tuple(theirs.sort(dim, descending)))
        assert_same(ours.argsort(dim, descending), theirs.argsort(dim, descending))
    assert_same(tuple(ours.topk(3)), tuple(theirs.topk(3)))
    assert_same(tuple(ours.topk(2, dim=0, largest=False)), tuple(theirs.topk(2, dim=0, largest=False)))
    ties_theirs, ties_ours = both(random_array((20,), "int64", 8))
    assert_same(tuple(ties_ours.sort(stable=True)), tuple(ties_theirs.sort(stable=True)))


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(3, dtype=lib.long).mean(),
    lambda lib: lib.ones(0).max(),
    lambda lib: lib.ones(2, 0).max(1),
    lambda lib: lib.ones(2, 0).argmax(),
    lambda lib: lib.ones(2, 3).sum(2),
    lambda lib: lib.ones(2, 3).sum((0, 0)),
    lambda lib: lib.ones(3, dtype=lib.long).var(),
    lambda lib: lib.ones(3).topk(4),
])
def test_reduction_errors_match_torch(make):
    same_message(lambda: make(course_lib), lambda: make(torch))


def test_reductions_of_empty_and_scalar_tensors():
    theirs, ours = both(random_array((0, 3), "float32", 0))
    assert_same(ours.sum(), theirs.sum())
    assert_same(ours.sum(0), theirs.sum(0))
    assert_same(ours.prod(0), theirs.prod(0))
    assert_same(ours.mean(0), theirs.mean(0))
    assert_same(ours.max(1), theirs.max(1))
    scalar_theirs, scalar_ours = torch.tensor(2.5), course_lib.tensor(2.5)
    for name in ("sum", "mean", "max", "min", "prod", "argmax", "all", "any"):
        assert_same(getattr(scalar_ours, name)(), getattr(scalar_theirs, name)())
    assert_same(scalar_ours.sum(0), scalar_theirs.sum(0))
    assert_same(tuple(scalar_ours.max(0)), tuple(scalar_theirs.max(0)))
    assert_same(scalar_ours.sum(dim=[]), scalar_theirs.sum(dim=[]))


def test_numpy_style_argument_names():
    theirs, ours = both(random_array((2, 3), "float32", 9))
    assert_same(ours.sum(axis=1, keepdims=True), theirs.sum(axis=1, keepdims=True))
    assert_same(ours.cumsum(axis=0), theirs.cumsum(axis=0))
    assert_same(course_lib.cat([ours, ours], axis=1), torch.cat([theirs, theirs], axis=1))


# --------------------------------------------------------------------------- matrix products

MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 2)), ((5, 2, 3), (3,)), ((0, 3), (3, 2)),
                 ((2, 0), (0, 3))]


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_matmul_matches_torch(a_shape, b_shape, dtype):
    (ta, a), (tb, b) = both(random_array(a_shape, dtype, 1)), both(random_array(b_shape, dtype, 2))
    assert_same(a @ b, ta @ tb)
    assert_same(course_lib.matmul(a, b), torch.matmul(ta, tb))


def test_matmul_on_transposed_inputs_and_named_products():
    (ta, a), (tb, b) = both(random_array((4, 3), "float32", 3)), both(random_array((4, 5), "float32", 4))
    assert_same(a.t() @ b, ta.t() @ tb)
    assert_same(course_lib.mm(a.t(), b), torch.mm(ta.t(), tb))
    assert_same(course_lib.mv(a.t(), b[:, 0]), torch.mv(ta.t(), tb[:, 0]))
    assert_same(course_lib.dot(a[:, 0], b[:, 1]), torch.dot(ta[:, 0], tb[:, 1]))
    assert_same(course_lib.outer(a[:, 0], b[0]), torch.outer(ta[:, 0], tb[0]))
    (tc, c), (td, d) = both(random_array((2, 3, 4), "float32", 5)), both(random_array((2, 4, 5), "float32", 6))
    assert_same(course_lib.bmm(c, d), torch.bmm(tc, td))
    assert_same(a.T @ b, ta.T @ tb)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2, 3) @ lib.ones(4, 5),
    lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 5)),
    lambda lib: lib.ones(3) @ lib.ones(4),
    lambda lib: lib.dot(lib.ones(3, 1), lib.ones(3, 1)),
    lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)),
    lambda lib: lib.ones(2, 3) @ lib.ones(4),
    lambda lib: lib.ones(4) @ lib.ones(2, 3),
    lambda lib: lib.ones(2, 2, 3) @ lib.ones(2, 4, 5),
    lambda lib: lib.ones(2, 2, 3) @ lib.ones(3, 3, 5),
    lambda lib: lib.ones(2, 2, 3) @ lib.ones(4, 5),
    lambda lib: lib.ones(()) @ lib.ones(3),
    lambda lib: lib.ones(2, 3) @ lib.ones(3, 4, dtype=lib.float64),
    lambda lib: lib.ones(2, 3, dtype=lib.long) @ lib.ones(3, 4),
    lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3)),
])
def test_matmul_errors_match_torch(make):
    same_message(lambda: make(course_lib), lambda: make(torch))
