"""Broken learner code is reported at the learner's own file, line and code, in a few lines, never as a crash.

A syntax error, a bad indent or a failing import in a workspace file must not stop ``check`` or ``list``:
the learner reads where (their file and line, not the reference's), what (their code, Python's error)
and a one-line hint; ``list`` marks that file's exercises and still judges the rest. The judged file
(reference + the learner's body) has its own file name and its text in ``linecache``.
"""

from __future__ import annotations

import inspect
import linecache
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.checks.isolate import judge
from course_lib.checks.learner_code import describe_error, judged_file, register, unregister
from course_lib.exercises.workspace import update_workspace
from helpers import REPO
from helpers.cli import run_cli
from helpers.learner import put_region, reference_body

BROKEN_NUMEL = "    # BEGIN EXERCISE 0.1\n    count = 1 +\n    for size in shape:\n        count *= size\n" \
               "    return count\n    # END EXERCISE"


@pytest.fixture(scope="module")
def broken_workspace(tmp_path_factory) -> tuple:
    """A workspace with a syntax error in 0.1 (shape.py) and exercise 1.6 (another file) solved."""
    workspace = tmp_path_factory.mktemp("learner") / "workspace"
    update_workspace(REPO, workspace)
    first = put_region(workspace, "course_lib/shape.py", "0.1", BROKEN_NUMEL)
    relative = "course_lib/backends/python_backend.py"
    put_region(workspace, relative, "1.6", reference_body(relative, "1.6"))
    return workspace, first + 1  # the line of `count = 1 +`


def assert_learner_view(text: str, file: str, line: int, code: str) -> None:
    assert f"{file}, line {line}" in text, text
    assert code in text and "Traceback" not in text and "course_lib/checks" not in text


def test_check_shows_a_syntax_error_at_the_learners_line(broken_workspace):
    workspace, line = broken_workspace
    done = run_cli("check", "0.1", workspace=workspace)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    assert_learner_view(done.stdout, "workspace/course_lib/shape.py", line, "count = 1 +")
    failure = done.stdout[done.stdout.index("First failure"):done.stdout.index("0 of 1 exercises pass")]
    assert "SyntaxError" in failure and "hint:" in failure and len(failure.strip().splitlines()) <= 10


def test_check_of_another_exercise_in_the_broken_file_says_the_file_does_not_import(broken_workspace):
    workspace, line = broken_workspace
    done = run_cli("check", "1.1", workspace=workspace)
    assert done.stderr == "" and "not done yet" in done.stdout
    assert "workspace/course_lib/shape.py does not import" in done.stdout
    assert_learner_view(done.stdout, "workspace/course_lib/shape.py", line, "count = 1 +")


def test_list_marks_the_files_exercises_and_judges_the_others(broken_workspace):
    workspace, line = broken_workspace
    done = run_cli("list", workspace=workspace)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    rows = {row.split()[0]: row for row in done.stdout.splitlines() if row[:1].isdigit()}
    assert "file error" in rows["0.1"] and "file error" in rows["1.5"]  # every exercise of shape.py
    assert "✓ passes" in rows["1.6"] and "not started" in rows["2.1"]  # other files: judged as usual
    assert_learner_view(done.stdout, "workspace/course_lib/shape.py", line, "count = 1 +")


def workspace_with(tmp_path: Path, exercise_id: str, body_lines: list) -> tuple:
    """A fresh workspace whose region of ``exercise_id`` (in shape.py) holds ``body_lines``; returns
    ``(workspace, the 1-based line of the first body line)``."""
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    body = "\n".join([f"    # BEGIN EXERCISE {exercise_id}", *body_lines, "    # END EXERCISE"])
    return workspace, put_region(workspace, "course_lib/shape.py", exercise_id, body) + 1


def test_an_indentation_error_and_a_failing_import_are_shown_where_they_are(tmp_path):
    workspace, first = workspace_with(tmp_path, "1.2", ["    position = offset", "      for i in index:",
                                                         "        pass", "    return position"])
    indented = run_cli("check", "1.2", workspace=workspace)
    assert "IndentationError" in indented.stdout and indented.stderr == ""
    assert_learner_view(indented.stdout, "workspace/course_lib/shape.py", first + 1, "      for i in index:")
    put_region(workspace, "course_lib/shape.py", "1.2", reference_body("course_lib/shape.py", "1.2"))
    engine = workspace / "course_lib/autograd/engine.py"
    text = engine.read_text()
    engine.write_text(text.replace("from __future__ import annotations\n",
                                   "from __future__ import annotations\nimport numpyy\n", 1))
    line = text[:text.index("from __future__ import annotations")].count("\n") + 2
    listed = run_cli("list", "--no-check", workspace=workspace)  # no checks: nothing to report
    assert "does not import" not in listed.stdout
    checked = run_cli("check", "1.2", workspace=workspace)
    assert "✓ pass" in checked.stdout and "ModuleNotFoundError: No module named 'numpyy'" in checked.stdout
    assert_learner_view(checked.stdout, "workspace/course_lib/autograd/engine.py", line, "import numpyy")


def test_a_crash_in_a_case_names_the_learners_line(tmp_path):
    workspace, first = workspace_with(tmp_path, "0.1", ["    count = 1", "    for size in shape:",
                                                        "        count *= size / 0", "    return count"])
    table = judge("0.1", workspace, REPO).table()
    assert "ZeroDivisionError" in table and "hint:" in table
    assert_learner_view(table, "workspace/course_lib/shape.py", first + 2, "count *= size / 0")


def test_the_judged_file_is_the_source_tracebacks_and_inspect_see():
    reference = "def f(x):\n    # BEGIN EXERCISE 0.1\n    return x\n    # END EXERCISE\n"
    learner = "# my notes\n\ndef f(x):\n    # BEGIN EXERCISE 0.1\n    y = x + 1\n    return 1 / 0\n    # END EXERCISE\n"
    judged = judged_file(reference, learner, "0.1", "course_lib/shape.py", "workspace/course_lib/shape.py")
    register(judged)
    try:
        namespace = {}
        exec(compile(judged.text, judged.name, "exec"), namespace)
        assert inspect.getsource(namespace["f"]) == judged.text  # what runs, not the reference on disk
        assert linecache.getline(judged.name, 3) == "    y = x + 1\n"
        with pytest.raises(ZeroDivisionError) as raised:
            namespace["f"](1)
        text = describe_error(raised.value, [judged])
        assert text.splitlines()[0] == "workspace/course_lib/shape.py, line 6, in numel (exercise 0.1):"
        assert "return 1 / 0" in text
    finally:
        unregister(judged)
    assert judged.name not in linecache.cache


def test_a_notebooks_check_notes_a_file_that_no_longer_imports(tmp_path):
    """In a notebook, course_lib was imported before the learner broke a file: check() still judges, and says
    where the file is broken (restarting the notebook would fail on that import)."""
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    script = (
        "import sys, pathlib\n"
        "sys.path.insert(0, str(pathlib.Path.cwd().parent))\n"
        "import course_lib\n"
        "shape = pathlib.Path('../course_lib/shape.py')\n"
        "stub = 'raise NotImplementedError(\"Exercise 1.2 '\n"
        "shape.write_text(shape.read_text().replace(stub, 'x = (\\n    ' + stub, 1))\n"
        "course_lib.check('0.1')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=workspace / "notebooks", capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=""))
    assert done.returncode == 0, done.stderr
    assert "not done yet" in done.stdout and "course_lib/shape.py does not import" in done.stdout
    line = (workspace / "course_lib/shape.py").read_text().splitlines().index("    x = (") + 1
    assert_learner_view(done.stdout, "workspace/course_lib/shape.py", line, "x = (")
