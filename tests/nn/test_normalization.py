"""``layer_norm``, ``batch_norm``, ``nn.LayerNorm`` and ``nn.BatchNorm1d/2d`` against torch: outputs,
gradients of the input, weight and bias, running statistics after training steps, state_dict and repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import assert_same, gradients, same_data, twins
from helpers.nn_functions import Const, compare

rng = np.random.default_rng(7)
X = rng.standard_normal((4, 3, 5)) * 2 + 1


@pytest.mark.parametrize("shape", [(5,), (3, 5), [5]])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm(shape, affine):
    weight, bias = rng.standard_normal(shape) + 1, rng.standard_normal(shape)
    params = {"none": (), "weight": (weight,), "both": (weight, bias)}[affine]
    compare(lambda L, x, *p: L.nn.functional.layer_norm(x, shape, *p, eps=1e-3), X, *params, grad_fn=True)
    compare(lambda L, x, *p: L.nn.functional.layer_norm(x.transpose(0, 2), shape[-1:], *p),
            X.transpose(2, 1, 0).copy(), *[q.reshape(-1)[-shape[-1]:].copy() for q in params])


def test_layer_norm_of_a_constant_row_and_float32():
    x = X.astype(np.float32)
    x[1] = 3.0  # variance 0: eps keeps it finite
    compare(lambda L, x: L.nn.functional.layer_norm(x, (3, 5)), x, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("affine", [False, True])
def test_batch_norm(training, shape, affine, device):
    x = rng.standard_normal(shape) * 3 + 2
    stats = [Const(rng.standard_normal(3)), Const(rng.random(3) + 0.5)]
    params = [rng.standard_normal(3) + 1, rng.standard_normal(3)] if affine else [None, None]
    compare(lambda L, x, m, v, w, b: L.nn.functional.batch_norm(x, m, v, w, b, training=training, momentum=0.3),
            x, *stats, *params, grad_fn=device != "cuda")  # torch's GPU node is CudnnBatchNormBackward0
    results = []
    for L in (torch, course_lib):
        mean, var = L.tensor(stats[0].array), L.tensor(stats[1].array)
        L.nn.functional.batch_norm(L.tensor(x), mean, var, training=training, momentum=0.3)
        results.append((mean, var))
    assert_same(results[1], results[0])  # updated in place in training (unbiased variance), else kept


def test_batch_norm_without_running_stats(device):
    compare(lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True), X, grad_fn=device != "cuda")
    compare(lambda L, x: L.nn.functional.batch_norm(x.transpose(1, 2), None, None, training=True),
            X.transpose(0, 2, 1).copy())


def layer_norm_model(L):
    return L.nn.Sequential(L.nn.Linear(5, 5), L.nn.LayerNorm(5), L.nn.Linear(5, 2), L.nn.LayerNorm(2, bias=False))


def test_layer_norm_module():
    torch_model, our_model = (model.double() for model in twins(layer_norm_model))  # float32 rounding: flaky
    (x_t,), (x_o,) = same_data(0, (4, 3, 5), dtype="float64")
    torch_model(x_t).square().sum().backward()
    our_model(x_o).square().sum().backward()
    assert_same(gradients(our_model), gradients(torch_model))
    assert repr(our_model) == repr(torch_model)
    for options in (dict(), dict(elementwise_affine=False), dict(eps=1e-3, bias=False)):
        ours, theirs = course_lib.nn.LayerNorm((3, 5), **options), torch.nn.LayerNorm((3, 5), **options)
        assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
        assert_same(list(ours.state_dict().values()), list(theirs.state_dict().values()))


BATCH_NORMS = {
    "1d": (lambda L: L.nn.BatchNorm1d(3), (8, 3)),
    "1d of sequences": (lambda L: L.nn.BatchNorm1d(3, momentum=0.5), (4, 3, 5)),
    "2d": (lambda L: L.nn.BatchNorm2d(3), (4, 3, 2, 3)),
    "2d cumulative": (lambda L: L.nn.BatchNorm2d(3, momentum=None), (4, 3, 2, 2)),
    "2d not affine": (lambda L: L.nn.BatchNorm2d(3, affine=False, eps=1e-3), (4, 3, 2, 2)),
    "2d no running stats": (lambda L: L.nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 2)),
    "1d no bias": (lambda L: L.nn.BatchNorm1d(3, bias=False), (8, 3)),
}


@pytest.mark.parametrize("name", sorted(BATCH_NORMS))
def test_batch_norm_modules_train_like_torch(name):
    factory, shape = BATCH_NORMS[name]
    torch_model, our_model = twins(factory)
    theirs, ours = torch_model.state_dict(), our_model.state_dict()
    assert list(ours) == list(theirs) and ours._metadata == theirs._metadata and repr(our_model) == repr(torch_model)
    optimizers = [L.optim.SGD(model.parameters(), lr=0.5) if list(model.parameters()) else None
                  for L, model in ((torch, torch_model), (course_lib, our_model))]
    inputs = same_data(3, *[shape] * 3)
    for step in range(3):
        for model, optimizer, x in zip((torch_model, our_model), optimizers, inputs):
            out = model(x[step] * (step + 1)) * x[step]
            if optimizer is not None:
                optimizer.zero_grad()
                out.sum().backward()
                optimizer.step()
    assert_same(list(our_model.state_dict().values()), list(torch_model.state_dict().values()), rtol=1e-5, atol=1e-5)
    for model in (torch_model, our_model):
        model.eval()
    outputs = [model(x[0]) for model, x in zip((torch_model, our_model), inputs)]
    assert_same(outputs[1], outputs[0], rtol=1e-5, atol=1e-5)  # evaluation: the running statistics
    assert_same(list(our_model.state_dict().values()), list(torch_model.state_dict().values()), rtol=1e-5, atol=1e-5)


def test_batch_norm_state_dict_round_trip_and_reset():
    torch_model, our_model = twins(lambda L: L.nn.BatchNorm1d(4))
    our_model(course_lib.randn(5, 4))
    assert our_model.num_batches_tracked.dtype == course_lib.int64 and our_model.num_batches_tracked.item() == 1
    torch_model.load_state_dict({k: torch.tensor(v.cpu().numpy()) for k, v in our_model.state_dict().items()})
    our_model.reset_running_stats()
    assert_same(list(our_model.buffers()), list(torch.nn.BatchNorm1d(4).buffers()))
