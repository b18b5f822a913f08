"""The device rooms (tests/tensor, tests/autograd) run each test on every device course_lib has."""

from __future__ import annotations

import pytest
import torch

import course_lib
from course_lib.backends import backend_available
from helpers.devices import NO_CUDA, PYTHON_BACKEND, devices_for, on_device


def test_the_rooms_run_on_cuda():
    if not backend_available("cuda"):
        pytest.skip(NO_CUDA)
    assert "cuda" in devices_for(False)


def test_tests_build_their_tensors_on_the_device_of_their_run(device):
    x = course_lib.ones(2)
    assert x.device.type == ("cpu" if device == PYTHON_BACKEND else device)
    assert course_lib.tensor([1.0]).device == x.device and course_lib.from_numpy(x.cpu().numpy()).device.type == "cpu"


def test_the_python_backend_run_computes_with_the_loops():
    from course_lib.backends import get_backend
    from course_lib.backends.python_backend import PythonBackend

    assert devices_for(True)[:2] == ["cpu", PYTHON_BACKEND]
    with on_device(PYTHON_BACKEND):
        assert isinstance(get_backend("cpu"), PythonBackend)
    assert not isinstance(get_backend("cpu"), PythonBackend)


def test_set_default_device_is_torchs():
    for library in (torch, course_lib):
        library.set_default_device("cpu")
        try:
            assert library.zeros(1).device == library.device("cpu") == library.get_default_device()
        finally:
            library.set_default_device(None)  # for torch, None also removes its device mode


def test_the_device_runs_leave_torch_without_a_device_mode():
    from torch.overrides import _get_current_function_mode_stack

    assert not any(type(mode).__name__ == "DeviceContext" for mode in _get_current_function_mode_stack())
