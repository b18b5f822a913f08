"""The learner workspace: created, updated and reset without ever losing the learner's work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_lib.exercises.backups import backup_root
from course_lib.exercises.registry import get_exercise
from helpers.cli import run_cli
from course_lib.exercises.workspace import (WorkspaceError, is_started, read_manifest, reset_exercises,
                                            update_workspace)

SOLVED_NUMEL = "    # BEGIN EXERCISE 0.1\n    return len(shape) * 0 + 42  # my attempt\n    # END EXERCISE"


def solve_in_workspace(workspace: Path, body: str = SOLVED_NUMEL) -> Path:
    """Replace the learner's 0.1 region with ``body`` (as a learner editing shape.py would)."""
    path = workspace / "course_lib/shape.py"
    text = path.read_text()
    begin = text.index("    # BEGIN EXERCISE 0.1")
    end = text.index("# END EXERCISE", begin) + len("# END EXERCISE")
    path.write_text(text[:begin] + body + text[end:])
    return path


def test_create_writes_learner_edition_and_manifest(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    report = update_workspace(course_copy, workspace)
    assert "course_lib/shape.py" in report.created and not report.skipped
    text = (workspace / "course_lib/shape.py").read_text()
    assert 'raise NotImplementedError("Exercise 0.1' in text and "count *= size" not in text
    assert set(read_manifest(workspace)) == set(report.created)
    notebook = json.loads((workspace / "notebooks/00_getting_started.ipynb").read_text())
    assert all(c.get("outputs", []) == [] for c in notebook["cells"])


def test_update_replaces_untouched_files_and_skips_changed_ones(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    (workspace / "course_lib/checks/environment.py").write_text("# my notes\n")  # a learner edit outside any exercise
    (course_copy / "course_lib/checks/environment.py").write_text('"""new course version"""\n')
    (course_copy / "course_lib/checks/device_table.py").write_text('"""also new"""\n')
    report = update_workspace(course_copy, workspace)
    assert report.skipped == ["course_lib/checks/environment.py"]
    assert (workspace / "course_lib/checks/environment.py").read_text() == "# my notes\n"
    assert "course_lib/checks/device_table.py" in report.updated
    assert (workspace / "course_lib/checks/device_table.py").read_text() == '"""also new"""\n'
    assert "skipped: course_lib/checks/environment.py" in report.summary()


def test_update_keeps_exercise_code_when_the_course_file_changes(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    solve_in_workspace(workspace)
    source = course_copy / "course_lib/shape.py"
    source.write_text(source.read_text() + "\n\ndef added_by_the_course():\n    return 1\n")
    report = update_workspace(course_copy, workspace)
    assert report.merged == ["course_lib/shape.py"]
    text = (workspace / "course_lib/shape.py").read_text()
    assert "my attempt" in text and "def added_by_the_course" in text
    backups = list(backup_root(workspace).rglob("shape.py"))
    assert len(backups) == 1 and "my attempt" in backups[0].read_text()
    # A second update changes nothing and still keeps the learner's code.
    again = update_workspace(course_copy, workspace)
    assert "course_lib/shape.py" in again.skipped + again.unchanged + again.merged
    assert "my attempt" in (workspace / "course_lib/shape.py").read_text()


def test_reset_restores_the_stub_and_backs_up_first(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    exercise = get_exercise("0.1")
    assert not is_started(workspace, exercise)
    solve_in_workspace(workspace)
    assert is_started(workspace, exercise)
    backup = reset_exercises(workspace, [exercise])
    assert not is_started(workspace, exercise)
    assert "my attempt" in (backup / "course_lib/shape.py").read_text()
    # Resetting twice keeps both backups.
    second = reset_exercises(workspace, [exercise])
    assert second != backup and (second / "course_lib/shape.py").exists()


def test_reset_refuses_when_markers_are_gone(course_copy, tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(course_copy, workspace)
    path = workspace / "course_lib/shape.py"
    for broken in (path.read_text().replace("# BEGIN EXERCISE 0.1", "# begin"),
                   path.read_text().replace("# BEGIN EXERCISE 0.1", "# begin").replace("# END EXERCISE", "")):
        path.write_text(broken)
        with pytest.raises(WorkspaceError, match="markers"):
            reset_exercises(workspace, [get_exercise("0.1")])
        assert path.read_text() == broken


def test_cli_list_check_reset_solution(tmp_path):
    workspace = tmp_path / "ws"
    assert run_cli("update", workspace=workspace).returncode == 0
    listed = run_cli("list", workspace=workspace)
    assert listed.returncode == 0 and "0.1" in listed.stdout and "not started" in listed.stdout
    failing = run_cli("check", "0.1", workspace=workspace)
    assert failing.returncode == 1 and "not done yet" in failing.stdout
    solve_in_workspace(workspace, "    # BEGIN EXERCISE 0.1\n    import math\n    return math.prod(shape)\n"
                                  "    # END EXERCISE")
    passing = run_cli("check", "--chapter", "0", workspace=workspace)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "✓ passes" in run_cli("list", workspace=workspace).stdout
    reset = run_cli("reset", "0.1", workspace=workspace)
    assert reset.returncode == 0 and "backed up in" in reset.stdout
    solution = run_cli("solution", "0.1", workspace=workspace)
    assert "count *= size" in solution.stdout
    assert "# BEGIN EXERCISE" not in solution.stdout.replace("'# BEGIN EXERCISE 0.1'", "")  # no markers to paste
    assert "# END EXERCISE\n" not in solution.stdout


def test_cli_errors_are_clear(tmp_path):
    missing = run_cli("list", workspace=tmp_path / "nowhere")
    assert missing.returncode == 2 and "make workspace" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run_cli("solution", "9.9", workspace=tmp_path)
    assert unknown.returncode == 2 and "unknown exercise '9.9'" in unknown.stderr


def test_export_has_no_solutions(tmp_path):
    destination = tmp_path / "export"
    done = run_cli("export", str(destination), workspace=tmp_path / "ws")
    assert done.returncode == 0, done.stderr
    text = (destination / "course_lib/shape.py").read_text()
    assert "count *= size" not in text and "Exercise 0.1" in text
    assert (destination / "README.md").exists()
    again = run_cli("export", str(destination), workspace=tmp_path / "ws")
    assert again.returncode == 2 and "not empty" in again.stderr
