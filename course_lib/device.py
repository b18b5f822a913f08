"""Device objects: ``course_lib.device("cpu")``, ``course_lib.device("cuda", 0)``.

Taught in notebooks/01_tensors.ipynb, section "Devices and backends". A device names where
a tensor's storage lives; :mod:`course_lib.backends` maps each device type to the backend
that computes on it.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, Optional, Tuple

_KNOWN_TYPES = ("cpu", "cuda")


class device:  # noqa: N801  (named like torch.device)
    """Where a tensor lives: ``type`` (``"cpu"`` or ``"cuda"``) and an optional ``index``.

    ``device("cuda:1")``, ``device("cuda", 1)`` and ``device(other_device)`` are accepted.
    Devices compare equal by type and index; ``str(device("cpu")) == "cpu"``.

    Raises:
        RuntimeError: for an unknown device string, as torch does.
    """

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device: Any = "cpu", index: Optional[int] = None):
        if isinstance(type_or_device, device) and index is None:
            return type_or_device
        key = _parse(type_or_device, index)
        cached = _CACHE.get(key)
        if cached is None:
            cached = object.__new__(cls)
            object.__setattr__(cached, "type", key[0])
            object.__setattr__(cached, "index", key[1])
            _CACHE[key] = cached
        return cached

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("device objects are immutable")

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_CACHE: Dict[Tuple[str, Optional[int]], device] = {}


def _parse(spec: Any, index: Optional[int]) -> Tuple[str, Optional[int]]:
    if isinstance(spec, device):
        return spec.type, index
    if hasattr(spec, "type") and hasattr(spec, "index") and not isinstance(spec, str):  # a torch.device
        return str(spec.type), spec.index if index is None else index
    if not isinstance(spec, str):
        raise TypeError(f"device() expects a string like 'cpu' or 'cuda:0', but got {type(spec).__name__}")
    text = spec.strip()
    if ":" in text:
        text, _, number = text.partition(":")
        if index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {spec}")
        if not number.isdigit():
            raise RuntimeError(f"Invalid device string: '{spec}'")
        index = int(number)
    if text not in _KNOWN_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device string: {spec}")
    if text == "cpu" and index not in (None, 0):
        raise RuntimeError(f"CPU device index must be -1 or zero, got {index}")
    if text == "cpu":
        index = None
    return text, index


def as_device(value: Any) -> device:
    """The device a tensor created with ``device=value`` lives on.

    None means the default device (the CPU unless :func:`set_default_device` chose another); a
    CUDA device without an index means ``cuda:0`` (as in torch).
    """
    if value is None:
        # NOTE: the thread-local default is read only once some thread has set one (a plain global
        # test is cheaper than the thread-local read on every factory call).
        return _DEFAULT.device if _DEFAULT_CHANGED else CPU
    result = value if type(value) is device else device(value)
    if result.type == "cuda" and result.index is None:
        return device("cuda", 0)
    return result


CPU = device("cpu")

_SIMULATED_CUDA = {"simulated": False, "told": False}


def mark_cuda_simulated() -> bool:
    """Record that "cuda" runs simulated in this process (reprs then say so: a GPU is never claimed).

    Returns:
        True the first time, unless :func:`simulation_told` came first: the caller then says so once.
    """
    first = not _SIMULATED_CUDA["told"]
    _SIMULATED_CUDA["simulated"] = _SIMULATED_CUDA["told"] = True
    return first


def simulation_told() -> None:
    """Note that the learner is told some other way that "cuda" is simulated (a check table's device column)."""
    _SIMULATED_CUDA["told"] = True


def cuda_simulated() -> bool:
    """True once the cuda backend started without a GPU (Triton's interpreter runs its kernels on the CPU)."""
    return _SIMULATED_CUDA["simulated"]


class _DefaultDevice(threading.local):
    """The device of factory calls without ``device=``, per thread (as torch keeps it)."""

    device = CPU


_DEFAULT = _DefaultDevice()
_DEFAULT_CHANGED = False  # becomes True for good at the first set_default_device


def set_default_device(device: Any) -> None:  # noqa: F811  (torch's parameter name shadows the class here)
    """Make ``device`` the device of new tensors created without ``device=`` (None: the CPU again).

    Like ``torch.set_default_device``: it holds in the calling thread; explicit ``device=`` arguments and
    ``from_numpy`` (which shares CPU memory) are not affected.
    """
    global _DEFAULT_CHANGED
    _DEFAULT.device = CPU if device is None else as_device(device)
    _DEFAULT_CHANGED = True


def get_default_device() -> device:
    """The device :func:`set_default_device` chose (the CPU by default)."""
    return _DEFAULT.device
