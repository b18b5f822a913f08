"""The python backend (your loops) computes what the numpy backend computes; the registry works."""

from __future__ import annotations

import importlib.util
import threading

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import course_lib
from course_lib.backends import backend_available, get_backend, using_backend
from course_lib.backends.numpy_backend import NumpyBackend
from course_lib.backends.python_backend import PythonBackend
from helpers.tensors import assert_same, both, layouts, random_array

FAST = settings(max_examples=30, deadline=None)
pytestmark = pytest.mark.cpu_only

PROGRAMS = {
    "arithmetic": lambda lib, x, y: (x + y) * 2 - y / (y.abs() + 1),
    "unary": lambda lib, x, y: lib.sigmoid(x) + x.exp().log() + x.relu() - x.tanh() + x.abs().sqrt(),
    "compare": lambda lib, x, y: lib.where(x > y, x, y) + (x <= 0).float(),
    "reduce": lambda lib, x, y: (x.sum(0), x.amax(-1) if x.dim() else x.amax(), x.mean(), x.prod(0),
                                 (x > 0).any(), (x > -2).all(0)),
    "matmul": lambda lib, x, y: x @ x.t(),
    "copy": lambda lib, x, y: (x.t().contiguous(), x.to(lib.float64), x.clone(), x.reshape(-1)),
    "inplace": lambda lib, x, y: x.clone().add_(y).mul_(2).clamp_(-1, 1),
    "cat": lambda lib, x, y: lib.cat([x, x * 2], 0),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_python_backend_computes_what_numpy_computes(name):
    shapes = {"matmul": (3, 4), "cat": (2, 3)}
    x_array = random_array(shapes.get(name, (3, 4)), "float32", 0)
    y_array = random_array((4,), "float32", 1)
    with using_backend("python") as backend:
        assert isinstance(get_backend("cpu"), PythonBackend) and backend is get_backend("cpu")
        slow = PROGRAMS[name](course_lib, course_lib.tensor(x_array), course_lib.tensor(y_array))
    assert isinstance(get_backend("cpu"), NumpyBackend)
    fast = PROGRAMS[name](course_lib, course_lib.tensor(x_array), course_lib.tensor(y_array))
    expected = PROGRAMS[name](torch, torch.tensor(x_array), torch.tensor(y_array))
    assert_same(slow, expected)
    assert_same(fast, expected)


@FAST
@given(layouts(max_dims=3), layouts(max_dims=2), st.sampled_from(["add", "mul", "maximum", "lt", "sub", "div"]))
def test_python_zip_equals_numpy_zip_on_any_layout(pair_a, pair_b, fn_name):
    ta, a, _ = pair_a
    tb, b, _ = pair_b
    try:
        expected = NumpyBackend().zip(fn_name, a, b)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="must match the size"):
            PythonBackend().zip(fn_name, a, b)
        return
    assert_same(PythonBackend().zip(fn_name, a, b), torch.from_numpy(expected.numpy().copy()))


@FAST
@given(layouts(max_dims=3), st.sampled_from(["sum", "max", "min", "prod"]), st.data())
def test_python_reduce_equals_numpy_reduce(pair, fn_name, data):
    _, x, _ = pair
    assume(x.ndim > 0 and not (x.numel() == 0 and fn_name in ("max", "min")))
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, x.ndim - 1), min_size=1))))
    keepdim = data.draw(st.booleans())
    expected = NumpyBackend().reduce(fn_name, x, dims, keepdim)
    assert_same(PythonBackend().reduce(fn_name, x, dims, keepdim), torch.from_numpy(expected.numpy().copy()),
                rtol=1e-5, atol=1e-5)


@FAST
@given(layouts(max_dims=2), st.sampled_from(["neg", "exp", "sigmoid", "relu", "abs", "isnan"]))
def test_python_map_equals_numpy_map(pair, fn_name):
    _, x, _ = pair
    expected = NumpyBackend().map(fn_name, x)
    assert_same(PythonBackend().map(fn_name, x), torch.from_numpy(expected.numpy().copy()))


def test_python_matmul_broadcasts_batches():
    (ta, a), (tb, b) = both(random_array((2, 1, 2, 3), "float32", 3)), both(random_array((3, 3, 2), "float32", 4))
    assert_same(PythonBackend().matmul(a, b), ta @ tb)


def test_registry():
    assert backend_available("cpu") and backend_available("cpu:0") is True
    assert backend_available("cuda") is (importlib.util.find_spec("triton") is not None)
    with pytest.raises(RuntimeError, match="no backend for device type 'xla'"):
        get_backend("xla")
    assert "numpy" in repr(get_backend("cpu")) or "Numpy" in repr(get_backend("cpu"))


def test_numpy_views_are_cached_and_alias_the_storage():
    x = course_lib.arange(12.0).reshape(3, 4).t()
    view = x.numpy()
    assert view is x.numpy() and view.strides == (4, 16)
    view[0, 1] = -1
    assert x[0, 1].item() == -1 and x.untyped_storage()[4] == -1


def test_a_backend_override_holds_in_its_own_thread_only():
    inside, release, seen = threading.Event(), threading.Event(), {}

    def with_loops():
        with using_backend("python"):
            inside.set()
            release.wait(30)
            seen["other"] = type(get_backend("cpu"))

    thread = threading.Thread(target=with_loops)
    thread.start()
    assert inside.wait(30)
    seen["here"] = type(get_backend("cpu"))
    x = course_lib.tensor([1.0, 2.0])
    seen["result"] = (x + x).tolist()  # computed with this thread's backend, not the other's loops
    release.set()
    thread.join(30)
    assert seen["other"] is PythonBackend and seen["here"] is not PythonBackend
    assert seen["result"] == [2.0, 4.0]


def test_the_numpy_tables_compute_exactly_the_vocabulary():
    from course_lib.backends import base, numpy_functions

    assert set(numpy_functions.UNARY) == base.UNARY_FUNCTIONS
    assert set(numpy_functions.BINARY) == base.BINARY_FUNCTIONS
    assert set(numpy_functions.REDUCE) == base.REDUCTIONS
    assert base.BOOL_RESULT <= base.UNARY_FUNCTIONS | base.BINARY_FUNCTIONS | base.REDUCTIONS


@pytest.mark.parametrize("fast", [True, False], ids=["error-state variable", "public np.errstate"])
def test_quietly_silences_floating_point_warnings_both_ways(fast):
    import warnings

    import numpy as np

    from course_lib.backends.numpy_functions import _ERRSTATE, quietly

    if fast and _ERRSTATE is None:
        pytest.skip("this NumPy has no error-state context variable (NumPy < 2): only the public path exists")
    ones, zeros = np.ones(3, np.float32), np.zeros(3, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(quietly(lambda: ones / zeros, fast=fast)()).all()
        with pytest.raises(RuntimeWarning):  # outside, NumPy's own setting holds again
            ones / zeros


def test_a_storage_asks_its_backend_about_its_buffer():
    x = course_lib.arange(6.0).reshape(2, 3)
    storage = x.untyped_storage() if hasattr(x, "untyped_storage") else x._storage
    assert len(storage) == 6 and storage.element_size() == 4 and storage.data_ptr() == x.data_ptr()
    storage[1] = 10.0
    assert storage.tolist()[:2] == [0.0, 10.0] and x[0, 1].item() == 10.0


def test_the_composed_defaults_of_the_backend_contract_equal_torch():
    """``Backend``'s own ``gather``, ``log_softmax``, ``softmax``, ``linear``, ``one_hot``, ``add_scaled`` and
    ``threshold_backward`` (made of its primitives, for a backend that does not fuse them) compute what torch
    computes, on non-contiguous inputs; so do the NumPy backend's fused versions."""
    from course_lib.backends.base import Backend

    backend = get_backend("cpu")
    theirs, ours = both(random_array((4, 6, 5), "float32", seed=3))
    theirs, ours = theirs.transpose(0, 2), ours.transpose(0, 2)
    index = torch.randint(0, 6, (3, 6, 2))
    assert_same(Backend.gather(backend, ours, 1, course_lib.tensor(index.numpy())), torch.gather(theirs, 1, index))
    for dim in range(3):
        assert_same(Backend.log_softmax(backend, ours, dim), torch.log_softmax(theirs, dim))
        assert_same(Backend.softmax(backend, ours, dim), torch.softmax(theirs, dim))

    weight_theirs, weight_ours = both(random_array((7, 5), "float32", seed=4))
    bias_theirs, bias_ours = both(random_array((7,), "float32", seed=5))
    rows_theirs, rows_ours = theirs[:, :, 0].T, ours[:, :, 0].T  # (6, 5), non-contiguous
    batch_theirs, batch_ours = both(random_array((5, 3, 2), "float32", seed=6))
    batch_theirs, batch_ours = batch_theirs.permute(2, 1, 0), batch_ours.permute(2, 1, 0)  # (2, 3, 5)
    for linear in (Backend.linear, type(backend).linear):
        assert_same(linear(backend, rows_ours, weight_ours, bias_ours),
                    torch.nn.functional.linear(rows_theirs, weight_theirs, bias_theirs))
        assert_same(linear(backend, batch_ours, weight_ours, None), torch.nn.functional.linear(batch_theirs, weight_theirs))
    classes = course_lib.tensor(index.numpy()).transpose(0, 2)  # int64 in [0, 6), non-contiguous
    for one_hot in (Backend.one_hot, type(backend).one_hot):
        assert_same(one_hot(backend, classes, 6, course_lib.float32),
                    torch.nn.functional.one_hot(index.transpose(0, 2), 6).float())
    grad_theirs, grad_ours = both(random_array((4, 6, 5), "float32", seed=7))
    result_theirs = torch.relu(theirs).clone()
    result_theirs[0, 0, 0], result_theirs[1, 1, 1] = float("nan"), 0.0  # NaN passes the gradient, 0 does not
    result_ours = course_lib.tensor(result_theirs.numpy()).transpose(0, 2).contiguous().transpose(0, 2)
    expected = torch.ops.aten.threshold_backward(grad_theirs.transpose(0, 2), result_theirs, 0)
    for threshold_backward in (Backend.threshold_backward, type(backend).threshold_backward):
        assert_same(threshold_backward(backend, grad_ours.transpose(0, 2), result_ours, 0), expected)
    for add_scaled in (Backend.add_scaled, type(backend).add_scaled):
        target_theirs, target_ours = both(random_array((6, 5), "float32", seed=8))
        returned = add_scaled(backend, target_ours, rows_ours, -0.25)
        assert returned is target_ours
        assert_same(target_ours, target_theirs.add_(rows_theirs, alpha=-0.25))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_the_cross_entropy_primitives_equal_torch(reduction):
    """``cross_entropy`` and ``cross_entropy_backward``, composed (``Backend``'s own) and fused (NumPy's), give
    torch's loss, log-probabilities and gradient, from non-contiguous logits."""
    from course_lib.backends.base import Backend

    backend = get_backend("cpu")
    theirs, ours = both(random_array((7, 5), "float32", seed=9))
    theirs, ours = theirs.T.requires_grad_(), ours.T  # (5, 7): 5 rows of 7 classes
    target = torch.tensor([6, 0, 3, 3, 1])
    grad_theirs, grad_ours = both(random_array((5,) if reduction == "none" else (), "float32", seed=10))
    loss = torch.nn.functional.cross_entropy(theirs, target, reduction=reduction)
    (expected_grad,) = torch.autograd.grad(loss, theirs, grad_theirs)
    for implementation in (Backend, type(backend)):
        ours_loss, log_p = implementation.cross_entropy(backend, ours, course_lib.tensor(target.numpy()), reduction)
        assert_same(ours_loss, loss.detach())
        assert_same(log_p, torch.log_softmax(theirs.detach(), 1))
        assert_same(implementation.cross_entropy_backward(backend, grad_ours, log_p, course_lib.tensor(target.numpy()),
                                                          reduction), expected_grad)
