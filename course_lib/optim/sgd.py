"""``optim.SGD``: stochastic gradient descent with momentum, dampening, Nesterov, weight decay, maximize."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .._tensor import Tensor
from ..ops.inplace import add_scaled_
from .optimizer import Optimizer


class SGD(Optimizer):
    """``p -= lr * d`` for each parameter ``p``, where ``d`` is its gradient (``-grad`` with ``maximize``),
    plus ``weight_decay * p``, run through momentum as torch does::

        buf = d                                     (first step)
        buf = momentum * buf + (1 - dampening) * d  (later steps)
        d   = d + momentum * buf if nesterov else buf

    The update is in place (``add_`` with ``alpha``): the parameters stay the same tensors.

    Raises:
        ValueError: torch's messages for a negative lr, momentum or weight decay, and for Nesterov
            without momentum or with dampening.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        lr, momentum, weight_decay, maximize = group["lr"], group["momentum"], group["weight_decay"], group["maximize"]
        if weight_decay:
            grad = grad.add(param, alpha=weight_decay) if not maximize else (-grad).add(param, alpha=weight_decay)
        elif maximize:
            grad = -grad
        if momentum:
            # BEGIN EXERCISE 3.8
            state = self.state[param]  # (only with momentum: plain SGD keeps no state, as in torch)
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.clone().detach()
            else:
                buffer.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            grad = grad.add(buffer, alpha=momentum) if group["nesterov"] else buffer
            # END EXERCISE
        add_scaled_(param, grad, -lr)  # param.add_(grad, alpha=-lr), without the dispatch
