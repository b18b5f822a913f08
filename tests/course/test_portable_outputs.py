"""What nbval compares is the same on every machine: check tables and printed tensors do not change
when computed floats move by their last bits (as they do on another CPU, BLAS or thread count).

The conditions themselves (another ATen or NumPy kernel, an older OpenBLAS core, one thread, no
triton) are exercised by ``make test-portable``, outside this suite: a CI runner may not reproduce them.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import course_lib
from course_lib.checks import harness, run_check
from course_lib.exercises.registry import EXERCISES
from helpers import REPO
from helpers.last_bits import NUDGE, UNSTABLE, nudge, probed

NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg"]


def _with_moved_expectations(check, direction):
    """``check`` with torch's result of each case moved by its last bits (cases that compare course_lib
    with itself are left alone: both of their sides move together)."""

    def moved_check(*args):
        for case in check(*args):
            if case.expected is not None and case.expect_error is None and case.reference_is_torch:
                case = dataclasses.replace(case, expected=lambda e=case.expected: nudge(e(), direction))
            yield case

    return moved_check


@pytest.mark.parametrize("exercise_id", [e.id for e in EXERCISES])
def test_check_table_does_not_change_when_torch_moves_by_its_last_bits(exercise_id, monkeypatch):
    table = run_check(exercise_id).table()
    registered = harness.registered_checks()[exercise_id]
    for direction in (1, -1):
        moved = dataclasses.replace(registered, function=_with_moved_expectations(registered.function, direction))
        monkeypatch.setitem(harness._CHECKS, exercise_id, moved)
        assert run_check(exercise_id).table() == table, f"moved by {direction * NUDGE:+.0e}"


def test_moving_expectations_reaches_every_float():
    moved = nudge((torch.tensor([0.0, 2.0], dtype=torch.float64), torch.tensor([3]), 0.5, (2, 3)), 1)
    assert moved[0].tolist() == [1e-9, 2.0 * (1 + 1e-7)] and moved[1].tolist() == [3]
    assert moved[2] == 0.5 * (1 + 1e-7) and moved[3] == (2, 3)


def test_the_table_shows_tolerances_not_differences():
    table = run_check("1.13").table()
    assert "rtol=1.3e-06 atol=1e-05" in table and "exact" in table and "diff" not in table
    detailed = run_check("1.13").table(differences=True)
    assert "max abs diff" in detailed and "this machine's" in detailed


def test_a_failing_case_still_shows_its_numbers():
    report = harness.CheckReport("9.9", [harness._run_case(harness.Case(
        "close", "x", actual=lambda: torch.tensor([1.0, 2.0]), expected=lambda: torch.tensor([1.0, 2.5])), "cpu")])
    table = report.table()
    assert "rtol=1.3e-06 atol=1e-05" in table and "Greatest absolute difference: 0.5" in table


def test_default_tolerances_are_torchs():
    from torch.testing._comparison import default_tolerances

    for name, tolerances in harness.DEFAULT_TOLERANCES.items():
        assert default_tolerances(getattr(torch, name)) == tolerances, name
    assert default_tolerances(torch.int64) == (0.0, 0.0)


@pytest.mark.parametrize("library", [torch, course_lib], ids=["torch", "course_lib"])
def test_the_printing_probe_catches_digits_on_a_rounding_boundary(library):
    def printed(values):
        return repr(library.tensor(values.tolist(), dtype=library.float32))

    assert probed(printed, np.array([0.5, 1.0 / 3.0, 2.0])) == printed(np.array([0.5, 1.0 / 3.0, 2.0]))
    # 0.12345 lies a hair above the 4-digit rounding boundary in float32: a last bit decides 0.1235 or 0.1234.
    assert UNSTABLE in probed(printed, np.array([0.12345, 2.0], dtype=np.float32))


@pytest.mark.slow
def test_notebook_prints_do_not_change_when_values_move_by_their_last_bits(tmp_path):
    """Every notebook, run by nbval in a kernel whose torch and course_lib tensors print themselves
    moved both ways too (tests/helpers/last_bits.py): any printed digit that depends on the last bits
    adds a warning to the cell's text, which then differs from the stored output."""
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-last-bits.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / 'tests')!r})\n"
        "from helpers.last_bits import install_printing_probe\ninstall_printing_probe()\n", encoding="utf-8")
    env = {**os.environ, "IPYTHONDIR": str(tmp_path / "ipython")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks", *NBVAL],
                            cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-8000:]
    assert " passed" in result.stdout.splitlines()[-1]
