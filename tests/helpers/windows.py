"""Helpers of the convolution and pooling tests: run one call in both libraries, compare outputs and gradients."""

from __future__ import annotations

from typing import Any, Callable, Sequence, Tuple

import numpy as np
import torch

import course_lib
from helpers.nn import assert_same


def leaves(arrays: Sequence[np.ndarray]) -> Tuple[list, list]:
    """The same arrays as torch and course_lib leaves that require grad."""
    return ([torch.tensor(a, requires_grad=True) for a in arrays],
            [course_lib.tensor(a, requires_grad=True) for a in arrays])


def compare_with_torch(call: Callable[..., Any], *arrays: np.ndarray, seed: int = 0, rtol: Any = None,
                       atol: Any = None, prepare: Callable[[Any, Any], Any] = lambda L, x: x) -> None:
    """``call(L, *tensors)`` in torch and course_lib: same output, and the same gradient of every input for
    one random output gradient. ``prepare(L, leaf)`` may turn a leaf into the tensor passed (a
    non-contiguous view, say)."""
    torch_leaves, our_leaves = leaves(arrays)
    out_t = call(torch, *[prepare(torch, x) for x in torch_leaves])
    out_o = call(course_lib, *[prepare(course_lib, x) for x in our_leaves])
    values_t = out_t if isinstance(out_t, tuple) else (out_t,)
    values_o = out_o if isinstance(out_o, tuple) else (out_o,)
    assert_same(list(values_o), list(values_t), rtol=rtol, atol=atol)
    grad = np.random.default_rng(seed).standard_normal(tuple(values_t[0].shape)).astype(arrays[0].dtype)
    values_t[0].backward(torch.tensor(grad))
    values_o[0].backward(course_lib.tensor(grad))
    assert_same([x.grad for x in our_leaves], [x.grad for x in torch_leaves], rtol=rtol, atol=atol)


def random(seed: int, *shapes: Tuple[int, ...], dtype: str = "float32") -> list:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for shape in shapes]
