"""The ``course`` command (tools/course.py) works wherever the learner stands, with the course's own tooling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from course_lib.exercises.workspace import update_workspace
from helpers import REPO

COURSE = REPO / "tools" / "course.py"


def course(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(COURSE), *args], cwd=cwd, capture_output=True, text=True)


def test_course_works_from_any_folder_of_the_workspace_and_never_nests_one(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    for folder in (workspace, workspace / "notebooks", workspace / "course_lib" / "autograd"):
        done = course("list", "--no-check", cwd=folder)
        assert done.returncode == 0, done.stderr
        assert "0.1" in done.stdout and "not started" in done.stdout
    assert not (workspace / "workspace").exists() and not (workspace / "notebooks" / "workspace").exists()


def test_python_dash_m_inside_the_workspace_hands_over_to_the_course(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    done = subprocess.run([sys.executable, "-m", "course_lib.exercises", "list", "--no-check"], cwd=workspace,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0.1" in done.stdout and not (workspace / "workspace").exists()


def test_a_broken_workspace_file_does_not_disable_reset(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    shape = workspace / "course_lib" / "shape.py"
    shape.write_text(shape.read_text() + "\ndef broken(:\n")  # a learner's syntax error
    done = course("reset", "0.1", cwd=workspace / "notebooks")
    assert done.returncode == 0, done.stderr
    assert "backed up in" in done.stdout


def test_course_outside_the_course_says_where_to_run_it(tmp_path):
    done = course("list", cwd=tmp_path)
    assert done.returncode == 2 and "inside the course repository or its workspace" in done.stderr


def test_restore_lists_backups_and_brings_a_file_back(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    shape = workspace / "course_lib" / "shape.py"
    shape.write_text(shape.read_text().replace("# BEGIN EXERCISE 0.1: number of elements of a shape",
                                               "# BEGIN EXERCISE 0.1: number of elements of a shape\n    # my notes"))
    mine = shape.read_text()
    assert course("reset", "0.1", cwd=workspace).returncode == 0
    assert shape.read_text() != mine
    listed = course("restore", cwd=workspace)
    assert listed.returncode == 0 and "course_lib/shape.py" in listed.stdout
    name = listed.stdout.split()[0]  # the first backup listed (name, reason, files)
    done = course("restore", name, "course_lib/shape.py", cwd=workspace / "notebooks")
    assert done.returncode == 0, done.stderr
    assert shape.read_text() == mine and "backed up in" in done.stdout  # the replaced version is kept too
    unknown = course("restore", "no-such-backup", cwd=workspace)
    assert unknown.returncode == 2 and "no backup named" in unknown.stderr
    assert not (workspace / ".course" / "backups").exists()  # backups live outside the workspace


def test_list_keeps_going_when_one_file_has_broken_markers(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    engine = workspace / "course_lib" / "autograd" / "engine.py"
    engine.write_text(engine.read_text().replace("# END EXERCISE", "# (end removed)", 1))  # 2.1 never closed
    done = course("list", "--no-check", cwd=workspace)
    assert done.returncode == 0, done.stderr
    assert "0.1   not started" in done.stdout and "ws/course_lib/shape.py: numel" in done.stdout
    assert "2.1   ⚠ markers" in done.stdout
    assert "course_lib/autograd/engine.py:" in done.stdout  # the file and line of the broken marker


def test_polish_no_command_prints_courses_help_a_closed_pipe_is_quiet_and_titles_fit(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    bare = course(cwd=workspace)
    assert bare.returncode == 2 and bare.stdout.startswith("usage: course ") and "restore" in bare.stdout
    assert "python -m" not in bare.stdout
    piped = subprocess.run(f"{sys.executable} {COURSE} list --no-check | head -n 2", shell=True, cwd=workspace,
                           capture_output=True, text=True)
    assert piped.stdout.count("\n") == 2 and piped.stderr == "", piped.stderr  # no BrokenPipe traceback
    rows = course("list", "--no-check", cwd=workspace).stdout.splitlines()
    places = {row.index(f" {workspace.name}/") for row in rows if row[:1].isdigit()}
    assert len(places) == 1  # every title fits its column: the places (course_lib/ and examples/) line up
