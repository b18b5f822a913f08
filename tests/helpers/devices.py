"""Run the tensor and autograd tests on every device course_lib has (and a subset on the python backend).

The tests build their tensors without ``device=`` (directly or through ``helpers.tensors`` and
``helpers.autograd``), so the default device decides where they run: ``on_device`` sets it for
course_lib (``set_default_device``) and for torch (on a real GPU; simulated CUDA compares with torch on
the CPU). ``tests/tensor/conftest.py`` and ``tests/autograd/conftest.py`` run each test once per device:
``cpu``, ``cuda`` where course_lib's cuda backend can run (a GPU, or Triton's interpreter; where Triton is
missing, the single test ``test_devices.py::test_the_rooms_run_on_cuda`` is skipped with that reason, instead
of a skipped copy of every test), and, for tests marked ``python_backend``, ``cpu-python`` (chapter 01's
loops, not NumPy). Tests marked ``cpu_only`` (of the CPU backends themselves) do not run on cuda.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Iterator, List

import pytest
import torch

import course_lib
from course_lib.backends import backend_available, using_backend

PYTHON_BACKEND = "cpu-python"
NO_CUDA = "triton is not installed, so course_lib has no cuda device here: the device rooms run on the cpu only"


def devices_for(marked_python_backend: bool) -> List[str]:
    """The device parameters of one test: cpu, cpu-python (if marked), and cuda where it exists."""
    return ["cpu"] + ([PYTHON_BACKEND] if marked_python_backend else []) + \
        (["cuda"] if backend_available("cuda") else [])


def torch_repr(ours: Any) -> str:
    """``repr(ours)`` as torch would print the tensor on the device it compares on: simulated cuda compares with
    torch on the CPU, which prints no device (course_lib's ``device='cuda:0 (simulated)'`` is left out)."""
    return torch_text(repr(ours))


def torch_text(text: str) -> str:
    """course_lib's ``text`` (a repr, an error message) as torch words it on the device torch compares on: on
    simulated cuda, without the device (``device='cuda:0 (simulated)'`` left out, ``torch.cuda.FloatTensor``
    read as ``torch.FloatTensor``)."""
    if not course_lib.cuda.is_simulated():
        return text
    return re.sub(r",(\s*)device='cuda:0 \(simulated\)'", "", text).replace("torch.cuda.", "torch.")


def torch_device(name: str) -> str:
    """The device torch compares on: the GPU where there is one, else the CPU (simulated CUDA)."""
    return "cuda" if name == "cuda" and torch.cuda.is_available() else "cpu"


@contextlib.contextmanager
def on_device(name: str) -> Iterator[str]:
    """New tensors of both libraries go to device ``name`` while the block runs."""
    ours = "cpu" if name == PYTHON_BACKEND else name
    previous_ours = course_lib.get_default_device()
    course_lib.set_default_device(ours)
    # NOTE: torch's default device is a function mode that intercepts every torch call (about 2x the
    # overhead of a small op), even when it is set to "cpu": set it only for a GPU run, and remove it after.
    gpu = torch_device(name) != "cpu"
    if gpu:
        torch.set_default_device(torch_device(name))
    try:
        with using_backend("python") if name == PYTHON_BACKEND else contextlib.nullcontext():
            yield name
    finally:
        course_lib.set_default_device(previous_ours)
        if gpu:
            torch.set_default_device(None)


def parametrize_devices(metafunc) -> None:
    """``pytest_generate_tests`` of the device rooms: one run of each test per device."""
    if "device" in metafunc.fixturenames:
        marked = metafunc.definition.get_closest_marker("python_backend") is not None
        devices = devices_for(marked)
        if metafunc.definition.get_closest_marker("cpu_only") is not None:
            devices = [name for name in devices if name != "cuda"]
        metafunc.parametrize("device", devices, indirect=True)


@pytest.fixture(autouse=True)
def device(request) -> Iterator[str]:
    """The device this run of the test uses (see the module docstring)."""
    name = getattr(request, "param", "cpu")
    with on_device(name):
        yield name
