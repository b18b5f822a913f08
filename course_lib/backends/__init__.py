"""One backend per device: each is a small table of primitives (see ``base.Backend``).

Taught in notebooks/01_tensors.ipynb, section "Devices and backends".

- ``numpy`` (device ``cpu``): views storage with its strides and calls NumPy — the fast path.
- ``python``: explicit index loops over storage — the teaching version you write in chapter
  01 (tiny tensors only). Not the default; run code on it with ``using_backend("python")``
  or call its primitives directly.
- ``triton`` (device ``cuda``): Triton kernels (chapter 05), on a GPU or simulated by Triton's interpreter;
  imported when "cuda" is first used.

The registry maps a device type to its backend; tensors look their backend up on every
operation, so swapping the entry swaps the implementation.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import threading
from typing import Callable, Dict, Iterator, Optional, Union

from . import cuda, cudnn, mps  # noqa: F401  (torch.backends' switches, for scripts that set them)
from .base import Backend
from .numpy_backend import NumpyBackend
from .python_backend import PythonBackend

_BACKENDS: Dict[str, Backend] = {}
"""Device type -> the backend computing on it (filled lazily from ``_FACTORIES``)."""


class ThreadOverrides(threading.local):
    """The backends :func:`using_backend` chose, per thread (so one thread's loops never slow another)."""

    table: Optional[Dict[str, Backend]] = None  # None: no override in this thread (the common case)


OVERRIDES = ThreadOverrides()


def _cuda_backend() -> Backend:
    """The Triton backend, imported on first use of "cuda" (so ``import course_lib`` never imports Triton).

    Raises:
        RuntimeError: where Triton (or torch) cannot be imported, naming the package and where it runs.
    """
    missing = _missing_for_cuda()
    if missing:
        raise RuntimeError(MISSING_TRITON.format(package=missing))
    from .triton import TritonBackend

    return TritonBackend()


@functools.lru_cache(maxsize=None)
def _missing_for_cuda() -> str:
    """'' when the cuda backend's packages import here, else the name of the one that does not (tried once).

    Importing ``backends/triton/runtime.py`` tries torch and Triton in the right order (it sets
    ``TRITON_INTERPRET`` first when there is no GPU); a package that is absent, or present but failing to
    import, both count as missing.
    """
    for package in ("torch", "triton"):
        if importlib.util.find_spec(package) is None:
            return package
    try:
        from .triton import runtime  # noqa: F401
    except ImportError as error:
        return getattr(error, "name", None) or "triton"
    return ""


MISSING_TRITON = ("course_lib's cuda device needs the '{package}' package, which is not installed here. Triton "
                  "has wheels for Linux only: run chapter 05 on Linux, in WSL on Windows, or in a cloud notebook "
                  "(with or without a GPU: without one, 'cuda' is simulated). Chapters 00-04 need no Triton.")

_FACTORIES: Dict[str, Callable[[], Backend]] = {"cpu": NumpyBackend, "cuda": _cuda_backend}
"""Device type -> how to build its default backend."""

_NAMED: Dict[str, Callable[[], Backend]] = {"numpy": NumpyBackend, "python": PythonBackend}
"""Backends that can be selected by name with :func:`using_backend`."""


def register_backend(device_type: str, factory: Callable[[], Backend], name: str = "") -> None:
    """Make ``factory()`` the backend of ``device_type`` (and selectable by ``name``)."""
    _FACTORIES[device_type] = factory
    _BACKENDS.pop(device_type, None)
    if name:
        _NAMED[name] = factory


def get_backend(device_type: str) -> Backend:
    """The backend that computes on ``device_type``.

    Raises:
        RuntimeError: when course_lib has no backend for that device yet.
    """
    overrides = OVERRIDES.table
    if overrides is None:  # the common case first: no using_backend block in this thread
        backend = _BACKENDS.get(device_type)
        if backend is not None:
            return backend
    else:
        backend = overrides.get(device_type) or _BACKENDS.get(device_type)
    if backend is None:
        factory = _FACTORIES.get(device_type)
        if factory is None:
            hint = " (you build the cuda backend in chapter 05, GPUs and Triton kernels)" if device_type == "cuda" else ""
            raise RuntimeError(f"course_lib has no backend for device type '{device_type}' yet{hint}")
        backend = _BACKENDS[device_type] = factory()
    return backend


def backend_available(device: str) -> bool:
    """True when course_lib has a backend for ``device`` (``"cpu"`` or ``"cuda"``) and what it needs is
    installed (the cuda backend needs torch and Triton)."""
    device_type = device.split(":")[0]
    if device_type == "cuda" and _FACTORIES.get("cuda") is _cuda_backend:
        return not _missing_for_cuda()
    return device_type in _FACTORIES


@contextlib.contextmanager
def using_backend(backend: Union[str, Backend], device_type: str = "cpu") -> Iterator[Backend]:
    """Temporarily compute on ``device_type`` with another backend, e.g. your python loops.

    The choice holds in the calling thread only (other threads keep their backends), until the
    block ends.

    Example::

        with course_lib.backends.using_backend("python"):
            z = x + y          # runs PythonBackend.zip, your exercise 1.7
    """
    chosen = _NAMED[backend]() if isinstance(backend, str) else backend
    previous = OVERRIDES.table
    OVERRIDES.table = {**(previous or {}), device_type: chosen}
    try:
        yield chosen
    finally:
        OVERRIDES.table = previous


__all__ = ["Backend", "backend_available", "get_backend", "register_backend", "using_backend"]
