"""``addcmul``, ``addcdiv`` and ``lerp`` (and their in-place versions, which the optimizers use) against torch:
values and gradients, with broadcasting, a tensor weight for ``lerp``, and torch's error for integer addcdiv."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.both import raises_both

CALLS = {
    "addcmul": lambda L, a, b, c: L.addcmul(a, b, c, value=0.3),
    "addcdiv": lambda L, a, b, c: L.addcdiv(a, b, c, value=-2),
    "lerp, small weight": lambda L, a, b, c: L.lerp(a, b, 0.2),
    "lerp, large weight": lambda L, a, b, c: L.lerp(a, b, 0.8),
    "lerp, tensor weight": lambda L, a, b, c: L.lerp(a, b, c - 1.5),
    "addcmul_": lambda L, a, b, c: (a * 1).addcmul_(b, c, value=2),
    "addcdiv_": lambda L, a, b, c: (a * 1).addcdiv_(b, c),
    "lerp_": lambda L, a, b, c: (a * 1).lerp_(b, 0.6),
}


def inputs(L):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)  # b broadcasts
    c = rng.uniform(1.0, 2.0, (3, 1))  # away from 0: a divisor
    return [L.tensor(value, requires_grad=True) for value in (a, b, c)]


@pytest.mark.parametrize("call", list(CALLS))
def test_values_and_gradients_equal_torchs(call):
    results = []
    for L in (course_lib, torch):
        leaves = inputs(L)
        out = CALLS[call](L, *leaves)
        (out * out).sum().backward()
        results.append([out.detach().cpu().numpy()] + [leaf.grad.cpu().numpy() if leaf.grad is not None else None
                                                 for leaf in leaves])
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_integer_addcdiv_raises_like_torch():
    raises_both(lambda L: L.addcdiv(L.zeros(2), L.tensor([1, 2]), L.tensor([3, 4])))
