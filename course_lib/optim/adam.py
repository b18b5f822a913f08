"""``optim.Adam`` and ``optim.AdamW``: moving averages of the gradient and of its square, bias-corrected.

For each parameter ``p`` with gradient ``g`` (``-g`` with ``maximize``), at step ``t``::

    m = beta1 * m + (1 - beta1) * g            (the gradient's average: exp_avg, a lerp)
    v = beta2 * v + (1 - beta2) * g * g        (its square's average: exp_avg_sq)
    p -= lr / (1 - beta1 ** t) * m / (sqrt(v) / sqrt(1 - beta2 ** t) + eps)

``amsgrad`` divides by the largest ``v`` seen so far instead. Adam adds ``weight_decay * p`` to the gradient
(L2 regularisation); AdamW shrinks the parameter itself, ``p *= 1 - lr * weight_decay``, before the update
(decoupled weight decay). The order of operations is torch's, so trajectories match step for step.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple

from .._tensor import Tensor
from ..ops.creation import tensor, zeros_like
from .optimizer import Optimizer, check_options


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2014), with torch's options and state (``step``, ``exp_avg``, ``exp_avg_sq`` and,
    with ``amsgrad``, ``max_exp_avg_sq``).

    Raises:
        ValueError: torch's messages for a negative lr or eps, or betas outside ``[0, 1)``.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        check_options(lr=("learning rate", lr), eps=("epsilon value", eps))
        for index, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
        check_options(weight_decay=("weight_decay value", weight_decay))
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        state = self.state[param]
        lr, (beta1, beta2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"], state["exp_avg_sq"] = zeros_like(param), zeros_like(param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(param)
        if group["maximize"]:
            grad = -grad
        state["step"] += 1
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        # BEGIN EXERCISE 3.9
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step = state["step"].item()
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        if group["amsgrad"]:
            largest = state["max_exp_avg_sq"]
            largest.copy_(largest.maximum(exp_avg_sq))
            exp_avg_sq = largest
        denominator = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denominator, value=-step_size)
        # END EXERCISE


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2017): ``weight_decay`` defaults to 0.01 and
    shrinks the parameter instead of adding to its gradient."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
