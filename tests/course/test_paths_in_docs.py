"""Paths that course_lib's docstrings and comments name exist (a moved file leaves no stale pointer)."""

from __future__ import annotations

import re

from course_lib.exercises.registry import NOTEBOOKS
from helpers import REPO

PATH = re.compile(r"(?<![\w/.])((?:[\w]+/)*[\w]+\.(?:py|ipynb|cfg))\b")


def test_named_files_exist():
    package = REPO / "course_lib"
    files = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    later_chapters = set(NOTEBOOKS.values())  # the registry names the notebooks of later chapters too
    stale = []
    for source in sorted(package.rglob("*.py")):
        if source.name == "renames.py":  # former places, by design
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            for path in PATH.findall(line):
                path = path.removeprefix("workspace/")  # the learner's copy of a course file
                if path.startswith("torch/") or path in later_chapters or path in ("x.py",):
                    continue
                if (REPO / path).exists() or path in files or any(f.endswith("/" + path) for f in files):
                    continue
                stale.append(f"{source.relative_to(REPO)}:{number}: {path}")
    assert not stale, "\n".join(stale)


def test_library_copies_of_exercises_say_so_one_way():
    """Code that repeats an exercise (so the library works before it is done) says "Library copy of exercise N"."""
    copies = {}
    for source in sorted((REPO / "course_lib").rglob("*.py")):
        text = source.read_text(encoding="utf-8")
        assert "twin of" not in text and "library's own copy" not in text, source
        copies.update({m: source.name for m in re.findall(r"Library copy of exercise (\d+\.\d+)", text)})
    assert copies == {"1.1": "shape.py", "1.9": "views.py"}
