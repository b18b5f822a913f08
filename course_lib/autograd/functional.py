"""Jacobians from vector-Jacobian products, and the rest of ``torch.autograd.functional``.

Taught in notebooks/02_autograd.ipynb, section "Vector-Jacobian products". Reverse mode
never forms a Jacobian: one backward pass computes ``v^T J`` for one vector ``v``. Choosing
``v`` = each unit vector in turn recovers ``J`` row by row.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

from .._tensor import Tensor
from .engine import grad
from ..ops.creation import ones_like, zeros
from ..ops.join import stack


def jacobian(func: Callable[[Tensor], Tensor], inputs: Tensor, create_graph: bool = False) -> Tensor:
    """The Jacobian of ``func`` at ``inputs``: ``J[i..., j...] = d func(x)[i...] / d x[j...]``.

    Args:
        func: maps one tensor to one tensor (built from differentiable course_lib ops).
        inputs: the point ``x`` (not modified; a detached copy requiring grad is used, unless
            ``create_graph`` and ``inputs`` requires grad: then ``inputs`` itself, so that the
            Jacobian can be differentiated with respect to it).
        create_graph: record the computation, for higher-order derivatives (``hessian``).

    Returns:
        A tensor of shape ``func(x).shape + x.shape`` (like ``torch.autograd.functional.jacobian``).
    """
    # BEGIN EXERCISE 2.12
    if create_graph and inputs.requires_grad:
        x = inputs.view_as(inputs)  # keeps the graph back to inputs
    else:
        x = inputs.detach().clone().requires_grad_(True)
    y = func(x)
    rows = []
    for i in range(y.numel()):
        v = zeros(y.numel(), dtype=y.dtype, device=y.device)
        v[i] = 1.0
        (row,) = grad(y, x, v.reshape(y.shape), retain_graph=True, create_graph=create_graph, allow_unused=True)
        rows.append(row if row is not None else zeros(x.shape, dtype=x.dtype, device=x.device))
    if not rows:
        return zeros(tuple(y.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
    return stack(rows).reshape(tuple(y.shape) + tuple(x.shape))
    # END EXERCISE


def _point(inputs: Tensor, create_graph: bool) -> Tensor:
    """``inputs`` ready to differentiate at: itself (keeping its graph) with ``create_graph``, else a
    detached copy that requires grad."""
    if create_graph and inputs.requires_grad:
        return inputs.view_as(inputs)
    return inputs.detach().clone().requires_grad_(True)


def vjp(func: Callable[[Tensor], Tensor], inputs: Tensor, v: Optional[Tensor] = None,
        create_graph: bool = False) -> Tuple[Tensor, Tensor]:
    """``(func(inputs), v^T J)``: one backward pass (``v`` may be omitted for a one-element output)."""
    x = _point(inputs, create_graph)
    y = func(x)
    (product,) = grad(y, x, v, create_graph=create_graph, allow_unused=True)
    if product is None:
        product = zeros(tuple(x.shape), dtype=x.dtype, device=x.device)
    return (y if create_graph else y.detach()), product


def jvp(func: Callable[[Tensor], Tensor], inputs: Tensor, v: Optional[Tensor] = None,
        create_graph: bool = False) -> Tuple[Tensor, Tensor]:
    """``(func(inputs), J v)`` with reverse mode only (the "double-backward" trick, as torch does).

    ``g(u) = u^T J`` is linear in ``u``; differentiating ``g(u) . v`` with respect to ``u`` gives ``J v``.
    """
    x = _point(inputs, True)
    y = func(x)
    u = zeros(tuple(y.shape), dtype=y.dtype, device=y.device).requires_grad_(True)
    (g,) = grad(y, x, u, create_graph=True, allow_unused=True)
    if v is None:
        v = ones_like(x)
    if g is None:
        return (y if create_graph else y.detach()), zeros(tuple(y.shape), dtype=y.dtype, device=y.device)
    (product,) = grad(g, u, v, create_graph=create_graph, allow_unused=True)
    if product is None:
        product = zeros(tuple(y.shape), dtype=y.dtype, device=y.device)
    return (y if create_graph else y.detach()), product


def hessian(func: Callable[[Tensor], Tensor], inputs: Tensor, create_graph: bool = False) -> Tensor:
    """The Hessian of a scalar ``func`` at ``inputs``: the Jacobian of its gradient (shape ``x.shape * 2``)."""

    def gradient(x: Tensor) -> Tensor:
        (g,) = grad(func(x), x, create_graph=True, allow_unused=True)
        return g if g is not None else zeros(tuple(x.shape), dtype=x.dtype, device=x.device)

    return jacobian(gradient, inputs, create_graph=create_graph)
