"""Pure shape and stride arithmetic, shared by every backend.

Taught in notebooks/00_getting_started.ipynb (``numel``) and notebooks/01_tensors.ipynb
(everything else). Nothing here touches data: the functions take and return tuples of ints,
so they can be tested in isolation and reused by the python, NumPy and Triton backends.
"""

from __future__ import annotations

from typing import Sequence, Tuple

Shape = Tuple[int, ...]
"""Sizes of the dimensions, outermost first, e.g. ``(2, 3)`` for 2 rows of 3 columns."""

Strides = Tuple[int, ...]
"""How many storage elements to skip to move one step along each dimension."""

Index = Tuple[int, ...]
"""A multi-dimensional index: one non-negative coordinate per dimension."""


def numel(shape: Sequence[int]) -> int:
    """Number of elements in a tensor of the given shape.

    Args:
        shape: sizes of the dimensions; ``()`` is a 0-d tensor (a scalar).

    Returns:
        The product of the sizes: 1 for ``()``, 0 if any size is 0.
    """
    # BEGIN EXERCISE 0.1
    count = 1
    for size in shape:
        count *= size
    return count
    # END EXERCISE
