"""Helpers for the tensor tests: twin tensors in torch and course_lib, errors, hypothesis strategies.

The comparisons themselves (``assert_same``, ``to_numpy``) are the checks' own, from
``course_lib.checks.compare``: the test suite and the learner's checks judge alike.

A *pair* is the same data with the same layout in both frameworks. ``layouts()`` is a
hypothesis strategy that draws a base shape and a chain of view operations (permute,
positive-step slices, expand, unsqueeze), applied to both tensors by each framework's own
code, so the pair exercises course_lib's view arithmetic as well as what comes after.
"""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import numpy as np
import torch
from hypothesis import strategies as st

import course_lib
from course_lib.checks.compare import assert_same, to_numpy  # noqa: F401  (re-exported for the tests)

FLOAT_DTYPES = ["float32", "float64"]
ALL_DTYPES = ["float32", "float64", "int64", "bool"]


def both(array: np.ndarray) -> Tuple[torch.Tensor, course_lib.Tensor]:
    """``(torch tensor, course_lib tensor)`` holding copies of ``array``."""
    return torch.tensor(array), course_lib.tensor(array)


def raises_like(ours: Callable[[], Any], theirs: Callable[[], Any]) -> Tuple[BaseException, BaseException]:
    """Both calls raise the same exception type; returns both exceptions for message checks."""
    try:
        theirs()
    except Exception as error:  # noqa: BLE001
        expected = error
    else:
        raise AssertionError("torch did not raise")
    try:
        ours()
    except Exception as error:  # noqa: BLE001
        assert type(error) is type(expected), f"{type(error).__name__}: {error} vs {type(expected).__name__}: {expected}"
        return error, expected
    raise AssertionError(f"course_lib did not raise {type(expected).__name__}: {expected}")


def same_message(ours: Callable[[], Any], theirs: Callable[[], Any]) -> None:
    """Both raise the same type with the same first line of message."""
    mine, expected = raises_like(ours, theirs)
    assert str(mine).splitlines()[0] == str(expected).splitlines()[0], (str(mine), str(expected))


def random_array(shape: Tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype == "int64":
        return rng.integers(-9, 10, shape).astype(np.int64)
    return rng.standard_normal(shape).astype(dtype)


small_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def broadcastable_pair(draw, min_size: int = 0) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """Two shapes that broadcast together (some dims 1, different ranks)."""
    result = draw(st.lists(st.integers(min_size, 4), min_size=0, max_size=4))
    a = [s if draw(st.booleans()) else 1 for s in result]
    b = [s if draw(st.booleans()) else 1 for s in result]
    a = a[draw(st.integers(0, len(a))):]
    b = b[draw(st.integers(0, len(b))):]
    return tuple(a), tuple(b)


@st.composite
def layouts(draw, dtype: str = "float32", min_size: int = 1, max_dims: int = 4):
    """``(torch_view, course_lib_view, description)``: the same view built in both frameworks."""
    base_shape = tuple(draw(st.lists(st.integers(min_size, 5), min_size=0, max_size=max_dims)))
    array = random_array(base_shape, dtype, draw(st.integers(0, 2 ** 16)))
    theirs, ours = both(array)
    steps: List[str] = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["permute", "slice", "expand", "unsqueeze"]))
        if kind == "permute" and theirs.dim() > 1:
            order = draw(st.permutations(list(range(theirs.dim()))))
            theirs, ours = theirs.permute(*order), ours.permute(*order)
            steps.append(f"permute{tuple(order)}")
        elif kind == "slice" and theirs.dim() > 0:
            dim = draw(st.integers(0, theirs.dim() - 1))
            size = theirs.shape[dim]
            start = draw(st.integers(0, max(size - 1, 0)))
            step = draw(st.integers(1, 3))
            key = (slice(None),) * dim + (slice(start, None, step),)
            theirs, ours = theirs[key], ours[key]
            steps.append(f"[{dim}: {start}::{step}]")
        elif kind == "expand" and 1 in tuple(theirs.shape):
            target = tuple(draw(st.integers(1, 3)) if s == 1 else s for s in theirs.shape)
            theirs, ours = theirs.expand(*target), ours.expand(*target)
            steps.append(f"expand{target}")
        elif kind == "unsqueeze":
            dim = draw(st.integers(0, theirs.dim()))
            theirs, ours = theirs.unsqueeze(dim), ours.unsqueeze(dim)
            steps.append(f"unsqueeze({dim})")
    return theirs, ours, f"{base_shape} " + " ".join(steps)
