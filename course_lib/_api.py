"""The torch-like namespace of course_lib: ``course_lib.tensor``, ``course_lib.sum``, ``course_lib.nn``...

``course_lib/__init__.py`` re-exports everything here and adds ``check`` (the course's checks,
which sit above the framework and use this namespace as "the library", as they use ``torch``).
Code written for the subset runs unchanged with ``import course_lib as torch``.
"""

import math

from .ops import tensor_methods  # noqa: F401  (imports every operation module: each declares its names)
from . import backends, dtypes, return_types, shape
from .device import device, get_default_device, set_default_device
from .dtypes import (bool, can_cast, double, float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, long, promote_types, result_type, set_default_dtype, short, uint8)
from .generator import Generator, default_generator, initial_seed, manual_seed, seed
from .ops.dispatch import PUBLIC
from .storage import Storage
from ._tensor import Size, Tensor


nan, inf, pi, e = math.nan, math.inf, math.pi, math.e  # torch.nan, torch.inf, torch.pi, torch.e


def is_tensor(obj: object):
    """True when ``obj`` is a course_lib Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor):
    """Number of elements of ``input``."""
    return input.numel()


def is_floating_point(input: Tensor):
    """True when ``input`` has a floating-point dtype."""
    return input.dtype.is_floating_point


from . import autograd  # noqa: E402
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from . import accelerator, cuda, distributed, nn, optim, utils  # noqa: E402  (torch's namespaces)
from .distributed import pipelining as _pipelining  # noqa: E402,F401  (course_lib.distributed.pipelining)
from .distributed.tensor import parallel as _tensor_parallel  # noqa: E402,F401  (....distributed.tensor.parallel)
from .determinism import (are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,  # noqa: E402
                          use_deterministic_algorithms)
from . import interop  # noqa: E402  (from_torch / to_torch)
from . import multiprocessing  # noqa: E402  (torch.multiprocessing's names; chapter 06)
from .threads import get_num_threads, set_num_threads  # noqa: E402  (the math libraries' threads; chapter 06)
from .serialization import load, save  # noqa: E402  (torch's file format)

# Every operation declared public (``@differentiable``, ``@public``, ``alias`` in ops/dispatch.py): add,
# sum, reshape, zeros, softmax... Each operation module declares its own names, so adding an operation
# never touches this file.
globals().update(PUBLIC)

__all__ = [
    # types
    "Tensor", "Size", "Storage", "device", "get_default_device", "set_default_device", "Generator", "dtypes",
    "return_types", "backends", "shape",
    "nn", "optim", "utils", "cuda", "distributed", "interop", "accelerator",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "is_tensor", "is_floating_point", "numel", "manual_seed", "seed", "initial_seed", "default_generator",
    "save", "load", "multiprocessing", "get_num_threads", "set_num_threads",
    # autograd (chapter 02)
    "autograd", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "nan", "inf", "pi", "e",
    # the operations
    *sorted(PUBLIC),
]
