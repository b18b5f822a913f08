"""examples/mnist.py, run as learners run it: a real subprocess, killed and resumed; a missing MNIST; the
checkpoint format; torch's switches that course_lib accepts.

Small runs only (a few hundred images): the full runs and their accuracies are in bench/report_mnist.md.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import course_lib
from helpers import REPO

SCRIPT = REPO / "examples" / "mnist.py"
SMALL = ["--model", "mlp", "--train-subset", "1280", "--test-subset", "200", "--log-interval", "1",
         "--batch-size", "32"]
ENV = {**os.environ, "TQDM_DISABLE": "1"}

pytestmark = pytest.mark.skipif(not (REPO / "data" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file(),
                                reason="MNIST is not fetched (make data)")


def run_script(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=ENV,
                          timeout=300, **options)


def loss_lines(output: str) -> dict:
    """Epoch -> that epoch's per-batch loss lines and its summary line, without its timings."""
    epochs: dict = {}
    for line in output.splitlines():
        found = re.match(r"epoch (\d+)[ :]", line)
        if found:
            epochs.setdefault(int(found[1]), []).append(re.sub(r", [\d.]+ s \(.*", "", line))
    return epochs


@pytest.mark.slow
def test_a_killed_run_resumes_with_the_losses_of_an_uninterrupted_one(tmp_path):
    whole = run_script(*SMALL, "--epochs", "3")
    assert whole.returncode == 0, whole.stderr
    expected = loss_lines(whole.stdout)
    assert sorted(expected) == [1, 2, 3]

    checkpoint = tmp_path / "run.pt"
    process = subprocess.Popen([sys.executable, str(SCRIPT), *SMALL, "--epochs", "3", "--checkpoint",
                                str(checkpoint)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    deadline = time.time() + 240
    while not checkpoint.exists() and process.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # as a crash or a closed laptop: no chance to clean up
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    done = torch.load(checkpoint, weights_only=False)["epoch"]
    assert 1 <= done < 3

    resumed = run_script(*SMALL, "--epochs", "3", "--checkpoint", str(checkpoint), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after epoch {done}" in resumed.stdout
    got = loss_lines(resumed.stdout)
    assert sorted(got) == list(range(done + 1, 4))
    for epoch in got:
        assert got[epoch] == expected[epoch], f"epoch {epoch} differs after resuming"
    assert not list(tmp_path.glob("*.tmp")), "a temporary checkpoint was left behind"


@pytest.mark.slow
def test_course_libs_checkpoint_is_a_torch_file_and_the_best_model_is_saved(tmp_path):
    checkpoint = tmp_path / "run.pt"
    result = run_script(*SMALL, "--epochs", "1", "--checkpoint", str(checkpoint), "--val-split", "0.25")
    assert result.returncode == 0, result.stderr
    state = torch.load(checkpoint, weights_only=True)
    assert state["epoch"] == 1 and set(state) >= {"model", "optimizer", "scheduler", "rng", "shuffle"}
    best = torch.load(tmp_path / "run.best.pt", weights_only=True)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    model.load_state_dict(best)
    assert "535,818 parameters" in result.stdout


def test_a_missing_mnist_gives_the_fix_not_a_traceback(tmp_path):
    for framework in ("course_lib", "torch"):
        result = run_script("--framework", framework, "--data", str(tmp_path), "--epochs", "1")
        assert result.returncode == 2, result.stderr
        assert "make data" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_progress_bars_are_off_under_tqdm_disable():
    result = run_script(*SMALL, "--epochs", "1", "--train-subset", "320", "--log-interval", "0")
    assert result.returncode == 0 and "it/s" not in result.stderr, result.stderr


def test_the_switches_torch_scripts_set_exist_and_change_nothing():
    gpu = torch.cuda.is_available()  # course_lib answers as torch: simulated cuda is not "available"
    assert course_lib.cuda.is_available() is gpu and course_lib.accelerator.is_available() is gpu
    assert course_lib.cuda.device_count() == torch.cuda.device_count()
    assert course_lib.accelerator.current_accelerator() == (course_lib.device("cuda") if gpu else None)
    assert course_lib.backends.mps.is_available() is False and course_lib.backends.cudnn.is_available() is False
    course_lib.backends.cudnn.deterministic, course_lib.backends.cudnn.benchmark = True, False
    assert course_lib.are_deterministic_algorithms_enabled() is False
    course_lib.use_deterministic_algorithms(True)
    try:
        assert course_lib.are_deterministic_algorithms_enabled()
    finally:
        course_lib.use_deterministic_algorithms(False)
    with pytest.raises(RuntimeError):
        course_lib.use_deterministic_algorithms("yes")
