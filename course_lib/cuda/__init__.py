"""The ``cuda`` device, like ``torch.cuda``: ``is_available``, ``device_count``, ``manual_seed``.

Until chapter 05 (notebooks/05_gpus_and_kernels.ipynb) builds the Triton backend, course_lib has no cuda
device: ``is_available()`` is False and ``device_count()`` 0, so device-agnostic scripts
(``"cuda" if torch.cuda.is_available() else "cpu"``) run on the cpu. Chapter 05 fills in the rest.
"""

from __future__ import annotations

__all__ = ["device_count", "is_available", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    """True only with a real GPU and the cuda backend; course_lib has neither yet (chapter 05)."""
    return False


def device_count() -> int:
    """The number of cuda devices course_lib can use: 0 until chapter 05."""
    return 0


def manual_seed(seed: int) -> None:
    """Seed the cuda generators: there are none yet, so nothing to do (scripts call it unconditionally)."""


manual_seed_all = manual_seed
