"""The MLP path: ``Sequential(Flatten, Linear, ReLU, Linear)``, ``cross_entropy``, backward and ``SGD``, against torch.

The same model in both libraries (``helpers.nn.twins``) must give the same loss, the same gradients and,
after some SGD steps, the same parameters.
"""

from __future__ import annotations

import pytest
import torch

import course_lib
from helpers.nn import assert_same, gradients, same_data, twins


def mlp(L):
    return L.nn.Sequential(L.nn.Flatten(), L.nn.Linear(784, 64), L.nn.ReLU(), L.nn.Linear(64, 10))


def test_forward_loss_and_gradients_match_torch():
    torch_model, our_model = twins(mlp)
    (x_t,), (x_o,) = same_data(0, (32, 1, 28, 28))
    target = torch.randint(0, 10, (32,))
    loss_t = torch.nn.functional.cross_entropy(torch_model(x_t), target)
    loss_o = course_lib.nn.functional.cross_entropy(our_model(x_o), course_lib.tensor(target.cpu().numpy()))
    loss_t.backward()
    loss_o.backward()
    assert_same(loss_o, loss_t)
    assert_same(gradients(our_model), gradients(torch_model))
    assert type(loss_o.grad_fn).__name__ == type(loss_t.grad_fn).__name__ == "NllLossBackward0"


@pytest.mark.parametrize("options", [dict(), dict(momentum=0.9), dict(momentum=0.9, nesterov=True),
                                     dict(momentum=0.5, dampening=0.1, weight_decay=1e-2),
                                     dict(weight_decay=1e-3, maximize=True)])
def test_sgd_steps_match_torch(options):
    torch_model, our_model = twins(mlp)
    optimizers = [torch.optim.SGD(torch_model.parameters(), lr=0.1, **options),
                  course_lib.optim.SGD(our_model.parameters(), lr=0.1, **options)]
    inputs = same_data(1, (3, 16, 1, 28, 28))
    targets = torch.randint(0, 10, (3, 16))
    for step in range(3):
        for L, model, optimizer, x in zip((torch, course_lib), (torch_model, our_model), optimizers, inputs):
            target = targets[step] if L is torch else course_lib.tensor(targets[step].cpu().numpy())
            optimizer.zero_grad()
            L.nn.functional.cross_entropy(model(x[0][step]), target).backward()
            optimizer.step()
    assert_same(list(our_model.parameters()), list(torch_model.parameters()), rtol=1e-5, atol=1e-6)


def test_the_parameters_stay_the_same_objects():
    model = mlp(course_lib)
    before = [id(p) for p in model.parameters()]
    optimizer = course_lib.optim.SGD(model.parameters(), lr=0.1)
    course_lib.nn.functional.cross_entropy(model(course_lib.randn(4, 784)), course_lib.tensor([1, 2, 3, 4])).backward()
    optimizer.step()
    model.to(course_lib.float64)
    assert [id(p) for p in model.parameters()] == before and model[1].weight.dtype == course_lib.float64
