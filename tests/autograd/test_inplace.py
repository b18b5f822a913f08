"""Autograd semantics against torch: in-place operations in a graph: the version counter, leaves, rebasing, setitem (CopySlices), retain_grad."""

from __future__ import annotations


import numpy as np
import pytest

from helpers.autograd import BOTH, LIBRARIES, check_gradients, grad_fn_name, leaf, randn
from helpers.tensors import assert_same

@BOTH
def test_inplace_change_of_a_saved_tensor_raises_at_backward(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    y = x.exp()  # saves its result
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = leaf(L, [1.0, 2.0]) * 1
    w = z * z  # saves z
    z.mul_(2)
    assert z._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


@BOTH
def test_inplace_on_a_leaf_that_requires_grad_raises(L):
    x = leaf(L, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x += 1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x[0] = 5.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place"):
        x[0].mul_(2)


@BOTH
def test_optimizer_step_in_place_under_no_grad(L):
    w = leaf(L, [1.0, -2.0, 3.0])
    (w * w).sum().backward()
    with L.no_grad():
        w -= 0.1 * w.grad
        w.mul_(2)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    np.testing.assert_allclose(w.tolist(), [1.6, -3.2, 4.8])
    w.grad.zero_()
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


INPLACE = {
    "add_": lambda L, y: y.add_(1),
    "add_ alpha": lambda L, y: y.add_(y.detach(), alpha=2),
    "sub_": lambda L, y: y.sub_(0.5),
    "mul_": lambda L, y: y.mul_(3),
    "div_": lambda L, y: y.div_(2),
    "pow_": lambda L, y: y.pow_(2),
    "+= -= *= /=": lambda L, y: y.__iadd__(1).__isub__(2).__imul__(3).__itruediv__(4),
    "neg_ abs_": lambda L, y: y.neg_().abs_(),
    "exp_": lambda L, y: y.exp_(),
    "sigmoid_": lambda L, y: y.sigmoid_(),
    "tanh_": lambda L, y: y.tanh_(),
    "relu_": lambda L, y: y.relu_(),
    "clamp_": lambda L, y: y.clamp_(-0.5, 0.5),
    "floor_": lambda L, y: y.floor_(),
    "masked_fill_": lambda L, y: y.masked_fill_(y.detach() > 0.3, 0.0),
    "fill_": lambda L, y: y.fill_(2.0),
    "zero_": lambda L, y: y.zero_(),
    "copy_": lambda L, y: y.copy_(y.detach() * 2),
    "view: y[0].mul_(3)": lambda L, y: y[0].mul_(3),
    "view: y.t()[1:].add_(1)": lambda L, y: y.t()[1:].add_(1),
    "view of a view: y.view(6)[::2].zero_()": lambda L, y: y.view(6)[::2].zero_(),
    "setitem y[0] = ...": lambda L, y: y.__setitem__(0, y[1].detach() * 3),
    "setitem y[:, 1:] = 0": lambda L, y: y.__setitem__((slice(None), slice(1, None)), 0.0),
    "setitem through a view: y[1][::2] = 5": lambda L, y: y[1].__setitem__(slice(None, None, 2), 5.0),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_ops_on_non_leaves_keep_correct_gradients(name):
    def expression(L, x):
        y = x * 2  # MulBackward0 with a number saves nothing of x*2: the in-place change is legal
        INPLACE[name](L, y)
        return (y * x).exp().sum()

    check_gradients(expression, randn(2, 3, seed=3))


def test_inplace_add_then_exp_like_torch():
    def expression(L, x):
        y = x * 2
        y.add_(1)
        return y.exp().sum()

    check_gradients(expression, np.array([1.0, 2.0, 3.0]))


def test_inplace_with_another_tensor_requiring_grad():
    def expression(L, x, w):
        y = x * 1
        y.mul_(w)
        y[0] += w[1]
        z = L.zeros(3, dtype=L.float64)
        z.add_(y)  # z did not require grad: it joins the graph
        return (z * z).sum()

    check_gradients(expression, randn(3, seed=4), randn(3, seed=5))


def test_setitem_with_grad():
    def expression(L, x, y):
        z = L.zeros(2, 3, dtype=L.float64)
        z[:] = x + y
        z[1, ::2] = x[:2] * y[2]
        return (z * z).sum() + z[0].prod()

    check_gradients(expression, randn(3, seed=6), randn(3, seed=7))


def test_setitem_names_and_versions():
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        z = L.zeros(3, dtype=L.float64)
        z[1:] = x * 2
        assert grad_fn_name(z) == "CopySlices" and z._version == 1
        assert [type(n).__name__ if n else None for n, _ in z.grad_fn.next_functions] == [None, "MulBackward0"]


def test_retain_grad_follows_an_inplace_change():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        y = x * 3
        y.retain_grad()
        y.add_(1)
        (y * y).sum().backward()
        results.append((y.grad, x.grad))
    assert_same(*results)
