"""One backend per device: each is a small table of primitives (see ARCHITECTURE.md).

Chapter 01 adds the ``python`` and ``numpy`` (device ``cpu``) backends, chapter 05 the
``triton`` backend (device ``cuda``, real or simulated through Triton's interpreter).
"""

from __future__ import annotations


def backend_available(device: str) -> bool:
    """True when course_lib has a backend for ``device`` (``"cpu"`` or ``"cuda"``)."""
    return False
