"""``F.dropout``: during training, zero each element with probability ``p`` and scale the others by
``1 / (1 - p)``, so every element keeps its expected value and evaluation needs no rescaling.

Made of differentiable operations (``input * mask``), so its ``grad_fn`` is ``MulBackward0`` as torch's:
the gradient is the same mask times the incoming gradient.
"""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops.creation import rand, zeros_like

__all__ = ["dropout"]


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero elements of ``input`` with probability ``p`` (from course_lib's generator, ``manual_seed``) and
    multiply the kept ones by ``1 / (1 - p)``.

    Args:
        input: any shape, floating point.
        p: in ``[0, 1]``; ``p = 1`` zeroes everything.
        training: when False (evaluation), ``input`` itself is returned, as with ``p = 0``.
        inplace: multiply ``input`` in place and return it.

    Returns:
        A new tensor of ``input``'s shape and dtype, or ``input`` itself (``inplace``, ``not training``, ``p = 0``).

    Raises:
        ValueError: ``p`` outside ``[0, 1]`` (checked even when not training, as torch).
        RuntimeError: an integer or bool ``input`` in training (the float mask cannot be written into it).
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {input.dtype.type_name}: "
                           "dropout needs a floating-point input")
    if p == 1:
        mask = zeros_like(input)  # multiplied all the same: NaN and inf inputs give NaN, as in torch
    else:
        keep = rand(input.shape, dtype=input.dtype, device=input.device) >= p
        mask = keep.to(input.dtype).mul_(1.0 / (1.0 - p))
    return input.mul_(mask) if inplace else input * mask
