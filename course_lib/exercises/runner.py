"""Run exercise checks on *another* edition's code, in a fresh Python process.

The CLI lives in the reference course_lib but must check the learner's code in
``workspace/course_lib``; the integrity tests check editions with one exercise stubbed.
Both ask :func:`run_checks`, which starts one subprocess that imports *this* edition's
course_lib (the repository's own tooling: a learner's syntax error cannot break it) and
judges each exercise alone (``checks.isolate.judge``: the reference with only the learner's
body of that exercise). It also imports each edition's own course_lib privately, to report
that it imports (and from where), and sends the reports back as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

Job = Tuple[Path, Sequence[str]]
"""An edition root and the exercise ids to check there."""

REFERENCE = Path(__file__).resolve().parents[2]
"""The edition this tool belongs to: its course_lib judges (the repository root)."""

_CHILD = r"""
import json, sys
from pathlib import Path
reference, jobs = json.loads(sys.stdin.read())
sys.path.insert(0, reference)
from course_lib.checks.isolate import imports_cleanly, judge, problem_of
results, problems = [], {}
for root, ids in jobs:
    try:
        loaded_from, problem = imports_cleanly(Path(root)), None
    except Exception as error:
        loaded_from, found = None, problem_of(error, Path(root))
        problem = {"file": found.file, "line": found.line, "exercise": found.exercise_id,
                   "description": found.description}
    problems[root] = problem
    for i in ids:
        report = judge(i, Path(root), Path(reference))
        results.append({"root": root, "id": i, "passed": report.passed, "not_done": report.not_done,
                        "loaded_from": loaded_from, "import_problem": problem, "table": report.table()})
print("\n@@RESULTS@@" + json.dumps([results, problems]))
"""


def run_checks(jobs: List[Job], timeout: float = 1800) -> List[Dict]:
    """Run the checks of each job in one subprocess; return one dict per (edition, id).

    Each dict has ``root, id, passed, not_done`` and ``table`` (the printed report), and
    ``loaded_from``: the edition's own ``course_lib/__init__.py`` when it imports, else None, and
    ``import_problem``: None when it imports, else what stops it (see :func:`run_jobs`).

    Raises:
        RuntimeError: if the subprocess dies before reporting (its stderr is included).
    """
    return run_jobs(jobs, timeout)[0]


def run_jobs(jobs: List[Job], timeout: float = 1800) -> Tuple[List[Dict], Dict[str, Optional[Dict]]]:
    """Like :func:`run_checks`, and also say why each edition's course_lib does not import.

    Returns:
        ``(results, problems)``: the results of :func:`run_checks`, and for each edition root (resolved,
        as a string) None when its course_lib imports, else a dict with ``file`` (relative to the edition,
        ``""`` if unknown), ``line``, ``exercise`` (the id whose region holds the line, or ``""``) and
        ``description`` (the learner's file, line and code, the error and a one-line hint). An edition with no
        exercise to check is still imported.
    """
    payload = json.dumps([str(REFERENCE), [[str(Path(root).resolve()), list(ids)] for root, ids in jobs]])
    env = dict(os.environ, PYTHONPATH="")  # this edition's course_lib, not another one on the path
    completed = subprocess.run([sys.executable, "-c", _CHILD], input=payload, capture_output=True, text=True,
                               env=env, timeout=timeout)
    marker = "@@RESULTS@@"
    if marker not in completed.stdout:
        raise RuntimeError(f"the check process failed (exit {completed.returncode}):\n{completed.stderr[-3000:]}")
    results, problems = json.loads(completed.stdout.split(marker, 1)[1])
    return results, problems
