"""``optim.Adagrad``: each parameter's step shrinks with the sum of its past squared gradients.

For each parameter ``p`` with gradient ``g``, at step ``t``::

    s += g * g                                   (sum, from initial_accumulator_value)
    p -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

Its state is made in the constructor, as torch's is (a state dict lists it before the first step).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from .._tensor import Tensor
from ..ops.creation import full_like, tensor
from .optimizer import Optimizer, check_options


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), with torch's options and state (``step``, ``sum``).

    Raises:
        ValueError: torch's messages for a negative lr, lr decay, weight decay, initial accumulator or eps.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: Optional[bool] = None) -> None:
        check_options(lr=("learning rate", lr), lr_decay=("lr_decay value", lr_decay),
                      weight_decay=("weight_decay value", weight_decay),
                      initial=("initial_accumulator_value value", initial_accumulator_value),
                      eps=("epsilon value", eps))
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = tensor(0.0)
                state["sum"] = full_like(param, group["initial_accumulator_value"])

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        state = self.state[param]
        state["step"] += 1
        step = state["step"].item()
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad.add(param, alpha=group["weight_decay"])
        decayed_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state["sum"].addcmul_(grad, grad, value=1)
        std = state["sum"].sqrt().add_(group["eps"])
        param.addcdiv_(grad, std, value=-decayed_lr)
