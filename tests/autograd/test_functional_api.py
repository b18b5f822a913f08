"""torch.autograd.functional's vjp, jvp, hessian, jacobian(create_graph=) and Tensor.register_hook, vs torch."""

from __future__ import annotations

import pytest
import torch

import course_lib
from helpers.autograd import BOTH, randn
from helpers.tensors import assert_same

FUNCTIONS = {
    "cubic": lambda L, x: (x ** 3).sum() + x[0] * x[1],
    "log-sum-exp": lambda L, x: L.logsumexp(x * 2, 0),
    "tanh of a product": lambda L, x: (x.tanh() * x.sin()).sum(),
}


def both(function, *arrays):
    """``function(L, *tensors)`` for each library, on the same float64 data."""
    return [function(L, *[L.tensor(a, dtype=L.float64) for a in arrays]) for L in (course_lib, torch)]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_hessian_matches_torch(name):
    f = FUNCTIONS[name]
    ours, theirs = both(lambda L, x: L.autograd.functional.hessian(lambda v: f(L, v), x), randn(3, seed=1))
    assert_same(ours, theirs)


def test_vjp_and_jvp_match_torch():
    g = lambda L, v: v.exp() * v[0] + v.sum()  # noqa: E731
    for kind in ("vjp", "jvp"):
        ours, theirs = both(lambda L, x, v: getattr(L.autograd.functional, kind)(lambda u: g(L, u), x, v),
                            randn(4, seed=2), randn(4, seed=3))
        assert_same(list(ours), list(theirs))


def test_jacobian_with_create_graph_can_be_differentiated():
    def run(L):
        x = L.tensor(randn(3, seed=4), dtype=L.float64, requires_grad=True)
        jacobian = L.autograd.functional.jacobian(lambda v: v.exp() * v[0], x, create_graph=True)
        jacobian.sum().backward()
        return jacobian.detach(), x.grad

    assert_same(list(run(course_lib)), list(run(torch)))


@BOTH
def test_register_hook_on_leaves_and_non_leaves(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: g * 10)  # replaces the leaf's gradient
    y = x * 3
    y.register_hook(lambda g: seen.append(g.tolist()))  # observes a non-leaf's gradient
    y.register_hook(lambda g: g + 1)  # replaces what flows back from y
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [60.0, 60.0]
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        L.ones(2).register_hook(lambda g: g)
