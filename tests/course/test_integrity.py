"""Keep the course honest as chapters land.

- every marker has a registry entry and every entry has markers, a check and a notebook mention;
- the marker sits inside the function the registry names;
- the learner edition imports cleanly;
- every exercise's check judges that exercise alone: it PASSES with only its own body solved and FAILS
  with only its own body stubbed;
- course_lib imports itself only relatively (so editions can be loaded from anywhere).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from helpers import REPO
from course_lib.checks import registered_checks
from course_lib.exercises.edition import build_learner_edition, edition_sources, exercise_locations
from course_lib.checks.isolate import judge
from course_lib.exercises.markers import find_regions, region_text, replace_regions
from course_lib.exercises.registry import EXERCISES, NOTEBOOKS
from course_lib.exercises.runner import run_checks

IDS = [e.id for e in sorted(EXERCISES, key=lambda e: e.sort_key)]


def write_edition(files: dict, root: Path) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def test_markers_and_registry_agree():
    locations = exercise_locations(REPO)
    assert sorted(locations) == sorted(IDS), "markers and course_lib/exercises/registry.py list different ids"
    for exercise in EXERCISES:
        assert locations[exercise.id] == exercise.file, f"exercise {exercise.id}: markers are in " \
                                                        f"{locations[exercise.id]}, the registry says {exercise.file}"


def test_ids_are_unique_and_well_formed():
    assert len(IDS) == len(set(IDS))
    for exercise in EXERCISES:
        assert re.fullmatch(r"\d+\.\d+", exercise.id) and exercise.chapter in NOTEBOOKS
        assert exercise.title and exercise.hint and exercise.section


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if e.file.endswith(".py")], ids=lambda e: e.id)
def test_marker_is_inside_the_named_function(exercise):
    source = (REPO / exercise.file).read_text()
    (region,) = [r for r in find_regions(source) if r.exercise_id == exercise.id]
    enclosing = [node for node in ast.walk(ast.parse(source))
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.lineno <= region.begin + 1 and region.begin + 2 <= node.end_lineno]
    # Comments are not in the AST: the first line after BEGIN must belong to the function.
    assert enclosing, f"exercise {exercise.id} is not inside a function"
    innermost = max(enclosing, key=lambda node: node.lineno)
    assert innermost.name == exercise.function.split(".")[-1]


def test_every_exercise_has_a_check():
    missing = set(IDS) - set(registered_checks())
    assert not missing, f"exercises without a check in course_lib/checks: {sorted(missing)}"
    orphans = set(registered_checks()) - set(IDS)
    assert not orphans, f"checks for exercises that are not in the registry: {sorted(orphans)}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_notebook_mentions_the_exercise(exercise):
    notebook = json.loads((REPO / exercise.notebook).read_text())
    text = "".join("".join(cell["source"]) for cell in notebook["cells"])
    assert f"Exercise {exercise.id}" in text, f"{exercise.notebook} never says 'Exercise {exercise.id}'"
    assert f'check("{exercise.id}")' in text, f"{exercise.notebook} never runs course_lib.check(\"{exercise.id}\")"
    assert exercise.section in text, f"{exercise.notebook} has no section {exercise.section!r}"


def test_course_lib_imports_itself_relatively():
    offenders = []
    for path in (REPO / "course_lib").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name == "course_lib" or name.startswith("course_lib.") for name in names):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, f"use relative imports inside course_lib: {offenders}"


def test_learner_edition_has_no_solutions_and_imports(tmp_path):
    files = build_learner_edition(REPO)
    assert set(files) == set(edition_sources(REPO))
    root = write_edition(files, tmp_path / "learner")
    (result,) = run_checks([(root, ["0.1"])])
    assert result["loaded_from"] == str(root / "course_lib" / "__init__.py")
    assert not result["passed"] and result["not_done"], result["table"]


@pytest.mark.slow
def test_each_check_judges_its_own_exercise_alone(tmp_path):
    """In a learner edition where every exercise is a stub, each check passes with only its own body
    solved and fails ("not done") with it stubbed: a check judges one exercise, whatever else is unfinished."""
    root = write_edition(build_learner_edition(REPO), tmp_path / "learner")
    failures = []
    for exercise in sorted(EXERCISES, key=lambda e: e.sort_key):
        path = root / exercise.file
        stubbed = path.read_text(encoding="utf-8")
        solution = region_text((REPO / exercise.file).read_text(encoding="utf-8"), exercise.id).splitlines()
        path.write_text(replace_regions(stubbed, {exercise.id: solution}), encoding="utf-8")
        solved = judge(exercise.id, root, REPO)
        path.write_text(stubbed, encoding="utf-8")
        alone_stubbed = judge(exercise.id, root, REPO)
        if not solved.passed:
            failures.append(f"{exercise.id} fails with only its own body solved:\n{solved.table()}")
        if alone_stubbed.passed or not alone_stubbed.not_done:
            failures.append(f"{exercise.id} does not fail with 'not done' on its stub:\n{alone_stubbed.table()}")
    assert not failures, "\n\n".join(failures)


def test_the_command_line_judges_editions_in_a_fresh_process(tmp_path):
    """The CLI's runner (one subprocess, this repository's tooling) judges stubbed and solved editions."""
    exercise_id = "1.4"
    stubbed = write_edition(build_learner_edition(REPO, only={exercise_id}), tmp_path / "stubbed")
    results = {Path(r["root"]): r for r in run_checks([(REPO, [exercise_id]), (stubbed, [exercise_id])])}
    assert results[REPO]["passed"], results[REPO]["table"]
    assert not results[stubbed.resolve()]["passed"] and results[stubbed.resolve()]["not_done"]
