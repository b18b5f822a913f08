"""The Triton backend's kernels against torch, primitive by primitive: every function of the operation
vocabulary on ordinary and special values (NaN, infinities, signed zeros), reductions and scans longer than
one block, matrix products of awkward sizes, scatter-adds with repeated positions.

On a GPU torch computes on the GPU; simulated, on the CPU (``helpers.devices.torch_device``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import course_lib
from course_lib.backends import get_backend
from course_lib.backends.base import BINARY_FUNCTIONS, UNARY_FUNCTIONS
from helpers.devices import torch_device
from helpers.tensors import assert_same

pytestmark = pytest.mark.triton

TORCH_DEVICE = torch_device("cuda")
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 2.5, 3.7, -3.7, 1e-6, -1e-6, 1e-30, 88.0, -88.0, 1e30, math.inf,
           -math.inf, math.nan, 0.49999997, 8388609.0, 12.5, -0.75]
INTEGERS = [0, 1, -1, 2, -2, 7, -7, 13, -100, 127, 2**40, -(2**40)]
TORCH_NAMES = {"identity": "clone"}


def pair(values, dtype):
    """The same values as a cuda course_lib tensor and a torch tensor on the device torch compares on."""
    return course_lib.tensor(values, dtype=getattr(course_lib, dtype), device="cuda"), \
        torch.tensor(values, dtype=getattr(torch, dtype), device=TORCH_DEVICE)


def applicable(name, dtype):
    """Whether torch computes ``name`` on ``dtype`` itself (the tensor layer, as torch, promotes integers to
    float before exp or division, and refuses bitwise functions of floats)."""
    floating_only = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "reciprocal", "sin", "cos",
                     "tan", "tanh", "sigmoid", "div", "atan2", "pow_float"}
    if dtype.startswith("float"):
        return not name.startswith("bitwise")
    return name not in floating_only


@pytest.mark.parametrize("name, dtype", [(name, dtype) for name in sorted(UNARY_FUNCTIONS)
                                         for dtype in ("float32", "float64", "int64", "int32", "uint8")
                                         if applicable(name, dtype)
                                         and not (dtype == "uint8" and name in ("neg", "sign", "abs"))])
def test_unary_functions_equal_torchs(name, dtype):
    values = SPECIAL if dtype.startswith("float") else [v % 256 if dtype == "uint8" else v % 2**31 - 2**30
                                                        for v in INTEGERS]
    ours, theirs = pair(values, dtype)
    expected = getattr(torch, TORCH_NAMES.get(name, name))(theirs)
    assert_same(get_backend("cuda").map(name, ours), expected)


def binary_values(name, dtype):
    rng = np.random.default_rng(0)
    if dtype.startswith("float"):
        a = [*SPECIAL, *rng.standard_normal(20).tolist()]
        b = [*reversed(SPECIAL), *(rng.standard_normal(20) * 3).tolist()]
        if name == "pow":
            b = [*[2.0, 3.0, -1.0, 0.5, 0.0, -2.0] * 3, 1.0, 2.0, 7.0, -3.0, *rng.standard_normal(20).tolist()]
        return a, b
    a = [int(v) for v in rng.integers(-50, 50, 30)]
    b = [int(v) for v in rng.integers(-9, 9, 30)]
    if name in ("div", "floor_divide", "remainder", "fmod"):
        b = [v if v != 0 else 3 for v in b]
    if name == "pow":
        a, b = [v % 7 - 3 for v in a], [abs(v) % 12 for v in b]
    return a, b


@pytest.mark.parametrize("name, dtype", [(name, dtype) for name in sorted(BINARY_FUNCTIONS)
                                         for dtype in ("float32", "float64", "int64", "int16")
                                         if applicable(name, dtype)])
def test_binary_functions_equal_torchs(name, dtype):
    a_values, b_values = binary_values(name, dtype)
    (a, ta), (b, tb) = pair(a_values, dtype), pair(b_values, dtype)
    expected = getattr(torch, name)(ta, tb)
    # float32's pow and atan2 go through float64 or a series: a few units in the last place
    tolerance = {"rtol": 4e-6, "atol": 1e-5} if name in ("pow", "atan2") and dtype == "float32" else {}
    assert_same(get_backend("cuda").zip(name, a, b), expected, **tolerance)


def test_bool_arithmetic_is_logical():
    (a, ta), (b, tb) = pair([True, True, False, False], "bool"), pair([True, False, True, False], "bool")
    backend = get_backend("cuda")
    for name in ("add", "mul", "maximum", "minimum", "logical_xor", "bitwise_and", "eq"):
        assert_same(backend.zip(name, a, b), getattr(torch, name)(ta, tb))


@pytest.mark.parametrize("shape, dims", [((3000,), (0,)), ((5, 7000), (1,)), ((7000, 5), (0,)),
                                         ((4, 6, 5), (0, 2)), ((3, 1, 4), (1,)), ((2, 3), (0, 1))])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "all", "any"])
def test_reductions_over_more_than_one_block_equal_torchs(name, shape, dims):
    values = np.random.default_rng(1).standard_normal(shape) * (0.999 if name == "prod" else 1)
    values[(0,) * len(shape)] = np.nan if name in ("max", "min") else values[(0,) * len(shape)]
    ours, theirs = pair(values, "float32")
    ours, theirs = ours.transpose(0, -1), theirs.transpose(0, -1)  # strided input
    dims = tuple(len(shape) - 1 - d if d in (0, len(shape) - 1) else d for d in dims)
    torch_function = {"max": torch.amax, "min": torch.amin}.get(name, getattr(torch, name))
    if name in ("all", "any"):
        ours, theirs = ours > 0, theirs > 0
    expected = torch_function(theirs, dims) if name in ("sum", "max", "min") else theirs
    if name not in ("sum", "max", "min"):
        for dim in sorted(dims, reverse=True):
            expected = torch_function(expected, dim)
    assert_same(get_backend("cuda").reduce(name, ours, dims, False), expected, rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_argmax_argmin_pick_the_first_extreme_and_nan_wins(dtype):
    values = np.array([[3, 1, 3, -2, 1] * 600, [0, 0, -5, 7, 7] * 600], dtype=np.float64)
    if dtype == "float32":
        values[1, 1500] = np.nan
        values[1, 2000] = np.nan
    ours, theirs = pair(values.tolist(), dtype)
    backend = get_backend("cuda")
    for name, function in (("max", torch.argmax), ("min", torch.argmin)):
        assert_same(backend.arg_reduce(name, ours, 1, False), function(theirs, 1))
        assert_same(backend.arg_reduce(name, ours, None, False), function(theirs))
        assert_same(backend.arg_reduce(name, ours.t(), 0, True), function(theirs.t(), 0, keepdim=True))


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_scans_carry_from_block_to_block(dtype):
    values = np.random.default_rng(2).integers(-3, 4, (3, 9000))
    ours, theirs = pair(values.tolist(), dtype)
    backend = get_backend("cuda")
    assert_same(backend.scan("sum", ours, 1), torch.cumsum(theirs, 1))
    assert_same(backend.scan("sum", ours.t(), 0), torch.cumsum(theirs.t(), 0))
    small = np.random.default_rng(3).uniform(0.9, 1.1, (2, 3000))
    ours, theirs = pair(small.tolist(), "float64")
    assert_same(backend.scan("prod", ours, 1), torch.cumprod(theirs, 1))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("a_shape, b_shape", [((1, 1), (1, 1)), ((37, 70), (70, 3)), ((2, 1, 5, 33), (3, 33, 17)),
                                              ((65, 130), (130, 129))])
def test_matmul_of_awkward_sizes_and_broadcast_batches_equals_torchs(a_shape, b_shape, dtype):
    rng = np.random.default_rng(4)
    a_values, b_values = rng.integers(-4, 5, a_shape), rng.integers(-4, 5, b_shape)
    (a, ta), (b, tb) = pair(a_values.tolist(), dtype), pair(b_values.tolist(), dtype)
    backend = get_backend("cuda")
    assert_same(backend.matmul(a, b), torch.matmul(ta, tb))
    transposed_b = b.transpose(-1, -2).contiguous().transpose(-1, -2)  # same values, column-major
    assert_same(backend.matmul(a, transposed_b), torch.matmul(ta, tb))


def test_put_with_accumulate_adds_every_repeated_position():
    ours, theirs = pair([0.0] * 5, "float32")
    index = [0, 3, 3, 3, 1, 0]
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    course_lib_index = course_lib.tensor(index, device="cuda")
    get_backend("cuda").put(ours, course_lib_index, course_lib.tensor(values, device="cuda"), accumulate=True)
    theirs.index_put_((torch.tensor(index, device=TORCH_DEVICE),), torch.tensor(values, device=TORCH_DEVICE),
                      accumulate=True)
    assert_same(ours, theirs)
    assert_same(get_backend("cuda").take(ours, course_lib_index), theirs[torch.tensor(index, device=TORCH_DEVICE)])


def test_copies_and_casts_follow_torch():
    ours, theirs = pair([[1.7, -2.2, math.nan], [0.0, -0.5, 300.0]], "float32")
    for dtype in ("float64", "float16", "int64", "bool"):  # (not uint8: NaN and 300 have no uint8 value)
        assert_same(ours.t().to(getattr(course_lib, dtype)), theirs.t().to(getattr(torch, dtype)))
    view = ours.t()[1:]
    view.copy_(course_lib.tensor([[5.0, 6.0]], device="cuda"))
    theirs.t()[1:].copy_(torch.tensor([[5.0, 6.0]]))
    assert_same(ours, theirs)


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@pytest.mark.parametrize("shape, dim", [((4, 3000), 1), ((3000, 4), 0), ((2, 5, 7), 1), ((6,), 0)])
def test_fused_softmax_along_any_dim_equals_torchs(shape, dim, log):
    values = np.random.default_rng(5).standard_normal(shape) * 4
    values.reshape(-1)[:200] = -np.inf  # a masked start: the running max is -inf for a while
    ours, theirs = pair(values, "float32")
    ours, theirs = ours.transpose(0, -1), theirs.transpose(0, -1)  # strided input
    dim = len(shape) - 1 - dim if dim in (0, len(shape) - 1) else dim
    function = torch.log_softmax if log else torch.softmax
    backend = get_backend("cuda")
    result = backend.log_softmax(ours, dim) if log else backend.softmax(ours, dim)
    assert_same(result, function(theirs, dim), rtol=1e-5, atol=1e-6)


def test_contiguous_operands_take_the_fast_path_and_offsets_count():
    a_values = np.arange(20.0).reshape(4, 5)
    (a, ta), (b, tb) = pair(a_values.tolist(), "float64"), pair((a_values * 3 - 7).tolist(), "float64")
    assert_same(get_backend("cuda").zip("add", a[1:], b[:3]), ta[1:] + tb[:3])  # row-major views at offsets
    out = course_lib.zeros(3, 5, dtype=course_lib.float64, device="cuda")
    get_backend("cuda").zip("mul", a[1:], b[1:], out=out)
    assert_same(out, ta[1:] * tb[1:])
