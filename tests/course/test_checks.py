"""Every exercise's check passes on the reference edition (the same checks learners run)."""

from __future__ import annotations

from unittest import mock

import pytest

import course_lib
from course_lib.checks import Case, run_check
from course_lib.checks.harness import CaseResult, CheckReport, _run_case, format_report
from course_lib.exercises.registry import EXERCISES


@pytest.mark.parametrize("exercise_id", [e.id for e in EXERCISES])
def test_check_passes_on_reference(exercise_id):
    report = run_check(exercise_id)
    assert report.passed, report.table()


def test_wrong_answer_fails_and_shows_the_input():
    with mock.patch.object(course_lib.shape, "numel", lambda shape: len(shape)):
        report = run_check("0.1")
    assert not report.passed and not report.not_done
    table = report.table()
    assert "✗ fail" in table and "First failure" in table and "shape=()" in table


def test_crash_is_reported_with_its_place():
    def crash(shape):
        raise ZeroDivisionError("boom")

    with mock.patch.object(course_lib.shape, "numel", crash):
        report = run_check("0.1")
    assert "ZeroDivisionError: boom" in report.results[0].message


def test_error_cases_need_the_same_exception_type_as_torch():
    def raises_value_error():
        raise ValueError("bad")

    ok = _run_case(Case("raises", "x", actual=raises_value_error, expect_error=ValueError), "cpu")
    wrong = _run_case(Case("raises", "x", actual=raises_value_error, expect_error=IndexError), "cpu")
    silent = _run_case(Case("raises", "x", actual=lambda: 3, expect_error=IndexError), "cpu")
    assert ok.passed and not wrong.passed and not silent.passed
    assert "expected IndexError" in wrong.message and "returned 3" in silent.message


def test_tensor_differences_are_reported():
    import torch

    result = _run_case(Case("close", "x", actual=lambda: torch.tensor([1.0, 2.0]),
                            expected=lambda: torch.tensor([1.0, 2.5])), "cpu")
    assert not result.passed and result.max_abs_diff == pytest.approx(0.5)


def test_not_built_devices_never_pass():
    not_built = CaseResult("(all cases)", "cuda (simulated)", "not built", message="x", needs="later")
    report = CheckReport("9.9", [not_built])
    assert not report.passed
    assert "○ needs later" in format_report(report)


def test_every_status_is_a_word_after_a_symbol_that_needs_no_emoji_font():
    """The status column reads the same in any font and to a screen reader: the word says it all."""
    from course_lib.checks.harness import STATUS_TEXT

    for status, text in STATUS_TEXT.items():
        symbol, word = text.split(" ", 1)
        assert word.replace(" ", "").isalpha() and word.split()[0] in status.split() + ["needs"]
        assert len(symbol) == 1 and not 0x1F000 <= ord(symbol) and ord(symbol) not in (0x2705, 0x274C, 0x23F3)


def test_a_failing_tuple_shows_both_whole_values_and_the_function_to_open():
    import ast

    reference = course_lib.shape.position_to_index
    with mock.patch.object(course_lib.shape, "position_to_index", lambda p, s: tuple(reversed(reference(p, s)))):
        table = run_check("1.3").table()
    lines = table.splitlines()
    expected = next(line for line in lines if line.startswith("  expected "))[len("  expected "):]
    got = next(line for line in lines if line.startswith("  but got  "))[len("  but got  "):]
    expected, got = ast.literal_eval(expected), ast.literal_eval(got)
    assert len(expected) >= 2 and got == tuple(reversed(expected)) != expected  # whole tuples, not "item [0]"
    assert "open course_lib/shape.py, function position_to_index" in table


def test_a_failing_small_tensor_is_shown_whole():
    import torch

    result = _run_case(Case("close", "x", actual=lambda: torch.tensor([1.0, 2.0]),
                            expected=lambda: torch.tensor([1.0, 2.5])), "cpu")
    assert "expected [1.0, 2.5] (shape (2,), float32)" in result.message
    assert "but got  [1.0, 2.0] (shape (2,), float32)" in result.message
    big = _run_case(Case("close", "x", actual=lambda: torch.zeros(5, 5), expected=lambda: torch.ones(5, 5)), "cpu")
    assert "a tensor of shape (5, 5), float32" in big.message
