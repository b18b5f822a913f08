"""Training on "cuda": modules, losses and optimizers run unchanged on the Triton backend.

The MLP of chapter 03/04 takes the same training steps on cuda as on the cpu; a small CNN (convolution,
pooling, batch norm) gives torch's outputs and gradients; modules and optimizers follow torch's device rules.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from course_lib.interop import from_torch, to_torch
from helpers.devices import torch_device
from helpers.tensors import assert_same

pytestmark = pytest.mark.triton

nn, F = course_lib.nn, course_lib.nn.functional


def mlp(library):
    layers = library.nn
    return layers.Sequential(layers.Flatten(), layers.Linear(784, 512), layers.ReLU(), layers.Linear(512, 256),
                             layers.ReLU(), layers.Linear(256, 10))


def train_steps(model, device, images, labels, steps):
    """Move ``model`` to ``device``, create Adadelta after the move (as seed 003 does), take ``steps`` steps."""
    model.to(device)
    optimizer = course_lib.optim.Adadelta(model.parameters(), lr=1.0)
    images, labels = images.to(device), labels.to(device)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [to_torch(p.detach().cpu()) for p in model.parameters()]


def test_the_mlp_training_step_on_cuda_equals_the_cpu_one():
    course_lib.manual_seed(0)
    on_cpu = mlp(course_lib)
    on_cuda = mlp(course_lib)
    on_cuda.load_state_dict(on_cpu.state_dict())
    images, labels = course_lib.randn(16, 1, 28, 28), course_lib.randint(0, 10, (16,))
    cpu_losses, cpu_weights = train_steps(on_cpu, "cpu", images, labels, 3)
    cuda_losses, cuda_weights = train_steps(on_cuda, "cuda", images, labels, 3)
    assert all(p.device == course_lib.device("cuda", 0) and p.grad.device == p.device for p in on_cuda.parameters())
    torch.testing.assert_close(cuda_losses, cpu_losses, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(cuda_weights, cpu_weights, rtol=1e-5, atol=1e-6)
    assert cuda_losses[-1] < cuda_losses[0]


def test_a_small_cnn_gives_torchs_outputs_and_gradients():
    torch.manual_seed(0)
    device = torch_device("cuda")
    theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                                 torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 3, 3, stride=2), torch.nn.AvgPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(3, 5)).to(device)
    ours = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 3, 3, stride=2), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3, 5))
    ours.load_state_dict({name: from_torch(value.cpu()) for name, value in theirs.state_dict().items()})
    ours.to("cuda")
    images = np.random.default_rng(0).standard_normal((3, 2, 10, 10)).astype(np.float32)
    labels = [1, 4, 0]
    their_images = torch.tensor(images, device=device, requires_grad=True)
    our_images = course_lib.tensor(images, device="cuda", requires_grad=True)
    their_loss = torch.nn.functional.cross_entropy(theirs(their_images), torch.tensor(labels, device=device))
    our_loss = F.cross_entropy(ours(our_images), course_lib.tensor(labels, device="cuda"))
    their_loss.backward()
    our_loss.backward()
    assert_same(our_loss, their_loss)
    assert_same(our_images.grad, their_images.grad, rtol=1e-4, atol=1e-5)
    for (name, ours_p), theirs_p in zip(ours.named_parameters(), theirs.parameters()):
        assert_same(ours_p.grad, theirs_p.grad, rtol=1e-4, atol=1e-5)
    assert_same(ours[1].running_mean, theirs[1].running_mean)


def test_devices_follow_torchs_rules():
    x, y = course_lib.ones(2), course_lib.ones(2, device="cuda")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device.*cuda:0 and cpu"):
        y + x
    assert x.to("cuda", non_blocking=True).device == y.device and x.pin_memory() is x and not x.is_pinned()
    assert y.cuda() is y and y.cpu().device == x.device and y.to("cpu", course_lib.int64).tolist() == [1, 1]
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        y.pin_memory()
    layer = nn.Linear(2, 3)
    assert layer.cuda() is layer and layer.weight.device == y.device
    assert layer(y).device == y.device and layer.cpu().weight.device == x.device


def test_data_loader_batches_move_to_cuda():
    data = course_lib.utils.data.TensorDataset(course_lib.arange(12.0).reshape(6, 2), course_lib.arange(6))
    loader = course_lib.utils.data.DataLoader(data, batch_size=4, pin_memory=True)
    batches = [(inputs.to("cuda", non_blocking=True), targets.cuda()) for inputs, targets in loader]
    assert [tuple(b[0].shape) for b in batches] == [(4, 2), (2, 2)]
    assert all(b[0].device.type == "cuda" and b[1].device.type == "cuda" for b in batches)
    assert batches[1][0].sum().item() == 8.0 + 9.0 + 10.0 + 11.0 and batches[1][1].tolist() == [4, 5]
