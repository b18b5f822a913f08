"""The notebooks' pictures: drawn by course_lib/utils/pictures.py, shown (not their code) to learners.

- every cell that draws is tagged ``picture``, binds no name a later cell could pick up, and is one call;
- the learner edition collapses picture code and carries no execution count or timing from our run;
- the storage strip is a row of unit squares, and each picture draws what the notebook says it does;
- in a learner edition (nothing done, or everything but exercise 1.8), the torch-only pictures draw and
  no cell fails on a leftover of another cell.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Dict, List, Set

import matplotlib
import pytest
import torch

from course_lib.exercises.edition import KEEP_OUTPUT, PICTURE, build_learner_edition, learner_file
from course_lib.utils import pictures
from helpers import REPO

matplotlib.use("Agg")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def code_cells(notebook: dict) -> List[dict]:
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def tags(cell: dict) -> List[str]:
    return cell.get("metadata", {}).get("tags", [])


def has_image(cell: dict) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def parse(cell: dict) -> ast.Module:
    """A cell's source without its IPython magics and shell lines."""
    lines = "".join(cell["source"]).splitlines()
    return ast.parse("\n".join(line for line in lines if not line.lstrip().startswith(("%", "!"))))


def top_level_names(tree: ast.Module) -> Dict[str, str]:
    """Names a cell binds in the notebook's namespace -> how ("import", "def", "assignment")."""
    bound: Dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            bound.update({(alias.asname or alias.name).split(".")[0]: "import" for alias in statement.names})
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[statement.name] = "def"
        else:  # assignments, loop and with targets, walrus: any Name stored outside a nested scope
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    bound.setdefault(node.id, "assignment")
    return bound


def loaded_names(tree: ast.Module) -> Set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


# ---------------------------------------------------------------- the picture cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_drawing_cell_is_a_picture_cell_and_every_picture_cell_draws(path):
    for number, cell in enumerate(code_cells(json.loads(path.read_text(encoding="utf-8")))):
        assert has_image(cell) == (PICTURE in tags(cell)), \
            f"{path.name} code cell {number}: a cell with a picture is tagged {PICTURE!r}, and only such a cell"
        if PICTURE in tags(cell):
            assert "nbval-ignore-output" in tags(cell), f"{path.name} code cell {number}: PNG bytes differ by machine"


def test_picture_cells_leak_no_names():
    """A picture cell binds no name (or only re-imports one), so no later cell can pick up a leftover of it,
    as the memory-layout picture of chapter 01 once picked up a 'views' a concept picture had left."""
    count = 0
    for path in NOTEBOOKS:
        cells = code_cells(json.loads(path.read_text(encoding="utf-8")))
        for number, cell in enumerate(cells):
            if PICTURE not in tags(cell):
                continue
            count += 1
            tree = parse(cell)
            bound = top_level_names(tree)
            assert all(how == "import" for how in bound.values()), \
                f"{path.name} code cell {number} (a picture) binds {bound}: draw inside a function of pictures.py"
            assert len(tree.body) <= 3, f"{path.name} code cell {number}: a picture cell is a call, not a program"
            for later_number, later in enumerate(cells[number + 1:], number + 1):
                if PICTURE not in tags(later):
                    used = loaded_names(parse(later)) & set(bound)
                    assert not used, f"{path.name} code cell {later_number} uses {used}, imported by picture " \
                                     f"cell {number}: import it in a plain cell"
    assert count >= 10  # chapter 01: 5 concepts and 2 of the learner's code; chapter 02: 1 and 2


def reference_and_learner_cells(repo):
    """``(notebook path, code cell number, the reference cell, the learner edition's cell)`` for every code cell."""
    learner = build_learner_edition(repo)
    for path in NOTEBOOKS:
        reference = code_cells(json.loads(path.read_text(encoding="utf-8")))
        cells = code_cells(json.loads(learner[f"notebooks/{path.name}"]))
        for number, (original, cell) in enumerate(zip(reference, cells)):
            yield path, number, original, cell


def test_concept_pictures_use_only_torch_and_the_pictures_module(repo):
    """Cells tagged keep-output draw a concept before its exercises, from torch tensors, with the course's
    pictures module only (never the learner's code); their stored picture stays in the learner edition."""
    count = 0
    for path, number, cell, learner_cell in reference_and_learner_cells(repo):
        if KEEP_OUTPUT in tags(cell):
            count += 1
            tree = parse(cell)
            assert not [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
            calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
            roots = {_root(call.func) for call in calls}
            assert roots <= {"pictures", "torch", "diamond"}, f"{path.name} code cell {number} calls {roots}"
            assert PICTURE in tags(cell) and has_image(cell)
            assert [_without_count(o) for o in learner_cell["outputs"]] == [_without_count(o) for o in cell["outputs"]]
    assert count >= 6  # strides, broadcasting, view chunks, reduction, matmul, backward graph


def _root(node: ast.expr) -> str:
    """``pictures`` for ``pictures.storage_layouts``, ``torch`` for ``torch.arange(12).view``."""
    while isinstance(node, (ast.Attribute, ast.Call)):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else type(node).__name__


def _without_count(output: dict) -> dict:
    return {key: value for key, value in output.items() if key != "execution_count"}


# ---------------------------------------------------------------- the learner edition


def test_learner_edition_hides_picture_code_and_our_execution_counts(repo):
    hidden = 0
    for path, number, original, cell in reference_and_learner_cells(repo):
        where = f"{path.name} code cell {number}"
        assert cell["execution_count"] is None, where
        assert all(output.get("execution_count") is None for output in cell["outputs"]), where
        assert "execution" not in cell["metadata"], f"{where}: our run's timings"
        is_hidden = cell["metadata"].get("jupyter", {}).get("source_hidden", False)
        assert is_hidden == (PICTURE in tags(original)), where
        assert cell["source"] == original["source"] or not is_hidden, f"{where}: a hidden cell was changed"
        assert bool(cell["outputs"]) == (KEEP_OUTPUT in tags(original) and bool(original["outputs"])), where
        hidden += is_hidden
    assert hidden >= 10


def test_learner_file_clears_counts_but_keeps_kept_outputs():
    image = {"output_type": "execute_result", "execution_count": 7, "metadata": {},
             "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}}
    printed = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    timing = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    notebook = {"cells": [
        {"cell_type": "code", "execution_count": 7, "id": "a", "outputs": [image], "source": ["pictures.x()"],
         "metadata": {"tags": [KEEP_OUTPUT, PICTURE], "execution": timing}},
        {"cell_type": "code", "execution_count": 8, "id": "b", "outputs": [printed], "source": ["print('hello')"],
         "metadata": {"execution": timing}},
        {"cell_type": "markdown", "id": "c", "metadata": {}, "source": ["text"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cells = json.loads(learner_file("notebooks/x.ipynb", json.dumps(notebook).encode()))["cells"]
    assert cells[0]["execution_count"] is None and cells[0]["outputs"] == [dict(image, execution_count=None)]
    assert cells[0]["metadata"] == {"tags": [KEEP_OUTPUT, PICTURE], "jupyter": {"source_hidden": True}}
    assert cells[1]["execution_count"] is None and cells[1]["outputs"] == [] and cells[1]["metadata"] == {}
    assert cells[2] == notebook["cells"][2]


# ---------------------------------------------------------------- what the pictures draw


def squares(ax, gid: str) -> list:
    return [patch for patch in ax.patches if patch.get_gid() == gid]


def test_storage_strip_is_a_row_of_unit_squares_with_centred_labels():
    figure = pictures.storage_layouts(torch.arange(12).view(3, 4))
    assert len(figure.axes) == 4
    for ax in figure.axes:
        strip = sorted(squares(ax, pictures.STORAGE), key=lambda patch: patch.get_x())
        assert [patch.get_x() for patch in strip] == list(range(12)), ax.get_title()
        assert {(patch.get_width(), patch.get_height(), patch.get_y()) for patch in strip} == {(1, 1, strip[0].get_y())}
        labels = {(text.get_position(), text.get_text()) for text in ax.texts}
        assert all(((p + 0.5, strip[0].get_y() + 0.5), str(p)) in labels for p in range(12)), ax.get_title()
        grid = squares(ax, pictures.TENSOR)
        assert {(patch.get_width(), patch.get_height()) for patch in grid} == {(1, 1)}
        assert max(patch.get_y() for patch in grid) + 1 < strip[0].get_y(), "the strip overlaps the grid"
        left, right = ax.get_xlim()
        bottom, top = ax.get_ylim()
        assert left < 0 and right > 12 and top > strip[0].get_y() + 1, "the strip does not fit"
        assert bottom < min(patch.get_y() for patch in grid)


def test_storage_strip_colours_exactly_the_elements_a_view_reads():
    figure = pictures.storage_layouts(torch.arange(12).view(3, 4))
    expected = {"x": set(range(12)), "x.t()": set(range(12)), "x[:, 1::2]": {1, 3, 5, 7, 9, 11},
                "x[1].expand(3, 4)": {4, 5, 6, 7}}
    assert set(pictures.storage_layout_views(torch.arange(12).view(3, 4))) == set(expected)
    for ax in figure.axes:
        name = ax.get_title().splitlines()[0]
        white = {int(patch.get_x()) for patch in squares(ax, pictures.STORAGE)
                 if patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)}
        assert set(range(12)) - white == expected[name], name


def test_each_concept_picture_draws_what_the_notebook_says():
    out = pictures.broadcasting(torch.tensor([[10], [20], [30]]), torch.tensor([[1, 2, 3, 4]]))
    assert [ax.get_title() for ax in out.axes] == ["a: shape (3, 1)", "b: shape (1, 4)", "a + b: shape (3, 4)"]
    assert "34" in [text.get_text() for text in out.axes[2].texts]
    t = torch.arange(24).view(2, 3, 4)[:, :, :2]
    assert pictures.contiguous_chunks(t) == [[0, 1], [2]]
    chunks = pictures.view_chunks(t, [(6, 2), (2, 6), (12,)])
    verdicts = [text.get_text() for text in chunks.axes[0].texts if text.get_text().startswith("view(")]
    assert verdicts == ["view(6, 2): a view", "view(2, 6): no view (a dimension straddles two chunks)",
                        "view(12,): no view (a dimension straddles two chunks)"]
    sums = [text.get_text() for text in pictures.reduction(torch.arange(12.0).view(3, 4)).axes[0].texts]
    assert {"6", "22", "38"} <= set(sums)
    product = pictures.matmul(torch.arange(6.0).view(2, 3), torch.arange(6.0).view(3, 2), 1, 0)
    assert product.axes[0].get_title() == "out[1, 0] = 3·0 + 4·2 + 5·4 = 28"
    x, y = torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    a = x * y
    out = (a * (a + x)).sum()
    level, _ = pictures.graph_levels(out.grad_fn)
    assert sorted(level.values()) == [0, 1, 2, 3, 4, 4]  # the inner MulBackward0 waits for AddBackward0
    names = [text.get_text() for text in pictures.backward_graph(out).axes[0].texts if text.get_text()]
    assert names.count("AccumulateGrad") == 2 and len(names) == 6


# ---------------------------------------------------------------- the pictures in a learner's notebook


def run_learner_notebook(root: Path, name: str) -> List[dict]:
    """Execute ``notebooks/name`` of the edition at ``root`` as "run all" does, errors and all."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(root / "notebooks" / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(root / "notebooks")}}).execute()
    return code_cells(json.loads(nbformat.writes(notebook)))


def write_edition(files: Dict[str, bytes], root: Path) -> Path:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return root


def honest_failures(cells: List[dict], name: str) -> List[tuple]:
    """The errors of a learner's run, checked: a cell fails only on an exercise not done yet
    (NotImplementedError), on a name an earlier failed cell did not define (NameError), or where the
    notebook shows an error on purpose (not returned). Returns ``(cell number, ename, evalue)`` each."""
    failures = []
    for number, cell in enumerate(cells):
        for output in cell["outputs"]:
            if output["output_type"] != "error" or "raises-exception" in tags(cell):
                continue
            assert output["ename"] in {"NotImplementedError", "NameError"}, \
                f"{name} code cell {number} fails on a leftover: {output['ename']}: {output['evalue']}"
            failures.append((number, output["ename"], output["evalue"]))
    return failures


def drawn_concepts(cells: List[dict], name: str) -> int:
    """How many concept pictures (``keep-output``) drew; each must have drawn, without an error."""
    for number, cell in enumerate(cells):
        if KEEP_OUTPUT in tags(cell):
            assert has_image(cell) and not [o for o in cell["outputs"] if o["output_type"] == "error"], \
                f"{name} code cell {number}: a concept picture does not draw before the exercises"
    return sum(KEEP_OUTPUT in tags(cell) for cell in cells)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["01_tensors.ipynb", "02_autograd.ipynb", "03_neural_networks.ipynb",
                                  "05_gpus_and_kernels.ipynb"])
def test_a_fresh_learner_sees_every_concept_picture(tmp_path, name):
    root = write_edition(build_learner_edition(REPO), tmp_path / "edition")
    cells = run_learner_notebook(root, name)
    assert drawn_concepts(cells, name) >= 1
    assert honest_failures(cells, name)  # nothing is done: plenty of honest failures


@pytest.mark.slow
@pytest.mark.parametrize("exercise", ["1.2", "1.8"])
def test_the_memory_layout_picture_with_one_exercise_left(tmp_path, exercise):
    """Everything done but index_to_position (1.2) or permute (1.8, which x.t() needs): the memory-layout
    picture fails on that exercise, and no cell on a leftover of another cell (with 1.8 left, the picture
    once unpacked a concept picture's leftover 'views': "too many values to unpack")."""
    root = write_edition(build_learner_edition(REPO, only={exercise}), tmp_path / "edition")
    cells = run_learner_notebook(root, "01_tensors.ipynb")
    assert drawn_concepts(cells, "01_tensors.ipynb") >= 5
    failures = honest_failures(cells, "01_tensors.ipynb")
    assert failures and all(f"Exercise {exercise} " in evalue for _, ename, evalue in failures
                            if ename == "NotImplementedError"), failures
    layouts = next(number for number, cell in enumerate(cells) if "pictures.memory_layouts" in "".join(cell["source"]))
    failed = [(ename, evalue) for number, ename, evalue in failures if number == layouts]
    assert failed, f"the memory-layout picture drew without exercise {exercise}"
    if exercise == "1.2":  # its data cell ran: the picture itself calls the stub
        assert failed[0][0] == "NotImplementedError" and f"Exercise {exercise} " in failed[0][1]


def test_chapter_05_pictures_count_what_they_say():
    from course_lib.utils.gpu_pictures import program_lanes, tile_numbers, warp_segments

    lanes = program_lanes(10, 4)
    assert len(lanes) == 12 and [element for _, element, inside in lanes if not inside] == [10, 11]
    assert tile_numbers(3, 4, 1).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]  # group 1: row-major
    grouped = tile_numbers(5, 4, 2)  # groups of two tile rows, and a last group of one
    assert sorted(grouped.ravel().tolist()) == list(range(20))
    assert grouped[:2, 0].tolist() == [0, 1] and grouped[:2, 1].tolist() == [2, 3] and grouped[4].tolist() == [16, 17, 18, 19]
    square = torch.empty(64, 64)
    assert warp_segments(square.stride(), square.shape) == 1
    assert warp_segments(square.t().stride(), square.t().shape) == 32
    figure = pictures.tile_order(6, 8, 3)
    assert "reads 1 row tiles of a, 8 column tiles of b" in figure.axes[0].get_title()
    assert "reads 3 row tiles of a, 3 column tiles of b" in figure.axes[1].get_title()
    blocks = pictures.program_blocks(10, 4)
    assert [t.get_text() for t in blocks.axes[0].texts if t.get_text().startswith("program")] == \
        ["program 0", "program 1", "program 2"]


def test_chapter_06_timeline_schedules_what_the_notebook_says():
    from course_lib.utils.parallel_pictures import loader_schedule

    def total(lanes):
        return max(end for lane in lanes.values() for _, end, _ in lane)

    assert total(loader_schedule(3, 1, 0, 6)) == 24 and total(loader_schedule(3, 1, 2, 6)) == 11  # loader-bound
    assert total(loader_schedule(1, 3, 0, 6)) == 24 and total(loader_schedule(1, 3, 2, 6)) == 19  # compute-bound
    lanes = loader_schedule(3, 1, 2, 6)
    loaded = {label.split()[1]: end for name, lane in lanes.items() if name != "main process" for _, end, label in lane}
    for start, _, label in lanes["main process"]:
        assert start >= loaded[label.split()[1]]  # no step before its batch is loaded
    figure = pictures.worker_timeline(3, 1)
    assert [ax.get_title() for ax in figure.axes] == ["0 workers: 6 steps take 24 ms", "2 workers: 6 steps take 11 ms"]


@pytest.mark.parametrize("stages, micro_batches", [(2, 1), (2, 4), (4, 1), (4, 8), (3, 5)])
def test_gpipe_picture_has_the_bubble_the_notebook_states(stages, micro_batches):
    from course_lib.utils.parallel_pictures import bubble_fraction, gpipe_schedule

    lanes = gpipe_schedule(stages, micro_batches, forward=1.0, backward=2.0)
    assert bubble_fraction(lanes) == pytest.approx((stages - 1) / (micro_batches + stages - 1))
    for lane in lanes.values():  # every forward before any backward, each micro-batch once each way
        kinds = [label[0] for _, _, label in lane]
        assert kinds == ["F"] * micro_batches + ["B"] * micro_batches
    for s in range(1, stages):  # a stage starts a micro-batch only after the previous stage has passed it on
        for (start, _, label), (_, end_before, _) in zip(lanes[f"stage {s}"][:micro_batches],
                                                         lanes[f"stage {s - 1}"][:micro_batches]):
            assert start >= end_before, label


def test_chapter_06_strategy_and_pipeline_pictures_say_what_they_show():
    titles = [ax.get_title() for ax in pictures.pipeline_timeline(4, (1, 4)).axes]
    assert titles == ["1 micro-batch: the stages are idle 75% of the step",
                      "4 micro-batches: the stages are idle 43% of the step"]
    titles = [ax.get_title() for ax in pictures.parallel_strategies().axes]
    assert titles == ["data parallel: a replica per device", "pipeline parallel: a stage per device",
                      "tensor parallel: a slice of each layer per device"]


def test_1f1b_has_gpipes_bubble_with_fewer_micro_batches_held():
    from course_lib.distributed.pipelining.schedules import one_forward_one_backward_order
    from course_lib.utils.parallel_pictures import (bubble_fraction, gpipe_order, peak_in_flight, simulate_schedule)

    for stages, micro_batches in ((2, 4), (4, 8), (4, 2), (3, 3)):
        orders = [one_forward_one_backward_order(s, stages, micro_batches) for s in range(stages)]
        gpipe = simulate_schedule([gpipe_order(micro_batches)] * stages)
        one_f_one_b = simulate_schedule(orders)
        assert bubble_fraction(one_f_one_b) == pytest.approx(bubble_fraction(gpipe))
        assert [peak_in_flight(order) for order in orders] == [min(stages - s, micro_batches) for s in range(stages)]
        assert sorted(orders[0]) == sorted(gpipe_order(micro_batches))  # each micro-batch once each way
    with pytest.raises(ValueError, match=r"these orders deadlock: the stages wait at \[\('B', 0\), \('F', 0\)\]"):
        simulate_schedule([[("B", 0), ("F", 0)], [("F", 0), ("B", 0)]])
    figure = pictures.schedule_comparison({"GPipe": [gpipe_order(8)] * 4,
                                           "1F1B": [one_forward_one_backward_order(s, 4, 8) for s in range(4)]})
    assert [ax.get_title() for ax in figure.axes] == [
        "GPipe: idle 27% of the step, at most 8 micro-batches' activations held",
        "1F1B: idle 27% of the step, at most 4 micro-batches' activations held"]
