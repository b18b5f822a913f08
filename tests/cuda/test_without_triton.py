"""Where Triton cannot be installed (macOS, native Windows), chapters 00-04 work and "cuda" explains itself.

The test hides ``triton`` from a fresh interpreter (an import hook that finds nothing), as on those systems.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO

HIDE_TRITON = """
import importlib.abc, sys
class HideTriton(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "triton" or name.startswith("triton."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, HideTriton())
import importlib.util
importlib.util.find_spec = (lambda original: lambda name, *a, **k: None if name.split(".")[0] == "triton"
                            else original(name, *a, **k))(importlib.util.find_spec)
"""


def run_hidden(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", HIDE_TRITON + code], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def test_chapters_00_to_04_work_and_cuda_names_the_missing_package():
    done = run_hidden("""
import course_lib
from course_lib.backends import backend_available
x = course_lib.randn(3, 4, requires_grad=True)
(course_lib.nn.Linear(4, 2)(x).relu().sum()).backward()
print("cpu ok", x.grad.shape == (3, 4), backend_available("cuda"), course_lib.cuda.is_available(),
      course_lib.cuda.is_simulated())
try:
    course_lib.ones(2, device="cuda")
except RuntimeError as error:
    print("error:", error)
""")
    assert done.returncode == 0, done.stderr
    assert "cpu ok True False False False" in done.stdout
    assert "error: course_lib's cuda device needs the 'triton' package" in done.stdout
    assert "Linux" in done.stdout and "WSL" in done.stdout and "Chapters 00-04 need no Triton" in done.stdout


def test_check_tables_show_cuda_rows_as_not_available():
    done = run_hidden("""
from course_lib.checks import run_check
print(run_check("1.8").table())
""")
    assert done.returncode == 0, done.stderr
    assert "triton is not installed" in done.stdout and "cpu" in done.stdout
