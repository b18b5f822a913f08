"""Utilities, like ``torch.utils``: ``data`` (chapter 03).

``pictures`` (the notebooks' drawings, with matplotlib) is not imported here: the notebooks import it
themselves (``from course_lib.utils import pictures``), so ``import course_lib`` does not need matplotlib.
"""

from . import data

__all__ = ["data"]
