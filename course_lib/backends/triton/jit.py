"""``device_function``: how the kernels' helpers are declared (``@triton.jit``, cheap under the interpreter).

Taught in notebooks/05_gpus_and_kernels.ipynb.
"""

from __future__ import annotations

import os
from typing import Callable, TypeVar

import triton

Function = TypeVar("Function", bound=Callable)


def device_function(fn: Function) -> Function:
    """``@triton.jit`` for a function that kernels call (never launched by itself).

    Compiled for a GPU it is ``triton.jit(fn)``, inlined into each kernel that calls it. Under Triton's
    interpreter (simulated cuda) it stays the plain Python function: the kernel calling it has already
    switched ``triton.language`` to the interpreter's versions, which an interpreted ``@triton.jit`` helper
    would redo on every call (about a millisecond each, several per launch).
    """
    return fn if os.environ.get("TRITON_INTERPRET") == "1" else triton.jit(fn)
