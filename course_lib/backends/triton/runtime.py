"""Where the cuda backend's kernels run, and the device memory they run on.

Taught in notebooks/05_gpus_and_kernels.ipynb. With an NVIDIA GPU, Triton compiles each kernel for it and
device memory is CUDA memory. Without one, Triton's interpreter runs the same kernels on the CPU
(``TRITON_INTERPRET=1``, read when a kernel is defined, so this module sets it before any kernel module is
imported) and "device memory" is CPU memory: the cuda device is then *simulated*, about 1000x slower.

Device memory is a flat torch tensor used only as a raw buffer: allocated here (``torch.empty``), filled by
the kernels, copied to and from the host. No torch operation ever computes on course_lib data.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import re
import sys
import time
import warnings
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

SIMULATED = os.environ.get("TRITON_INTERPRET") == "1" or not torch.cuda.is_available()
if SIMULATED:
    os.environ["TRITON_INTERPRET"] = "1"  # before triton defines a kernel

import triton  # noqa: E402  (after the switch above)


def _interpret_triton_library() -> None:
    """Make Triton's own library functions (``tl.sum``, ``tl.zeros_like``, ``tl.cumsum``...) interpreted ones.

    They are ``@triton.jit`` functions made when ``triton.language`` is first imported. If that happened before
    ``TRITON_INTERPRET`` was set (torch imports Triton for checks of its own, e.g. in its optimizers), they were
    made for compiling, and the interpreter refuses to call them from a kernel; each is remade once here.
    """
    from triton.runtime.interpreter import InterpretedFunction
    from triton.runtime.jit import JITFunction

    remade: Dict[int, Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("triton.language"):
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, JITFunction):
                if id(value) not in remade:
                    remade[id(value)] = InterpretedFunction(value.fn)
                setattr(module, attribute, remade[id(value)])


if SIMULATED:
    import triton.language  # noqa: E402,F401  (its modules, to look through)

    _interpret_triton_library()

from ...device import mark_cuda_simulated  # noqa: E402
from ...storage import Buffers, Storage  # noqa: E402
from ...shape import row_major_strides  # noqa: E402
from ..base import tensor_from_storage  # noqa: E402

BUFFER_DEVICE = torch.device("cpu") if SIMULATED else torch.device("cuda")
"""Where course_lib's cuda buffers live: the GPU, or the CPU when simulated."""

# Block sizes. On a GPU each distinct block size is one more compiled kernel, so they are fixed; the
# interpreter runs a whole block as one NumPy operation and pays ~1 ms per program, so it takes the
# largest blocks that fit (bounded, to keep the temporary arrays small).
BLOCK = 1024
SIMULATED_ELEMENTS = 1 << 20  # most elements one simulated program handles


_LIMIT: List[int] = []  # the limits block_limit set, innermost last


@contextlib.contextmanager
def block_limit(limit: int) -> Iterator[None]:
    """Inside the block, every block dimension the backend chooses is at most ``limit`` (a power of 2).

    The checks use it: with small blocks even a small tensor takes many programs, a partial last block and
    several chunks of columns, so a kernel that gets one of those wrong fails on the simulator too.
    """
    _LIMIT.append(limit)
    try:
        yield
    finally:
        _LIMIT.pop()


def limited(block: int) -> int:
    """``block``, or the innermost :func:`block_limit` if that is smaller."""
    return min(block, _LIMIT[-1]) if _LIMIT else block


def elementwise_block(count: int) -> int:
    """Elements per program for ``count`` elements."""
    if SIMULATED:
        return limited(min(triton.next_power_of_2(max(count, 1)), SIMULATED_ELEMENTS))
    return limited(BLOCK)


def cdiv(a: int, b: int) -> int:
    """``ceil(a / b)`` for positive ints."""
    return -(-a // b)


def torch_dtype(dtype: Any) -> torch.dtype:
    """The torch dtype of the same name as the course_lib ``dtype`` (a buffer's element type)."""
    return getattr(torch, dtype.name)


class DeviceBuffers(Buffers):
    """A storage's buffer on the cuda device: a flat torch tensor (CUDA memory, or CPU when simulated)."""

    def length(self, data: torch.Tensor) -> int:
        return int(data.shape[0])

    def element_size(self, data: torch.Tensor) -> int:
        return int(data.element_size())

    def data_ptr(self, data: torch.Tensor) -> int:
        return int(data.data_ptr())

    def to_host(self, data: torch.Tensor) -> np.ndarray:
        host = data.cpu()
        return host.numpy().copy() if SIMULATED else host.numpy()  # always a copy: device memory stays private

    def write(self, data: torch.Tensor, position: int, value: Any) -> None:
        data[position:position + 1].copy_(torch.tensor([value], dtype=data.dtype))  # a host-to-device copy


DEVICE_BUFFERS = DeviceBuffers()


def element_count(shape: Sequence[int]) -> int:
    """The number of elements of ``shape`` (the backend's own product: shape.numel is a learner's exercise)."""
    count = 1
    for size in shape:
        count *= size
    return count


def _as_tensor(data: torch.Tensor, shape: Tuple[int, ...], strides: Optional[Tuple[int, ...]], dtype: Any,
               device: Any) -> Any:
    """The course_lib tensor over the device buffer ``data`` (row-major unless ``strides`` are given)."""
    strides = row_major_strides(shape) if strides is None else strides
    return tensor_from_storage(Storage(data, device, DEVICE_BUFFERS), shape, strides, 0, dtype, device)


def device_memory(count: int, dtype: torch.dtype) -> torch.Tensor:
    """A flat buffer of ``count`` elements of device memory (contents unspecified).

    Simulated, the buffer is followed by slack of one block that belongs to no tensor. A kernel that stores
    without a mask writes up to a block past its last element: on a GPU that faults or overwrites a
    neighbour; in the interpreter it would corrupt the Python process's heap and crash it. With the slack it
    writes into memory nobody reads, and the checks catch it with a canary.
    """
    if not SIMULATED:
        return torch.empty(count, dtype=dtype, device=BUFFER_DEVICE)
    slack = min(triton.next_power_of_2(max(count, 1)), SIMULATED_ELEMENTS)
    return torch.empty(count + slack, dtype=dtype)[:count]


def allocate(shape: Tuple[int, ...], dtype: Any, device: Any, strides: Optional[Tuple[int, ...]] = None) -> Any:
    """A new course_lib tensor on ``device`` with unspecified contents: row-major, or with ``strides`` (those of
    a dense layout of ``shape``: a permutation of row-major, such as channels-last)."""
    data = device_memory(element_count(shape), torch_dtype(dtype))
    return _as_tensor(data, tuple(shape), strides, dtype, device)


def upload(array: np.ndarray, dtype: Any, device: Any) -> Any:
    """A new contiguous tensor on ``device`` holding a copy of the host ``array`` (converted to ``dtype``)."""
    with np.errstate(all="ignore"):  # 1e300 -> inf in float32, silently, as torch does
        host = np.array(array, dtype=dtype.numpy, order="C", copy=True)
    data = device_memory(host.size, torch_dtype(dtype))
    data.copy_(torch.from_numpy(host.reshape(-1)))
    return _as_tensor(data, tuple(host.shape), None, dtype, device)


_LAYOUTS: Dict[Tuple[int, ...], torch.Tensor] = {}


def layout_buffer(numbers: Tuple[int, ...]) -> torch.Tensor:
    """The int64 device buffer holding ``numbers`` (sizes, offsets and strides a kernel reads).

    Cached: a training step launches the same layouts every time, so each is copied to the device once.
    """
    buffer = _LAYOUTS.get(numbers)
    if buffer is None:
        if len(_LAYOUTS) > 4096:
            _LAYOUTS.clear()
        buffer = torch.tensor(numbers if numbers else (0,), dtype=torch.int64).to(BUFFER_DEVICE)
        _LAYOUTS[numbers] = buffer
    return buffer


COMPILED = {"kernels": 0, "seconds": 0.0}
"""On a GPU: how many kernels Triton compiled (or loaded from its disk cache) in this process, and the seconds
that took (``make test-gpu`` prints them: each distinct specialization is one more compilation)."""


def _count_compilations() -> None:
    try:
        from triton import knobs  # (Triton 3.4 and later; older ones compile uncounted)
    except ImportError:
        return
    started = []

    def before(**_: Any) -> None:
        started.append(time.perf_counter())

    def after(**_: Any) -> None:
        COMPILED["kernels"] += 1
        COMPILED["seconds"] += time.perf_counter() - (started.pop() if started else time.perf_counter())

    knobs.runtime.jit_cache_hook, knobs.runtime.jit_post_compile_hook = before, after


if not SIMULATED:
    _count_compilations()


_STUB = re.compile(r'raise NotImplementedError\(\s*"(Exercise [^"]*)"\s*\)')
_UNFINISHED: Dict[int, Tuple[Any, Optional[str]]] = {}
"""id(kernel) -> (kernel, its stub's message or None). The kernel is kept: a freed kernel's id could be reused
by a new one (each judged copy of course_lib defines its kernels anew)."""


def unfinished_exercise(kernel: Any) -> Optional[str]:
    """The message of the exercise stub left in ``kernel``'s source (``"Exercise 5.1 (...) is not done yet"``),
    or None for a finished kernel. Read once per kernel object.

    A GPU compiles a kernel before running it, and Triton's compiler refuses a ``raise`` statement; so the
    launcher asks first, and an unfinished exercise is the same NotImplementedError with a GPU as without.
    """
    key = id(kernel)
    if key not in _UNFINISHED or _UNFINISHED[key][0] is not kernel:
        function = kernel
        while hasattr(function, "fn"):  # an autotuner holds a JITFunction, which holds the Python function
            function = function.fn
        try:
            found = _STUB.search(inspect.getsource(function))
        except (OSError, TypeError):  # no source to read: nothing to tell
            found = None
        _UNFINISHED[key] = (kernel, found.group(1) if found else None)
    return _UNFINISHED[key][1]


def launch(kernel: Callable, grid: Any, *args: Any, **constants: Any) -> None:
    """Run ``kernel`` over ``grid`` programs (a tuple, or a function of the tuned block sizes for an autotuned
    kernel); quietly when simulated: 1/0 = inf without NumPy's warnings.

    Raises:
        NotImplementedError: ``kernel`` still holds an exercise's stub (see :func:`unfinished_exercise`).
    """
    message = unfinished_exercise(kernel)
    if message:
        raise NotImplementedError(message)
    if SIMULATED:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's "All-NaN slice" inside the interpreter
            kernel[grid](*args, **constants)
    else:
        kernel[grid](*args, **constants)


def announce_simulation() -> None:
    """Say once per process that "cuda" is simulated here (a GPU is never claimed where there is none), unless
    a check table, whose device column says "cuda (simulated)", made the first cuda tensor."""
    if SIMULATED and mark_cuda_simulated():
        print("course_lib: no NVIDIA GPU here, so 'cuda' runs simulated: Triton's interpreter runs the kernels "
              "on the CPU (about 1000x slower than a GPU; keep cuda tensors small).", file=sys.stderr)
