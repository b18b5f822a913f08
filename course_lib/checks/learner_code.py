"""The learner's code as the checks run it: which text runs, and errors told at the learner's own line.

A check judges one exercise in a *judged file*: the reference file with the learner's body of that
exercise put in (``isolate.judge``). The judged text is compiled under a file name of its own
(:attr:`JudgedFile.name`) and registered in :mod:`linecache`, so tracebacks, ``inspect.getsource`` and
Triton (which reads a kernel's source by its file name) all see the text that actually runs, and
:meth:`JudgedFile.learner_line` maps its lines back to the learner's file.

:func:`describe_error` turns any error in a learner's code (a syntax error, a bad indent, a failing
import, a crash in a case) into a few lines: the learner's file, line and code, the error, and a
one-line hint, with no internal traceback.
"""

from __future__ import annotations

import linecache
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from ..exercises.markers import Region, find_regions, replace_regions
from ..exercises.registry import exercise_by_id


@dataclass(frozen=True)
class JudgedFile:
    """One file as a check runs it: the reference text with the learner's body of one exercise.

    Attributes:
        name: the file name its code is compiled under (not a path on disk; see :func:`register`).
        text: the judged text.
        learner_file: the learner's file as messages show it, e.g. ``"workspace/course_lib/shape.py"``.
        exercise_id: the exercise whose body is the learner's.
        first, last: the judged text's lines (1-based, inclusive) that are the learner's region.
        shift: learner line = judged line + ``shift``, for lines ``first..last``.
    """

    name: str
    text: str
    learner_file: str
    exercise_id: str
    first: int
    last: int
    shift: int

    def learner_line(self, line: Optional[int]) -> Optional[int]:
        """The learner's line number for line ``line`` of the judged text (None outside their region)."""
        if line is None or not self.first <= line <= self.last:
            return None
        return line + self.shift


def judged_file(reference_text: str, learner_text: str, exercise_id: str, relative: str,
                learner_file: str) -> JudgedFile:
    """Put the learner's region of ``exercise_id`` into the reference file.

    Args:
        reference_text: the reference edition's file (every exercise solved).
        learner_text: the learner's version of the same file.
        relative: the file's path in an edition (``"course_lib/shape.py"``), for marker errors.
        learner_file: how messages name the learner's file.

    Raises:
        KeyError, MarkerError: the learner's file has no intact region of ``exercise_id``.
    """
    learner_region, reference_region = (_region(text, exercise_id, relative) for text in (learner_text, reference_text))
    lines = learner_text.splitlines()[learner_region.begin:learner_region.end + 1]
    text = replace_regions(reference_text, {exercise_id: lines}, relative)
    first = reference_region.begin + 1
    return JudgedFile(name=f"<{learner_file}: exercise {exercise_id} in the reference file>", text=text,
                      learner_file=learner_file, exercise_id=exercise_id, first=first, last=first + len(lines) - 1,
                      shift=learner_region.begin - reference_region.begin)


def _region(text: str, exercise_id: str, relative: str) -> Region:
    found = [r for r in find_regions(text, relative) if r.exercise_id == exercise_id]
    if not found:
        raise KeyError(f"{relative} has no region of exercise {exercise_id}")
    return found[0]


def register(judged: JudgedFile) -> None:
    """Make ``judged.text`` the source that :mod:`linecache` (tracebacks, :mod:`inspect`) gives for its name.

    The entry has no modification time, so ``linecache.checkcache`` keeps it (it only re-reads files on
    disk).
    """
    lines = judged.text.splitlines(keepends=True)
    linecache.cache[judged.name] = (len(judged.text), None, lines, judged.name)


def unregister(judged: JudgedFile) -> None:
    linecache.cache.pop(judged.name, None)


# One line of advice per kind of error, most specific first (IndentationError is a SyntaxError).
HINTS = [
    (IndentationError, "indent a block's lines alike, 4 spaces deeper than its `def`/`if`/`for` line."),
    (SyntaxError, "look for an unclosed bracket or quote, a missing `:` or operand (or on the line before)."),
    (ImportError, "check the spelling; inside course_lib, import relatively (`from .shape import numel`)."),
    (NameError, "check the spelling, or import the name (a name from another file needs an import)."),
    (RecursionError, "the function calls itself without end: check its stopping case, or use a loop."),
]
GENERIC_HINT = "this line raised: fix it and run the check again."


def hint_for(error: BaseException) -> str:
    """The one-line hint for ``error``'s type."""
    return next((hint for kind, hint in HINTS if isinstance(error, kind)), GENERIC_HINT)


@dataclass(frozen=True)
class Place:
    """A line of the learner's code, as messages show it (``file`` as given, e.g. ``"workspace/course_lib/..."``;
    ``code`` with its indentation, which an IndentationError is about)."""

    file: str
    line: int
    code: str
    function: str = ""
    exercise_id: str = ""

    def heading(self) -> str:
        where = f"{self.file}, line {self.line}"
        if self.function:
            where += f", in {self.function}"
        if self.exercise_id:
            where += f" (exercise {self.exercise_id})"
        return where


def describe_error(error: BaseException, judged: Sequence[JudgedFile] = (), learner_root: Optional[Path] = None,
                   shown_root: str = "") -> str:
    """The learner's view of ``error``: their file, line and code, the error, a hint; at most 10 lines.

    Args:
        error: an exception raised by (or while compiling) the learner's code.
        judged: the judged files the check ran (their lines map back to the learner's).
        learner_root: the learner's edition (``workspace/``): a line of a file below it is theirs.
        shown_root: how messages name ``learner_root`` (``"workspace"``), prefixed to its files.
    """
    error = kernel_error(error)
    place = learner_place(error, judged, learner_root, shown_root)
    summary = f"{type(error).__name__}: {_message(error)}"
    if place is None:
        return f"{summary}\nhint: {hint_for(error)}"
    lines = [place.heading() + ":", f"    {place.code}"]
    if isinstance(error, SyntaxError) and error.offset and place.code:
        lines.append("    " + " " * max(0, min(error.offset - 1, len(place.code))) + "^")  # Python's column
    lines += [summary, f"hint: {hint_for(error)}"]
    return "\n".join(lines)


def kernel_error(error: BaseException) -> BaseException:
    """The error a kernel raised: Triton's interpreter re-raises it as an ``InterpreterError`` holding only its
    repr (``raise InterpreterError(repr(error)) from error``), so the learner's line is in the one inside."""
    while type(error).__name__ == "InterpreterError" and error.__cause__ is not None:
        error = error.__cause__
    return error


def _message(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return error.msg
    text = str(error).strip().splitlines()
    return text[0] if text else "(no message)"


def learner_place(error: BaseException, judged: Sequence[JudgedFile] = (), learner_root: Optional[Path] = None,
                  shown_root: str = "") -> Optional[Place]:
    """The line of the learner's code where ``error`` happened: the line a syntax error names, else the
    innermost traceback frame in their code; None when no frame is theirs."""
    candidates: List[tuple] = []
    if isinstance(error, SyntaxError) and error.filename:
        candidates.append((error.filename, error.lineno, ""))
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ is not None else []
    candidates += [(frame.filename, frame.lineno, frame.name) for frame in reversed(frames)]
    for filename, line, function in candidates:
        place = _place_in_learner_code(filename, line, function, judged, learner_root, shown_root)
        if place is not None:
            return place
    return None


def _place_in_learner_code(filename: str, line: Optional[int], function: str, judged: Iterable[JudgedFile],
                           learner_root: Optional[Path], shown_root: str) -> Optional[Place]:
    for file in judged:
        if filename == file.name:
            learner_line = file.learner_line(line)
            if learner_line is None:
                return None  # the reference's own code: not the learner's line
            code = linecache.getline(file.name, line).rstrip()
            exercise = exercise_by_id().get(file.exercise_id)
            return Place(file.learner_file, learner_line, code, exercise.function if exercise else function,
                         file.exercise_id)
    if learner_root is None or line is None:
        return None
    try:
        relative = Path(filename).resolve().relative_to(Path(learner_root).resolve())
    except ValueError:
        return None
    if relative.parts[:1] != ("course_lib",):
        return None
    try:
        text = Path(filename).read_text(encoding="utf-8")
    except OSError:
        return None
    code = text.splitlines()[line - 1].rstrip() if 0 < line <= len(text.splitlines()) else ""
    exercise_id, exercise_function = _exercise_at(text, line, relative.as_posix())
    shown = f"{shown_root}/{relative.as_posix()}" if shown_root else relative.as_posix()
    return Place(shown, line, code, exercise_function or (function if function != "<module>" else ""), exercise_id)


def _exercise_at(text: str, line: int, relative: str) -> tuple:
    """``(exercise id, its function)`` of the region holding 1-based ``line``, or ``("", "")``."""
    try:
        regions = find_regions(text, relative)
    except Exception:  # noqa: BLE001 - broken markers: no exercise to name, the line is still shown
        return "", ""
    for region in regions:
        if region.begin < line - 1 < region.end:
            exercise = exercise_by_id().get(region.exercise_id)
            return region.exercise_id, exercise.function if exercise else ""
    return "", ""
