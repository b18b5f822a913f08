"""``bench/bench_gpu.py`` runs end to end (simulated, tiny sizes), writes its report, and without --simulated
measures nothing where there is no GPU."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from helpers import REPO

pytestmark = pytest.mark.triton


def test_the_gpu_benchmark_script_runs_simulated_and_writes_its_report(tmp_path):
    report = tmp_path / "report_gpu.md"
    done = subprocess.run([sys.executable, "bench/bench_gpu.py", "--simulated", "--report", str(report)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    text = report.read_text(encoding="utf-8")
    assert "**Simulated**" in text and "simulated (Triton's interpreter on the CPU)" in text
    for row in ("| add 4,096 float32 |", "| softmax 8 x 64 float32 |", "| softmax, geometric mean |",
                "| matmul 32 x 32 float16 |", "| matmul 32 x 32 float32 as TF32 (both sides) |",
                "| matmul 32 x 32 float32 IEEE |", "| MLP step 784-512-256-10, batch 8 |"):
        assert row in text, row


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU the script measures (make bench-gpu)")
def test_without_a_gpu_the_benchmark_measures_nothing(tmp_path):
    done = subprocess.run([sys.executable, "bench/bench_gpu.py", "--report", str(tmp_path / "r.md")], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "no NVIDIA GPU here" in done.stdout and not (tmp_path / "r.md").exists()
