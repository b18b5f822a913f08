"""Exercise markers: finding regions, stubbing them, and clear errors for broken markers."""

from __future__ import annotations

import pytest

from course_lib.exercises.markers import MarkerError, find_regions, replace_regions, stub_text
from course_lib.exercises.registry import Exercise

EXERCISE = Exercise("0.91", "twice", "course_lib/demo.py", "twice", "Demo section", "Add it to itself.")

SOURCE = '''def twice(x):
    """Docstring stays."""
    # BEGIN EXERCISE 0.91
    y = x + x
    return y
    # END EXERCISE


def other():
    return 1
'''


def test_find_regions_reports_lines_and_indent():
    (region,) = find_regions(SOURCE)
    assert (region.exercise_id, region.begin, region.end, region.indent) == ("0.91", 2, 5, "    ")


def test_stub_keeps_signature_docstring_and_names_the_place():
    stubbed = stub_text(SOURCE, {"0.91": EXERCISE})
    assert 'def twice(x):\n    """Docstring stays."""' in stubbed
    assert "y = x + x" not in stubbed
    assert 'raise NotImplementedError("Exercise 0.91 (course_lib/demo.py: twice) is not done yet")' in stubbed
    assert "# Hint: Add it to itself." in stubbed
    assert 'section "Demo section"' in stubbed
    assert stubbed.endswith("def other():\n    return 1\n")


def test_stub_is_idempotent_and_keeps_markers():
    once = stub_text(SOURCE, {"0.91": EXERCISE})
    assert stub_text(once, {"0.91": EXERCISE}) == once
    assert [r.exercise_id for r in find_regions(once)] == ["0.91"]


def test_stubbed_function_raises_with_the_exercise_id():
    namespace: dict = {}
    exec(stub_text(SOURCE, {"0.91": EXERCISE}), namespace)
    with pytest.raises(NotImplementedError, match=r"Exercise 0\.91 \(course_lib/demo\.py: twice\)"):
        namespace["twice"](2)
    assert namespace["other"]() == 1


def test_replace_only_selected_regions():
    assert replace_regions(SOURCE, {}) == SOURCE
    assert stub_text(SOURCE, {"0.91": EXERCISE}, only=set()) == SOURCE


@pytest.mark.parametrize("text, fragment", [
    ("# BEGIN EXERCISE 1.1\n# BEGIN EXERCISE 1.2\n# END EXERCISE\n", "inside exercise 1.1"),
    ("x = 1\n# END EXERCISE\n", "without a BEGIN"),
    ("# BEGIN EXERCISE 1.1\nx = 1\n", "never closed"),
])
def test_broken_markers_raise_with_the_line(text, fragment):
    with pytest.raises(MarkerError, match=fragment):
        find_regions(text, "demo.py")


def test_unknown_exercise_id_is_an_error():
    with pytest.raises(KeyError, match="not in the registry"):
        stub_text(SOURCE, {})


def test_stub_comments_wrap_at_100_columns():
    from course_lib.exercises.markers import HINT_WIDTH, stub_lines
    from course_lib.exercises.registry import EXERCISES

    comments = [line for e in EXERCISES for line in stub_lines(e, "        ")[1:-2]]
    assert comments and all(line.lstrip().startswith("#") and len(line) <= HINT_WIDTH for line in comments)
    one_line = [line for e in EXERCISES for line in stub_lines(e, "        ", wrapped=False)[1:-2]]
    assert max(map(len, one_line)) > HINT_WIDTH  # what the wrapping fixed


def test_an_older_one_line_stub_is_still_not_started(tmp_path):
    from course_lib.exercises.markers import replace_regions, stub_lines
    from course_lib.exercises.registry import get_exercise
    from course_lib.exercises.workspace import is_started, update_workspace
    from helpers import REPO

    workspace = tmp_path / "ws"
    update_workspace(REPO, workspace)
    exercise = get_exercise("1.4")
    path = workspace / exercise.file
    path.write_text(replace_regions(path.read_text(), {"1.4": stub_lines(exercise, "    ", wrapped=False)}))
    assert not is_started(workspace, exercise)
