"""Autograd semantics against torch: .grad accumulation, backward's arguments (gradient, retain_graph, inputs), several outputs, deep and diamond graphs, topological order."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import course_lib
from helpers.autograd import BOTH, LIBRARIES, check_gradients, leaf, randn
from helpers.tensors import assert_same, raises_like, same_message

@BOTH
def test_grad_is_none_until_backward_then_accumulates(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    assert x.grad is None and x.is_leaf and x.grad_fn is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    (3 * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0, 9.0]
    x.grad.zero_()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@BOTH
def test_non_leaf_grad_is_none_unless_retained(L):
    x = leaf(L, [1.0, 2.0])
    y = x * 3
    z = y * y
    y.retain_grad()
    assert not z.is_leaf and z.grad_fn is not None and y.retains_grad and not z.retains_grad
    z.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when .grad of a non-leaf is read
        assert z.grad is None
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_retain_grad_on_a_tensor_without_grad_raises():
    same_message(lambda: course_lib.ones(2).retain_grad(), lambda: torch.ones(2).retain_grad())


def test_non_scalar_backward_needs_a_gradient():
    mine, _ = raises_like(lambda: (leaf(course_lib, [1.0, 2.0]) * 2).backward(),
                          lambda: (leaf(torch, [1.0, 2.0]) * 2).backward())
    assert "grad can be implicitly created only for scalar outputs" in str(mine)


def test_backward_of_a_tensor_without_grad_raises():
    same_message(lambda: course_lib.ones(2).sum().backward(), lambda: torch.ones(2).sum().backward())


def test_vector_jacobian_product():
    v = np.array([0.1, 1.0, 0.0001])
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, -2.0, 3.0])
        y = x * x * 2 + x.exp()
        y.backward(L.tensor(v, dtype=L.float64))
        results.append(x.grad)
    assert_same(*results)


def test_backward_gradient_of_another_dtype_is_cast():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        (x * 2).backward(L.ones(2, dtype=L.float32))
        results.append(x.grad)
    assert_same(*results)


def test_backward_gradient_of_the_wrong_shape_raises():
    raises_like(lambda: (leaf(course_lib, [1.0, 2.0]) * 2).backward(course_lib.ones(3, dtype=course_lib.float64)),
                lambda: (leaf(torch, [1.0, 2.0]) * 2).backward(torch.ones(3, dtype=torch.float64)))


@BOTH
def test_backward_of_a_leaf_itself(L):
    x = leaf(L, 2.0)
    x.backward()
    assert x.grad.item() == 1.0


@BOTH
def test_backward_twice_needs_retain_graph(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    out = (x.exp() * x).sum()
    out.backward(retain_graph=True)
    out.backward()
    first = (np.exp([1.0, 2.0, 3.0]) * (1 + np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(x.grad.tolist(), 2 * first)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


@BOTH
def test_a_graph_without_saved_tensors_can_be_walked_twice(L):
    x = leaf(L, [1.0, 2.0])
    out = (x + 1).sum()  # add and sum save nothing: torch allows a second backward
    out.backward()
    out.backward()
    assert x.grad.tolist() == [2.0, 2.0]


@BOTH
def test_backward_with_inputs_accumulates_only_there(L):
    x, w = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    h = x * w
    (h * h).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [6.0, 32.0]  # 2 h x
    L.autograd.backward([(x * w).sum()], inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0]


@BOTH
def test_several_outputs_in_one_backward(L):
    x = leaf(L, [1.0, 2.0])
    a, b = x * 2, x * x
    L.autograd.backward([a, b], [L.ones(2, dtype=L.float64), L.full((2,), 0.5, dtype=L.float64)])
    assert x.grad.tolist() == [3.0, 4.0]


def test_gradient_is_not_aliased_with_the_callers_tensor():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, -1.0])
        g = L.ones(2, dtype=L.float64)
        (x * 1).backward(g)
        g.mul_(100)
        results.append(x.grad)
    assert_same(*results)


@pytest.mark.cpu_only  # the engine's walk is the same on every device; 12,000 simulated launches take a minute
def test_deep_chain_does_not_hit_the_recursion_limit():
    def chain(L, x):
        for _ in range(3000):
            x = x * 0.999 + 0.001
        return x

    check_gradients(chain, np.array([1.0, 2.0]))


def test_diamond_and_shared_subexpressions():
    def diamond(L, x, y):
        a = x * y
        b = a + x
        c = a.exp() * b
        return (a * b * c).sum() + c.mean()

    check_gradients(diamond, randn(3, seed=1), randn(3, seed=2))


def test_topological_order_lists_each_node_before_its_inputs():
    from course_lib.autograd.engine import topological_order

    x, y = leaf(course_lib, [1.0, 2.0]), leaf(course_lib, [3.0, 4.0])
    a = x * y
    out = (a * (a + x)).sum()
    order = topological_order([out.grad_fn])
    position = {id(node): i for i, node in enumerate(order)}
    assert len(order) == len(position) == 6  # Sum, Mul, Add, Mul, 2 AccumulateGrad
    assert order[0] is out.grad_fn
    for node in order:
        for child, _ in node.next_functions:
            if child is not None:
                assert position[id(child)] > position[id(node)], (node, child)
