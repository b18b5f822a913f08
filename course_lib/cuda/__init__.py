"""The ``cuda`` device, like ``torch.cuda``: ``is_available``, ``device_count``, ``synchronize``, ``Event``...

Taught in notebooks/05_gpus_and_kernels.ipynb. course_lib computes on "cuda" with its Triton backend
(``backends/triton/``): compiled for an NVIDIA GPU when there is one, otherwise *simulated* by Triton's
interpreter on the CPU. ``is_available()`` and ``device_count()`` answer as torch does, so they are True
only with a real GPU: device-agnostic scripts (``"cuda" if torch.cuda.is_available() else "cpu"``) never
land on the slow simulator by accident. Ask for "cuda" explicitly to run simulated; ``is_simulated()`` says
whether it is.
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional

from ..backends import backend_available

__all__ = ["Event", "device_count", "get_device_name", "is_available", "is_simulated", "manual_seed",
           "manual_seed_all", "synchronize"]


def _gpu() -> bool:
    """True when torch sees an NVIDIA GPU and Triton's interpreter is not forced on."""
    if not backend_available("cuda") or os.environ.get("TRITON_INTERPRET") == "1":
        return False
    import torch

    return torch.cuda.is_available()


def is_available() -> bool:
    """True only with a real GPU (and Triton), as ``torch.cuda.is_available()``: never for the simulator."""
    return _gpu()


def is_simulated() -> bool:
    """True when "cuda" works but runs in Triton's interpreter on the CPU (no GPU here)."""
    return backend_available("cuda") and not _gpu()


def device_count() -> int:
    """The number of GPUs, as ``torch.cuda.device_count()``: 0 when "cuda" is simulated or missing."""
    if not _gpu():
        return 0
    import torch

    return torch.cuda.device_count()


def get_device_name(device: Any = None) -> str:
    """The GPU's name, or ``"simulated (Triton's interpreter on the CPU)"``.

    Raises:
        RuntimeError: when course_lib cannot use "cuda" here (no Triton).
    """
    if _gpu():
        import torch

        return torch.cuda.get_device_name(device)
    if is_simulated():
        return "simulated (Triton's interpreter on the CPU)"
    raise RuntimeError("course_lib cannot use 'cuda' here: Triton is not installed")


def synchronize(device: Any = None) -> None:
    """Wait until every kernel launched on the GPU has finished (kernels are asynchronous: time them after
    this). Simulated kernels finish before their launch returns, so there is nothing to wait for."""
    if _gpu():
        import torch

        torch.cuda.synchronize(device)


def manual_seed(seed: int) -> None:
    """Kept for scripts that call it: course_lib draws cuda random numbers on the host from the default
    generator (``course_lib.manual_seed`` seeds it) and copies them over, so cpu and cuda draw the same."""


manual_seed_all = manual_seed


class Event:
    """A point in the stream of GPU work, for timing kernels, like ``torch.cuda.Event``.

    Example::

        start, end = course_lib.cuda.Event(enable_timing=True), course_lib.cuda.Event(enable_timing=True)
        start.record(); y = x @ x; end.record()
        end.synchronize(); print(start.elapsed_time(end), "ms")

    On a GPU it is torch's event (recorded in the GPU's stream); simulated, the host clock when recorded.
    """

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess: bool = False):
        self.enable_timing = enable_timing
        self._event: Any = None
        self._time: Optional[float] = None
        if _gpu():
            import torch

            self._event = torch.cuda.Event(enable_timing=enable_timing, blocking=blocking, interprocess=interprocess)

    def record(self, stream: Any = None) -> None:
        """Mark this point of the work launched so far."""
        if self._event is not None:
            self._event.record(stream)
        else:
            self._time = time.perf_counter()

    def synchronize(self) -> None:
        """Wait until the work before this event has finished."""
        if self._event is not None:
            self._event.synchronize()

    def query(self) -> bool:
        """True when the work before this event has finished."""
        return self._event.query() if self._event is not None else self._time is not None

    def elapsed_time(self, end_event: "Event") -> float:
        """Milliseconds between this event and ``end_event`` (both recorded, with ``enable_timing=True``).

        Raises:
            RuntimeError: when timing was not enabled or an event was not recorded, as torch does.
        """
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if self._event is not None:
            return float(self._event.elapsed_time(end_event._event))
        if self._time is None or end_event._time is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end_event._time - self._time) * 1000.0
