"""Chapter 05's exercises are the cuda backend's own kernels: a learner's kernel in a workspace is what the
isolated check runs, an unfinished kernel names its exercise (on a GPU too, where Triton would refuse to
compile the stub's ``raise``), and a kernel that writes past its output neither crashes the simulator nor
passes its check."""

from __future__ import annotations

import pytest
import torch

import course_lib
from course_lib.checks.isolate import judge
from course_lib.exercises.workspace import update_workspace
from helpers import REPO
from helpers.learner import put_region, reference_body

pytestmark = pytest.mark.triton

ELEMENTWISE = "course_lib/backends/triton/elementwise.py"


def test_the_check_runs_the_learners_kernel_body(course_copy, tmp_path):
    """5.1 in a workspace: the stub is "not done"; a store without its mask fails on the canary only (and does
    not crash the interpreter: simulated buffers have slack); the reference body passes."""
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    stubbed = judge("5.1", workspace, REPO)
    assert stubbed.not_done and not stubbed.passed
    solution = reference_body(ELEMENTWISE, "5.1")
    store = "binary(a, b, FN).to(out_ptr.dtype.element_ty), mask=mask)"
    assert store in solution
    put_region(workspace, ELEMENTWISE, "5.1", solution.replace(store, "binary(a, b, FN).to(out_ptr.dtype.element_ty))"))
    unmasked = judge("5.1", workspace, REPO)
    failed = [r.case for r in unmasked.results if r.status == "fail"]
    assert failed == ["the 123 elements after out's last keep their canary"], unmasked.table()
    put_region(workspace, ELEMENTWISE, "5.1", solution.replace("binary(a, b, FN)", "binary(b, a, FN)"))
    swapped = judge("5.1", workspace, REPO)  # sub and the rest are not symmetric: a changed body, seen
    assert not swapped.passed and "sub int (513,)" in swapped.table()
    put_region(workspace, ELEMENTWISE, "5.1", solution)
    assert judge("5.1", workspace, REPO).passed


def test_a_kernel_error_is_shown_at_the_learners_line(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    solution = reference_body(ELEMENTWISE, "5.2")
    put_region(workspace, ELEMENTWISE, "5.2", solution.replace("mask = linear < n", "mask = linear < n_rows"))
    line = (workspace / ELEMENTWISE).read_text().splitlines().index("    mask = linear < n_rows") + 1
    crashed = judge("5.2", workspace, REPO).table()
    # (the interpreter wraps a kernel's error in its InterpreterError: the learner sees their own)
    assert f"ws/{ELEMENTWISE}, line {line}, in binary_kernel" in crashed, crashed
    assert "NameError: name 'n_rows' is not defined" in crashed and "InterpreterError" not in crashed


def test_the_launcher_names_an_unfinished_exercise_before_running_it():
    from course_lib.backends.triton import runtime
    import triton
    import triton.language as tl

    @triton.jit
    def unfinished_kernel(x_ptr, BLOCK: tl.constexpr):
        raise NotImplementedError("Exercise 5.4 (course_lib/backends/triton/reduction.py: reduce_kernel) is not done yet")

    @triton.jit
    def finished_kernel(x_ptr, BLOCK: tl.constexpr):
        tl.store(x_ptr + tl.arange(0, BLOCK), 1.0)

    tuned = triton.autotune(configs=[triton.Config({"BLOCK": 4})], key=[])(unfinished_kernel)
    for kernel in (unfinished_kernel, tuned):  # an autotuned kernel is read through to its function
        assert runtime.unfinished_exercise(kernel).startswith("Exercise 5.4 (course_lib/backends/triton/reduction.py")
    assert runtime.unfinished_exercise(finished_kernel) is None
    x = torch.zeros(4, device=runtime.BUFFER_DEVICE)
    with pytest.raises(NotImplementedError, match="Exercise 5.4 .* is not done yet"):
        runtime.launch(unfinished_kernel, (1,), x, BLOCK=4)
    runtime.launch(finished_kernel, (1,), x, BLOCK=4)
    assert x.tolist() == [1.0] * 4


def test_block_limit_makes_small_tensors_take_many_programs(monkeypatch):
    from course_lib.backends.triton import runtime

    launches = []
    real_launch = runtime.launch
    monkeypatch.setattr(runtime, "launch", lambda kernel, grid, *a, **k: launches.append((grid, k)) or
                        real_launch(kernel, grid, *a, **k))
    a = course_lib.arange(100.0, device="cuda")
    with runtime.block_limit(16):
        total = (a + a).sum()
    assert total.item() == 9900.0
    (add_grid, add_constants), (sum_grid, sum_constants) = launches
    assert add_constants["BLOCK"] == 16 and add_grid == (7,)
    assert sum_constants["BLOCK_C"] == 16 and sum_constants["BLOCK_R"] <= 16
    assert runtime.elementwise_block(100) == (128 if runtime.SIMULATED else runtime.BLOCK)  # the limit is gone


def test_tf32_is_what_torch_calls_it_and_reaches_the_kernel(monkeypatch):
    """``course_lib.backends.cuda.matmul.allow_tf32`` mirrors torch's switch (off by default) and makes float32
    products ask the kernel for TF32; float16 and float64 ignore it."""
    from course_lib.backends.triton import runtime

    assert course_lib.backends.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32 is False
    precisions = []
    real_launch = runtime.launch
    monkeypatch.setattr(runtime, "launch", lambda kernel, grid, *a, **k: precisions.append(k.get("PRECISION")) or
                        real_launch(kernel, grid, *a, **k))
    a = course_lib.randn(8, 8, device="cuda")
    monkeypatch.setattr(course_lib.backends.cuda.matmul, "allow_tf32", True)
    torch.testing.assert_close(course_lib.interop.to_torch(a @ a), course_lib.interop.to_torch(a) @
                               course_lib.interop.to_torch(a), rtol=1e-2, atol=1e-2)
    a.double() @ a.double()
    monkeypatch.setattr(course_lib.backends.cuda.matmul, "allow_tf32", False)
    a @ a
    assert [p for p in precisions if p] == ["tf32", "ieee", "ieee"]


@pytest.mark.parametrize("exercise_id", ["5.1", "5.2", "5.3", "5.4", "5.5"])
def test_the_reference_kernels_pass_their_checks(exercise_id):
    """The checks of chapter 05 on this machine's cuda (``make test-gpu`` runs them compiled on a GPU)."""
    from course_lib.checks import run_check

    report = run_check(exercise_id)
    assert report.passed, report.table()
