"""Per-chapter checks: course_lib against real PyTorch on every available device.

``course_lib.check("1.4")`` runs one exercise's check and prints a table; the chapter
modules (``ch00``, ``ch01``, ...) register their checks with :func:`register_check`.
"""

from .harness import Case, CheckReport, CaseResult, register_check, registered_checks, run_check
from . import ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch06_split  # noqa: E402,F401  (each chapter registers its checks when imported)
from .isolate import check, judge  # noqa: E402

__all__ = ["Case", "CaseResult", "CheckReport", "check", "judge", "register_check", "registered_checks", "run_check"]
