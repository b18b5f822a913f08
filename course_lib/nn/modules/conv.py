"""``nn.Conv2d``: a 2-d convolution layer with a learned ``weight`` and ``bias`` (``F.conv2d``)."""

from __future__ import annotations

from typing import Any, Tuple, Union

from ..._tensor import Tensor
from ...ops.creation import empty
from .. import init
from ..functional.conv import conv2d, pad
from ..parameter import Parameter
from .module import Module

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _pair(value: Any) -> Tuple[int, int]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class Conv2d(Module):
    """``F.conv2d(input, weight, bias, stride, padding, dilation, groups)`` with learned parameters.

    ``weight`` is ``(out_channels, in_channels / groups, kh, kw)`` and ``bias`` ``(out_channels,)``, both
    uniform in ``±1/sqrt(fan_in)`` at first, ``fan_in = in_channels / groups * kh * kw`` (torch's
    ``kaiming_uniform_`` with ``a=sqrt(5)`` for the weight).

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size, stride, dilation: an int or a pair; ``padding`` also ``"valid"`` or ``"same"``.
        groups: split the channels into independent convolutions (both counts must divide by it).
        bias: learn an additive bias (default True).
        padding_mode: what the padding holds: ``"zeros"``, or ``"reflect"``, ``"replicate"``, ``"circular"``
            (``F.pad``'s modes, applied before a convolution without padding).
        device, dtype: where and how the parameters are created.

    Raises:
        ValueError: torch's messages for groups that do not divide the channels, an unknown padding string or
            mode, ``padding="same"`` with a stride.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Union[str, int, Tuple[int, int]] = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in _pair(stride)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(PADDING_MODES)}, but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = _pair(kernel_size), _pair(stride), _pair(dilation)
        self.padding = padding if isinstance(padding, str) else _pair(padding)
        self.padding_mode, self.output_padding, self.transposed = padding_mode, (0, 0), False
        self.weight = Parameter(empty(out_channels, in_channels // groups, *self.kernel_size, device=device,
                                      dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.reset_weight_and_bias_(self.weight, self.bias)

    def _mode_pads(self) -> Tuple[int, int, int, int]:
        """(left, right, top, bottom) for a non-zeros padding mode (``"same"``: the extra one after)."""
        if self.padding == "valid":
            return (0, 0, 0, 0)
        if self.padding == "same":
            totals = [d * (k - 1) for k, d in zip(self.kernel_size, self.dilation)]
            return (totals[1] // 2, totals[1] - totals[1] // 2, totals[0] // 2, totals[0] - totals[0] // 2)
        return (self.padding[1], self.padding[1], self.padding[0], self.padding[0])

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode == "zeros":
            return conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        padded = pad(input, self._mode_pads(), mode=self.padding_mode)
        return conv2d(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text
