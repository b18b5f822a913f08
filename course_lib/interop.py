"""Conversions between course_lib and torch tensors (the only framework module that imports torch).

The two libraries' tensors do not mix: an operation given a tensor of the other library raises
a TypeError that says how to convert. These functions do it, copying the values (torch is
imported inside them, so ``import course_lib`` stays light).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from ._tensor import Tensor
from .ops.creation import tensor


def from_torch(t: Any) -> Tensor:
    """A course_lib tensor with a copy of the torch tensor ``t``'s values, dtype and ``requires_grad``
    (its graph is not copied: the result is a leaf)."""
    import torch

    if not isinstance(t, torch.Tensor):
        raise TypeError(f"from_torch() expects a torch.Tensor, not {type(t).__name__}")
    values = t.detach().cpu().numpy().copy()
    return tensor(values, dtype=dtypes.as_dtype(t.dtype), requires_grad=t.requires_grad)


def to_torch(x: Tensor) -> Any:
    """A torch tensor (on the CPU) with a copy of course_lib tensor ``x``'s values and dtype."""
    import torch

    if not isinstance(x, Tensor):
        raise TypeError(f"to_torch() expects a course_lib.Tensor, not {type(x).__name__}")
    return torch.from_numpy(np.array(x.numpy(force=True), copy=True))


__all__ = ["from_torch", "to_torch"]
