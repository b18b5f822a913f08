"""Grad mode: whether operations record the graph (``no_grad``, ``enable_grad``...).

Taught in notebooks/02_autograd.ipynb, section "Stopping the tape: detach and no_grad".
The flag is per thread, as torch's is: ``no_grad`` in one thread leaves the others recording.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

from ..ops.dispatch import grad_mode as _state  # the flag every dispatched call reads


def is_grad_enabled() -> bool:
    """True when new operations record their ``grad_fn``."""
    return _state.enabled


class set_grad_enabled:
    """Turn recording on or off: as a function call, a context manager that restores it, or a decorator.

    ``set_grad_enabled(False)`` switches it off at once (like torch); ``with
    set_grad_enabled(mode): ...`` switches it for the block only; ``@set_grad_enabled(mode)``
    switches it while the decorated function runs.
    """

    def __init__(self, mode: bool):
        self.previous = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.previous

    def __call__(self, function: Callable) -> Callable:
        _state.enabled = self.previous  # as a decorator, the mode applies only inside the function
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper


class _GradModeContext:
    """Base of ``no_grad`` / ``enable_grad``: a context manager and a decorator
    (``@no_grad()`` or ``@no_grad``, as torch allows both)."""

    mode = True

    def __new__(cls, function: Optional[Callable] = None):
        self = super().__new__(cls)
        return self if function is None else self(function)

    def __init__(self, function: Optional[Callable] = None):
        pass

    def __enter__(self) -> None:
        self.previous = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _state.enabled = self.previous

    def __call__(self, function: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _state.enabled
            _state.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                _state.enabled = previous

        return wrapper


class no_grad(_GradModeContext):
    """Operations inside ``with no_grad():`` (or a function decorated with it) record no graph.

    Their results have ``requires_grad=False``; use it for evaluation and optimizer updates.
    """

    mode = False


class inference_mode(_GradModeContext):
    """``torch.inference_mode()``: here the same as ``no_grad`` (no graph is recorded);
    ``inference_mode(False)`` records again. A context manager and a decorator."""

    def __new__(cls, mode: Any = True):
        if callable(mode):  # @inference_mode without parentheses
            return super().__new__(cls)(mode)
        self = super().__new__(cls)
        self.mode = not bool(mode)
        return self

    def __init__(self, mode: Any = True):
        pass


class enable_grad(_GradModeContext):
    """Switch recording back on inside a ``no_grad`` block."""

    mode = True
