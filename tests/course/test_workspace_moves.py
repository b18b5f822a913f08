"""A learner's finished exercise survives the course moving it (``exercises/renames.py``).

``fixtures/old_layout_workspace`` is a workspace as the course wrote it before ``slice_layout``
(exercise 1.10) moved from ``course_lib/indexing.py`` to ``course_lib/shape.py``: the two old
learner-edition files, their manifest, 1.10 solved in the learner's own words in the old
file and 0.1 solved in ``shape.py``. Updating it must carry both solutions into the new
layout, retire the old file into the backups, and leave 1.10's check passing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.exercises.markers import region_text, replace_regions
from course_lib.exercises.registry import EXERCISES, get_exercise
from course_lib.exercises.renames import FORMER_PLACES
from course_lib.exercises.markers import stub_lines
from course_lib.exercises.workspace import SKELETONS, is_started, read_manifest, sha256, skeleton, update_workspace
from helpers import REPO

FIXTURE = Path(__file__).parent / "fixtures" / "old_layout_workspace"
LEARNER_LINE = "count = max(0, (last - first + step - 1) // step)"  # from the learner's 1.10, not the reference


def old_workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    shutil.copytree(FIXTURE, workspace)
    return workspace


def solve_all_but(workspace: Path, keep: str) -> None:
    """Put the reference solution into every exercise except ``keep`` (a check needs the rest done)."""
    for exercise in EXERCISES:
        if exercise.id == keep or exercise.file.endswith(".ipynb"):
            continue
        path = workspace / exercise.file
        solution = region_text((REPO / exercise.file).read_text(), exercise.id).splitlines()
        path.write_text(replace_regions(path.read_text(), {exercise.id: solution}))


def check(workspace: Path, exercise_id: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_lib.exercises", "--workspace", str(workspace), "check",
                           exercise_id], capture_output=True, text=True, cwd=REPO)


def test_every_former_place_names_a_known_exercise_that_moved():
    for exercise_id, places in FORMER_PLACES.items():
        exercise = get_exercise(exercise_id)
        assert places and all(place.file != exercise.file or place.function != exercise.function for place in places)
        for place in places:  # the exercise is no longer in its former file, if that file still exists
            former = REPO / place.file
            assert place.file == exercise.file or not former.exists() or f"EXERCISE {exercise_id}\n" not in (
                former.read_text() + "\n")


def test_update_carries_a_moved_exercise_and_retires_the_old_file(tmp_path):
    workspace = old_workspace(tmp_path)
    report = update_workspace(REPO, workspace)

    shape = (workspace / "course_lib/shape.py").read_text()
    assert LEARNER_LINE in region_text(shape, "1.10")  # carried into the new place
    assert "total = total * size" in region_text(shape, "0.1")  # merged in place, as before
    assert "course_lib/shape.py" in report.merged
    assert any(line.startswith("1.10: your code moved from course_lib/indexing.py") for line in report.carried)
    assert report.retired == ["course_lib/indexing.py"]
    assert not (workspace / "course_lib/indexing.py").exists()
    assert LEARNER_LINE in (report.backup_dir / "course_lib/indexing.py").read_text()  # nothing is lost
    assert "retired: course_lib/indexing.py" in report.summary()

    again = update_workspace(REPO, workspace)  # a second update keeps the carried code
    assert LEARNER_LINE in region_text((workspace / "course_lib/shape.py").read_text(), "1.10")
    assert not again.carried and not again.retired and not again.skipped


def test_the_carried_exercise_still_passes_its_check(tmp_path):
    workspace = old_workspace(tmp_path)
    update_workspace(REPO, workspace)
    solve_all_but(workspace, keep="1.10")
    assert is_started(workspace, get_exercise("1.10"))
    done = check(workspace, "1.10")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_place_already_started_is_not_overwritten(tmp_path):
    workspace = old_workspace(tmp_path)
    update_workspace(REPO, tmp_path / "fresh")  # the new layout, to take its shape.py
    fresh_shape = (tmp_path / "fresh/course_lib/shape.py").read_text()
    mine = ["    # BEGIN EXERCISE 1.10", "    return tuple(shape), tuple(strides), offset  # my new attempt",
            "    # END EXERCISE"]
    (workspace / "course_lib/shape.py").write_text(replace_regions(fresh_shape, {"1.10": mine}))
    report = update_workspace(REPO, workspace)
    assert "my new attempt" in region_text((workspace / "course_lib/shape.py").read_text(), "1.10")
    assert any("already started" in line and "still in course_lib/indexing.py" in line for line in report.carried)
    assert LEARNER_LINE in (workspace / "course_lib/indexing.py").read_text()  # kept in place, not retired
    assert "course_lib/indexing.py" not in report.retired


def test_a_new_place_the_update_skips_keeps_the_work_where_it_is(tmp_path):
    workspace = old_workspace(tmp_path)
    shape = workspace / "course_lib/shape.py"
    shape.write_text(shape.read_text() + "# my own note outside any exercise\n")  # so shape.py is skipped
    report = update_workspace(REPO, workspace)
    assert "course_lib/shape.py" in report.skipped
    assert any(line.startswith("1.10: NOT moved") and "still in course_lib/indexing.py" in line
               for line in report.carried)
    assert report.retired == [] and LEARNER_LINE in (workspace / "course_lib/indexing.py").read_text()
    assert "  exercise 1.10: NOT moved" in report.summary()


def test_an_exercise_leaving_a_file_that_stays_is_carried_and_the_rest_merged(tmp_path):
    """2.3 lived in rules/elementwise.py beside 2.4; it moved to engine.py, the file stayed."""
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)  # a workspace of today's course (with skeleton hashes)
    relative = "course_lib/autograd/rules/elementwise.py"
    today = (workspace / relative).read_text()
    old_stub = "\n".join(stub_lines(get_exercise("2.3"), ""))  # the file as an older course wrote it
    first_rule = '\n\n\n@backward_of("add")\nclass AddBackward0'
    pristine = today.replace(first_rule, "\n\n\ndef sum_to_shape(grad, shape):\n"
                             + "\n".join("    " + line for line in old_stub.splitlines()) + first_rule, 1)
    assert pristine != today
    manifest = read_manifest(workspace)
    manifest[relative] = sha256(pristine.encode())
    (workspace / ".course/manifest.json").write_text(json.dumps(manifest))
    skeletons = json.loads((workspace / SKELETONS).read_text())
    skeletons[relative] = sha256(skeleton(pristine).encode())
    (workspace / SKELETONS).write_text(json.dumps(skeletons))
    mine_2_3 = ["    # BEGIN EXERCISE 2.3", "    return grad.sum_to_size(shape)  # my 2.3", "    # END EXERCISE"]
    mine_2_4 = ["        # BEGIN EXERCISE 2.4", "        a, b = saved_operands(ctx)  # my 2.4",
                "        return grad * b, grad * a", "        # END EXERCISE"]
    (workspace / relative).write_text(replace_regions(pristine, {"2.3": mine_2_3, "2.4": mine_2_4}))

    report = update_workspace(REPO, workspace)
    assert relative in report.merged and relative not in report.skipped
    rules = (workspace / relative).read_text()
    assert "my 2.4" in region_text(rules, "2.4") and "EXERCISE 2.3" not in rules
    assert "my 2.3" in region_text((workspace / "course_lib/autograd/engine.py").read_text(), "2.3")
    assert "my 2.3" in (report.backup_dir / relative).read_text()  # the file as it was, kept


def test_a_new_hint_does_not_stop_the_merge(tmp_path):
    """The skeleton hash ignores what is inside the regions, so a changed stub still merges."""
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    relative = "course_lib/shape.py"
    path = workspace / relative
    older_stub = [line.replace("# Hint: ", "# Hint: (an older hint) ") for line in stub_lines(get_exercise("1.1"), "    ")]
    mine = ["    # BEGIN EXERCISE 0.1", "    return 7  # mine", "    # END EXERCISE"]
    path.write_text(replace_regions(path.read_text(), {"0.1": mine, "1.1": older_stub}))  # as an older course left it
    manifest = read_manifest(workspace)
    manifest[relative] = sha256(replace_regions(path.read_text(), {"0.1": stub_lines(get_exercise("0.1"), "    ")})
                                .encode())  # the older course's file: only its stubs differ from today's
    (workspace / ".course/manifest.json").write_text(json.dumps(manifest))
    report = update_workspace(REPO, workspace)
    assert relative in report.merged
    text = path.read_text()
    assert "return 7  # mine" in text and "(an older hint)" not in text  # kept the work, took the new hint


def test_an_update_with_no_course_change_writes_nothing(tmp_path):
    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    path = workspace / "course_lib/shape.py"
    path.write_text(replace_regions(path.read_text(), {"0.1": ["    # BEGIN EXERCISE 0.1", "    return 5  # mine",
                                                              "    # END EXERCISE"]}))
    before = {p: p.stat().st_mtime_ns for p in workspace.rglob("*") if p.is_file()}
    report = update_workspace(REPO, workspace)
    after = {p: p.stat().st_mtime_ns for p in workspace.rglob("*") if p.is_file()}
    assert after == before  # no file written, no backup folder made
    assert report.backup_dir is None and not report.merged and "course_lib/shape.py" in report.unchanged
