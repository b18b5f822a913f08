"""Reductions: ``sum``, ``mean``, ``max``/``min``, ``argmax``, ``prod``, ``var``/``std``, ``norm``,
``all``/``any``, running sums, sorting.

Taught in notebooks/01_tensors.ipynb, section "Reductions". A reduction folds the elements
along some dimensions (``dim``: an int, a tuple, or None for all) into one. The result's
shape drops those dimensions, or keeps them with size 1 when ``keepdim=True`` so that the
result broadcasts against the input (``x - x.mean(1, keepdim=True)``); ``shape.reduced_shape``
computes it. Only ``reduce``, ``arg_reduce``, ``scan`` and ``sort`` are backend primitives;
``mean``, ``var``, ``norm``... are composed from them.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Callable, List, Optional, Tuple

import numpy as np

from .. import dtypes as _dt
from .. import return_types
from ..shape import normalize_dim, normalize_dims, numel
from .._tensor import Tensor
from .creation import tensor
from .common import backend_for, cast
from .dispatch import differentiable, positional_names, public
from .elementwise import maximum, minimum, ne


def numpy_aliases(function: Callable) -> Callable:
    """Accept NumPy's argument names ``axis=`` and ``keepdims=``, as torch does, and check ``keepdim``
    (given by keyword or by position)."""
    names = positional_names(function)
    at = names.index("keepdim") if "keepdim" in names else len(names)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        keepdim = args[at] if len(args) > at else kwargs.get("keepdim", False)
        if not isinstance(keepdim, bool):  # torch refuses keepdim="yes" (Python would call it true)
            raise TypeError(f"{function.__name__}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")
        return function(*args, **kwargs)

    return wrapper


def _dims(dim: Any, ndim: int) -> Tuple[int, ...]:
    """Normalized reduced dimensions; None or an empty list means all of them (as in torch)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return normalize_dims(dim, ndim)


def _reduce(fn_name: str, x: Tensor, dims: Tuple[int, ...], keepdim: bool) -> Tensor:
    if not dims:  # a 0-d tensor (or nothing to reduce): the result is the element itself
        if fn_name in ("all", "any"):
            return backend_for(x.device).zip("ne", x, 0)
        return backend_for(x.device).copy(x)
    return backend_for(x.device).reduce(fn_name, x, dims, keepdim)


def _accumulate_dtype(x: Tensor, dtype: Any) -> _dt.dtype:
    """sum/prod/cumsum of bool or integer tensors are int64, as in torch."""
    if dtype is not None:
        return _dt.as_dtype(dtype)
    return x.dtype if x.dtype.is_floating_point else _dt.int64


@differentiable("sum")
@numpy_aliases
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A001
    """Sum over ``dim`` (all dimensions if None); bool and integer inputs sum to int64."""
    x = cast(input, _accumulate_dtype(input, dtype))
    return _reduce("sum", x, _dims(dim, input.ndim), keepdim)


@differentiable("prod")
@numpy_aliases
def prod(input: Tensor, dim: Optional[int] = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product over ``dim`` (all elements if None)."""
    x = cast(input, _accumulate_dtype(input, dtype))
    return _reduce("prod", x, _dims(dim, input.ndim), keepdim)


@differentiable("mean")
@numpy_aliases
def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean over ``dim``: ``sum / count`` (floating-point inputs only, as in torch).

    Raises:
        RuntimeError: ``mean(): could not infer output dtype. Input dtype must be either a
            floating point or complex dtype. Got: Long``.
    """
    target = _dt.as_dtype(dtype) if dtype is not None else input.dtype
    if not target.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {target.type_name}")
    dims = _dims(dim, input.ndim)
    count = numel([input._shape[d] for d in dims])
    total = _reduce("sum", cast(input, target), dims, keepdim)
    return total / count if count else total / 0.0


def _check_not_empty(name: str, input: Tensor, dim: Any) -> None:
    if dim is None and input.numel() == 0:
        error = IndexError if name in ("argmax", "argmin") else RuntimeError
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0." +
                    (" Specify the reduction dim with the 'dim' argument." if error is RuntimeError else ""))
    if dim is not None and input.ndim and input._shape[normalize_dim(dim, input.ndim)] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {normalize_dim(dim, input.ndim)} to have non-zero size.")


def _extreme(name: str, input: Tensor, dim: Any, keepdim: bool) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        return maximum(input, dim) if name == "max" else minimum(input, dim)
    _check_not_empty(name, input, dim)
    if dim is None:
        return _reduce(name, input, _dims(None, input.ndim), False)
    d = normalize_dim(dim, input.ndim)
    backend = backend_for(input.device)
    if input.ndim == 0:
        values, indices = backend.copy(input), backend.full((), 0, _dt.int64, input.device)
    else:
        values = backend.reduce(name, input, (d,), keepdim)
        indices = backend.arg_reduce(name, input, d, keepdim)
    result_type = return_types.max if name == "max" else return_types.min
    return result_type((values, indices))


@differentiable("max")
@numpy_aliases
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The largest element (a 0-d tensor), or ``(values, indices)`` along ``dim``, or the
    elementwise maximum with another tensor. NaN counts as the largest value.

    Raises:
        RuntimeError / IndexError: for empty inputs, with torch's messages.
    """
    return _extreme("max", input, dim, keepdim)


@differentiable("min")
@numpy_aliases
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim`` (see :func:`max`)."""
    return _extreme("min", input, dim, keepdim)


@differentiable("amax")
@numpy_aliases
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Largest values over ``dim`` (an int or a tuple; all dims if empty), without indices."""
    if input.numel() == 0 and not dim:
        raise IndexError("amax(): Expected reduction dim to be specified for input.numel() == 0.")
    return _reduce("max", input, _dims(dim, input.ndim), keepdim)


@differentiable("amin")
@numpy_aliases
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Smallest values over ``dim`` (an int or a tuple; all dims if empty), without indices."""
    if input.numel() == 0 and not dim:
        raise IndexError("amin(): Expected reduction dim to be specified for input.numel() == 0.")
    return _reduce("min", input, _dims(dim, input.ndim), keepdim)


def _arg(name: str, input: Tensor, dim: Optional[int], keepdim: bool) -> Tensor:
    _check_not_empty("arg" + name, input, dim)
    d = None if dim is None else normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        return backend_for(input.device).full((), 0, _dt.int64, input.device)
    return backend_for(input.device).arg_reduce(name, input, d, keepdim)


@public()
@numpy_aliases
def argmax(input: Tensor, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (in the flattened tensor if ``dim`` is None); the first on ties."""
    return _arg("max", input, dim, keepdim)


@public()
@numpy_aliases
def argmin(input: Tensor, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (see :func:`argmax`)."""
    return _arg("min", input, dim, keepdim)


@public()
@numpy_aliases
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where every element over ``dim`` is non-zero."""
    return _reduce("all", input, _dims(dim, input.ndim), keepdim)


@public()
@numpy_aliases
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """True where some element over ``dim`` is non-zero."""
    return _reduce("any", input, _dims(dim, input.ndim), keepdim)


@public()
@numpy_aliases
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Number of non-zero elements over ``dim``."""
    return sum(ne(input, 0), dim)


# --------------------------------------------------------------------------- running sums


def _scan(fn_name: str, input: Tensor, dim: int, dtype: Any) -> Tensor:
    x = cast(input, _accumulate_dtype(input, dtype))
    if x.ndim == 0:
        normalize_dim(dim, 0)
        return backend_for(x.device).copy(x)
    return backend_for(x.device).scan(fn_name, x, normalize_dim(dim, x.ndim))


@differentiable("cumsum")
@numpy_aliases
def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]``."""
    return _scan("sum", input, dim, dtype)


@differentiable("cumprod")
@numpy_aliases
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running product along ``dim``."""
    return _scan("prod", input, dim, dtype)


# --------------------------------------------------------------------------- statistics


@differentiable("var")
@numpy_aliases
def var(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction: Optional[float] = None) -> Tensor:
    """Variance over ``dim``: ``sum((x - mean)^2) / (N - correction)``.

    ``correction=1`` (the default, "unbiased") is Bessel's correction; ``unbiased=False`` is
    ``correction=0``.
    """
    if unbiased is not None and correction is not None:
        raise TypeError("var() received both 'unbiased' and 'correction'; pass only one")
    if not input.dtype.is_floating_point:
        raise RuntimeError("std and var only support floating point and complex dtypes")
    correction = (1 if unbiased is None or unbiased else 0) if correction is None else correction
    dims = _dims(dim, input.ndim)
    count = numel([input._shape[d] for d in dims])
    centered = input - mean(input, dims, keepdim=True)
    squares = _reduce("sum", centered * centered, dims, keepdim)
    degrees_of_freedom = count - correction
    if degrees_of_freedom <= 0:
        warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                      "factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return squares / degrees_of_freedom if degrees_of_freedom > 0 else squares / 0.0


@differentiable("std")
@numpy_aliases
def std(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
        correction: Optional[float] = None) -> Tensor:
    """Standard deviation: ``sqrt(var(...))`` (same arguments as :func:`var`)."""
    return var(input, dim, unbiased, keepdim, correction=correction).sqrt()


@public(method=False)
@numpy_aliases
def var_mean(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
             correction: Optional[float] = None) -> Tuple[Tensor, Tensor]:
    """``(var, mean)`` in one call."""
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@public(method=False)
@numpy_aliases
def std_mean(input: Tensor, dim: Any = None, unbiased: Optional[bool] = None, keepdim: bool = False, *,
             correction: Optional[float] = None) -> Tuple[Tensor, Tensor]:
    """``(std, mean)`` in one call."""
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@differentiable("norm")
@numpy_aliases
def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Vector norm over ``dim`` (all elements by default): ``p=2``/``"fro"`` (the default,
    Euclidean), ``p=1`` (sum of absolute values), ``inf``, ``-inf``, ``0`` or any number."""
    x = input if dtype is None else input.to(dtype)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
                           f"Got {x.dtype.type_name}")
    dims = _dims(dim, x.ndim)
    if p in ("fro", 2, 2.0, None):
        return _reduce("sum", x * x, dims, keepdim).sqrt()
    if p == 1:
        return _reduce("sum", x.abs(), dims, keepdim)
    if p == math.inf:
        return _reduce("max", x.abs(), dims, keepdim)
    if p == -math.inf:
        return _reduce("min", x.abs(), dims, keepdim)
    if p == 0:
        return _reduce("sum", (x != 0).to(x.dtype), dims, keepdim)
    if isinstance(p, str):
        raise RuntimeError(f"norm(): p={p!r} is not supported by course_lib")
    return _reduce("sum", x.abs() ** p, dims, keepdim) ** (1.0 / p)


@differentiable("logsumexp")
@numpy_aliases
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably by subtracting the maximum first."""
    dims = _dims(dim, input.ndim)
    x = input if input.dtype.is_floating_point else input.to(_dt.get_default_dtype())
    # BEGIN EXERCISE 3.3
    peak = x.amax(dims, keepdim=True)
    peak = peak.masked_fill(peak.isinf(), 0.0)  # all -inf (or inf) slices: avoid inf - inf
    total = (x - peak).exp().sum(dims, keepdim=True).log() + peak
    return total if keepdim else total.squeeze(dims) if dims else total
    # END EXERCISE


# --------------------------------------------------------------------------- sorting


@differentiable("sort")
@numpy_aliases
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    """``(values, indices)`` sorted along ``dim`` (stable; NaN sorts as the largest value)."""
    if input.ndim == 0:
        normalize_dim(dim, 0)
        backend = backend_for(input.device)
        return return_types.sort((backend.copy(input), backend.full((), 0, _dt.int64, input.device)))
    values, indices = backend_for(input.device).sort(input, normalize_dim(dim, input.ndim), descending)
    return return_types.sort((values, indices))


@public()
@numpy_aliases
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable)[1]


@differentiable("topk")
@numpy_aliases
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, sorted.

    Raises:
        RuntimeError: ``selected index k out of range`` when ``k`` exceeds the size.
    """
    d = normalize_dim(dim, input.ndim)
    size = input._shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    values, indices = sort(input, d, descending=largest)
    if input.ndim == 0:
        return return_types.topk((values, indices))
    return return_types.topk((values.narrow(d, 0, k), indices.narrow(d, 0, k)))


@public()
def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast): ``norm(input - other, p)``."""
    return norm(input - other, p)


@public()
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: Optional[int] = None) -> Any:
    """The distinct elements, sorted (torch sorts them too); optionally the inverse indices and the counts.
    Not differentiable."""
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not part of course_lib")
    values, inverse, counts = np.unique(input.numpy(force=True), return_inverse=True, return_counts=True)
    result: List[Tensor] = [tensor(values, dtype=input.dtype, device=input.device)]
    if return_inverse:
        result.append(tensor(inverse.reshape(input._shape).astype(np.int64), device=input.device))
    if return_counts:
        result.append(tensor(counts.astype(np.int64), device=input.device))
    return result[0] if len(result) == 1 else tuple(result)
