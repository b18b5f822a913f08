"""Gradients of elementwise operations against torch (float64): broadcasting, numbers on
either side, non-contiguous inputs, ties and boundaries."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib
from helpers.autograd import check_gradients, check_pair, randn
from helpers.tensors import assert_same, broadcastable_pair, layouts

# A representative subset: these tests also run on the python backend (the loops of chapter 01).
pytestmark = pytest.mark.python_backend

FAST = settings(max_examples=25, deadline=None)

BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "pow": lambda L, a, b: a.abs() ** b,
    "add alpha": lambda L, a, b: L.add(a, b, alpha=2.5),
    "sub alpha": lambda L, a, b: L.sub(a, b, alpha=-1.5),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: a.minimum(b),
    "atan2": lambda L, a, b: L.atan2(a, b),
    "where": lambda L, a, b: L.where(a > b, a, b * 2),
}


@FAST
@given(broadcastable_pair(min_size=1), st.sampled_from(sorted(BINARY)), st.integers(0, 1000))
def test_binary_ops_unbroadcast_gradients(pair, op, seed):
    a_shape, b_shape = pair
    a = randn(*a_shape, seed=seed)
    b = randn(*b_shape, seed=seed + 1, positive=op in ("div", "pow"))
    check_gradients(BINARY[op], a, b, seed=seed)


@FAST
@given(broadcastable_pair(min_size=1), st.integers(0, 1000))
def test_one_operand_without_grad(pair, seed):
    a_shape, b_shape = pair
    a, b = randn(*a_shape, seed=seed), randn(*b_shape, seed=seed + 1)
    ours = [course_lib.tensor(a, requires_grad=True), course_lib.tensor(b)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b)]
    check_pair(lambda L, x, y: (x * y + y) / (y * y + 1), ours, theirs, seed)


NUMBER_EXPRESSIONS = {
    "x + 2": lambda L, x: x + 2,
    "2 + x": lambda L, x: 2 + x,
    "x - 2.5": lambda L, x: x - 2.5,
    "2.5 - x": lambda L, x: 2.5 - x,
    "x * 3": lambda L, x: x * 3,
    "3 * x": lambda L, x: 3 * x,
    "x / 4": lambda L, x: x / 4,
    "4 / x": lambda L, x: 4 / x,
    "x ** 2": lambda L, x: x ** 2,
    "x ** 3": lambda L, x: x ** 3,
    "x ** 0": lambda L, x: x ** 0,
    "x ** 1": lambda L, x: x ** 1,
    "x ** -1": lambda L, x: x ** -1,
    "x ** 0.5": lambda L, x: x ** 0.5,
    "x ** -2.5": lambda L, x: x ** -2.5,
    "2 ** x": lambda L, x: 2 ** x,
    "0.5 ** x": lambda L, x: 0.5 ** x,
    "pow(x, 3)": lambda L, x: L.pow(x, 3),
    "x.pow(x)": lambda L, x: x.pow(x),
    "add(x, 1, alpha=2)": lambda L, x: L.add(x, 1, alpha=2),
    "sub(x, 1, alpha=2)": lambda L, x: x.sub(1, alpha=2),
    "x.div(2, rounding_mode=None)": lambda L, x: x.div(2.0, rounding_mode=None),
    "true_divide / multiply": lambda L, x: L.true_divide(L.multiply(x, 3), 2),
}


@pytest.mark.parametrize("name", sorted(NUMBER_EXPRESSIONS))
def test_number_operands_on_either_side(name):
    check_gradients(NUMBER_EXPRESSIONS[name], randn(2, 3, seed=1, positive=True), seed=2)


def test_pow_of_zero_base_with_tensor_exponent():
    """d(a**b)/db is 0 where a == 0 (torch's convention, not nan)."""
    check_gradients(lambda L, a, b: a ** b, np.array([0.0, 0.0, 2.0, 3.0]), np.array([2.0, 0.0, 1.5, -1.0]))
    check_gradients(lambda L, b: 0.0 ** b, np.array([2.0, 1.0, 3.0]))


UNARY = {
    "neg": lambda L, x: -x,
    "exp": lambda L, x: x.exp(),
    "log": lambda L, x: (x.abs() + 0.1).log(),
    "sqrt": lambda L, x: (x.abs() + 0.1).sqrt(),
    "rsqrt": lambda L, x: (x.abs() + 0.1).rsqrt(),
    "sigmoid": lambda L, x: x.sigmoid(),
    "tanh": lambda L, x: L.tanh(x),
    "relu": lambda L, x: L.relu(x),
    "abs": lambda L, x: abs(x),
    "reciprocal": lambda L, x: (x.abs() + 0.1).reciprocal(),
    "sin": lambda L, x: x.sin(),
    "cos": lambda L, x: L.cos(x),
    "tan": lambda L, x: (x * 0.3).tan(),
    "log1p": lambda L, x: x.abs().log1p(),
    "log2": lambda L, x: (x.abs() + 0.1).log2(),
    "log10": lambda L, x: (x.abs() + 0.1).log10(),
    "expm1": lambda L, x: x.expm1(),
    "exp2": lambda L, x: x.exp2(),
    "square": lambda L, x: x.square(),
    "sign * x": lambda L, x: x.sign() * x,
    "floor + ceil + round + trunc": lambda L, x: x.floor() + x.ceil() + (x * 3).round() + x.trunc() + x,
    "clamp(-0.5, 0.5)": lambda L, x: x.clamp(-0.5, 0.5),
    "clamp(min=0)": lambda L, x: x.clamp(min=0.0),
    "clamp_max(0.2)": lambda L, x: x.clamp_max(0.2),
    "clamp_min(-0.2)": lambda L, x: L.clamp_min(x, -0.2),
    "clip": lambda L, x: L.clip(x, max=0.3),
    "masked_fill": lambda L, x: x.masked_fill(x > 0.5, 2.0),
    "where(x > 0, x, 0.0)": lambda L, x: L.where(x > 0, x, 0.0),
    "x.where(x < 0, 1.0)": lambda L, x: x.where(x < 0, 1.0),
}


@FAST
@given(layouts("float64"), st.sampled_from(sorted(UNARY)))
def test_unary_ops_on_strided_inputs(layout, op):
    """Leaves that are permuted, sliced with steps or expanded views (non-contiguous)."""
    theirs, ours, _ = layout
    check_pair(UNARY[op], [ours.requires_grad_()], [theirs.requires_grad_()])


def test_relu_abs_sign_at_zero():
    x = np.array([-1.0, 0.0, 0.0, 2.0])
    check_gradients(lambda L, x: x.relu() + x.abs() + x.sign(), x)


def test_maximum_minimum_ties_split_the_gradient():
    a, b = np.array([1.0, 2.0, 3.0, 3.0]), np.array([1.0, 5.0, 3.0, -1.0])
    check_gradients(lambda L, a, b: L.maximum(a, b) * 2 + L.minimum(a, b), a, b)
    check_gradients(lambda L, a, b: a.max(b) - a.min(b), a, b)  # max/min with a tensor: elementwise


def test_clamp_at_the_bounds():
    """At exactly min or max: torch's convention (2.x: the gradient is 0 there)."""
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    check_gradients(lambda L, x: x.clamp(-1.0, 1.0), x)


def test_clamp_with_tensor_bounds():
    x, low, high = randn(4, 3, seed=3), randn(3, seed=4) - 1, randn(4, 1, seed=5) + 1
    check_gradients(lambda L, x, lo, hi: L.clamp(x, lo, hi), x, low, high)


def test_where_with_broadcast_condition():
    x, y = randn(2, 1, 3, seed=6), randn(4, 1, seed=7)
    check_gradients(lambda L, x, y: L.where(x > y, x, y) * L.where(y < 0, y, 1.0), x, y)


def test_to_dtype_casts_the_gradient_back():
    check_gradients(lambda L, x: x.to(L.float32).exp().to(L.float64) * 2, randn(3, seed=8), atol=1e-6, rtol=1e-6)
    check_gradients(lambda L, x: x.float().double() + x.to(L.float64), randn(2, 2, seed=9), atol=1e-6, rtol=1e-6)


def test_mixed_precision_gradients_keep_each_inputs_dtype():
    for library in (course_lib, torch):
        a = library.ones(3, dtype=library.float32, requires_grad=True)
        b = library.ones(3, dtype=library.float64, requires_grad=True)
        (a * b).sum().backward()
        assert str(a.grad.dtype).endswith("float32") and str(b.grad.dtype).endswith("float64")


def test_clone_and_contiguous():
    check_gradients(lambda L, x: x.clone() * x.t().contiguous().t() + x.contiguous(), randn(3, 4, seed=10))
    x = course_lib.ones(3, requires_grad=True)
    assert x.contiguous() is x  # already contiguous: the tensor itself, as in torch


def test_integer_and_bool_results_have_no_grad_fn():
    for library in (course_lib, torch):
        x = library.tensor([1.0, -2.0, 3.0], requires_grad=True)
        for result in (x > 0, x.argmax(), x == x, x.sort()[1]):
            assert result.grad_fn is None and not result.requires_grad


def test_float32_gradients_are_close_to_torch():
    data = randn(4, 5, seed=11).astype(np.float32)
    ours = [course_lib.tensor(data, requires_grad=True)]
    theirs = [torch.tensor(data, requires_grad=True)]
    check_pair(lambda L, x: (x.sigmoid() * x.tanh() + x.exp() / (1 + x * x)).log_softmax(1), ours, theirs,
               rtol=1e-5, atol=1e-6)


def test_sum_to_shape_against_expand_backward():
    from course_lib.autograd.engine import sum_to_shape

    for big, small in [((2, 3, 4), (3, 1)), ((5, 1, 3), (1,)), ((2, 3), ()), ((4, 3), (4, 3)), ((3, 0, 2), (1, 2))]:
        grad = randn(*big, seed=12)
        x = torch.zeros(small, dtype=torch.float64, requires_grad=True)
        x.expand(big).backward(torch.tensor(grad))
        assert_same(sum_to_shape(course_lib.tensor(grad), small), x.grad)


def test_conversions_under_no_grad_do_not_require_grad():
    for library in (course_lib, torch):
        x = library.ones(2, requires_grad=True)
        with library.no_grad():
            assert not x.double().requires_grad and not x.to(library.float64).requires_grad
        assert not x.long().requires_grad and x.float() is x
        y = x.to(library.float64, copy=True)
        assert y.requires_grad and type(y.grad_fn).__name__ == "ToCopyBackward0"
