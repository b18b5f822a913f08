"""Converting tensors: ``to(dtype / device)``, ``float()``, ``long()``, ``cpu()``, ``type()``...

Taught in notebooks/01_tensors.ipynb, section "Creating tensors". A conversion that
changes nothing returns the tensor itself (as torch does); otherwise the backend copies
(``cast``) or moves the data between devices (``to_host`` / ``from_host``).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as _dt
from ..backends import get_backend
from ..device import CPU, as_device
from ..device import device as device_type
from .._tensor import Tensor
from .dispatch import differentiable, public


def _dtype_or(dtype: Any, default: _dt.dtype) -> _dt.dtype:
    return default if dtype is None else _dt.as_dtype(dtype)



@differentiable("to", export=False)
def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None, copy: bool = False,
       non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    """This tensor with another dtype and/or on another device: ``x.to(float64)``,
    ``x.to("cpu")``, ``x.to("cuda", float16)``, ``x.to(other_tensor)``.

    Returns ``self`` itself when nothing changes (unless ``copy=True``), as torch does.
    """
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, (str, device_type)) or type(arg).__name__ == "device":
            device = arg
        else:
            dtype = arg
    target_dtype = _dtype_or(dtype, self.dtype)
    target_device = self.device if device is None else as_device(device)
    result = self
    if target_device != self.device:
        host = get_backend(self.device.type).to_host(result)
        result = get_backend(target_device.type).from_host(host, result.dtype, target_device)
        copy = False
    if target_dtype is not result.dtype:
        result = get_backend(result.device.type).cast(result, target_dtype)
        copy = False
    if copy:
        result = get_backend(result.device.type).copy(result)
    return result  # a new tensor requires grad only through autograd's record (ToCopyBackward0)


@public(export=False)
def cpu(self: Tensor) -> Tensor:
    """This tensor on the CPU (``self`` if already there)."""
    return to(self, device=CPU)


@public(export=False)
def cuda(self: Tensor, device: Any = None) -> Tensor:
    """This tensor on a CUDA device (needs the chapter-05 backend)."""
    return to(self, device="cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))


def _converter(target: _dt.dtype):
    def convert(self: Tensor) -> Tensor:
        return to(self, dtype=target)

    convert.__name__ = target.name
    convert.__doc__ = f"This tensor converted to ``{target.name}`` (``self`` if it already is)."
    return convert


float_ = _converter(_dt.float32)
double = public("double", export=False)(_converter(_dt.float64))
half = public("half", export=False)(_converter(_dt.float16))
long = public("long", export=False)(_converter(_dt.int64))
int_ = _converter(_dt.int32)
short = public("short", export=False)(_converter(_dt.int16))
byte = public("byte", export=False)(_converter(_dt.uint8))
char = public("char", export=False)(_converter(_dt.int8))
bool_ = _converter(_dt.bool)


def type_(self: Tensor, dtype: Any = None) -> Any:
    """With no argument, torch's type string (``'torch.FloatTensor'``, ``'torch.cuda.FloatTensor'``); else
    ``to(dtype)``."""
    if dtype is None:
        return f"torch.{'cuda.' if self.device.type == 'cuda' else ''}{self.dtype.type_name}Tensor"
    return to(self, dtype=dtype)


@public(export=False)
def pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """This tensor, ready for ``.to("cuda", non_blocking=True)`` (``DataLoader(pin_memory=True)`` calls it).

    course_lib copies to the device from ordinary host memory, so there is nothing to pin: the tensor itself.

    Raises:
        RuntimeError: for a tensor that is not on the cpu, as torch.
    """
    if self.device.type != "cpu":
        raise RuntimeError(f"cannot pin '{type_(self)}' only dense CPU tensors can be pinned")
    return self


@public(export=False)
def is_pinned(self: Tensor, device: Any = None) -> bool:
    """False: course_lib never pins host memory (see :func:`pin_memory`)."""
    return False
