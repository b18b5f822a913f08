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


def _convert_nested(value: Any, convert: Any, kind: type) -> Any:
    """``value`` with every tensor of type ``kind`` converted, through dicts (their type and a state dict's
    ``_metadata`` kept), lists and tuples."""
    if isinstance(value, kind):
        return convert(value)
    if isinstance(value, dict):
        result = type(value)((key, _convert_nested(item, convert, kind)) for key, item in value.items())
        if hasattr(value, "_metadata"):
            result._metadata = value._metadata
        return result
    if isinstance(value, (list, tuple)):
        return type(value)(_convert_nested(item, convert, kind) for item in value)
    return value


def state_dict_to_torch(state: Any) -> Any:
    """A state dict (or any nesting of dicts, lists and tuples) with each course_lib tensor copied into torch:
    ``torch_model.load_state_dict(state_dict_to_torch(model.state_dict()))``."""
    return _convert_nested(state, to_torch, Tensor)


def state_dict_from_torch(state: Any) -> Any:
    """The other way: each torch tensor copied into course_lib (``model.load_state_dict`` also takes torch's
    tensors directly)."""
    import torch

    return _convert_nested(state, from_torch, torch.Tensor)


__all__ = ["from_torch", "to_torch", "state_dict_to_torch", "state_dict_from_torch"]
