"""What this machine offers the course: versions, CPU threads, GPU or simulated CUDA.

Taught in notebooks/00_getting_started.ipynb, section "Your environment".
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from typing import Dict


def _version(module_name: str) -> str:
    try:
        return importlib.import_module(module_name).__version__
    except ImportError:
        return "not installed"


def environment_report() -> Dict[str, str]:
    """Versions and hardware as an ordered dict of readable strings.

    Keys: ``python, numpy, torch, torchvision, triton, cpu threads, gpu, cuda in this course``.
    The last says whether course_lib's ``cuda`` device is a real GPU or Triton's interpreter.
    """
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    triton = _version("triton")
    if gpu != "none":
        cuda_mode = "real GPU"
    elif triton != "not installed":
        cuda_mode = "simulated (Triton interpreter on the CPU)"
    else:
        cuda_mode = "unavailable (install triton to simulate it)"
    return {
        "python": f"{platform.python_version()} ({sys.executable})",
        "numpy": _version("numpy"),
        "torch": torch.__version__,
        "torchvision": _version("torchvision"),
        "triton": triton,
        "cpu threads": f"{torch.get_num_threads()} (of {os.cpu_count()} logical CPUs)",
        "gpu": gpu,
        "cuda in this course": cuda_mode,
    }


def chapter_05_outlook(report: Dict[str, str]) -> str:
    """How chapter 05's ``cuda`` device will run on this machine, in a sentence (never an error).

    Args:
        report: :func:`environment_report`'s result.
    """
    if report["gpu"] != "none":
        return f"chapter 05: your GPU ({report['gpu']}) runs the Triton kernels"
    if report["triton"] != "not installed":
        return ("chapter 05: no GPU here, so the cuda device is simulated by Triton's interpreter on the CPU "
                "(slower, the same kernels)")
    return ("chapter 05: triton is not installed, so the cuda device cannot run here, not even simulated.\n"
            "Chapters 00-04 do not need it. Triton comes with torch's Linux wheels; elsewhere (macOS, Windows, a\n"
            "CPU-only torch) try `pip install triton`, or do chapter 05 on a Linux machine.")


def print_environment_report() -> None:
    """Print :func:`environment_report` as an aligned two-column list."""
    report = environment_report()
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
