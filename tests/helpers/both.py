"""Run one function of the library ``L`` with torch and with course_lib, and compare what happened.

The nn tests of the Module API (``tests/nn/test_module.py``, ``test_containers.py``, ``test_optim.py``) are
written once as ``def f(L): ...`` returning plain values: names, lists, reprs, tensors. :func:`run_both`
calls ``f(torch)`` and ``f(course_lib)``, turns each outcome into plain data (:func:`outcome`: a returned
value, or the exception's type and message) and asserts that they are equal. Library names in text are
written as ``torch`` in both (``course_lib.int64`` and ``torch.int64`` are the same dtype, named by each
library), so an error message must match torch's word for word apart from that. On simulated cuda (compared
with torch on the CPU) course_lib's texts are read without their device (``torch.cuda.FloatTensor`` as
``torch.FloatTensor``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import course_lib
from course_lib.checks.compare import to_numpy
from course_lib.dtypes import dtype as our_dtype
from helpers.devices import torch_text


def _text(value: str) -> str:
    return torch_text(value.replace("course_lib", "torch"))


def plain(value: Any) -> Any:
    """``value`` as comparable plain data: tensors as ``(class, dtype, shape, values)``, dicts as item lists
    (their order counts), dtypes, devices, sizes and modules by name."""
    if isinstance(value, (torch.Tensor, course_lib.Tensor)):
        return (type(value).__name__, _text(str(value.dtype)), tuple(value.shape),
                np.asarray(to_numpy(value)).tolist(), value.requires_grad)
    if isinstance(value, (torch.dtype, our_dtype, torch.device, course_lib.device)):
        return _text(str(value))
    if isinstance(value, (torch.Size, course_lib.Size)):
        return ("Size", tuple(value))
    if isinstance(value, (torch.nn.Module, course_lib.nn.Module)):
        return ("module", type(value).__name__)
    if isinstance(value, dict):
        return (type(value).__name__, [(plain(k), plain(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(item) for item in value])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(plain(item) for item in value))
    if isinstance(value, str):
        return _text(value)
    return value


def outcome(L: Any, fn: Callable[[Any], Any], message: bool = True) -> tuple:
    """``("returns", plain result)`` or ``("raises", exception type name, message)`` of ``fn(L)`` (without
    the message if ``message`` is False)."""
    try:
        return ("returns", plain(fn(L)))
    except Exception as raised:  # noqa: BLE001 - what is raised is what is compared
        text = raised.args[0] if type(raised) is KeyError and raised.args else str(raised)
        return ("raises", type(raised).__name__) + ((_text(str(text)),) if message else ())


def _close(ours: Any, theirs: Any, rtol: float, atol: float) -> bool:
    """Equal plain data, floats within ``atol + rtol * |theirs|``."""
    if isinstance(ours, float) and isinstance(theirs, float):
        return abs(ours - theirs) <= atol + rtol * abs(theirs) or ours == theirs or ours != ours and theirs != theirs
    if isinstance(ours, (list, tuple)) and isinstance(theirs, (list, tuple)):
        return type(ours) is type(theirs) and len(ours) == len(theirs) and \
            all(_close(a, b, rtol, atol) for a, b in zip(ours, theirs))
    return ours == theirs


def run_both(fn: Callable[[Any], Any], message: bool = True, rtol: float = 0.0, atol: float = 0.0) -> tuple:
    """Assert that ``fn(course_lib)`` returns or raises the same as ``fn(torch)``; returns torch's outcome.

    ``message=False`` compares only the exception's type (where course_lib words it its own way);
    ``rtol``/``atol`` let float values differ by rounding (an update computed in another order)."""
    theirs, ours = outcome(torch, fn, message), outcome(course_lib, fn, message)
    assert _close(ours, theirs, rtol, atol), f"\ncourse_lib: {ours}\ntorch:      {theirs}"
    return theirs


def raises_both(fn: Callable[[Any], Any], message: bool = True) -> tuple:
    """:func:`run_both` for a bad call: torch must raise (else the test is not testing an error)."""
    theirs = run_both(fn, message)
    assert theirs[0] == "raises", f"torch accepts it: {theirs}"
    return theirs
