"""``optim.RMSprop``: divide the gradient by a moving root-mean-square of recent gradients.

For each parameter ``p`` with gradient ``g``::

    v = alpha * v + (1 - alpha) * g * g                   (square_avg)
    avg = sqrt(v) + eps                                   (centered: sqrt(v - mean(g) ** 2) + eps)
    p -= lr * g / avg                                     (momentum: buf = momentum * buf + g / avg; p -= lr * buf)

Operations in torch's order, so trajectories match step for step.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .._tensor import Tensor
from ..ops.creation import tensor, zeros_like
from .optimizer import Optimizer, check_options


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), with torch's options and state (``step``, ``square_avg``, and
    ``momentum_buffer`` / ``grad_avg`` with ``momentum`` / ``centered``).

    Raises:
        ValueError: torch's messages for a negative lr, eps, momentum, weight decay or alpha.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_options(lr=("learning rate", lr), eps=("epsilon value", eps), momentum=("momentum value", momentum),
                      weight_decay=("weight_decay value", weight_decay), alpha=("alpha value", alpha))
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        state = self.state[param]
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        if not state:
            state["step"], state["square_avg"] = tensor(0.0), zeros_like(param)
            if momentum > 0:
                state["momentum_buffer"] = zeros_like(param)
            if group["centered"]:
                state["grad_avg"] = zeros_like(param)
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if momentum > 0:
            buffer = state["momentum_buffer"]
            buffer.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buffer, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)
