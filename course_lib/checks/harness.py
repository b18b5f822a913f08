"""The check harness: run an exercise's cases against real PyTorch and report them.

A *check* is a function registered with :func:`register_check` for one exercise id. It
yields :class:`Case` objects; each case runs the learner's code (``actual``) and torch
(``expected``) and the harness compares the two with ``torch.testing.assert_close``.
The same checks run in notebooks (``course_lib.check("1.4")`` prints a table) and under
pytest (``tests/course/test_checks.py``), so what a learner sees is what CI tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .compare import to_torch
from .device_table import Device, check_devices
from ..exercises.registry import exercise_by_id
from .learner_code import describe_error

EDITION_ROOT = Path(__file__).resolve().parents[2]
"""The edition this course_lib belongs to: a crash in a file below it is shown at that file's line."""

CheckFunction = Callable[..., Iterable["Case"]]

_CHECKS: Dict[str, "RegisteredCheck"] = {}


@dataclass
class Case:
    """One comparison between course_lib and torch.

    Attributes:
        name: short description shown in the table, e.g. ``"broadcast (3, 1) with (1, 4)"``.
        inputs: readable inputs, shown in full when the case fails.
        actual: runs the code under test; returns a course_lib Tensor, a number, a tuple...
        expected: runs the reference (usually torch); returns something comparable.
        expect_error: if set, ``actual`` must raise this exception type (and ``expected``,
            if given, is run to prove torch raises the same type).
        rtol, atol: tolerances passed to ``assert_close``; ``None`` means dtype-aware defaults.
        exact_dtype: also require equal dtypes (torch's ``check_dtype``).
        reference_is_torch: False when ``expected`` is course_lib's own result on this machine (a resumed
            run against the uninterrupted one), not torch's: such a case may compare exactly and stays
            exact on every machine, since both sides move together.
    """

    name: str
    inputs: str
    actual: Callable[[], Any]
    expected: Optional[Callable[[], Any]] = None
    expect_error: Optional[type] = None
    rtol: Optional[float] = None
    atol: Optional[float] = None
    exact_dtype: bool = True
    reference_is_torch: bool = True


@dataclass
class CaseResult:
    """Outcome of one case on one device."""

    case: str
    device: str
    status: str  # "pass", "fail", "not done", "not built" (the table shows STATUS_TEXT's words)
    compared: str = "-"  # how it was compared: "equal", "exact", "rtol=1.3e-06 atol=1e-05", "raises IndexError"
    max_abs_diff: Optional[float] = None
    max_rel_diff: Optional[float] = None
    message: str = ""
    inputs: str = ""
    needs: str = ""  # for "not built": what builds the device ("chapter 05")
    error: Optional[BaseException] = field(default=None, repr=False, compare=False)  # what a crashed case raised


    @property
    def passed(self) -> bool:
        return self.status == "pass"


@dataclass
class RegisteredCheck:
    exercise_id: str
    function: CheckFunction
    per_device: bool
    devices: Optional[Tuple[str, ...]] = None  # per-device checks: only these devices (None: every device)


@dataclass
class CheckReport:
    """All case results of one exercise's check."""

    exercise_id: str
    results: List[CaseResult] = field(default_factory=list)

    @property
    def ran(self) -> List[CaseResult]:
        """Results on devices that exist (``not built`` rows excluded)."""
        return [r for r in self.results if r.status != "not built"]

    @property
    def passed(self) -> bool:
        """True when at least one case ran and every case that ran passed."""
        return bool(self.ran) and all(r.passed for r in self.ran)

    @property
    def not_done(self) -> bool:
        """True when the exercise still raises its NotImplementedError stub."""
        return any(r.status == "not done" for r in self.results)

    def table(self, differences: bool = False) -> str:
        """The report as text; ``differences=True`` adds the measured differences (see :func:`format_report`)."""
        return format_report(self, differences=differences)

    def __str__(self) -> str:
        return self.table()


def register_check(exercise_id: str, *, per_device: bool = False,
                   devices: Optional[Tuple[str, ...]] = None) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check of ``exercise_id``.

    Args:
        exercise_id: e.g. ``"1.4"``.
        per_device: if True the function takes a device name (``"cpu"``, ``"cuda"``) and is
            run once per device; otherwise it takes no argument (pure shape math, say).
        devices: run on these devices only (``("cuda",)`` for a Triton kernel); implies ``per_device``.
    """

    def decorate(function: CheckFunction) -> CheckFunction:
        if exercise_id in _CHECKS:
            raise ValueError(f"exercise {exercise_id} already has a check: {_CHECKS[exercise_id].function.__name__}")
        _CHECKS[exercise_id] = RegisteredCheck(exercise_id, function, per_device or devices is not None, devices)
        return function

    return decorate


def registered_checks() -> Dict[str, RegisteredCheck]:
    """Every registered check, keyed by exercise id (``checks/__init__.py`` imports every chapter module)."""
    return dict(_CHECKS)


def run_check(exercise_id: str) -> CheckReport:
    """Run the check of ``exercise_id`` on every device and return the report (prints nothing)."""
    checks = registered_checks()
    if exercise_id not in checks:
        known = ", ".join(sorted(checks, key=_id_key)) or "none"
        raise KeyError(f"no check for exercise {exercise_id!r}; exercises with checks: {known}")
    registered = checks[exercise_id]
    report = CheckReport(exercise_id)
    devices: Sequence[Optional[Device]] = [None]
    if registered.per_device:
        devices = [d for d in check_devices() if registered.devices is None or d.name in registered.devices]
    for device in devices:
        label = device.label if device else "any"
        if device is not None and not device.built:
            report.results.append(CaseResult("(all cases)", label, "not built", message=device.note,
                                             needs=device.needs))
            continue
        try:
            cases = list(registered.function(device.name) if device else registered.function())
        except NotImplementedError as error:
            report.results.append(CaseResult("(preparing cases)", label, "not done", message=str(error)))
            continue
        for case in cases:
            report.results.append(_run_case(case, label))
    return report


def _run_case(case: Case, device_label: str) -> CaseResult:
    result = CaseResult(case.name, device_label, "fail", inputs=case.inputs)
    try:
        if case.expect_error is not None:
            result.compared = f"raises {case.expect_error.__name__}"
            _run_error_case(case)
        else:
            actual, expected = case.actual(), to_torch(case.expected())  # converted once, compared three ways
            result.compared = comparison_text(expected, case)
            result.max_abs_diff, result.max_rel_diff = _differences(actual, expected)
            _assert_close(actual, expected, case)
    except NotImplementedError as error:
        result.status, result.message = "not done", str(error)
        return result
    except AssertionError as error:
        result.message = str(error).strip()
        return result
    except Exception as error:  # the learner's code crashed: show where (isolate.judge re-describes it
        result.error = error     # when the crash is in a judged file)
        result.message = describe_error(error, learner_root=EDITION_ROOT)
        return result
    result.status = "pass"
    return result


def _run_error_case(case: Case) -> None:
    if case.expected is not None:
        try:
            case.expected()
        except case.expect_error:
            pass
        else:  # the check itself is wrong if torch does not raise
            raise RuntimeError(f"check bug: torch did not raise {case.expect_error.__name__}")
    try:
        value = case.actual()
    except NotImplementedError:  # before expect_error: it is a RuntimeError, but a stub is not an answer
        raise
    except case.expect_error:
        return
    except Exception as error:
        raise AssertionError(
            f"expected {case.expect_error.__name__} (as torch raises), got {type(error).__name__}: {error}"
        ) from None
    raise AssertionError(f"expected {case.expect_error.__name__} (as torch raises), but it returned {value!r}")


def _assert_close(actual: Any, expected: Any, case: Case) -> None:
    import torch

    actual, expected = to_torch(actual), to_torch(expected)
    if isinstance(expected, torch.Size):
        expected = tuple(expected)
    if isinstance(actual, torch.Size):
        actual = tuple(actual)
    if type(actual) in (tuple, list) and type(expected) in (tuple, list):
        actual, expected = tuple(actual), tuple(expected)
    try:
        torch.testing.assert_close(
            actual, expected, rtol=case.rtol, atol=case.atol, check_dtype=case.exact_dtype, equal_nan=True
        )
    except TypeError:  # values assert_close cannot compare (names, strings): they must be equal
        if actual != expected:
            raise AssertionError(both_values(expected, actual)) from None
    except AssertionError as error:
        if not isinstance(expected, (tuple, list, torch.Tensor)):  # a number: torch's message says it all
            raise
        # torch's message names one element of a sequence, or a shape: show both whole values first
        raise AssertionError(f"{both_values(expected, actual)}\n{str(error).strip()}") from None


SHOWN_ELEMENTS = 24
"""Tensors up to this many elements are printed whole in a failure; larger ones by shape and dtype."""


def both_values(expected: Any, actual: Any) -> str:
    """``expected ...`` and ``but got ...`` lines showing each value whole (small tensors included)."""
    return f"expected {show_value(expected)}\nbut got  {show_value(actual)}"


def show_value(value: Any) -> str:
    """A result as a failure shows it: tuples and lists item by item, tensors by their values when small."""
    import torch

    if isinstance(value, torch.Tensor):
        layout = f"shape {tuple(value.shape)}, {str(value.dtype).replace('torch.', '')}"
        if value.numel() > SHOWN_ELEMENTS:
            return f"a tensor of {layout}"
        return f"{value.tolist()!r} ({layout})"
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        items = ", ".join(show_value(item) for item in value)
        return f"({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{items}]"
    return repr(value)


# torch.testing.assert_close's default (rtol, atol) by dtype, as its documentation lists them; every other
# dtype (integers, bool) compares exactly. tests/course/test_checks.py holds this table equal to torch's.
DEFAULT_TOLERANCES = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "complex32": (1e-3, 1e-5), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


def comparison_text(expected: Any, case: Case) -> str:
    """How a result is compared with ``expected`` (torch values, as :func:`to_torch` gives them), as the
    table's "compared" column says it.

    It depends only on the check (its tolerances and torch's dtypes), never on the measured
    values, so the table reads the same on every CPU, BLAS and thread count: ``"equal"`` for
    values that are not tensors (unless the case gives tolerances: Python floats computed in float32),
    ``"exact"`` for integer and bool tensors, else the tolerances ``assert_close`` uses (the case's own,
    or torch's defaults for the widest float dtype).
    """
    dtypes = [str(t.dtype).replace("torch.", "") for t in _torch_tensors(expected)]
    if not dtypes and not (case.rtol or case.atol):
        return "equal"
    if case.rtol is not None and case.atol is not None:
        rtol, atol = case.rtol, case.atol
    else:
        tolerances = [DEFAULT_TOLERANCES[d] for d in dtypes if d in DEFAULT_TOLERANCES]
        if not tolerances:
            return "exact"
        rtol, atol = max(t[0] for t in tolerances), max(t[1] for t in tolerances)
    return "exact" if rtol == 0 and atol == 0 else f"rtol={rtol:.2g} atol={atol:.2g}"


def _torch_tensors(value: Any) -> List[Any]:
    """The torch tensors in a result (a tensor, or nested tuples and lists of them)."""
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        return [t for item in value for t in _torch_tensors(item)]
    return []


def _differences(actual: Any, expected: Any) -> tuple:
    """Largest absolute and relative difference between two tensors (None if not tensors)."""
    import torch

    a, e = to_torch(actual), to_torch(expected)
    if not (isinstance(a, torch.Tensor) and isinstance(e, torch.Tensor)) or a.shape != e.shape or a.numel() == 0:
        return None, None
    if a.dtype == torch.bool or e.dtype == torch.bool:
        a, e = a.to(torch.int64), e.to(torch.int64)
    a, e = a.to(torch.float64), e.to(torch.float64)
    diff = (a - e).abs()
    finite = torch.isfinite(diff)
    if not finite.any():
        return 0.0, 0.0
    abs_diff = diff[finite].max().item()
    rel_diff = (diff[finite] / e.abs()[finite].clamp_min(1e-30)).max().item()
    return abs_diff, rel_diff


def _id_key(exercise_id: str) -> tuple:
    return tuple(int(part) for part in exercise_id.split("."))


STATUS_TEXT = {"pass": "✓ pass", "fail": "✗ fail", "not done": "✗ not done", "not built": "○ needs"}
"""Each status as the table shows it: a word, readable in any font and by a screen reader, after a symbol that
common fonts have (DejaVu's, the default of Linux desktops; no emoji font is needed)."""


def status_text(result: CaseResult) -> str:
    text = STATUS_TEXT[result.status]
    return f"{text} {result.needs}" if result.status == "not built" and result.needs else text


def _format_diff(value: Optional[float]) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    return f"{value:.1e}"


MESSAGE_LINES = 14
"""A failure's message is cut after this many lines (a whole value, torch's detail, or an error and its hint)."""


def _what(function: str) -> str:
    return "method" if "." in function else "function"


def format_report(report: CheckReport, differences: bool = False) -> str:
    """Render a report as a fixed-width text table followed by details of the first failure.

    Each row says how its case was compared ("compared": ``equal``, ``exact``, the tolerances, or the
    error torch raises), not how large the difference came out: a passing float result differs from
    torch's by a few units in the last place, and those last bits depend on the CPU, its BLAS and the
    thread count. So the table a notebook stores is the table every machine prints. The first failure
    is shown with what differed, numbers included.

    Args:
        differences: add the measured "max abs diff" and "max rel diff" columns (they vary between
            machines: for exploring in a notebook, not for stored outputs).
    """
    header = ("status", "case", "device", "compared") + (("max abs diff", "max rel diff") if differences else ())
    rows = [header]
    for r in report.results:
        row = (status_text(r), r.case, r.device, r.compared)
        if differences:
            row += (_format_diff(r.max_abs_diff), _format_diff(r.max_rel_diff))
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    # A fixed device column, so "cuda" and "cuda (simulated)" tables line up the same.
    widths[2] = max(widths[2], len("cuda (simulated)"))
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    ran, passed = report.ran, [r for r in report.ran if r.passed]
    if report.passed:
        summary = f"Exercise {report.exercise_id}: all {len(ran)} cases pass ✓"
    elif report.not_done:
        first = next(r for r in report.results if r.status == "not done")
        summary = f"Exercise {report.exercise_id}: not done yet ✗ — {first.message}"
    else:
        summary = f"Exercise {report.exercise_id}: {len(passed)} of {len(ran)} cases pass ✗"
    lines.append(summary)
    if differences:
        lines.append("(the differences are this machine's: the last bits of float results vary with the CPU, "
                     "its BLAS and the thread count)")
    for r in report.results:
        if r.status == "not built":
            lines.append(f"○ {r.device}: {r.message}")
            break
    failure = next((r for r in report.results if r.status == "fail"), None)
    if failure is not None:
        lines.append(f"First failure — {failure.case} on {failure.device}:")
        if failure.inputs:
            lines.append(f"  inputs: {failure.inputs}")
        lines.extend("  " + line for line in failure.message.splitlines()[:MESSAGE_LINES])
        exercise = exercise_by_id().get(report.exercise_id)
        if exercise is not None:
            lines.append(f"  open {exercise.file}, {_what(exercise.function)} {exercise.function}")
    return "\n".join(lines)
