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
    assert "❌" in table and "First failure" in table and "shape=()" in table


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
    report = CheckReport("9.9", [CaseResult("(all cases)", "cuda (simulated)", "not built", message="later")])
    assert not report.passed
    assert "⏳" in format_report(report)
