"""``course_lib.cuda`` answers like ``torch.cuda``, never claims a GPU that is not there, and says once when
"cuda" runs simulated."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import course_lib
from helpers import REPO

pytestmark = pytest.mark.triton


def test_availability_mirrors_torch():
    assert course_lib.cuda.is_available() is torch.cuda.is_available()
    assert course_lib.cuda.device_count() == (torch.cuda.device_count() if torch.cuda.is_available() else 0)
    assert course_lib.cuda.is_simulated() is (not torch.cuda.is_available())
    name = course_lib.cuda.get_device_name()
    assert name == (torch.cuda.get_device_name() if torch.cuda.is_available() else
                    "simulated (Triton's interpreter on the CPU)")


def test_device_agnostic_code_stays_on_the_cpu_without_a_gpu():
    device = "cuda" if course_lib.cuda.is_available() else "cpu"
    assert device == ("cuda" if torch.cuda.is_available() else "cpu")


def test_events_time_work_and_refuse_what_torch_refuses():
    start, end = course_lib.cuda.Event(enable_timing=True), course_lib.cuda.Event(enable_timing=True)
    x = course_lib.ones(64, 64, device="cuda")
    start.record()
    (x @ x).sum()
    end.record()
    end.synchronize()
    course_lib.cuda.synchronize()
    assert end.query() and start.elapsed_time(end) > 0
    untimed = course_lib.cuda.Event()
    untimed.record()
    with pytest.raises(RuntimeError, match="enable_timing=True"):
        untimed.elapsed_time(end)


def test_simulated_cuda_is_announced_once_and_marked_in_reprs():
    script = ("import course_lib\nx = course_lib.ones(2, device='cuda')\ny = x + 1\nprint(repr(y))\n"
              "print(course_lib.ones(1, device='cuda').device)")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    if torch.cuda.is_available():
        assert "device='cuda:0')" in done.stdout and "simulated" not in done.stdout + done.stderr
    else:
        assert done.stderr.count("runs simulated") == 1 and "Triton's interpreter" in done.stderr
        assert "tensor([2., 2.], device='cuda:0 (simulated)')" in done.stdout
    assert done.stdout.splitlines()[-1] == "cuda:0"  # the device itself is torch's "cuda:0"


def test_cuda_works_when_triton_was_imported_before_course_lib():
    """torch imports Triton for checks of its own (its optimizers do): the interpreter must still run the kernels."""
    script = ("import triton.language\nimport course_lib\nx = course_lib.arange(6.0, device='cuda').reshape(2, 3)\n"
              "print((x * 2).sum(1).tolist(), x.cumsum(1)[1].tolist(), x.max(1).values.tolist())")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[6.0, 24.0] [3.0, 7.0, 12.0] [2.0, 5.0]"
