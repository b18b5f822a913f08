"""The table of exercises: id, title, where it lives, which notebook section teaches it.

Every ``# BEGIN EXERCISE <id>`` marker in ``course_lib/`` or ``notebooks/`` has one entry
here, and every entry has a check in ``course_lib/checks``; ``tests/test_integrity.py``
keeps the three in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

NOTEBOOKS: Dict[int, str] = {
    0: "notebooks/00_getting_started.ipynb",
    1: "notebooks/01_tensors.ipynb",
    2: "notebooks/02_autograd.ipynb",
    3: "notebooks/03_neural_networks.ipynb",
    4: "notebooks/04_mnist_training.ipynb",
    5: "notebooks/05_gpus_and_kernels.ipynb",
    6: "notebooks/06_parallel_training.ipynb",
}


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        id: ``"<chapter>.<n>"``, e.g. ``"1.4"``.
        title: a few words, shown by ``list``.
        file: path of the file holding the markers, relative to the edition root.
        function: the function (``.py``) or cell (``.ipynb``) the learner completes.
        section: the notebook section that teaches it.
        hint: one or two sentences left in the learner edition above the stub.
    """

    id: str
    title: str
    file: str
    function: str
    section: str
    hint: str

    @property
    def chapter(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def notebook(self) -> str:
        return NOTEBOOKS[self.chapter]

    @property
    def place(self) -> str:
        """``"course_lib/shape.py: numel"``: where to go, as error messages say it."""
        return f"{self.file}: {self.function}"

    @property
    def sort_key(self) -> tuple:
        return tuple(int(part) for part in self.id.split("."))


EXERCISES: List[Exercise] = [
    Exercise(
        "0.1", "number of elements of a shape", "course_lib/shape.py", "numel", "Your first exercise",
        "Multiply the sizes together. What is the product of no numbers at all?",
    ),
]


def exercise_by_id() -> Dict[str, Exercise]:
    """The registry as a dict keyed by exercise id."""
    return {exercise.id: exercise for exercise in EXERCISES}


def get_exercise(exercise_id: str) -> Exercise:
    """Look up one exercise; ``KeyError`` lists the known ids when ``exercise_id`` is unknown."""
    table = exercise_by_id()
    if exercise_id not in table:
        known = ", ".join(e.id for e in sorted(EXERCISES, key=lambda e: e.sort_key))
        raise KeyError(f"unknown exercise {exercise_id!r}; known exercises: {known}")
    return table[exercise_id]


def exercises_in_chapter(chapter: int) -> List[Exercise]:
    """The exercises of one chapter, in id order (``KeyError`` if it has none)."""
    found = sorted((e for e in EXERCISES if e.chapter == chapter), key=lambda e: e.sort_key)
    if not found:
        chapters = sorted({e.chapter for e in EXERCISES})
        raise KeyError(f"chapter {chapter} has no exercises; chapters with exercises: {chapters}")
    return found
