"""``nn.LayerNorm``: normalize each sample over its last dimensions, with a learnable scale and shift."""

from __future__ import annotations

from typing import Any, Sequence, Union

from ..._tensor import Tensor
from ...ops.creation import empty
from .. import init
from ..functional.normalization import layer_norm
from ..parameter import Parameter
from .module import Module


class LayerNorm(Module):
    """``weight`` (ones) and ``bias`` (zeros) are shaped ``normalized_shape``.

    Args:
        normalized_shape: an int or a sequence of ints: the input's last dimensions.
        eps: added to the variance.
        elementwise_affine: learn ``weight`` (and ``bias``); False: neither exists (both are None).
        bias: learn ``bias`` too (when ``elementwise_affine``).
        device, dtype: where and how the parameters are created.
    """

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(*self.normalized_shape, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(*self.normalized_shape, device=device, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
