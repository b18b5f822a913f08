"""Autograd semantics against torch: autograd.grad: no accumulation, non-leaf inputs, higher-order derivatives, create_graph, jacobian."""

from __future__ import annotations


import numpy as np
import pytest
import torch

import course_lib
from helpers.autograd import BOTH, LIBRARIES, check_gradients, leaf, randn
from helpers.tensors import assert_same

@BOTH
def test_grad_returns_without_accumulating(L):
    x, y = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    (gx,) = L.autograd.grad((x * x).sum(), x)
    assert gx.tolist() == [2.0, 4.0] and x.grad is None
    gx, gy = L.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gy is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        L.autograd.grad((x * 2).sum(), [x, y])


@BOTH
def test_grad_with_respect_to_a_non_leaf(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    h = x * 3
    out = (h * h).sum()
    (gh,) = L.autograd.grad(out, h)
    assert gh.tolist() == [6.0, 12.0, 18.0] and x.grad is None


def test_higher_order_derivatives_of_x_cubed():
    results = []
    for L in LIBRARIES:
        x = leaf(L, 2.0)
        (g1,) = L.autograd.grad(x ** 3, x, create_graph=True)
        (g2,) = L.autograd.grad(g1, x, create_graph=True)
        (g3,) = L.autograd.grad(g2, x)
        results.append((g1.item(), g2.item(), g3.item(), g1.requires_grad, g3.requires_grad))
    assert results[0] == results[1] == (12.0, 12.0, 6.0, True, False)


def test_hessian_vector_product():
    v = np.array([[1.0, 0.5], [0.0, 2.0]])
    results = []
    for L in LIBRARIES:
        x = leaf(L, [[1.0, 2.0], [3.0, -1.0]])
        f = (x ** 3).sum() + (x[0] * x[1]).sum() + (x.exp() * x.sin()).sum() + x.softmax(1).prod()
        (g,) = L.autograd.grad(f, x, create_graph=True)
        (hv,) = L.autograd.grad(g, x, L.tensor(v, dtype=L.float64))
        results.append(hv)
    assert_same(*results)


def test_second_derivatives_through_many_rules():
    """create_graph differentiates the backward rules themselves (they use Tensor ops)."""

    def second(L, x):
        y = (x.tanh() * x.sigmoid() + x.log_softmax(0) + (x @ x) * x.norm() + x.cumprod(0) / x.abs().sqrt()
             + x.max() + x.var() + x.amin() * x.prod() + x[[0, 0, 1]].sum() + x.clamp(-0.5, 0.5) ** 2)
        (g,) = L.autograd.grad(y.sum(), x, create_graph=True)
        return (g * g).sum()

    check_gradients(second, np.array([0.3, -1.2, 2.0]))


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@BOTH
def test_grad_of_a_sum_with_create_graph_is_a_real_tensor(L):
    x = L.ones(3, requires_grad=True)
    x.sum().backward(create_graph=True)  # the rule returns an expanded view: .grad must be a copy
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_makes_a_differentiable_grad():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        assert first.requires_grad
        (g2,) = L.autograd.grad(first.sum(), x)
        results.append((first.detach(), g2))
    assert_same(*results)


def test_jacobian_against_torch():
    from course_lib.autograd.functional import jacobian

    point = randn(2, 3, seed=8)
    for function in (lambda x: x.softmax(1), lambda x: (x ** 2).sum(0), lambda x: x.t() @ x):
        assert_same(jacobian(function, course_lib.tensor(point)),
                    torch.autograd.functional.jacobian(function, torch.tensor(point)))
