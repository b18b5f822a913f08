"""On "cuda", torch only holds memory: every number course_lib computes comes from its own Triton kernels.

A torch function mode sees each torch call made from Python (course_lib's, and Triton's own when it
launches or interprets a kernel) while chapter 03's MLP takes a training step on cuda; only memory
operations are allowed: allocating, asking a buffer's address and layout, copying to and from the host.
"""

from __future__ import annotations

import collections

import pytest
from torch.overrides import TorchFunctionMode

import course_lib

pytestmark = pytest.mark.triton

MEMORY = {
    "empty", "new_empty", "tensor", "from_numpy", "untyped_storage", "data_ptr", "storage_offset", "size", "stride",
    "element_size", "numel", "dim", "is_contiguous", "__get__", "cpu", "numpy", "to", "copy_", "__getitem__",
    "detach",
}
"""What torch may do for course_lib's cuda backend: allocate, describe and copy buffers (``__get__`` reads an
attribute such as ``dtype``; ``__getitem__`` takes the one-element slice a write copies into)."""


class Recorder(TorchFunctionMode):
    """Counts every torch function called while it is active, by name."""

    def __init__(self):
        super().__init__()
        self.calls = collections.Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls[getattr(func, "__name__", repr(func))] += 1
        return func(*args, **(kwargs or {}))


def test_a_training_step_on_cuda_calls_no_torch_compute():
    nn, F = course_lib.nn, course_lib.nn.functional
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10)).to("cuda")
    optimizer = course_lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    images, labels = course_lib.randn(4, 1, 28, 28, device="cuda"), course_lib.randint(0, 10, (4,), device="cuda")
    F.cross_entropy(model(images), labels).backward()
    optimizer.step()  # (the momentum buffers exist from now on)
    with Recorder() as recorder:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        loss.item()
    assert recorder.calls, "the recorder saw nothing: it would not see compute either"
    computed = {name: count for name, count in recorder.calls.items() if name not in MEMORY}
    assert not computed, f"torch computed on course_lib's data: {computed}"


def test_the_recorder_sees_torch_compute():
    import torch

    with Recorder() as recorder:
        torch.ones(2) + torch.ones(2)
    assert "add" in {name.strip("_") for name in recorder.calls} or "__add__" in recorder.calls
