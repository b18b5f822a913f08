"""examples/mnist.py under ``torchrun --nproc_per_node=2``: data-parallel training with course_lib, checkpoints
saved by rank 0 and resumed by both ranks (the resumed run repeats the uninterrupted one's epoch line), and
the same script with torch's own DistributedDataParallel. Each run starts 2 processes (a few seconds each)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import torch

from course_lib.distributed.local import free_port, loopback_environment
from helpers import REPO

SCRIPT = REPO / "examples" / "mnist.py"
SMALL = ["--model", "mlp", "--train-subset", "1024", "--test-subset", "200", "--log-interval", "8",
         "--batch-size", "32", "--val-split", "0.25"]  # rank 0 alone also evaluates the 256 held-out images

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (REPO / "data" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file(),
                                 reason="MNIST is not fetched (make data)")]


def torchrun(*args: str) -> subprocess.CompletedProcess:
    port = free_port()
    env = {**os.environ, **loopback_environment(port), "TQDM_DISABLE": "1", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_addr=127.0.0.1",
               f"--master_port={port}", str(SCRIPT), *SMALL, *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def epoch_lines(output: str) -> dict:
    """Epoch -> its summary line without the timings."""
    return {int(found[1]): re.sub(r", [\d.]+ s \(.*", "", found[0])
            for found in re.finditer(r"^epoch (\d+): .*$", output, re.MULTILINE)}


def test_two_processes_train_save_on_rank_0_and_resume_like_the_uninterrupted_run(tmp_path):
    whole = torchrun("--epochs", "2")
    assert "2 processes x 32 images per step" in whole.stdout
    assert whole.stdout.count("epoch 1: ") == 1, "only rank 0 prints"
    assert "[   32/384]" in whole.stdout, "each process trains on its half of the 768 training images"
    expected = epoch_lines(whole.stdout)
    assert float(re.search(r"accuracy ([\d.]+)%", expected[2])[1]) > 60

    checkpoint = tmp_path / "run.pt"
    torchrun("--epochs", "1", "--checkpoint", str(checkpoint))
    state = torch.load(checkpoint, weights_only=True)  # torch reads rank 0's file; keys without "module."
    assert state["epoch"] == 1 and all(not key.startswith("module.") for key in state["model"])
    assert set(torch.load(tmp_path / "run.best.pt", weights_only=True)) == set(state["model"])
    resumed = torchrun("--epochs", "2", "--checkpoint", str(checkpoint), "--resume")
    assert resumed.stdout.count("resumed after epoch 1") == 1
    assert epoch_lines(resumed.stdout) == {2: expected[2]}
    assert not list(tmp_path.glob("*.tmp"))


def test_the_same_script_trains_with_torchs_distributed_data_parallel():
    result = torchrun("--epochs", "1", "--framework", "torch")
    assert "torch: mlp, 535,818 parameters, 2 processes x 32 images per step" in result.stdout
    assert float(re.search(r"accuracy ([\d.]+)%", result.stdout)[1]) > 50
