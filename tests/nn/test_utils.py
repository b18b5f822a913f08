"""``nn.utils``: gradient clipping and parameters as one vector, on twin models against torch."""

from __future__ import annotations

import math

import pytest
import torch

import course_lib
from helpers.nn import assert_same, gradients, same_data, twins
from helpers.tensors import raises_like


def mlp(L):
    return L.nn.Sequential(L.nn.Linear(5, 7), L.nn.Tanh(), L.nn.Linear(7, 3))


def twins_with_gradients(scale: float = 1.0):
    """Twin models after one backward of the same loss (``scale`` makes the gradients large or small); the
    weights are drawn from a seeded torch, so every run compares the same numbers."""
    torch.manual_seed(0)
    models = twins(mlp)
    for model, (x,) in zip(models, same_data(0, (8, 5))):
        (model(x).pow(2).sum() * scale).backward()
    return models


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.01, 1e6])
def test_clip_grad_norm_returns_the_total_norm_and_scales_like_torch(max_norm, norm_type):
    torch_model, our_model = twins_with_gradients(scale=10.0)
    norms = [L.nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type=norm_type)
             for L, model in ((torch, torch_model), (course_lib, our_model))]
    # float32 gradients of size ~50 summed in another order: a few units of 4e-6 apart
    assert_same(norms[1], norms[0], rtol=1e-5, atol=1e-5)
    assert_same(gradients(our_model), gradients(torch_model), rtol=1e-5, atol=1e-5)


def test_clip_grad_norm_skips_parameters_without_gradients_and_takes_a_single_tensor():
    torch_model, our_model = twins_with_gradients()
    for model in (torch_model, our_model):
        model[2].bias.grad = None
    results = [(L.nn.utils.clip_grad_norm_(model[0].weight, 0.1),
                L.nn.utils.clip_grad_norm_(model.parameters(), 0.5, error_if_nonfinite=True, foreach=None))
               for L, model in ((torch, torch_model), (course_lib, our_model))]
    assert_same(list(results[1]), list(results[0]), rtol=1e-5, atol=1e-6)
    assert_same(gradients(our_model)[:3], gradients(torch_model)[:3], rtol=1e-5, atol=1e-6)
    assert our_model[2].bias.grad is None


def test_clip_grad_norm_without_gradients_returns_zero():
    assert_same(course_lib.nn.utils.clip_grad_norm_(mlp(course_lib).parameters(), 1.0),
                torch.nn.utils.clip_grad_norm_(mlp(torch).parameters(), 1.0))


def test_a_non_finite_norm_raises_only_when_asked():
    raises_like(lambda: course_lib.nn.utils.clip_grad_norm_(_inf_param(course_lib), 1.0, error_if_nonfinite=True),
                lambda: torch.nn.utils.clip_grad_norm_(_inf_param(torch), 1.0, error_if_nonfinite=True))
    params = [_inf_param(L) for L in (torch, course_lib)]
    norms = [L.nn.utils.clip_grad_norm_(w, 1.0) for L, w in zip((torch, course_lib), params)]
    assert_same(norms[1], norms[0])
    assert_same(params[1].grad, params[0].grad)  # scaled by 1/inf: NaN where inf was


def _inf_param(L):
    w = L.nn.Parameter(L.ones(3))
    w.grad = L.tensor([1.0, math.inf, 0.0])
    return w


@pytest.mark.parametrize("clip_value", [0.05, 1e6])
def test_clip_grad_value_clamps_each_element_like_torch(clip_value):
    torch_model, our_model = twins_with_gradients(scale=3.0)
    results = [L.nn.utils.clip_grad_value_(model.parameters(), clip_value)
               for L, model in ((torch, torch_model), (course_lib, our_model))]
    assert results == [None, None]
    assert_same(gradients(our_model), gradients(torch_model))


def test_parameters_to_vector_and_back_match_torch():
    torch_model, our_model = twins(mlp)
    vectors = [L.nn.utils.parameters_to_vector(model.parameters())
               for L, model in ((torch, torch_model), (course_lib, our_model))]
    assert_same(vectors[1], vectors[0])
    assert type(vectors[1].grad_fn).__name__ == type(vectors[0].grad_fn).__name__ == "CatBackward0"
    new = [L.arange(float(vectors[0].numel()) + 2) for L in (torch, course_lib)]  # longer than needed: allowed
    torch.nn.utils.vector_to_parameters(new[0], torch_model.parameters())
    course_lib.nn.utils.vector_to_parameters(new[1], our_model.parameters())
    assert_same([p.detach() for p in our_model.parameters()], [p.detach() for p in torch_model.parameters()])
    for vector, model in zip(new, (torch_model, our_model)):
        vector[0] = -5.0  # the parameters became views of the vector
        assert model[0].weight[0, 0].item() == -5.0


def test_vector_to_parameters_refuses_a_list():
    raises_like(lambda: course_lib.nn.utils.vector_to_parameters([1.0], mlp(course_lib).parameters()),
                lambda: torch.nn.utils.vector_to_parameters([1.0], mlp(torch).parameters()))
