"""Find and rewrite ``# BEGIN EXERCISE <id>`` ... ``# END EXERCISE`` regions in source text.

The same markers work in ``.py`` files and in notebook code cells. A *region* is the
marker lines plus the body between them. The learner edition keeps the markers (so that
``reset`` and ``list`` can find the exercise again) and replaces the body with a hint and
a ``raise NotImplementedError`` that names the exercise, its file and function.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Dict, List

from .registry import Exercise

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN EXERCISE (?P<id>\d+\.\d+)\b")
END = re.compile(r"^[ \t]*# END EXERCISE\b")


class MarkerError(ValueError):
    """Markers that do not pair up: nested, unclosed or stray ``END`` lines."""


@dataclass(frozen=True)
class Region:
    """Lines ``begin`` .. ``end`` (inclusive, 0-based) of a text hold exercise ``exercise_id``."""

    exercise_id: str
    begin: int
    end: int
    indent: str


def find_regions(text: str, where: str = "<text>") -> List[Region]:
    """All exercise regions of ``text``, in order.

    Raises:
        MarkerError: on a nested or unclosed ``BEGIN``, or an ``END`` without ``BEGIN``;
            the message names ``where`` and the line number.
    """
    regions: List[Region] = []
    open_match = None
    open_line = -1
    for number, line in enumerate(text.splitlines()):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_match:
                raise MarkerError(f"{where}:{number + 1}: BEGIN EXERCISE inside exercise {open_match['id']} "
                                  f"(opened at line {open_line + 1}); close it with '# END EXERCISE' first")
            open_match, open_line = begin, number
        elif end:
            if not open_match:
                raise MarkerError(f"{where}:{number + 1}: '# END EXERCISE' without a BEGIN EXERCISE above it")
            regions.append(Region(open_match["id"], open_line, number, open_match["indent"]))
            open_match = None
    if open_match:
        raise MarkerError(f"{where}:{open_line + 1}: exercise {open_match['id']} is never closed with '# END EXERCISE'")
    return regions


HINT_WIDTH = 100
"""Columns the hint and pointer comments of a stub wrap at (indentation included)."""


def _comment(indent: str, text: str, continuation: str = "  ") -> List[str]:
    """``text`` as ``# ...`` comment lines of at most :data:`HINT_WIDTH` columns (continued lines indented)."""
    lines = textwrap.wrap(text, width=max(HINT_WIDTH - len(indent) - 2, 40), break_long_words=False,
                          break_on_hyphens=False, subsequent_indent=continuation)
    return [f"{indent}# {line}" for line in lines]


def stub_lines(exercise: Exercise, indent: str, wrapped: bool = True) -> List[str]:
    """The learner-edition region of ``exercise``: markers, hint, pointer and the raise.

    Args:
        wrapped: wrap the comments at :data:`HINT_WIDTH` columns; False gives the one-line comments of
            the courses before (to recognise an untouched file of an older workspace).
    """
    notebook = exercise.notebook.split("/")[-1]
    hint, pointer = f"Hint: {exercise.hint}", f'Taught in notebooks/{notebook}, section "{exercise.section}".'
    comments = [*_comment(indent, hint), *_comment(indent, pointer)] if wrapped else \
        [f"{indent}# {hint}", f"{indent}# {pointer}"]
    return [
        f"{indent}# BEGIN EXERCISE {exercise.id}: {exercise.title}",
        *comments,
        f'{indent}raise NotImplementedError("Exercise {exercise.id} ({exercise.place}) is not done yet")',
        f"{indent}# END EXERCISE",
    ]


def region_text(text: str, exercise_id: str, where: str = "<text>") -> str:
    """The lines of exercise ``exercise_id``'s region in ``text`` (``KeyError`` if absent; ``MarkerError``
    naming ``where`` and the line if the markers are broken)."""
    lines = text.splitlines()
    for region in find_regions(text, where):
        if region.exercise_id == exercise_id:
            return "\n".join(lines[region.begin:region.end + 1])
    raise KeyError(f"exercise {exercise_id} has no region here")


def replace_regions(text: str, replacements: Dict[str, List[str]], where: str = "<text>") -> str:
    """Return ``text`` with the region of each id in ``replacements`` swapped for the given lines.

    Regions whose id is not in ``replacements`` are left as they are. A trailing newline
    is preserved.
    """
    lines = text.splitlines()
    for region in reversed(find_regions(text, where)):
        if region.exercise_id in replacements:
            lines[region.begin:region.end + 1] = replacements[region.exercise_id]
    result = "\n".join(lines)
    return result + "\n" if text.endswith("\n") else result


def stub_text(text: str, exercises: Dict[str, Exercise], only: set | None = None, where: str = "<text>",
              wrapped: bool = True) -> str:
    """Learner edition of ``text``: every region (or those in ``only``) replaced by its stub.

    Raises:
        KeyError: for a marker whose id is not in the registry.
    """
    replacements: Dict[str, List[str]] = {}
    for region in find_regions(text, where):
        if only is not None and region.exercise_id not in only:
            continue
        if region.exercise_id not in exercises:
            raise KeyError(f"{where}:{region.begin + 1}: exercise {region.exercise_id} is not in the registry "
                           "(course_lib/exercises/registry.py)")
        replacements[region.exercise_id] = stub_lines(exercises[region.exercise_id], region.indent, wrapped)
    return replace_regions(text, replacements, where)
