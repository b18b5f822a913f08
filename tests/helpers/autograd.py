"""Shared helpers for the chapter-02 autograd tests: one expression, run in torch and course_lib.

micrograd's test, generalised: ``expression(library, *inputs)`` is written once, run with
``library = course_lib`` and ``library = torch`` on the same float64 data, then
back-propagated with the same random output gradient (a gradient of ones would hide rules
that are only right for it). The values and every input's ``.grad`` must agree.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch

import pytest

import course_lib
from course_lib.checks.compare import assert_same, forward_backward, random_arrays

Expression = Callable[..., Any]  # (library, *inputs) -> tensor or tuple of tensors

LIBRARIES = [course_lib, torch]
BOTH = pytest.mark.parametrize("L", LIBRARIES, ids=["course_lib", "torch"])
"""Run a test once with ``L = course_lib`` and once with ``L = torch``: the same code, both libraries."""


def leaf(L: Any, values: Any, **kwargs: Any) -> Any:
    """A float64 leaf tensor of library ``L`` that requires grad."""
    return L.tensor(values, dtype=L.float64, requires_grad=True, **kwargs)


def check_pair(expression: Expression, ours: Sequence[Any], theirs: Sequence[Any], seed: int = 0,
               rtol: Any = None, atol: Any = None) -> None:
    """``expression``'s values and gradients agree, for inputs already made in each library."""
    our_outputs, our_grads = forward_backward(course_lib, expression, ours, seed)
    their_outputs, their_grads = forward_backward(torch, expression, theirs, seed)
    assert_same(our_outputs, their_outputs, rtol=rtol, atol=atol)
    for index, (mine, expected) in enumerate(zip(our_grads, their_grads)):
        assert (mine is None) == (expected is None), f"input {index}: grad {mine} vs torch's {expected}"
        if expected is not None:
            assert_same(mine, expected, rtol=rtol, atol=atol)


def check_gradients(expression: Expression, *arrays: Any, seed: int = 0, rtol: Any = None, atol: Any = None) -> None:
    """Make float64 leaves requiring grad from ``arrays`` in both libraries and compare
    ``expression``'s values and gradients (numbers in ``arrays`` pass through as numbers)."""

    def leaves(library):
        return [library.tensor(a, dtype=library.float64, requires_grad=True) if isinstance(a, np.ndarray) else a
                for a in arrays]

    check_pair(expression, leaves(course_lib), leaves(torch), seed, rtol, atol)


def randn(*shape: int, seed: int = 0, positive: bool = False) -> np.ndarray:
    """Standard normal float64 data (``|x| + 0.5`` when ``positive``)."""
    return random_arrays([shape], seed, positive)[0]


def grad_fn_name(tensor: Any) -> str:
    """The class name of a tensor's ``grad_fn``, the same way for both libraries."""
    return type(tensor.grad_fn).__name__
