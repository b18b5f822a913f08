"""Jacobians from vector-Jacobian products.

Taught in notebooks/02_autograd.ipynb, section "Vector-Jacobian products". Reverse mode
never forms a Jacobian: one backward pass computes ``v^T J`` for one vector ``v``. Choosing
``v`` = each unit vector in turn recovers ``J`` row by row.
"""

from __future__ import annotations

from typing import Callable

from .._tensor import Tensor
from .engine import grad
from ..ops.creation import zeros
from ..ops.join import stack


def jacobian(func: Callable[[Tensor], Tensor], inputs: Tensor) -> Tensor:
    """The Jacobian of ``func`` at ``inputs``: ``J[i..., j...] = d func(x)[i...] / d x[j...]``.

    Args:
        func: maps one tensor to one tensor (built from differentiable course_lib ops).
        inputs: the point ``x`` (not modified; a detached copy requiring grad is used).

    Returns:
        A tensor of shape ``func(x).shape + x.shape`` (like ``torch.autograd.functional.jacobian``).
    """
    # BEGIN EXERCISE 2.12

    x = inputs.detach().clone().requires_grad_(True)
    y = func(x)
    rows = []
    for i in range(y.numel()):
        v = zeros(y.numel(), dtype=y.dtype, device=y.device)
        v[i] = 1.0
        (row,) = grad(y, x, v.reshape(y.shape), retain_graph=True, allow_unused=True)
        rows.append(row if row is not None else zeros(x.shape, dtype=x.dtype, device=x.device))
    if not rows:
        return zeros(tuple(y.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
    return stack(rows).reshape(tuple(y.shape) + tuple(x.shape))
    # END EXERCISE
