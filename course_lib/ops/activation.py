"""Softmax and log-softmax along a dimension, computed stably.

Taught in notebooks/02_autograd.ipynb (their gradients) and used by the losses of chapter 03.
Subtracting the maximum first changes nothing mathematically (it cancels in the ratio)
but keeps ``exp`` from overflowing: ``softmax([1000, 1001])`` is fine.
"""

from __future__ import annotations

from typing import Any, Optional

from .._tensor import Tensor
from ..shape import normalize_dim
from .common import backend_for
from .dispatch import differentiable


def _floating(input: Tensor, dtype: Optional[Any], name: str) -> Tensor:
    """``input`` converted to ``dtype`` when one is given; torch refuses an integer or bool input without one.

    Raises:
        NotImplementedError: ``"softmax" not implemented for 'Long'`` (torch's type: it has no such kernel).
    """
    if dtype is not None:
        return input.to(dtype)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{input.dtype.type_name}\': it needs a '
                                  f"floating-point tensor, got {input.dtype.name}; convert it (x.float()) or pass "
                                  "dtype=course_lib.float32")
    return input


@differentiable("softmax")
def softmax(input: Tensor, dim: int, dtype: Optional[Any] = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``; the result sums to 1 along ``dim``."""
    x = _floating(input, dtype, "softmax")
    if x.numel() == 0:  # nothing to normalise (and amax refuses an empty dimension)
        return x.clone()
    if x.ndim:  # the backend's softmax (one pass where it can); a 0-d tensor goes the long way
        return backend_for(x.device).softmax(x, normalize_dim(dim, x.ndim))
    exps = (x - x.amax(dim=dim, keepdim=True)).exp()
    return exps / exps.sum(dim=dim, keepdim=True)


@differentiable("log_softmax")
def log_softmax(input: Tensor, dim: int, dtype: Optional[Any] = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim``, without computing ``softmax`` then ``log``."""
    x = _floating(input, dtype, "log_softmax")
    if x.numel() == 0:
        return x.clone()
    if x.ndim:
        return backend_for(x.device).log_softmax(x, normalize_dim(dim, x.ndim))
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
