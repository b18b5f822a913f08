"""In-place random fills (``bernoulli_``, ``random_``, ``exponential_``) and ``bernoulli``, ``multinomial``:
the same statistical checks run on torch and on course_lib (fixed seeds; the generators differ, so the
numbers do, the distributions must not), and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import LIBRARIES, to_numpy
from helpers.tensors import raises_like

N = 40_000


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)
    course_lib.manual_seed(0)


def close_to(sample: np.ndarray, mean: float, var: float) -> None:
    """The sample's mean and variance agree with the distribution's (5 standard errors)."""
    n = sample.size
    assert abs(sample.mean() - mean) < 5 * np.sqrt(var / n), (sample.mean(), mean)
    assert abs(sample.var() - var) < 0.1 * var, (sample.var(), var)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_bernoulli__fills_with_0_and_1(p, dtype):
    for L in LIBRARIES:
        x = L.empty(N, dtype=getattr(L, dtype))
        out = x.bernoulli_(p)
        values = to_numpy(x).astype(float)
        assert out is x and str(x.dtype).split(".")[-1] == dtype
        assert set(np.unique(values)) <= {0.0, 1.0}
        if 0 < p < 1:
            close_to(values, p, p * (1 - p))
        else:
            assert (values == p).all()


def test_bernoulli__takes_a_tensor_of_probabilities_per_element():
    p = np.tile([0.1, 0.9], N // 2)
    for L in LIBRARIES:
        values = to_numpy(L.zeros(N).bernoulli_(L.tensor(p)))
        close_to(values[::2], 0.1, 0.09)
        close_to(values[1::2], 0.9, 0.09)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli_draws_with_its_input_as_probabilities(dtype):
    p = np.tile([0.2, 0.7], N // 2).astype(dtype)
    for L in LIBRARIES:
        out = L.bernoulli(L.tensor(p))
        assert str(out.dtype).split(".")[-1] == dtype and tuple(out.shape) == (N,)
        values = to_numpy(out)
        close_to(values[::2], 0.2, 0.16)
        close_to(values[1::2], 0.7, 0.21)
        close_to(to_numpy(L.tensor(p).bernoulli(0.5)), 0.5, 0.25)  # torch's bernoulli(input, p)


@pytest.mark.parametrize("dtype, args, low, high", [
    ("int64", (3, 9), 3, 8), ("int64", (5,), 0, 4), ("int64", (-7, -2), -7, -3), ("float32", (2, 6), 2, 5),
    ("int8", (), 0, 127), ("uint8", (), 0, 255), ("bool", (), 0, 1), ("int16", (-100, 100), -100, 99)])
def test_random__draws_integers_uniformly_from_from_to_to_minus_1(dtype, args, low, high):
    for L in LIBRARIES:
        x = L.empty(N, dtype=getattr(L, dtype)).random_(*args)
        values = to_numpy(x).astype(float)
        assert str(x.dtype).split(".")[-1] == dtype
        assert values.min() == low and values.max() == high  # both ends are reached, nothing beyond
        count = high - low + 1
        close_to(values, (low + high) / 2, (count * count - 1) / 12)


@pytest.mark.parametrize("dtype, top", [("float32", 2 ** 24), ("float64", 2 ** 53), ("int64", 2 ** 63 - 1),
                                        ("int32", 2 ** 31 - 1)])
def test_random__without_bounds_covers_the_dtypes_integers(dtype, top):
    for L in LIBRARIES:
        values = to_numpy(L.empty(N, dtype=getattr(L, dtype)).random_()).astype(float)
        assert values.min() >= 0 and values.max() <= top
        assert abs(values.mean() / top - 0.5) < 0.01 and (values == np.round(values)).all()


@pytest.mark.parametrize("lambd", [1.0, 0.5, 4.0])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_exponential__has_mean_1_over_lambda(lambd, dtype):
    for L in LIBRARIES:
        x = L.empty(N, dtype=getattr(L, dtype)).exponential_(lambd)
        values = to_numpy(x).astype(float)
        assert values.min() >= 0 and str(x.dtype).split(".")[-1] == dtype
        close_to(values, 1 / lambd, 1 / lambd ** 2)


WEIGHTS = [1.0, 0.0, 3.0, 6.0]  # probabilities 0.1, 0, 0.3, 0.6


@pytest.mark.parametrize("rows", [False, True])
def test_multinomial_with_replacement_draws_in_proportion_to_the_weights(rows):
    for L in LIBRARIES:
        weights = L.tensor([WEIGHTS, WEIGHTS[::-1]] if rows else WEIGHTS)
        out = L.multinomial(weights, N, replacement=True)
        assert out.dtype == L.int64 and tuple(out.shape) == ((2, N) if rows else (N,))
        for row, w in zip(to_numpy(out).reshape(-1, N), [WEIGHTS, WEIGHTS[::-1]]):
            frequencies = np.bincount(row, minlength=4) / N
            np.testing.assert_allclose(frequencies, np.array(w) / 10, atol=0.01)


def test_multinomial_without_replacement_draws_each_category_once_first_by_weight():
    for L in LIBRARIES:
        weights = L.tensor([WEIGHTS] * 5000)
        out = to_numpy(weights.multinomial(4))  # the method; every category, the zero-weight one last
        assert (np.sort(out, axis=1) == np.arange(4)).all() and (out[:, 3] == 1).all()
        np.testing.assert_allclose(np.bincount(out[:, 0], minlength=4) / 5000, np.array(WEIGHTS) / 10, atol=0.02)
        firsts_two = to_numpy(L.multinomial(L.tensor(WEIGHTS), 2))
        assert firsts_two[0] != firsts_two[1] and 1 not in firsts_two


def test_multinomial_follows_the_generator_given():
    draws = [course_lib.multinomial(course_lib.ones(10), 5, generator=course_lib.Generator().manual_seed(7))
             for _ in range(2)]
    assert draws[0].tolist() == draws[1].tolist()


BAD_CALLS = {
    "bernoulli_ p > 1": lambda L: L.empty(3).bernoulli_(1.5),
    "bernoulli_ p < 0": lambda L: L.empty(3).bernoulli_(-0.5),
    "bernoulli_ a tensor p > 1": lambda L: L.empty(3).bernoulli_(L.tensor([0.5, 2.0, 0.1])),
    "bernoulli of probabilities > 1": lambda L: L.bernoulli(L.tensor([0.5, 2.0])),
    "bernoulli of an int tensor": lambda L: L.bernoulli(L.tensor([1, 0])),
    "bernoulli_ on a leaf requiring grad": lambda L: L.ones(2, requires_grad=True).bernoulli_(),
    "random_ from >= to": lambda L: L.empty(3).random_(5, 2),
    "random_ to 0": lambda L: L.empty(3).random_(0),
    "random_ float bounds": lambda L: L.empty(3).random_(0.5, 3.7),
    "random_ from below uint8": lambda L: L.empty(3, dtype=L.uint8).random_(-1, 5),
    "random_ to beyond int8": lambda L: L.empty(3, dtype=L.int8).random_(0, 200),
    "random_ to beyond bool": lambda L: L.empty(3, dtype=L.bool).random_(0, 3),
    "random_ beyond float32's exact integers (warns)": lambda L: L.empty(3).random_(0, 2 ** 25),
    "exponential_ lambda 0": lambda L: L.empty(3).exponential_(0),
    "exponential_ negative lambda": lambda L: L.empty(3).exponential_(-1),
    "exponential_ of an int tensor": lambda L: L.empty(3, dtype=L.int64).exponential_(),
    "multinomial negative weight": lambda L: L.multinomial(L.tensor([1.0, -1.0]), 1),
    "multinomial nan weight": lambda L: L.multinomial(L.tensor([1.0, float("nan")]), 1),
    "multinomial inf weight": lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 1),
    "multinomial more samples than categories": lambda L: L.multinomial(L.ones(2), 3),
    "multinomial zero samples": lambda L: L.multinomial(L.ones(2), 0),
    "multinomial all-zero weights": lambda L: L.multinomial(L.zeros(2, 3), 1),
    "multinomial int weights": lambda L: L.multinomial(L.tensor([1, 1]), 1),
    "multinomial 3-d weights": lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    "multinomial 0-d weights": lambda L: L.multinomial(L.tensor(1.0), 1),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_torchs_exception(name):
    if "warns" in name:
        with pytest.warns(UserWarning):
            BAD_CALLS[name](torch)
        with pytest.warns(UserWarning):
            BAD_CALLS[name](course_lib)
        return
    raises_like(lambda: BAD_CALLS[name](course_lib), lambda: BAD_CALLS[name](torch))
