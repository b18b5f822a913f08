"""``torch.accelerator``: the device-agnostic way to ask for "the GPU, whatever it is".

course_lib's only accelerator is the cuda device of chapter 05, so both answers follow ``course_lib.cuda``.
"""

from __future__ import annotations

from typing import Optional

from . import cuda
from .device import device

__all__ = ["current_accelerator", "device_count", "is_available"]


def is_available() -> bool:
    """True when an accelerator (a cuda device) can be used."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Optional[device]:
    """``device("cuda")`` when course_lib has its cuda backend, else None (torch's answer without a GPU)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """The number of accelerator devices."""
    return cuda.device_count()
