"""Re-execute reference notebooks and store their outputs (``make notebooks``).

nbval compares every stored output with a fresh run, so after changing a notebook or the
library, maintainers run this to refresh the committed outputs. Each notebook runs in its
own folder with the current environment's kernel; the file is replaced atomically and only
if the run succeeded.

Usage: python tools/execute_notebooks.py [notebooks/01_tensors.ipynb ...]   (default: all)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course_lib._atomic import atomic_write_text  # noqa: E402


def execute(path: Path) -> float:
    """Run ``path`` top to bottom, store its outputs, return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    # Outputs are committed from a CPU-only run with progress bars off, so that nbval compares
    # the same text on every machine.
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    atomic_write_text(path, nbformat.writes(notebook) + "\n")
    return elapsed


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((REPO / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"executing {path.name} ...", flush=True)
        print(f"  done in {execute(path):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
