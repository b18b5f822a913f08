"""Checks for chapter 00 (notebooks/00_getting_started.ipynb)."""

from __future__ import annotations

import random
from typing import Iterator

from .. import shape
from .harness import Case, register_check


@register_check("0.1")
def check_numel() -> Iterator[Case]:
    """``shape.numel`` against ``torch.Size(...).numel()`` on edge and random shapes."""
    import torch

    rng = random.Random(0)
    shapes = [(), (7,), (2, 3), (4, 0, 5), (1, 1, 1, 1)]
    shapes += [tuple(rng.randint(1, 6) for _ in range(rng.randint(1, 5))) for _ in range(5)]
    for dims in shapes:
        yield Case(
            name=f"numel({dims!r})",
            inputs=f"shape={dims}",
            actual=lambda dims=dims: shape.numel(dims),
            expected=lambda dims=dims: torch.Size(dims).numel(),
        )
