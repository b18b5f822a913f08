"""``torch.use_deterministic_algorithms``: a switch course_lib has no use for.

torch can raise when an operation has only a non-deterministic implementation (some GPU kernels add in
whatever order threads finish). course_lib's NumPy kernels give the same result run after run, so the flag
is only remembered, for :func:`are_deterministic_algorithms_enabled`.
"""

from __future__ import annotations

_STATE = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Remember the setting (course_lib is deterministic either way)."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"use_deterministic_algorithms expects a bool, but got {type(mode).__name__}")
    _STATE.update(enabled=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """What :func:`use_deterministic_algorithms` was last given (False at first, as in torch)."""
    return _STATE["enabled"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _STATE["warn_only"]
