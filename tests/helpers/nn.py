"""Helpers for the nn tests: the same model in torch and course_lib, with the same weights.

A test of ``nn`` is written once as a function of the library ``L`` (``torch`` or ``course_lib``): it builds
a model with ``L.nn``, runs it, and returns what to compare. :func:`twins` makes both models and copies
torch's (random) initial parameters into course_lib's through ``load_state_dict``, so their outputs and
gradients must agree; :func:`run_both` calls a function with each library and compares the results.
"""

from __future__ import annotations

from typing import Any, Callable, Tuple

import numpy as np
import torch

import course_lib
from course_lib.checks.compare import assert_same, to_numpy  # noqa: F401  (re-exported for the tests)

LIBRARIES = (torch, course_lib)


def ours(value: torch.Tensor) -> course_lib.Tensor:
    """A course_lib copy of a torch tensor (same dtype, on course_lib's default device)."""
    return course_lib.tensor(value.detach().cpu().numpy())


def theirs(value: course_lib.Tensor) -> torch.Tensor:
    """A torch copy of a course_lib tensor."""
    return torch.tensor(to_numpy(value))


def twins(factory: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``(torch model, course_lib model)`` from ``factory(L)``, with course_lib's parameters and buffers set to
    torch's values."""
    torch_model, our_model = factory(torch), factory(course_lib)
    our_model.load_state_dict({key: ours(value) for key, value in torch_model.state_dict().items()})
    return torch_model, our_model


def same_data(seed: int, *shapes: Tuple[int, ...], dtype: str = "float32") -> Tuple[list, list]:
    """Random arrays as ``([torch tensors], [course_lib tensors])``, the same values in both."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape).astype(dtype) for shape in shapes]
    return [torch.tensor(a) for a in arrays], [course_lib.tensor(a) for a in arrays]


def gradients(model: Any) -> list:
    """Each parameter's gradient (None where there is none), in ``named_parameters`` order."""
    return [p.grad for _, p in model.named_parameters()]
