"""``restore`` works per exercise, and every backup says why it was made.

The scenario a learner hit: ``reset 1.3``, solve 1.5, then restore the reset's backup: the whole file came
back, with 1.5 silently a stub again. Now ``course restore 1.3`` brings back 1.3 alone, and a whole-file
restore says which exercises it changes.
"""

from __future__ import annotations

from pathlib import Path

from course_lib.exercises.backups import list_backups
from course_lib.exercises.markers import region_text
from course_lib.exercises.registry import get_exercise
from course_lib.exercises.workspace import exercise_text, is_started, reset_exercises, update_workspace
from helpers import REPO
from helpers.cli import run_cli
from helpers.learner import put_region, reference_body

SHAPE = "course_lib/shape.py"


def solve(workspace: Path, exercise_id: str) -> None:
    put_region(workspace, SHAPE, exercise_id, reference_body(SHAPE, exercise_id))


def solved(workspace: Path, exercise_id: str) -> bool:
    return exercise_text(workspace, get_exercise(exercise_id)) == region_text((REPO / SHAPE).read_text(), exercise_id)


def reset_then_solve_another(tmp_path: Path) -> Path:
    """The learner's steps: solve 1.3, ``reset 1.3``, solve 1.5 (same file); returns the workspace."""
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    solve(workspace, "1.3")
    reset_exercises(workspace, [get_exercise("1.3")])
    solve(workspace, "1.5")
    return workspace


def test_restore_one_exercise_leaves_the_others_as_they_are(tmp_path):
    workspace = reset_then_solve_another(tmp_path)
    assert not is_started(workspace, get_exercise("1.3")) and solved(workspace, "1.5")

    done = run_cli("restore", "1.3", workspace=workspace)
    assert done.returncode == 0, done.stderr
    assert solved(workspace, "1.3") and solved(workspace, "1.5")  # 1.5 is not returned to its stub
    reasons = [b.reason for b in list_backups(workspace)]
    assert reasons == ["reset 1.3", "restore 1.3"]
    listed = run_cli("restore", workspace=workspace).stdout
    assert "reset 1.3" in listed and "restore 1.3" in listed and SHAPE in listed

    again = run_cli("restore", "1.3", workspace=workspace)  # the backups hold nothing newer than the current code
    assert again.returncode == 2 and "no backup holds a version of exercise 1.3" in again.stderr
    assert "Traceback" not in again.stderr


def test_a_whole_file_restore_says_which_exercises_it_changes(tmp_path):
    workspace = reset_then_solve_another(tmp_path)
    name = list_backups(workspace)[0].name
    done = run_cli("restore", name, workspace=workspace)
    assert done.returncode == 0, done.stderr
    assert f"exercise 1.3: your code from the backup ({SHAPE})" in done.stdout
    assert f"exercise 1.5: back to the stub ({SHAPE})" in done.stdout
    assert solved(workspace, "1.3") and not is_started(workspace, get_exercise("1.5"))
    assert run_cli("restore", "1.5", workspace=workspace).returncode == 0  # from the restore's own backup
    assert solved(workspace, "1.3") and solved(workspace, "1.5")


def test_an_update_backup_says_update(tmp_path):
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    (workspace / "course_lib/retired_notes.py").write_text("# a file the course once shipped\n")
    manifest = workspace / ".course/manifest.json"
    manifest.write_text(manifest.read_text().replace('{\n', '{\n "course_lib/retired_notes.py": "x",\n', 1))
    report = update_workspace(REPO, workspace)
    assert report.retired == ["course_lib/retired_notes.py"]
    assert [b.reason for b in list_backups(workspace)] == ["update"]
