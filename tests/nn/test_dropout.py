"""``F.dropout`` and ``nn.Dropout`` against torch (statistically: the masks come from different generators),
and ``nn.Unflatten``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import LIBRARIES, assert_same, to_numpy
from helpers.tensors import raises_like

N = 20_000


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_zeroes_a_fraction_p_and_scales_the_rest(p, dtype):
    array = np.random.default_rng(0).uniform(0.5, 2.0, N).astype(dtype)  # no zeros of its own
    course_lib.manual_seed(0)
    torch.manual_seed(0)
    for L in LIBRARIES:
        x = L.tensor(array, requires_grad=True)
        out = L.nn.functional.dropout(x, p)
        out.sum().backward()
        values, grad = to_numpy(out.detach()), to_numpy(x.grad)
        kept = values != 0
        assert str(out.dtype).split(".")[-1] == dtype and tuple(out.shape) == (N,)
        assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / N)
        np.testing.assert_allclose(values[kept], array[kept] / (1 - p), rtol=1e-6)
        np.testing.assert_allclose(grad, kept / (1 - p), rtol=1e-6)  # the same mask scales the gradient
        assert type(out.grad_fn).__name__ == "MulBackward0"


def test_dropout_draws_from_the_seeded_generator():
    course_lib.manual_seed(3)
    first = course_lib.nn.functional.dropout(course_lib.ones(100))
    course_lib.manual_seed(3)
    assert bool((course_lib.nn.functional.dropout(course_lib.ones(100)) == first).all())
    assert not bool((course_lib.nn.functional.dropout(course_lib.ones(100)) == first).all())


@pytest.mark.parametrize("call", [lambda F, x: F.dropout(x, 0.3, training=False),
                                  lambda F, x: F.dropout(x, 0.0),
                                  lambda F, x: F.dropout(x, 0.7, False, True)])
def test_dropout_returns_its_input_when_it_does_nothing(call):
    for L in LIBRARIES:
        x = L.randn(4, 3, requires_grad=True)
        assert call(L.nn.functional, x) is x


def test_dropout_with_p_1_gives_zeros_and_nan_stays_nan():
    values = [1.0, -2.0, float("inf"), float("nan")]
    outputs = []
    for L in (torch, course_lib):
        x = L.tensor(values, requires_grad=True)
        out = L.nn.functional.dropout(x, 1.0)
        out.sum().backward()
        outputs.append((out.detach(), x.grad))
    assert_same(list(outputs[1]), list(outputs[0]))


def test_dropout_inplace_writes_into_a_non_leaf():
    for L in LIBRARIES:
        x = L.ones(1000, dtype=L.float64, requires_grad=True)
        y = x * 1
        out = L.nn.functional.dropout(y, 0.5, inplace=True)
        assert out is y and set(np.unique(to_numpy(y.detach()))) == {0.0, 2.0}
        out.sum().backward()
        np.testing.assert_array_equal(to_numpy(x.grad), to_numpy(y.detach()))


BAD_CALLS = {
    "p < 0": lambda L: L.nn.functional.dropout(L.ones(3), -0.1),
    "p > 1": lambda L: L.nn.functional.dropout(L.ones(3), 1.5),
    "p > 1 in evaluation": lambda L: L.nn.functional.dropout(L.ones(3), 2, training=False),
    "an int tensor": lambda L: L.nn.functional.dropout(L.ones(3, dtype=L.int64)),
    "inplace on a leaf requiring grad": lambda L: L.nn.functional.dropout(L.ones(3, requires_grad=True),
                                                                          inplace=True),
    "module with p > 1": lambda L: L.nn.Dropout(1.5),
    "Unflatten sizes of another product": lambda L: L.nn.Unflatten(1, (4,))(L.ones(4, 6)),
    "Unflatten size an int": lambda L: L.nn.Unflatten(1, 5),
    "Unflatten size with a float": lambda L: L.nn.Unflatten(1, (2, 3.0)),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception(name):
    raises_like(lambda: BAD_CALLS[name](course_lib), lambda: BAD_CALLS[name](torch))


@pytest.mark.parametrize("make", [lambda nn: nn.Dropout(), lambda nn: nn.Dropout(0.2, True), lambda nn: nn.Dropout(p=1.0)])
def test_dropout_module_prints_like_torchs_and_is_the_identity_in_eval(make):
    for L in LIBRARIES:
        layer = make(L.nn)
        assert repr(layer) == repr(make(torch.nn))
        x = L.randn(50, 40)
        assert layer.eval()(x) is x
        out = layer.train()(x * 1)
        assert bool((out == 0).any()) == (layer.p > 0)


@pytest.mark.parametrize("dim, sizes", [(1, (2, 3)), (-1, [3, 2]), (1, (2, -1)), (0, (2, 2)), (0, (1, 4, 1))])
def test_unflatten_matches_torch(dim, sizes):
    array = np.random.default_rng(1).standard_normal((6, 4))
    theirs, ours = torch.nn.Unflatten(dim, sizes), course_lib.nn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    x_t = torch.tensor(array, requires_grad=True)
    x_o = course_lib.tensor(array, requires_grad=True)
    out_t, out_o = theirs(x_t.t()), ours(x_o.t())  # (4, 6), not contiguous
    assert_same(out_o, out_t)
    (out_t * torch.arange(24.0, dtype=torch.float64).reshape(out_t.shape)).sum().backward()
    (out_o * course_lib.arange(24.0, dtype=course_lib.float64).reshape(out_o.shape)).sum().backward()
    assert_same(x_o.grad, x_t.grad)


def test_unflatten_undoes_flatten():
    for L in LIBRARIES:
        model = L.nn.Sequential(L.nn.Flatten(), L.nn.Unflatten(1, (3, 4)))
        x = L.randn(2, 3, 4)
        assert bool((model(x) == x).all())
