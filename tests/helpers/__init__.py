"""Helpers shared by the test folders (tensor/, autograd/, course/, ...).

Comparisons with torch come from ``course_lib.checks.compare``, so tests and checks judge alike.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository root."""
