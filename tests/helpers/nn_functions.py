"""Compare one ``nn.functional`` expression between torch and course_lib: outputs and gradients.

``compare(expression, *inputs)`` calls ``expression(L, *tensors)`` with ``L = torch`` and ``L = course_lib``
on the same data: each NumPy float array becomes a leaf that requires grad, an integer array or a
:class:`Const` a tensor that does not, anything else is passed as it is. Both results get the same random
output gradient (``forward_backward``), and outputs, gradients and the output's ``grad_fn`` name must match.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import course_lib
from course_lib.checks.compare import assert_same, forward_backward


class Const:
    """A float array given as a tensor that does not require grad (class weights, a target)."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _tensor(L: Any, value: Any) -> Any:
    if isinstance(value, Const):
        return L.tensor(value.array)
    if isinstance(value, np.ndarray):
        t = L.tensor(value)
        return t.requires_grad_(True) if value.dtype.kind == "f" else t
    return value


def compare(expression: Callable[..., Any], *inputs: Any, rtol: float = None, atol: float = None,
            grad_fn: bool = False) -> None:
    """Outputs, input gradients and (with ``grad_fn``) the output's node name equal torch's."""
    results = {}
    for L in (torch, course_lib):
        names = []

        def recording(L, *tensors):
            result = expression(L, *tensors)
            names.extend(type(o.grad_fn).__name__ for o in _outputs(result))
            return result

        results[L] = forward_backward(L, recording, [_tensor(L, value) for value in inputs], seed=0), names
    (ours, our_names), (theirs, their_names) = results[course_lib], results[torch]
    assert_same(ours[0], theirs[0], rtol=rtol, atol=atol)
    assert [g is None for g in ours[1]] == [g is None for g in theirs[1]], "a gradient is missing or extra"
    assert_same([g for g in ours[1] if g is not None], [g for g in theirs[1] if g is not None], rtol=rtol, atol=atol)
    if grad_fn:
        assert our_names == their_names, (our_names, their_names)


def _outputs(result: Any) -> list:
    return list(result) if isinstance(result, (tuple, list)) else [result]
