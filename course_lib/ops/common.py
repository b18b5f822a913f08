"""Helpers shared by the operation modules: backend lookup, casting, operand promotion (writes: ``writes.py``).

Every operation does the same Tensor-level bookkeeping before it calls one backend
primitive: find the device's backend, promote the operands' dtypes with torch's rules
(Python numbers are "weak" and stay numbers), cast, and check that all tensors share one
device. These helpers are that bookkeeping, written once; they are public within
``course_lib`` (the operation modules import them) but not part of the torch-like API.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as _dt
from ..backends import _BACKENDS, OVERRIDES, get_backend
from .._tensor import FROM_TORCH, Tensor, check_same_device, is_torch_tensor  # noqa: F401  (re-exported)
from .creation import tensor

NUMBERS = (bool, int, float)


def backend_for(device):
    """The backend that computes on ``device`` (on the hot path: one thread-local read, one dict lookup)."""
    if OVERRIDES.table is None:
        backend = _BACKENDS.get(device.type)
        if backend is not None:
            return backend
    return get_backend(device.type)


def cast(t: Tensor, dtype: _dt.dtype) -> Tensor:
    """``t`` itself when it already has ``dtype``, else a converted copy."""
    return t if t.dtype is dtype else backend_for(t.device).cast(t, dtype)


def describe(value: Any) -> str:
    """The type of ``value`` as an error message should name it: ``course_lib.Tensor``, ``torch.Tensor``, ``str``..."""
    if isinstance(value, Tensor):
        return "course_lib.Tensor"
    if is_torch_tensor(value):
        return "torch.Tensor"
    return type(value).__name__


def wrong_type(message: str, value: Any) -> TypeError:
    """torch's TypeError for an argument that is not a course_lib Tensor, with the fix for a torch tensor.

    Args:
        message: torch's words with ``{}`` where the type goes
            (``"exp(): argument 'input' must be course_lib.Tensor, not {}"``).
    """
    message = message.format(describe(value))
    if is_torch_tensor(value):
        message += f": course_lib and torch tensors do not mix; {FROM_TORCH}"
    return TypeError(message)


def as_operand(value: Any) -> Any:
    """A Python number for a scalar operand, a Tensor for array data, or TypeError."""
    if isinstance(value, NUMBERS):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return tensor(value)
    if is_torch_tensor(value):
        raise TypeError(f"unsupported operand: a torch.Tensor with a course_lib.Tensor; the two libraries' tensors "
                        f"do not mix: {FROM_TORCH}")
    raise TypeError(f"unsupported operand type for a tensor operation: '{type(value).__name__}'")


def promote_operands(a: Any, b: Any):
    """Promote ``a`` and ``b`` (at least one a Tensor); returns ``(a, b, dtype, device)``."""
    if isinstance(a, Tensor):
        if not isinstance(b, Tensor):
            b = as_operand(b)
        if isinstance(b, Tensor):
            dtype = a.dtype
            if dtype is not b.dtype:
                dtype = _dt.result_type(a, b)
                a, b = cast(a, dtype), cast(b, dtype)
            if a.device is not b.device:
                check_same_device(a, b)
            return a, b, dtype, a.device
        dtype = _dt.scalar_result_type(a.dtype, b)
        return cast(a, dtype), b, dtype, a.device
    a = as_operand(a)
    if isinstance(a, Tensor):
        return promote_operands(a, b)
    dtype = _dt.scalar_result_type(b.dtype, a)
    return a, cast(b, dtype), dtype, b.device


def binary(fn_name: str, a: Any, b: Any) -> Tensor:
    """Promote ``a`` and ``b`` and call the backend's ``zip`` primitive ``fn_name`` (broadcasting)."""
    a, b, dtype, device = promote_operands(a, b)
    return backend_for(device).zip(fn_name, a, b)


def check_bool_arithmetic(fn_name: str, a: Any, b: Any) -> None:
    """torch refuses ``-`` when an operand is bool (a tensor or ``True``/``False``)."""
    bools = [v is True or v is False or getattr(v, "dtype", None) is _dt.bool for v in (a, b)]
    if fn_name == "sub" and any(bools):
        if all(bools):
            raise NotImplementedError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                                      "Use the `^` or `logical_xor()` operator instead.")
        raise NotImplementedError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                                  "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


# --------------------------------------------------------------------------- writing into a tensor
