"""Elementwise operations: values, broadcasting, dtype promotion and in-place rules against torch."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import course_lib
from helpers.tensors import ALL_DTYPES, assert_same, both, broadcastable_pair, layouts, random_array, same_message

# A representative subset: these tests also run on the python backend (the loops of chapter 01).
pytestmark = pytest.mark.python_backend

FAST = settings(max_examples=40, deadline=None)

BINARY = {
    "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y, "div": lambda x, y: x / y,
    "maximum": lambda x, y: x.maximum(y), "minimum": lambda x, y: x.minimum(y), "eq": lambda x, y: x == y,
    "ne": lambda x, y: x != y, "lt": lambda x, y: x < y, "le": lambda x, y: x <= y, "gt": lambda x, y: x > y,
    "ge": lambda x, y: x >= y,
}


@FAST
@given(broadcastable_pair(), st.sampled_from(sorted(BINARY)), st.sampled_from(ALL_DTYPES),
       st.sampled_from(ALL_DTYPES), st.integers(0, 1000))
def test_binary_ops_broadcast_and_promote_like_torch(pair, op, dtype_a, dtype_b, seed):
    a_shape, b_shape = pair
    assume(not (op == "sub" and "bool" in (dtype_a, dtype_b)))
    ta, a = both(random_array(a_shape, dtype_a, seed))
    tb, b = both(random_array(b_shape, dtype_b, seed + 1))
    if op == "div":  # keep away from 0/0 so both libraries agree on what they print
        tb, b = tb + 0.5 * (tb == 0), b + 0.5 * (b == 0)
    assert_same(BINARY[op](a, b), BINARY[op](ta, tb))


@FAST
@given(layouts(), layouts())
def test_binary_ops_on_strided_inputs(pair_a, pair_b):
    ta, a, _ = pair_a
    tb, b, _ = pair_b
    try:
        expected = ta * tb + ta
    except RuntimeError:
        same_message(lambda: a * b, lambda: ta * tb)
        return
    assert_same(a * b + a, expected)


SCALARS = [2, -3, 2.5, True, 0]


@pytest.mark.parametrize("dtype, scalar", list(itertools.product(ALL_DTYPES, SCALARS)))
def test_scalar_operands_follow_torch_promotion(dtype, scalar):
    ta, a = both(random_array((2, 3), dtype, 7))
    for op in ("add", "mul", "div", "lt", "eq", "maximum" if False else "ge"):
        function = BINARY[op]
        if op == "div" and scalar in (0, False):
            continue
        assert_same(function(a, scalar), function(ta, scalar))
        if op in ("add", "mul"):
            assert_same(function(scalar, a), function(scalar, ta))
    if dtype != "bool" and scalar is not True:
        assert_same(scalar - a, scalar - ta)
    if dtype != "bool" and not (dtype == "int64" and isinstance(scalar, int) and scalar < 0):
        assert_same(a ** scalar if dtype != "int64" or scalar != 0 else a ** 2, ta ** scalar if dtype != "int64"
                    or scalar != 0 else ta ** 2)


@pytest.mark.parametrize("a, b", list(itertools.product(
    ["f32", "f64", "i64", "b", "f32s", "f64s", "i64s", "bs", 2, 2.5, True], repeat=2)))
def test_result_type_table_matches_torch(a, b):
    def make(lib, code):
        if not isinstance(code, str):
            return code
        dtype = {"f32": "float32", "f64": "float64", "i64": "int64", "b": "bool"}[code.rstrip("s")]
        shape = () if code.endswith("s") else (2,)
        return lib.ones(shape, dtype=getattr(lib, dtype))

    if not isinstance(a, str) and not isinstance(b, str):
        return
    expected = torch.result_type(make(torch, a), make(torch, b))
    assert course_lib.result_type(make(course_lib, a), make(course_lib, b)).name == str(expected)[len("torch."):]


UNARY = ["neg", "abs", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "sign", "floor", "ceil", "round", "trunc",
         "sin", "cos", "square", "reciprocal", "log1p", "expm1", "isnan", "isinf", "isfinite", "logical_not", "rsqrt"]


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_unary_functions_match_torch(name, dtype):
    array = random_array((3, 4), dtype, 3)
    if dtype == "int64" and name in ("reciprocal", "rsqrt"):
        array = np.where(array == 0, 1, array)
    if dtype != "int64":
        array = array.copy()
        array.flat[:4] = [0.0, -0.0, np.inf, np.nan]  # edge values
    ta, a = both(array)
    ta, a = ta.t(), a.t()
    assert_same(getattr(course_lib, name)(a) if hasattr(course_lib, name) else getattr(a, name)(),
                getattr(torch, name)(ta), rtol=2e-6 if dtype == "float32" else None,
                atol=1e-6 if dtype == "float32" else None)
    assert_same(getattr(a, name)(), getattr(ta, name)(), rtol=2e-6 if dtype == "float32" else None,
                atol=1e-6 if dtype == "float32" else None)


def test_more_binary_ops():
    ta, a = both(random_array((3, 4), "float32", 1))
    tb, b = both(random_array((4,), "float32", 2))
    ti, i = both(random_array((3, 4), "int64", 3))
    tj, j = both(np.array([2, -3, 5, 7]))
    assert_same(a // b, ta // tb)
    assert_same(a % b, ta % tb)
    assert_same(i // j, ti // tj)
    assert_same(i % j, ti % tj)
    assert_same(-7 // j, -7 // tj)
    assert_same(i.div(j, rounding_mode="trunc"), ti.div(tj, rounding_mode="trunc"))
    assert_same(a.div(b, rounding_mode="floor"), ta.div(tb, rounding_mode="floor"))
    assert_same(a.abs() ** b, ta.abs() ** tb)
    assert_same(2 ** j.abs(), 2 ** tj.abs())
    assert_same(course_lib.tensor([2, 1, -1, -1, 0]) ** course_lib.tensor([-1, -2, -3, -2, 2]),
                torch.tensor([2, 1, -1, -1, 0]) ** torch.tensor([-1, -2, -3, -2, 2]))
    assert_same(2.5 ** i, 2.5 ** ti)
    assert_same(course_lib.add(a, b, alpha=2), torch.add(ta, tb, alpha=2))
    assert_same(course_lib.sub(i, j, alpha=3), torch.sub(ti, tj, alpha=3))
    assert_same(-a, -ta)
    assert_same(abs(a), abs(ta))
    assert_same((a > 0) & (b > 0), (ta > 0) & (tb > 0))
    assert_same((a > 0) | (b > 0), (ta > 0) | (tb > 0))
    assert_same((a > 0) ^ True, (ta > 0) ^ True)
    assert_same(~(a > 0), ~(ta > 0))
    assert_same(i & 6, ti & 6)
    assert_same(~i, ~ti)
    assert_same(course_lib.atan2(a, b), torch.atan2(ta, tb))
    assert_same(course_lib.logical_and(a, i), torch.logical_and(ta, ti))
    assert_same(a + np.float32(2), ta + np.float32(2))
    assert course_lib.equal(a, a.clone()) and not course_lib.equal(a, a + 1)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(3, dtype=lib.bool) - lib.ones(3, dtype=lib.bool),
    lambda lib: -lib.ones(3, dtype=lib.bool),
    lambda lib: lib.tensor(2) ** -1,
    lambda lib: lib.ones(2, 3) + lib.ones(2, 4),
    lambda lib: lib.ones(3) * lib.ones(2, 4),
    lambda lib: lib.tensor([1, 2]) // 0,
    lambda lib: lib.tensor([1, 2]) % lib.tensor([1, 0]),
    lambda lib: lib.ones(2) & lib.ones(2),
    lambda lib: lib.clamp(lib.ones(3)),
    lambda lib: lib.where(lib.ones(3), lib.ones(3), lib.zeros(3)),
    lambda lib: lib.where(lib.ones(3) > 0, lib.ones(3), lib.ones(2, 4)),
])
def test_elementwise_errors_match_torch(make):
    same_message(lambda: make(course_lib), lambda: make(torch))


@FAST
@given(broadcastable_pair(), st.sampled_from(ALL_DTYPES), st.sampled_from(ALL_DTYPES), st.integers(0, 100))
def test_where_matches_torch(pair, dtype_a, dtype_b, seed):
    a_shape, b_shape = pair
    tc, c = both(random_array(a_shape, "bool", seed))
    ta, a = both(random_array(b_shape, dtype_a, seed + 1))
    tb, b = both(random_array(a_shape[::-1][:1], dtype_b, seed + 2))
    try:
        expected = torch.where(tc, ta, tb)
    except RuntimeError:
        return
    assert_same(course_lib.where(c, a, b), expected)
    assert_same(course_lib.where(c, a, 0.5), torch.where(tc, ta, 0.5))
    assert_same(course_lib.where(c, 1.0, 0), torch.where(tc, 1.0, 0))
    assert_same(a.where(c, 2), ta.where(tc, 2))


def test_where_with_one_argument_and_nonzero():
    tc, c = both(random_array((3, 4), "bool", 0))
    assert_same(course_lib.where(c), torch.where(tc))
    assert_same(course_lib.nonzero(c), torch.nonzero(tc))


@pytest.mark.parametrize("low, high", [(-0.5, 0.5), (None, 0.0), (0.0, None), (1.0, -1.0)])
def test_clamp_matches_torch(low, high):
    ta, a = both(random_array((4, 5), "float32", 0))
    ta[0, 0], a[0, 0] = math.nan, math.nan
    assert_same(a.clamp(low, high), ta.clamp(low, high))
    assert_same(course_lib.clamp(a, min=low, max=high), torch.clamp(ta, min=low, max=high))
    ti, i = both(random_array((4, 5), "int64", 0))
    assert_same(i.clamp(0.5 if low is not None else None, high), ti.clamp(0.5 if low is not None else None, high))
    tensor_low = torch.zeros(5) - 0.2
    assert_same(a.clamp(min=course_lib.zeros(5) - 0.2), ta.clamp(min=tensor_low))
    b, tb = a.clone(), ta.clone()
    b.clamp_(low, high) if low is not None or high is not None else None
    tb.clamp_(low, high) if low is not None or high is not None else None
    assert_same(b, tb)


INPLACE = {"add_": lambda x, y: x.add_(y), "sub_": lambda x, y: x.sub_(y), "mul_": lambda x, y: x.mul_(y),
           "div_": lambda x, y: x.div_(y), "iadd": lambda x, y: x.__iadd__(y), "isub": lambda x, y: x.__isub__(y),
           "imul": lambda x, y: x.__imul__(y), "itruediv": lambda x, y: x.__itruediv__(y)}


@pytest.mark.parametrize("op", sorted(INPLACE))
@pytest.mark.parametrize("left, right", list(itertools.product(ALL_DTYPES, ALL_DTYPES + ["int", "float"])))
def test_inplace_ops_follow_torch_casting_rules(op, left, right):
    ta, a = both(random_array((2, 3), left, 5))
    if right in ("int", "float"):
        tb = b = 3 if right == "int" else 1.5
    else:
        tb, b = both(random_array((3,), right, 6) if right != "bool" else np.array([True, True, True]))
        if right in ("int64", "float32", "float64"):
            tb, b = tb + (tb == 0), b + (b == 0)
    try:
        expected = INPLACE[op](ta, tb)
    except RuntimeError as error:
        same_message(lambda: INPLACE[op](a, b), lambda: (_ for _ in ()).throw(error))
        return
    except NotImplementedError:
        return
    before = a.untyped_storage().data_ptr()
    result = INPLACE[op](a, b)
    assert result is a and a.untyped_storage().data_ptr() == before
    assert_same(a, expected)


def test_inplace_shape_rules_and_views():
    same_message(lambda: course_lib.ones(3).add_(course_lib.ones(2, 3)), lambda: torch.ones(3).add_(torch.ones(2, 3)))
    x = course_lib.zeros(3, 4)
    column = x[:, 1]
    column += course_lib.tensor([1.0, 2.0, 3.0])
    x.t()[2] *= 0
    x[1:] -= 1
    expected = torch.zeros(3, 4)
    expected[:, 1] += torch.tensor([1.0, 2.0, 3.0])
    expected[1:] -= 1
    assert_same(x, expected)
    z = course_lib.zeros_like(x)
    z[:] = x + 1
    assert_same(z, expected + 1)
    y = course_lib.ones(2, 3)
    y.copy_(course_lib.tensor([1, 2, 3]))
    assert_same(y, torch.tensor([[1.0, 2.0, 3.0]] * 2))
    assert_same(course_lib.ones(2, dtype=course_lib.long).fill_(2.7), torch.ones(2, dtype=torch.long).fill_(2.7))
    assert_same(course_lib.ones(2).zero_(), torch.zeros(2))
    same_message(lambda: course_lib.ones(3).expand(2, 3).mul_(2), lambda: torch.ones(3).expand(2, 3).mul_(2))
    for name in ("neg_", "abs_", "exp_", "sqrt_", "relu_", "sigmoid_", "tanh_"):
        theirs, ours = both(random_array((2, 3), "float32", 9))
        getattr(ours, name)()
        getattr(theirs, name)()
        assert_same(ours, theirs)


WRAPPING = {
    "int8 + 300": lambda L: L.ones(2, dtype=L.int8) + 300,
    "300 - int8": lambda L: 300 - L.ones(2, dtype=L.int8),
    "int64 * 2**63": lambda L: L.ones(2, dtype=L.int64) * 2**63,
    "uint8 * -1": lambda L: L.ones(2, dtype=L.uint8) * -1,
    "int8 add_ 300": lambda L: L.ones(2, dtype=L.int8).add_(300),
}


@pytest.mark.parametrize("name", sorted(WRAPPING))
def test_arithmetic_with_a_number_beyond_the_dtype_wraps_like_torch(name):
    """torch wraps the number into the tensor's dtype (only writing a number, ``full``/``fill_``, refuses it)."""
    assert_same(WRAPPING[name](course_lib), WRAPPING[name](torch))


def test_fill_of_an_expanded_view_like_torch():
    """torch refuses in-place arithmetic on overlapping memory, but fill_ (one value for all) is accepted."""
    ours, theirs = course_lib.zeros(3), torch.zeros(3)
    ours[:1].expand(3).fill_(7.0)
    theirs[:1].expand(3).fill_(7.0)
    assert_same(ours, theirs)


def test_mixed_devices_are_refused_like_torch():
    from course_lib._tensor import check_same_device

    a = course_lib.ones(2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        fake = course_lib.ones(2)
        other = course_lib.device("cuda", 0) if a.device.type == "cpu" else course_lib.device("cpu")
        object.__setattr__(fake, "device", other)
        check_same_device(a, fake)
