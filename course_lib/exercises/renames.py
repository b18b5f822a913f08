"""Where exercises used to live: the table that carries a learner's work across course moves.

When the course moves a file or renames a function, a learner's workspace still holds their
finished exercise in the old place. ``make workspace`` (:func:`~.workspace.update_workspace`)
reads this table, takes the learner's code out of each former place and puts it into the
exercise's region at its new place (backing up the old file first), so a solved exercise
stays solved after the move.

Add a row whenever an exercise's file or function changes: the exercise id and the place it
had before. Rows are never removed (a learner may update from any older version).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List


@dataclass(frozen=True)
class FormerPlace:
    """A file and function (or ``Class.method``) where an exercise's region used to be."""

    file: str
    function: str


_RULES_ELEMENTWISE = "course_lib/autograd/rules_elementwise.py"

FORMER_PLACES: Dict[str, List[FormerPlace]] = {
    # The restructure to torch's namespaces: operations under ops/, rules under autograd/rules/.
    "1.10": [FormerPlace("course_lib/indexing.py", "slice_layout")],
    "2.3": [FormerPlace(_RULES_ELEMENTWISE, "sum_to_shape"),
            # The engine un-broadcasts every gradient (as torch's engine does), with this function.
            FormerPlace("course_lib/autograd/rules/elementwise.py", "sum_to_shape")],
    "2.4": [FormerPlace(_RULES_ELEMENTWISE, "MulBackward0.backward")],
    "2.5": [FormerPlace(_RULES_ELEMENTWISE, "DivBackward0.backward")],
    "2.6": [FormerPlace(_RULES_ELEMENTWISE, "PowBackward0.backward")],
    "2.7": [FormerPlace(_RULES_ELEMENTWISE, "ExpBackward0.backward")],
    "2.8": [FormerPlace(_RULES_ELEMENTWISE, "LogBackward0.backward")],
    "2.9": [FormerPlace("course_lib/autograd/rules_linalg.py", "MmBackward0.backward")],
    "2.10": [FormerPlace("course_lib/autograd/rules_reduce.py", "expand_reduced")],
    "2.11": [FormerPlace("course_lib/autograd/rules_shape.py", "ViewBackward0.backward")],
}
"""Exercise id -> the places it had before, oldest first."""
