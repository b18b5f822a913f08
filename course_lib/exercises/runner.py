"""Run exercise checks against *another* edition's course_lib, in a fresh Python process.

The CLI lives in the reference course_lib but must check the learner's code in
``workspace/course_lib``; the integrity tests must check editions with one exercise
stubbed. Both ask :func:`run_checks`, which starts one subprocess that imports each
edition's ``course_lib`` in turn (dropping the previous one from ``sys.modules``) and
sends the reports back as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

Job = Tuple[Path, Sequence[str]]
"""An edition root and the exercise ids to check there."""

_CHILD = r"""
import json, sys, traceback
jobs = json.loads(sys.stdin.read())
results = []
for root, ids in jobs:
    for name in [m for m in sys.modules if m == "course_lib" or m.startswith("course_lib.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        import course_lib
        from course_lib.checks import run_check
        loaded_from = course_lib.__file__
    except Exception:
        error = traceback.format_exc(limit=3)
        for i in ids:
            results.append({"root": root, "id": i, "passed": False, "not_done": False, "loaded_from": None,
                            "table": "course_lib failed to import:\n" + error})
        sys.path.remove(root)
        continue
    for i in ids:
        report = run_check(i)
        results.append({"root": root, "id": i, "passed": report.passed, "not_done": report.not_done,
                        "loaded_from": loaded_from, "table": report.table()})
    sys.path.remove(root)
print("\n@@RESULTS@@" + json.dumps(results))
"""


def run_checks(jobs: List[Job], timeout: float = 1800) -> List[Dict]:
    """Run the checks of each job in one subprocess; return one dict per (edition, id).

    Each dict has ``root, id, passed, not_done, loaded_from`` (the ``course_lib/__init__.py``
    that was tested, so callers can prove which edition ran) and ``table`` (the printed report).

    Raises:
        RuntimeError: if the subprocess dies before reporting (its stderr is included).
    """
    payload = json.dumps([[str(Path(root).resolve()), list(ids)] for root, ids in jobs])
    env = dict(os.environ, PYTHONPATH="")  # the edition's root must win over any other course_lib
    completed = subprocess.run([sys.executable, "-c", _CHILD], input=payload, capture_output=True, text=True,
                               env=env, timeout=timeout)
    marker = "@@RESULTS@@"
    if marker not in completed.stdout:
        raise RuntimeError(f"the check process failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.split(marker, 1)[1])
