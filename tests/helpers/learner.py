"""Edit a workspace as a learner does: replace an exercise's region in their file."""

from __future__ import annotations

from pathlib import Path

from course_lib.exercises.markers import find_regions, region_text

from . import REPO


def put_region(workspace: Path, relative: str, exercise_id: str, body: str) -> int:
    """Replace the learner's region of ``exercise_id`` with ``body`` (markers included), as a learner editing
    the file would; returns the 1-based line number of the region's first line."""
    path = workspace / relative
    lines = path.read_text().splitlines()
    region = next(r for r in find_regions("\n".join(lines)) if r.exercise_id == exercise_id)
    lines[region.begin:region.end + 1] = body.splitlines()
    path.write_text("\n".join(lines) + "\n")
    return region.begin + 1


def reference_body(relative: str, exercise_id: str) -> str:
    """The reference solution's region of ``exercise_id`` (markers included)."""
    return region_text((REPO / relative).read_text(), exercise_id)
