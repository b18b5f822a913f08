"""Exercises in a script outside the package (examples/mnist.py, 4.3-4.7): the workspace gets the script with
its stubs, and list, check (judged alone, with the learner's own body), reset and update work there as they do
in course_lib/; the workspace notebook's `from examples import mnist` imports the workspace's copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from course_lib.checks.isolate import judge
from course_lib.exercises.backups import backup_root
from course_lib.exercises.registry import get_exercise
from course_lib.exercises.workspace import is_started, reset_exercises, update_workspace
from helpers import REPO
from helpers.cli import run_cli

SCRIPT = "examples/mnist.py"


def write_body(workspace: Path, exercise_id: str, body: str) -> Path:
    """Replace the learner's region of ``exercise_id`` in the workspace's script with ``body`` (indented lines)."""
    path = workspace / SCRIPT
    text = path.read_text()
    begin = text.index(f"    # BEGIN EXERCISE {exercise_id}")
    end = text.index("# END EXERCISE", begin) + len("# END EXERCISE")
    path.write_text(text[:begin] + f"    # BEGIN EXERCISE {exercise_id}\n{body}    # END EXERCISE" + text[end:])
    return path


def test_the_workspace_script_has_the_stubs(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    text = (workspace / SCRIPT).read_text()
    for exercise_id in ("4.3", "4.4", "4.5", "4.6", "4.7"):
        assert f'raise NotImplementedError("Exercise {exercise_id} (' in text
    assert "optimizer.zero_grad()  # gradients add up" not in text  # the solution is gone
    assert "def build_model" in text  # the rest of the script is whole


def test_the_check_runs_the_learners_changed_body(course_copy, tmp_path):
    """The isolated check runs what the learner wrote, and an error there is shown at the learner's line."""
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    write_body(workspace, "4.5", "    return 12345\n")
    wrong = judge("4.5", workspace, REPO)
    assert not wrong.passed and not wrong.not_done and "12345" in wrong.table()
    path = write_body(workspace, "4.5", "    predictions = logits.argmax(dim=1)\n"
                                        "    raise ValueError('my own mistake')\n")
    line = path.read_text().splitlines().index("    raise ValueError('my own mistake')") + 1
    crashed = judge("4.5", workspace, REPO).table()
    assert f"ws/{SCRIPT}, line {line}" in crashed and "my own mistake" in crashed
    write_body(workspace, "4.5", "    hits = logits.argmax(1).eq(labels)\n    return int(hits.sum())\n")
    assert judge("4.5", workspace, REPO).passed
    write_body(workspace, "4.3", "    return 1.0 +\n")  # a syntax error is reported, not raised
    broken = judge("4.3", workspace, REPO).table()
    assert f"ws/{SCRIPT}" in broken and "SyntaxError" in broken


def test_update_keeps_the_learners_script_code_and_reset_restores_the_stub(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    write_body(workspace, "4.5", "    return 0  # my attempt\n")
    exercise = get_exercise("4.5")
    assert is_started(workspace, exercise)
    source = course_copy / SCRIPT
    source.write_text(source.read_text() + "\n\ndef added_by_the_course():\n    return 1\n")
    report = update_workspace(course_copy, workspace)
    assert report.merged == [SCRIPT]
    text = (workspace / SCRIPT).read_text()
    assert "my attempt" in text and "def added_by_the_course" in text
    assert any("my attempt" in p.read_text() for p in backup_root(workspace).rglob("mnist.py"))
    backup = reset_exercises(workspace, [exercise])
    assert not is_started(workspace, exercise) and "my attempt" in (backup / SCRIPT).read_text()


def test_cli_lists_checks_and_resets_a_script_exercise(tmp_path):
    workspace = tmp_path / "ws"
    assert run_cli("update", workspace=workspace).returncode == 0
    listed = run_cli("list", workspace=workspace)
    assert listed.returncode == 0, listed.stderr
    assert any("4.3" in line and "not started" in line for line in listed.stdout.splitlines()), listed.stdout
    assert run_cli("check", "4.3", workspace=workspace).returncode == 1
    write_body(workspace, "4.3", "    optimizer.zero_grad()\n"
                                 "    loss = torch.nn.functional.cross_entropy(model(images), labels)\n"
                                 "    loss.backward()\n    optimizer.step()\n    return float(loss)\n")
    passing = run_cli("check", "4.3", workspace=workspace)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    reset = run_cli("reset", "4.3", workspace=workspace)
    assert reset.returncode == 0 and "backed up in" in reset.stdout
    assert 'raise NotImplementedError("Exercise 4.3 (' in (workspace / SCRIPT).read_text()


def test_the_workspace_notebook_imports_the_workspace_script(tmp_path):
    """The notebook's first cells put the workspace on sys.path and import `examples.mnist`: the learner's copy."""
    workspace = tmp_path / "ws"
    assert run_cli("update", workspace=workspace).returncode == 0
    code = ("import sys, pathlib; sys.path.insert(0, str(pathlib.Path.cwd().parent))\n"
            "import course_lib\nfrom examples import mnist\nprint(mnist.__file__); print(course_lib.__file__)")
    done = subprocess.run([sys.executable, "-c", code], cwd=workspace / "notebooks", capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    script, package = done.stdout.split()
    assert Path(script) == (workspace / SCRIPT).resolve() and Path(package).is_relative_to(workspace.resolve())
