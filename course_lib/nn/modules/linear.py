"""``nn.Linear`` (``y = x W^T + b``) and ``nn.Identity``."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...ops.creation import empty
from .. import init
from ..functional.linear import linear
from ..parameter import Parameter
from .module import Module


class Identity(Module):
    """Returns its input (any arguments to the constructor are ignored, as in torch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """A fully connected layer: ``weight`` is ``(out_features, in_features)``, ``bias`` ``(out_features,)``.

    Both start uniform in ``±1/sqrt(in_features)``, as torch's do (``kaiming_uniform_`` with ``a=sqrt(5)``
    for the weight).

    Args:
        in_features, out_features: the sizes of each input and output sample.
        bias: learn an additive bias (default True).
        device, dtype: where and how the parameters are created.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.reset_weight_and_bias_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        # BEGIN EXERCISE 3.2
        return linear(input, self.weight, self.bias)
        # END EXERCISE

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
