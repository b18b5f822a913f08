"""``cross_entropy`` of class indices is one graph node: its loss and gradient equal torch's in every case it
takes (ignored targets inside and outside ``[0, C)``, all targets ignored, every reduction, any upstream
gradient), and it stays differentiable twice through its backward formula."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import assert_same, ours

CASES = [([0, 1, 2, 3, 4, 0], -100), ([0, 1, 2, 3, 4, 0], 2), ([0, -100, 2, 3, -100, 1], -100),
         ([0, 1, 2, 2, 4, 2], 2), ([2, 2, 2, 2, 2, 2], 2)]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("targets, ignore_index", CASES)
def test_loss_and_gradient_match_torch(targets, ignore_index, reduction):
    x = torch.tensor(np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32), requires_grad=True)
    mine = ours(x).requires_grad_()
    results = []
    for L, logits in ((torch, x), (course_lib, mine)):
        loss = L.nn.functional.cross_entropy(logits, L.tensor(targets), reduction=reduction, ignore_index=ignore_index)
        upstream = L.arange(1, loss.numel() + 1, dtype=L.float32).reshape(loss.shape)  # not all ones
        loss.backward(upstream)
        results.append((loss.detach(), logits.grad))
    assert_same(results[1], results[0])


def test_the_node_is_one_node_named_like_torchs_last():
    loss = course_lib.nn.functional.cross_entropy(course_lib.randn(4, 3, requires_grad=True),
                                                  course_lib.tensor([0, 1, 2, 0]))
    assert type(loss.grad_fn).__name__ == "NllLossBackward0"
    assert [type(node).__name__ for node, _ in loss.grad_fn.next_functions if node] == ["AccumulateGrad"]


def test_second_derivative_matches_torch():
    """create_graph=True differentiates the backward formula (softmax - one_hot) again."""
    x = torch.tensor(np.random.default_rng(1).standard_normal((3, 4)), requires_grad=True)
    mine = ours(x).requires_grad_()
    results = []
    for L, logits in ((torch, x), (course_lib, mine)):
        loss = L.nn.functional.cross_entropy(logits, L.tensor([1, 0, 3]))
        (grad,) = L.autograd.grad(loss, logits, create_graph=True)
        (second,) = L.autograd.grad((grad * grad).sum(), logits)
        results.append((grad.detach(), second))
    assert_same(results[1], results[0])
