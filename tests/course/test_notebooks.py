"""Notebook conventions: the shared first cell, which course_lib each edition imports, tags (the picture
cells: test_pictures.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from course_lib.exercises.workspace import update_workspace

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
ALLOWED_TAGS = {"nbval-ignore-output", "raises-exception", "nbval-skip", "keep-output", "picture"}


def code_cells(path: Path) -> list:
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def first_cell(path: Path) -> str:
    return "".join(code_cells(path)[0]["source"])


def test_every_notebook_starts_with_the_same_setup_cell():
    setups = {path.name: first_cell(path) for path in NOTEBOOKS}
    assert len(set(setups.values())) == 1, "notebooks differ in their first cell: " + ", ".join(setups)
    assert "sys.path.insert(0, str(pathlib.Path.cwd().parent))" in next(iter(setups.values()))


def import_from(folder: Path, setup: str) -> str:
    """Run the setup cell (without IPython magics) in ``folder``; return the course_lib it imported."""
    code = "\n".join(line for line in setup.splitlines() if not line.startswith("%"))
    done = subprocess.run([sys.executable, "-c", code + "\nprint(course_lib.__file__)"], cwd=folder,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_each_edition_imports_its_own_course_lib(tmp_path):
    setup = first_cell(NOTEBOOKS[0])
    assert import_from(REPO / "notebooks", setup) == str(REPO / "course_lib" / "__init__.py")
    workspace = tmp_path / "workspace"
    update_workspace(REPO, workspace)
    assert import_from(workspace / "notebooks", setup) == str(workspace / "course_lib" / "__init__.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_and_tags_are_known(path):
    cells = code_cells(path)
    unrun = [i for i, c in enumerate(cells) if c["source"] and c["execution_count"] is None]
    assert not unrun, f"{path.name}: code cells {unrun} have no stored outputs; run `make notebooks NB={path}`"
    for cell in cells:
        unknown = set(cell.get("metadata", {}).get("tags", [])) - ALLOWED_TAGS
        assert not unknown, f"{path.name}: unknown cell tags {unknown}"
        assert "nbval-skip" not in cell.get("metadata", {}).get("tags", []), \
            f"{path.name}: nothing is silently skipped; tag nbval-ignore-output and assert instead"


def test_every_notebook_section_cited_in_course_lib_exists(repo):
    """Docstrings say where each thing is taught ("notebooks/01_tensors.ipynb, section ..."): those sections exist."""
    import re

    headings = {}
    for path in (repo / "notebooks").glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        headings[path.name] = {m.group(1).strip() for m in re.finditer(r"(?m)^#+\s+(.*)$", text)}
    missing = []
    for path in (repo / "course_lib").rglob("*.py"):
        text = " ".join(path.read_text(encoding="utf-8").split())
        for cited in re.finditer(r'notebooks/(\d\d_\w+\.ipynb), sections? ((?:"[^"]+"(?:, | and )?)+)', text):
            notebook = cited.group(1)
            for section in re.findall(r'"([^"]+)"', cited.group(2)):
                if notebook in headings and section not in headings[notebook]:
                    missing.append(f"{path.relative_to(repo)}: {notebook} has no section {section!r}")
    assert not missing, "\n".join(missing)



@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_reference_notebooks_checks_pass_on_every_device(path):
    """A stored check of the reference solutions passes on every row (cpu, and cuda where it runs): nbval
    compares outputs, so a failure stored by ``make notebooks`` would otherwise pass as "expected"."""
    checks = [c for c in code_cells(path) if re.fullmatch(r'course_lib\.check\("[\d.]+"\)', "".join(c["source"]))]
    for cell in checks:
        text = "".join("".join(output.get("text", "")) for output in cell["outputs"])
        assert "cases pass ✓" in text and "✗" not in text, f"{path.name}: {''.join(cell['source'])}\n{text}"
