"""Second derivatives through nn: a gradient penalty (the gradient of a model's output with respect to its
input, with ``create_graph=True``, then the gradient of that gradient's norm with respect to the weights).

Every layer and F function in ``SUPPORTED`` is differentiable twice (its backward is made of
differentiable operations on what it saved), and this test holds each against torch. ``nn/functional``'s
docstring lists them.
"""

from __future__ import annotations

import pytest
import torch

import course_lib
from helpers.nn import assert_same, same_data, twins

SUPPORTED = {
    "Linear + Tanh": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.Tanh(), L.nn.Linear(8, 1)),
    "Linear + ReLU": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.ReLU(), L.nn.Linear(8, 1)),
    "Linear + GELU": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.GELU(), L.nn.Linear(8, 1)),
    "Linear + Sigmoid + LayerNorm": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.Sigmoid(), L.nn.LayerNorm(8),
                                                              L.nn.Linear(8, 1)),
    "Linear + BatchNorm1d": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.BatchNorm1d(8), L.nn.Linear(8, 1)),
    "Linear + Softmax": lambda L: L.nn.Sequential(L.nn.Linear(5, 8), L.nn.Softmax(dim=1), L.nn.Linear(8, 1)),
}


def gradient_penalty(L, model, x):
    """WGAN-GP's penalty: ``(|d model(x) / dx| - 1)^2`` averaged, then its gradient for the weights.

    A parameter that reaches the penalty only through ReLU's mask (the first bias) gets no gradient here
    where torch gives it zeros (torch's relu backward has a node of its own, whose derivative is zero): the
    gradients are compared with None read as zeros.
    """
    x = x.clone().requires_grad_()
    (grad_x,) = L.autograd.grad(model(x).sum(), x, create_graph=True)
    penalty = ((grad_x.pow(2).sum(1) + 1e-12).sqrt() - 1).pow(2).mean()
    penalty.backward()
    grads = [p.grad if p.grad is not None else L.zeros_like(p) for p in model.parameters()]
    return penalty.detach(), grad_x.detach(), grads


@pytest.mark.parametrize("name", sorted(SUPPORTED))
def test_gradient_penalty_matches_torch(name):
    torch_model, our_model = twins(SUPPORTED[name])
    (x_t,), (x_o,) = same_data(0, (6, 5), dtype="float64")
    torch_model.double()
    our_model.double()
    assert_same(gradient_penalty(course_lib, our_model, x_o), gradient_penalty(torch, torch_model, x_t),
                rtol=1e-6, atol=1e-9)


def test_cross_entropy_of_logits_differentiates_twice():
    """The loss node itself: d/dx of (d loss / dx)² goes through softmax(input) under create_graph."""
    (x_t,), (x_o,) = same_data(1, (4, 3), dtype="float64")
    results = []
    for L, x in ((torch, x_t), (course_lib, x_o)):
        x = x.clone().requires_grad_()
        (grad,) = L.autograd.grad(L.nn.functional.cross_entropy(x, L.tensor([0, 2, 1, 2])), x, create_graph=True)
        (second,) = L.autograd.grad(grad.pow(2).sum(), x)
        results.append(second)
    assert_same(results[1], results[0])
