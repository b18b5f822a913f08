"""The torch-like namespace of course_lib: ``course_lib.tensor``, ``course_lib.sum``, ``course_lib.nn``...

``course_lib/__init__.py`` re-exports everything here and adds ``check`` (the course's checks,
which sit above the framework and use this namespace as "the library", as they use ``torch``).
Code written for the subset runs unchanged with ``import course_lib as torch``.
"""

import math

from .ops import tensor_methods  # noqa: F401  (attaches the operations to Tensor as methods)
from . import backends, dtypes, return_types, shape
from .ops.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, normal,
                           ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like, randperm,
                           tensor, zeros, zeros_like)
from .device import device, get_default_device, set_default_device
from .dtypes import (bool, can_cast, double, float, float16, float32, float64, get_default_dtype, half, int, int8,
                     int16, int32, int64, long, promote_types, result_type, set_default_dtype, short, uint8)
from .generator import Generator, default_generator, initial_seed, manual_seed, seed
from .ops.indexing import flip, gather, index_select, masked_fill, masked_select, nonzero
from .ops.elementwise import (add, atan2, bitwise_and, bitwise_or, bitwise_xor, clamp, clamp_max, clamp_min, clip,
                              div, divide, eq, equal, floor_divide, fmod, ge, greater, greater_equal, gt, le, less,
                              less_equal, logical_and, logical_or, logical_xor, lt, maximum, minimum, mul, multiply,
                              ne, not_equal, pow, remainder, sub, subtract, true_divide, where)
from .ops.join import cat, concat, concatenate, hstack, stack, vstack
from .ops.linalg import bmm, dot, inner, matmul, mm, mv, outer
from .ops.structure import (diag, einsum, index_add, meshgrid, repeat_interleave, roll, scatter, tril, triu,
                            unique)
from .ops.reduce import (all, amax, amin, any, argmax, argmin, argsort, count_nonzero, cumprod, cumsum, logsumexp,
                         max, mean, min, norm, prod, sort, std, std_mean, sum, topk, var, var_mean, dist)
from .ops.views import (broadcast_shapes, broadcast_tensors, broadcast_to, chunk, clone, flatten, movedim,
                        narrow, permute, repeat, reshape, select, split, squeeze, swapaxes, swapdims, t, transpose,
                        unbind, unflatten, unsqueeze)
from .ops.unary import (abs, bitwise_not, ceil, cos, exp, exp2, expm1, floor, isfinite, isinf, isnan, log, log1p,
                        log2, log10, logical_not, neg, negative, reciprocal, relu, round, rsqrt, sigmoid, sign, sin,
                        sqrt, square, tan, tanh, trunc)
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


from .ops.activation import log_softmax, softmax  # noqa: E402
from . import autograd  # noqa: E402
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from . import cuda, distributed, nn, optim, utils  # noqa: E402  (torch's namespaces)
from . import interop  # noqa: E402  (from_torch / to_torch)

__all__ = [
    # types
    "Tensor", "Size", "Storage", "device", "get_default_device", "set_default_device", "Generator", "dtypes",
    "return_types", "backends", "shape",
    "nn", "optim", "utils", "cuda", "distributed", "interop",
    "bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
    "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "is_tensor", "is_floating_point", "numel",
    # creation and random numbers
    "tensor", "as_tensor", "from_numpy", "empty", "zeros", "ones", "full", "eye", "arange", "linspace",
    "rand", "randn", "randint", "randperm", "normal", "empty_like", "zeros_like", "ones_like", "full_like",
    "rand_like", "randn_like", "randint_like", "manual_seed", "seed", "initial_seed", "default_generator",
    # elementwise
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "remainder", "fmod",
    "pow", "neg", "negative", "abs", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
    "square", "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round",
    "trunc", "maximum", "minimum", "atan2", "clamp", "clip", "clamp_min", "clamp_max", "where",
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "isnan", "isinf", "isfinite",
    # reductions
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "all", "any", "count_nonzero",
    "cumsum", "cumprod", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "sort", "argsort", "topk",
    # shapes and indexing
    "reshape", "flatten", "unflatten", "permute", "transpose", "swapaxes", "swapdims", "t", "movedim", "squeeze",
    "unsqueeze", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "select", "narrow", "unbind", "split",
    "chunk", "clone", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "flip", "repeat",
    "nonzero", "index_select", "masked_select", "masked_fill", "gather",
    # linear algebra
    "matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "einsum",
    # rearranging and writing at indices
    "tril", "triu", "diag", "roll", "meshgrid", "repeat_interleave", "unique", "scatter", "index_add", "dist",
    # autograd (chapter 02)
    "autograd", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "softmax",
    "log_softmax", "nan", "inf", "pi", "e",
]
