"""The layers of course_lib, held: ARCHITECTURE.md's layer table is the source, the imports are the facts.

Every import statement of every module (top level and inside functions) is read with ``ast``.
A module may import its own layer and the layers below, the imports form no cycle, a
course_lib module is never imported inside a function (only torch may be), and torch is
imported only where the table's last column allows it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from helpers import REPO

HEAVY = {"torch", "torchvision", "triton"}  # optional heavy packages: only where the table allows, in functions


@dataclass(frozen=True)
class Row:
    layer: Optional[int]  # None for the course tooling row
    modules: Tuple[str, ...]  # "shape.py", "ops/" (a folder: everything in it)
    allowed: Tuple[str, ...]  # what it may import besides lower layers (for the tooling row: all it may import)
    torch: str  # "no", "inside functions" or "yes"
    lazy: Tuple[str, ...] = ()  # course_lib modules it may import inside a function ("inside functions: `...`")


def layer_table(architecture: Path) -> List[Row]:
    """The rows of the table under "## Layers" in ARCHITECTURE.md."""
    text = architecture.read_text(encoding="utf-8")
    start = text.index("## Layers")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end != -1 else len(text)]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not (cells[0].isdigit() or cells[0] == "tooling"):
            continue
        eager, _, lazy = cells[2].partition("inside functions:")
        rows.append(Row(int(cells[0]) if cells[0].isdigit() else None, tuple(re.findall(r"`([^`]+)`", cells[1])),
                        tuple(re.findall(r"`([^`]+)`", eager)), cells[3], tuple(re.findall(r"`([^`]+)`", lazy))))
    return rows


def row_of(relative: str, rows: List[Row]) -> Optional[Row]:
    """The row whose module entry matches ``relative`` (a path inside course_lib) most closely."""
    best, length = None, -1
    for row in rows:
        for entry in row.modules:
            hit = relative.startswith(entry) if entry.endswith("/") else relative == entry
            if hit and len(entry) > length:
                best, length = row, len(entry)
    return best


@dataclass(frozen=True)
class Import:
    source: str  # importing file, relative to the package root ("ops/views.py")
    target: Optional[str]  # imported course_lib file, or None for another package
    package: str  # top-level name of another package ("torch"), "" for course_lib
    line: int
    in_function: bool


def _file_of(module: str, files: Set[str]) -> Optional[str]:
    """``"ops.views"`` -> ``"ops/views.py"`` or ``"ops/__init__.py"``; "" is the package root."""
    base = module.replace(".", "/")
    for candidate in ((f"{base}.py", f"{base}/__init__.py") if base else ("__init__.py",)):
        if candidate in files:
            return candidate
    return None


def read_imports(root: Path) -> List[Import]:
    """Every import statement under ``root`` (the course_lib folder), resolved to files."""
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    found = []
    for relative in sorted(files):
        tree = ast.parse((root / relative).read_text(encoding="utf-8"))
        in_function = {id(node) for function in ast.walk(tree)
                       if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                       for node in ast.walk(function)}
        here = relative[:-len("__init__.py")].rstrip("/") if relative.endswith("__init__.py") \
            else relative.rsplit("/", 1)[0] if "/" in relative else ""
        for node in ast.walk(tree):
            nested = id(node) in in_function
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(relative, None, alias.name.split(".")[0], node.lineno, nested))
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.append(Import(relative, None, node.module.split(".")[0], node.lineno, nested))
            elif isinstance(node, ast.ImportFrom):
                parts = [p for p in here.split("/") if p]
                parts = parts[:len(parts) - (node.level - 1)]
                module = ".".join(parts + ([node.module] if node.module else []))
                for alias in node.names:
                    submodule = f"{module}.{alias.name}" if module else alias.name
                    target = _file_of(submodule, files) or _file_of(module, files)
                    found.append(Import(relative, target, "", node.lineno, nested))
    return found


def _cycle(edges: Dict[str, Set[str]]) -> Optional[List[str]]:
    """One cycle of the import graph, as a list of files, or None."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if start in state:
            continue
        path, stack = [], [(start, iter(sorted(edges.get(start, ()))))]
        state[start] = 1
        path.append(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(edges.get(child, ())))))
    return None


def violations(root: Path, rows: List[Row]) -> List[str]:
    """Everything in ``root`` (a course_lib folder) that breaks the layer table ``rows``."""
    problems = []
    edges: Dict[str, Set[str]] = {}
    for imp in read_imports(root):
        where = f"{imp.source}:{imp.line}"
        row = row_of(imp.source, rows)
        if row is None:
            problems.append(f"{where}: {imp.source} is in no row of ARCHITECTURE.md's layer table")
            continue
        if imp.package:
            if imp.package in HEAVY:
                if row.torch == "no":
                    problems.append(f"{where}: imports {imp.package}, which its layer may not")
                elif row.torch == "inside functions" and not imp.in_function:
                    problems.append(f"{where}: imports {imp.package} at the top (only inside functions)")
            continue
        if imp.target is None or imp.target == imp.source:
            continue
        named_lazy = any(imp.target.startswith(a) if a.endswith("/") else imp.target == a for a in row.lazy)
        if imp.in_function and named_lazy:
            continue  # the table's one load on first use (not an edge of the import graph: it runs later)
        edges.setdefault(imp.source, set()).add(imp.target)
        if imp.in_function:
            problems.append(f"{where}: imports {imp.target} inside a function (write it at the top)")
        target_row = row_of(imp.target, rows)
        explicitly_allowed = any(imp.target.startswith(a) if a.endswith("/") else imp.target == a for a in row.allowed)
        if row.layer is None:
            if not explicitly_allowed:
                problems.append(f"{where}: course tooling imports {imp.target} (allowed: {', '.join(row.allowed)})")
        elif explicitly_allowed:
            pass
        elif target_row is None or target_row.layer is None or target_row.layer > row.layer:
            target_layer = "tooling" if target_row is not None and target_row.layer is None else \
                (target_row.layer if target_row else "?")
            problems.append(f"{where}: layer {row.layer} imports {imp.target} (layer {target_layer}): upward")
    cycle = _cycle(edges)
    if cycle:
        problems.append("import cycle: " + " -> ".join(cycle))
    return problems


ROWS = layer_table(REPO / "ARCHITECTURE.md")


def test_the_table_covers_every_module_and_reads_as_layers():
    layers = [row.layer for row in ROWS if row.layer is not None]
    assert layers == sorted(layers) and sorted(set(layers)) == list(range(1, 15))
    missing = [p.relative_to(REPO / "course_lib").as_posix() for p in (REPO / "course_lib").rglob("*.py")
               if row_of(p.relative_to(REPO / "course_lib").as_posix(), ROWS) is None]
    assert not missing, f"add these to ARCHITECTURE.md's layer table: {missing}"


def test_course_lib_keeps_its_layers():
    problems = violations(REPO / "course_lib", ROWS)
    assert not problems, "\n".join(problems)


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "course_lib"
    shutil.copytree(REPO / "course_lib", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_an_upward_import_inside_a_function_is_caught(tmp_path):
    copy = _copy(tmp_path)
    _append(copy / "shape.py", "\n\ndef _sneaky():\n    from .autograd.engine import backward\n    return backward\n")
    problems = violations(copy, ROWS)
    assert any("shape.py" in p and "autograd/engine.py" in p and "upward" in p for p in problems), problems
    assert any("shape.py" in p and "inside a function" in p for p in problems), problems


def test_a_cycle_within_one_layer_is_caught(tmp_path):
    copy = _copy(tmp_path)
    _append(copy / "ops" / "creation.py", "\nfrom . import tensor_methods  # noqa\n")
    problems = violations(copy, ROWS)
    assert any(p.startswith("import cycle:") and "ops/creation.py" in p for p in problems), problems


def test_torch_outside_the_allowed_places_is_caught(tmp_path):
    copy = _copy(tmp_path)
    _append(copy / "ops" / "elementwise.py", "\nimport torch  # noqa\n")
    _append(copy / "checks" / "harness.py", "\nimport torch  # noqa\n")
    problems = violations(copy, ROWS)
    assert any("ops/elementwise.py" in p and "torch" in p for p in problems), problems
    assert any("checks/harness.py" in p and "only inside functions" in p for p in problems), problems


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_rows_for_the_later_chapters(tmp_path):
    """The places chapters 03-06 fill: what the table allows there, and what it still refuses."""
    copy = _copy(tmp_path)
    _write(copy / "backends" / "triton" / "__init__.py", "import torch\nimport triton\nfrom ..base import Backend\n")
    _append(copy / "backends" / "__init__.py", "\n\ndef _cuda():\n    from .triton import Backend\n    return Backend\n")
    _write(copy / "distributed" / "pipelining" / "__init__.py", "from ...nn import functional\n")
    _write(copy / "nn" / "parallel" / "__init__.py", "from ... import distributed\n")
    _write(copy / "nn" / "modules" / "linear.py", "from ...autograd import engine\n")
    _write(copy / "serialization.py", "from ._atomic import atomic_write_bytes\n")
    _write(copy / "cuda" / "streams.py", "def synchronize():\n    import torch\n    return torch.cuda.synchronize()\n")
    assert violations(copy, ROWS) == []
    # ... and what stays refused: distributed/ below nn/, a lazy load elsewhere, triton outside its folder.
    _append(copy / "distributed" / "__init__.py", "\nfrom . import pipelining  # noqa\n")
    _append(copy / "ops" / "views.py", "\n\ndef _cuda():\n    from ..backends.triton import Backend\n    return Backend\n")
    _append(copy / "backends" / "numpy_backend.py", "\nimport triton  # noqa\n")
    problems = violations(copy, ROWS)
    assert any("distributed/__init__.py" in p and "pipelining" in p and "upward" in p for p in problems), problems
    assert any("ops/views.py" in p and "inside a function" in p for p in problems), problems
    assert any("backends/numpy_backend.py" in p and "triton" in p for p in problems), problems


def test_import_course_lib_does_not_import_triton():
    code = "import sys, course_lib\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'triton' or 'backends.triton' in m))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr


def test_matplotlib_only_inside_the_picture_functions():
    """ARCHITECTURE.md: matplotlib is imported only inside the functions of utils/pictures.py (and of
    utils/network_pictures.py, chapter 03's pictures, which it re-exports), and ``import course_lib`` (even
    with the pictures module) loads none of it."""
    picture_modules = {"utils/pictures.py", "utils/network_pictures.py", "utils/training_pictures.py",
                       "utils/gpu_pictures.py", "utils/parallel_pictures.py"}
    misplaced = [f"{imp.source}:{imp.line}" for imp in read_imports(REPO / "course_lib")
                 if imp.package == "matplotlib" and (imp.source not in picture_modules or not imp.in_function)]
    assert not misplaced, f"matplotlib imported outside the picture functions: {misplaced}"
    code = ("import sys, course_lib\nfrom course_lib.utils import pictures\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stdout + done.stderr
