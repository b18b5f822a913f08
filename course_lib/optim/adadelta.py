"""``optim.Adadelta``: steps scaled by the ratio of recent update sizes to recent gradient sizes.

For each parameter ``p`` with gradient ``g``::

    v = rho * v + (1 - rho) * g * g                        (square_avg)
    delta = sqrt(u + eps) / sqrt(v + eps) * g              (u: acc_delta, the updates' square average)
    u = rho * u + (1 - rho) * delta * delta
    p -= lr * delta
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .._tensor import Tensor
from ..ops.creation import tensor, zeros_like
from .optimizer import Optimizer, check_options


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), with torch's options and state (``step``, ``square_avg``, ``acc_delta``).

    Raises:
        ValueError: torch's messages for a negative lr, eps or weight decay, or rho outside ``[0, 1]``.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_options(lr=("learning rate", lr))
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_options(eps=("epsilon value", eps), weight_decay=("weight_decay value", weight_decay))
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        state = self.state[param]
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"], state["square_avg"], state["acc_delta"] = tensor(0.0), zeros_like(param), zeros_like(param)
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        param.add_(delta, alpha=-group["lr"])
