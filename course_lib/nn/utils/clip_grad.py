"""Gradient clipping: ``clip_grad_norm_`` rescales all gradients together so that their total norm is at most
``max_norm`` (the direction of the step is kept); ``clip_grad_value_`` clamps each element.

Both change ``p.grad`` in place, between ``backward()`` and ``optimizer.step()``.
"""

from __future__ import annotations

import math
from typing import Iterable, List, Optional, Union

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from ...ops.join import stack

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

Parameters = Union[Tensor, Iterable[Tensor]]


def _gradients(parameters: Parameters) -> List[Tensor]:
    """The ``.grad`` of each parameter that has one (a single Tensor counts as one parameter)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))``, in place.

    ``total_norm`` is the ``norm_type``-norm of all gradients seen as one vector (``inf``: the largest absolute
    element), which is also the norm of the per-tensor norms.

    Args:
        parameters: a Tensor or an iterable of them (a generator is consumed); those without ``.grad`` are skipped.
        foreach: accepted for torch's signature; course_lib has one implementation.

    Returns:
        The total norm before clipping, a 0-d tensor (``tensor(0.)`` when no parameter has a gradient).

    Raises:
        RuntimeError: the total norm is NaN or infinite and ``error_if_nonfinite`` is True.
    """
    grads = _gradients(parameters)
    if not grads:
        return tensor(0.0)
    norm_type = float(norm_type)
    with no_grad():
        norms = [g.norm(norm_type) for g in grads]
        total_norm = norms[0] if len(norms) == 1 else stack([n.to(norms[0].device) for n in norms]).norm(norm_type)
        if error_if_nonfinite and not math.isfinite(total_norm.item()):
            raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                               "so it cannot be clipped. To disable this error and scale the gradients by the "
                               "non-finite norm anyway, set `error_if_nonfinite=False`")
        scale = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(scale.to(g.dtype))
    return total_norm


def clip_grad_value_(parameters: Parameters, clip_value: float, foreach: Optional[bool] = None) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _gradients(parameters):
            g.clamp_(-clip_value, clip_value)
