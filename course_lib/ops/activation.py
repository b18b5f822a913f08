"""Softmax and log-softmax along a dimension, computed stably.

Taught in notebooks/02_autograd.ipynb (their gradients) and used by the losses of chapter 03.
Subtracting the maximum first changes nothing mathematically (it cancels in the ratio)
but keeps ``exp`` from overflowing: ``softmax([1000, 1001])`` is fine.
"""

from __future__ import annotations

from typing import Any, Optional

from .._tensor import Tensor
from .dispatch import differentiable


@differentiable("softmax")
def softmax(input: Tensor, dim: int, dtype: Optional[Any] = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``; the result sums to 1 along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    if x.numel() == 0:  # nothing to normalise (and amax refuses an empty dimension)
        return x.clone()
    exps = (x - x.amax(dim=dim, keepdim=True)).exp()
    return exps / exps.sum(dim=dim, keepdim=True)


@differentiable("log_softmax")
def log_softmax(input: Tensor, dim: int, dtype: Optional[Any] = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim``, without computing ``softmax`` then ``log``."""
    x = input if dtype is None else input.to(dtype)
    if x.numel() == 0:
        return x.clone()
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
