"""Judge one exercise alone: the reference course_lib with only the learner's body of that exercise.

A check of exercise 1.6 should say whether *1.6* is right, whatever else is still a stub. So
:func:`judge` loads a private copy of the reference ``course_lib`` (under a name of its own,
which works because every import inside ``course_lib`` is relative), with the learner's region
of that one exercise put into its file, runs the exercise's check there, and unloads it. Nothing
is written to disk, the learner's own ``course_lib`` stays imported and untouched, and torch is
imported once per process. The judged file is compiled under a name of its own, with its text in
``linecache`` (``learner_code.JudgedFile``), so any error in the learner's body is reported at the
learner's own file and line. An exercise in a script outside the package (``examples/mnist.py``) is
judged the same way: its check runs the script through ``scripts.load_script``, which runs the judged text.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

from ..exercises.markers import MarkerError, region_text
from ..exercises.registry import get_exercise
from .harness import CaseResult, CheckReport, run_check
from .learner_code import JudgedFile, describe_error, judged_file, learner_place, register, unregister

_COUNTER = itertools.count()


def is_reference(root: Path, exercise_id: str) -> bool:
    """True when the edition at ``root`` holds the reference solution of ``exercise_id``."""
    exercise = get_exercise(exercise_id)
    try:
        region = region_text((root / exercise.file).read_text(encoding="utf-8"), exercise_id)
    except (OSError, KeyError, MarkerError):
        return False
    return f'raise NotImplementedError("Exercise {exercise_id} (' not in region


def find_reference(root: Path, exercise_id: str) -> Optional[Path]:
    """The reference edition for the edition at ``root``: the course a workspace was made from
    (``.course/source``), ``root`` itself, or a folder above it (``workspace/`` sits inside the course
    repository); None when there is none (an exported learner edition)."""
    recorded = root / ".course" / "source"
    sources = [Path(recorded.read_text(encoding="utf-8").strip())] if recorded.is_file() else []
    for candidate in [*sources, root, *root.parents]:
        if (candidate / "course_lib" / "exercises" / "registry.py").is_file() and is_reference(candidate, exercise_id):
            return candidate
    return None


class _EditionFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``<package>`` and its modules from a course_lib folder, with some files replaced by judged ones."""

    def __init__(self, package: str, folder: Path, replaced: Dict[Path, JudgedFile]):
        self.package, self.folder, self.replaced = package, folder, replaced

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.package and not fullname.startswith(self.package + "."):
            return None
        parts = fullname.split(".")[1:]
        base = self.folder.joinpath(*parts)
        if (base / "__init__.py").is_file():
            return importlib.util.spec_from_file_location(fullname, base / "__init__.py", loader=self,
                                                          submodule_search_locations=[str(base)])
        if base.with_suffix(".py").is_file():
            return importlib.util.spec_from_file_location(fullname, base.with_suffix(".py"), loader=self)
        return None

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module):
        path = Path(module.__spec__.origin)
        judged = self.replaced.get(path)
        if judged is None:
            code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
        else:
            code = compile(judged.text, judged.name, "exec")
        exec(code, module.__dict__)


def _load(folder: Path, replaced: Dict[Path, JudgedFile]):
    """Import the course_lib in ``folder`` under a private name; returns ``(package name, finder)``."""
    package = f"_course_lib_judging_{next(_COUNTER)}"
    finder = _EditionFinder(package, folder, replaced)
    sys.meta_path.insert(0, finder)
    return package, finder


def _unload(package: str, finder: _EditionFinder) -> None:
    sys.meta_path.remove(finder)
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def imports_cleanly(root: Path) -> str:
    """Import the course_lib of the edition at ``root`` (privately, then unload it).

    Returns:
        The path of its ``__init__.py``.

    Raises:
        Exception: whatever importing it raised (a learner's syntax error, say).
    """
    package, finder = _load(root / "course_lib", {})
    try:
        return importlib.import_module(package).__file__
    finally:
        _unload(package, finder)


@dataclass(frozen=True)
class ImportProblem:
    """Why a learner's course_lib does not import.

    Attributes:
        file: the file at fault, relative to the edition (``"course_lib/shape.py"``); ``""`` if unknown.
        line: its line (0 if unknown).
        exercise_id: the exercise whose region holds that line (``""`` if none).
        description: the learner's view of the error (``learner_code.describe_error``), at most 10 lines.
    """

    file: str
    line: int
    exercise_id: str
    description: str


def import_problem(root: Path) -> Optional[ImportProblem]:
    """None when the course_lib of the edition at ``root`` imports, else what stops it."""
    try:
        imports_cleanly(root)
    except Exception as error:  # noqa: BLE001 - any error in a learner's file is reported, none is fatal
        return problem_of(error, root)
    return None


def problem_of(error: BaseException, root: Path) -> ImportProblem:
    """``error``, raised while importing the course_lib of the edition at ``root``, as the learner sees it."""
    place = learner_place(error, learner_root=root)
    description = describe_error(error, learner_root=root, shown_root=root.name)
    if place is None:
        return ImportProblem("", 0, "", description)
    return ImportProblem(place.file, place.line, place.exercise_id, description)


_IMPORTED_CLEANLY: Dict[Path, tuple] = {}
"""Edition root -> the signature of its course_lib sources when they last imported without error."""


def _sources_signature(root: Path) -> tuple:
    """Each ``.py`` file of the edition's course_lib with its modification time and size (a few ms to read)."""
    return tuple(sorted((str(path), path.stat().st_mtime_ns, path.stat().st_size)
                        for path in (root / "course_lib").rglob("*.py")))


def _import_problem_since_last_change(root: Path) -> Optional[ImportProblem]:
    """:func:`import_problem`, skipped while no source file changed since the last clean import (a notebook
    calls ``check`` many times; the private import costs ~0.4 s, the signature ~1 ms)."""
    signature = _sources_signature(root)
    if _IMPORTED_CLEANLY.get(root) == signature:
        return None
    problem = import_problem(root)
    if problem is None:
        _IMPORTED_CLEANLY[root] = signature
    return problem


def judge(exercise_id: str, learner_root: Path, reference_root: Path) -> CheckReport:
    """Run the check of ``exercise_id`` on the reference edition with the learner's region of it.

    Args:
        learner_root: the edition holding the learner's code (``workspace/``).
        reference_root: the edition with every exercise solved (the course repository).

    Returns:
        The check's report. Any error in the learner's body (it does not compile, a case crashes) is a
        failing case whose message shows the learner's file, line and code; broken markers give a report
        that says so.
    """
    exercise = get_exercise(exercise_id)
    target = reference_root / exercise.file
    report = CheckReport(exercise_id)
    try:
        judged = judged_file(target.read_text(encoding="utf-8"),
                             (learner_root / exercise.file).read_text(encoding="utf-8"),
                             exercise_id, exercise.file, f"{learner_root.name}/{exercise.file}")
    except (OSError, KeyError, MarkerError) as error:
        report.results.append(CaseResult("(reading your code)", "any", "fail",
                                         message=f"cannot read exercise {exercise_id} in {exercise.file}: {error}"))
        return report
    register(judged)
    package, finder = _load(reference_root / "course_lib", {target: judged})
    try:
        try:
            checks = importlib.import_module(f"{package}.checks")
            if not exercise.file.startswith("course_lib/"):  # a script (examples/): its check loads the judged text
                compile(judged.text, judged.name, "exec")
                importlib.import_module(f"{package}.checks.scripts").JUDGED[exercise.file] = (judged.name, judged.text)
        except Exception as error:  # noqa: BLE001 - the learner's body does not compile or import
            report.results.append(CaseResult("(compiling your code)", "any", "fail",
                                             message=describe_error(error, [judged])))
            return report
        report = checks.run_check(exercise_id)
        for result in report.results:
            if result.error is not None:  # a case crashed: show where in the learner's code
                result.message = describe_error(result.error, [judged])
        return report
    finally:
        _unload(package, finder)
        unregister(judged)


def check(exercise_id: str, differences: bool = False) -> None:
    """Run an exercise's check and print its table (the call learners use in notebooks).

    In a workspace, the exercise is judged alone (:func:`judge`): your code of this exercise in
    the reference course_lib, so a correct answer passes even while other exercises are stubs.
    If a file of your course_lib no longer imports (an error outside this exercise), a note under
    the table shows where: the notebook cannot import course_lib again until it is fixed.
    Without a reference edition nearby (an exported learner edition), your whole course_lib runs.

    Args:
        exercise_id: e.g. ``"1.4"``.
        differences: also print each case's largest absolute and relative difference from torch
            (this machine's numbers: they vary with the CPU, its BLAS and the thread count).
    """
    exercise_id = str(exercise_id)
    root = Path(__file__).resolve().parents[2]
    reference = find_reference(root, exercise_id)
    if reference is None or reference == root:
        report = run_check(exercise_id)
        note = "" if reference is not None else "\n(no reference edition found: checked with your whole course_lib)"
    else:
        report, note = judge(exercise_id, root, reference), ""
        problem = _import_problem_since_last_change(root)
        if problem is not None and problem.exercise_id != exercise_id:  # else the table shows it already
            note = (f"\n⚠ your {problem.file or 'course_lib'} does not import: restarting this notebook would fail "
                    f"until it is fixed.\n{problem.description}")
    print(report.table(differences=differences) + note)
