"""Generate the learner edition (exercises stubbed) from the reference edition.

An *edition* is a folder holding ``course_lib/`` and ``notebooks/``. The reference edition
is the repository; the learner edition is computed from it in memory as a mapping
``relative path -> bytes`` and written by the workspace and export commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterator, Optional, Set

from .markers import find_regions, stub_text
from .registry import exercise_by_id

EditionFiles = Dict[str, bytes]
"""Relative POSIX path (``"course_lib/shape.py"``) -> file content."""


def edition_sources(root: Path) -> Iterator[str]:
    """Relative paths of the files that make up an edition below ``root``, sorted."""
    paths = [p for p in (root / "course_lib").rglob("*.py") if "__pycache__" not in p.parts]
    paths += list((root / "notebooks").glob("*.ipynb"))
    paths += list((root / "examples").glob("*.py"))  # the training script chapter 04 runs on the edition's course_lib
    for path in sorted(paths):
        yield path.relative_to(root).as_posix()


KEEP_OUTPUT = "keep-output"
"""Tag of notebook cells whose stored output the learner edition keeps."""

PICTURE = "picture"
"""Tag of notebook cells that draw a picture: the learner edition shows their output, not their code."""


def learner_file(relative: str, content: bytes, only: Optional[Set[str]] = None, wrapped: bool = True) -> bytes:
    """Learner version of one file: exercise regions stubbed (only those in ``only`` if given).

    With ``only`` None, notebook cells are also made ready for a fresh start (:func:`_learner_cell`):
    outputs, execution counts and timings go, except the outputs of cells tagged ``keep-output`` (the
    concept pictures drawn with torch only, which learners should see before they solve anything), and
    the source of cells tagged ``picture`` is collapsed.
    """
    exercises = exercise_by_id()
    if relative.endswith(".py"):
        return stub_text(content.decode("utf-8"), exercises, only, where=relative, wrapped=wrapped).encode("utf-8")
    if relative.endswith(".ipynb"):
        notebook = json.loads(content)
        for number, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            cell["source"] = _split_source(stub_text(source, exercises, only, where=f"{relative} cell {number}"))
            if only is None:
                _learner_cell(cell)
        return dump_notebook(notebook)
    return content


def _learner_cell(cell: dict) -> None:
    """Prepare one code cell for the learner, in place.

    Every cell loses its execution count (in its outputs too) and its ``execution`` timings, so numbers
    from the maintainers' run never show. Outputs are cleared unless the cell is tagged ``keep-output``.
    A cell tagged ``picture`` gets ``metadata.jupyter.source_hidden``: JupyterLab shows its drawing
    collapsed, behind an ellipsis the learner can click.
    """
    metadata = cell.setdefault("metadata", {})
    tags = metadata.get("tags", [])
    cell["execution_count"] = None
    metadata.pop("execution", None)
    if KEEP_OUTPUT in tags:
        for output in cell["outputs"]:
            if "execution_count" in output:
                output["execution_count"] = None
    else:
        cell["outputs"] = []
    if PICTURE in tags:
        metadata.setdefault("jupyter", {})["source_hidden"] = True


def build_learner_edition(root: Path, only: Optional[Set[str]] = None) -> EditionFiles:
    """Every file of the edition at ``root`` in its learner form.

    Args:
        root: the reference edition (the repository root, or an exported edition).
        only: stub just these exercise ids (used by the integrity tests); ``None`` = all,
            and notebooks are cleared of outputs.
    """
    return {rel: learner_file(rel, (root / rel).read_bytes(), only) for rel in edition_sources(root)}


def exercise_locations(root: Path) -> Dict[str, str]:
    """Map each exercise id found in the edition at ``root`` to the file holding its markers."""
    found: Dict[str, str] = {}
    for relative in edition_sources(root):
        for text in _code_texts(root / relative):
            for region in find_regions(text, relative):
                if region.exercise_id in found:
                    raise ValueError(f"exercise {region.exercise_id} has markers in two places: "
                                     f"{found[region.exercise_id]} and {relative}")
                found[region.exercise_id] = relative
    return found


def _code_texts(path: Path) -> Iterator[str]:
    """The source text of a .py file, or of each code cell of a notebook."""
    if path.suffix == ".py":
        yield path.read_text(encoding="utf-8")
    else:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                yield "".join(cell["source"])


def _split_source(text: str) -> list:
    """A cell source as nbformat stores it: a list of lines keeping their newlines."""
    return text.splitlines(keepends=True)


def dump_notebook(notebook: dict) -> bytes:
    """Serialise a notebook the way Jupyter does (1-space indent, UTF-8, trailing newline)."""
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
