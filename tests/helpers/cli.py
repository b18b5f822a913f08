"""Run the exercise commands as a learner's terminal does (a fresh process, the repository's tooling)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import REPO


def run_cli(*args: str, workspace: Path) -> subprocess.CompletedProcess:
    """``python -m course_lib.exercises --workspace WORKSPACE ARGS...`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "course_lib.exercises", "--workspace", str(workspace), *args],
                          capture_output=True, text=True, cwd=REPO)
