"""The edition's scripts (``examples/*.py``) as modules, for the checks of the exercises they hold.

Chapter 04's training loop lives in ``examples/mnist.py``, outside the package, so the checks cannot import
it. :func:`load_script` runs the file of this edition (the one this ``course_lib`` belongs to) as a fresh
module each time. While ``isolate.judge`` judges an exercise of a script, it puts the judged text (the
reference script with the learner's body of that exercise) in :data:`JUDGED`, and that text runs instead.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Dict, Tuple

EDITION_ROOT = Path(__file__).resolve().parents[2]

JUDGED: Dict[str, Tuple[str, str]] = {}
"""Script path relative to the edition (``"examples/mnist.py"``) -> (name to compile under, judged text)."""


def load_script(relative: str) -> types.ModuleType:
    """A fresh module of the script ``relative`` (e.g. ``"examples/mnist.py"``), not added to ``sys.modules``.

    Raises:
        Whatever compiling or running the script's top level raises (a learner's syntax error, say).
    """
    path = EDITION_ROOT / relative
    name, text = JUDGED.get(relative) or (str(path), path.read_text(encoding="utf-8"))
    module = types.ModuleType(f"_course_script_{path.stem}")
    module.__file__ = str(path)
    saved_path = list(sys.path)  # a script may put its edition on sys.path: that must not outlive the check
    try:
        exec(compile(text, name, "exec"), module.__dict__)
    finally:
        sys.path[:] = saved_path
    return module
