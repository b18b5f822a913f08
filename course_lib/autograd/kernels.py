"""The autograd kernels that are more than one Function: what such an operation does when an input
requires grad.

Taught in notebooks/02_autograd.ipynb, section "3 · Build it". Every differentiable operation
is defined once, in ``course_lib/ops``, with ``@differentiable("name")``; a call with an
input that requires grad (and grad mode on) is sent to ``ops.dispatch.AUTOGRAD[name]``. Most
operations have one Function, which registers itself there (``@backward_of("mul")`` on
``MulBackward0``, in ``rules/``). :func:`register` adds the rest: :data:`SELECTORS` (the call
picks its Function: ``sum`` with or without ``dim``), :data:`SPECIAL` (several outputs, a
conversion), the in-place table of ``inplace.py`` and :data:`OPERATORS`. Importing
``course_lib.autograd`` calls it; before that (chapter 01 alone) every operation runs its plain
kernel and records nothing. A kernel runs only when the dispatcher found grad mode on and an
argument requiring grad, so kernels do not test either again.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from .. import return_types
from .._tensor import Tensor
from ..ops.dispatch import AUTOGRAD, OPS
from .inplace import INPLACE, make_inplace, make_setitem
from .rules import activation as _activation_rules  # noqa: F401  (its rules register themselves)
from .rules import conversion as RC
from .rules import elementwise as RE
from .rules import indexing as RI
from .rules import join as RJ
from .rules import linalg as RL
from .rules import reduce as RR
from .rules import unary as _unary_rules  # noqa: F401  (its rules register themselves)
from .rules import views as RS

Selector = Callable[..., Optional[type]]


def rule_kernel(plain: Callable, select: Selector) -> Callable:
    """The autograd kernel that records a call through ``select(...)``'s Function.

    ``select`` gets the call's arguments and returns a Function class, or None when this
    call is not differentiable (then ``plain`` runs and the result has no ``grad_fn``).
    """

    def kernel(*args: Any, **kwargs: Any) -> Any:
        rule = select(*args, **kwargs)
        return plain(*args, **kwargs) if rule is None else rule.apply(*args, **kwargs)

    return kernel


def _with_dim(without: type, with_dim: type) -> Selector:
    def select(input, dim=None, *args, **kwargs):
        dim = kwargs.get("axis", dim)
        return without if dim is None or dim == () or dim == [] else with_dim

    return select


def _pow(input, exponent):
    if not isinstance(input, Tensor):
        return RE.PowBackward2
    return RE.PowBackward1 if isinstance(exponent, Tensor) else RE.PowBackward0


def _div(input, other, *, rounding_mode=None):
    return RE.DivBackward0 if rounding_mode is None else None


def _where(condition, input=None, other=None):
    return RE.WhereBackward0 if input is not None else None


def _matmul(a, b):
    return RL.matmul_function(a, b)


class _Composed:
    """Stands in for a rule when a call is composed of differentiable ops (it gets no node of its own)."""

    def __init__(self, function: Callable):
        self.apply = function


_CLAMP_WITH_TENSORS = _Composed(RE.clamp_with_tensor_bounds)
_CLAMP_MAX_WITH_TENSOR = _Composed(lambda input, max: RE.clamp_with_tensor_bounds(input, None, max))  # noqa: A002


def _clamp(input, min=None, max=None):  # noqa: A002
    return _CLAMP_WITH_TENSORS if isinstance(min, Tensor) or isinstance(max, Tensor) else RE.ClampBackward1


def _clamp_min(input, min):  # noqa: A002
    return _CLAMP_WITH_TENSORS if isinstance(min, Tensor) else RE.ClampMinBackward0


def _clamp_max(input, max):  # noqa: A002
    return _CLAMP_MAX_WITH_TENSOR if isinstance(max, Tensor) else RE.ClampMaxBackward0


def _squeeze(input, dim=None):
    if dim is None:
        return RS.SqueezeBackward0
    return RS.SqueezeBackward2 if isinstance(dim, (tuple, list)) else RS.SqueezeBackward1


def _getitem(input, key):
    return RI.index_function(key)


def _masked_fill(input, mask, value):
    return RI.MaskedFillBackward1 if isinstance(value, Tensor) else RI.MaskedFillBackward0


def _extreme(name: str, plain: Callable) -> Callable:
    """``max``/``min``: all elements, along a dim (values and indices), or elementwise."""
    full = RR.MaxBackward1 if name == "max" else RR.MinBackward1
    pairwise = RE.MaximumBackward0 if name == "max" else RE.MinimumBackward0
    along = RR.MaxBackward0 if name == "max" else RR.MinBackward0
    result_type = return_types.max if name == "max" else return_types.min

    @functools.wraps(plain)
    def wrapper(input, dim=None, keepdim=False, **kwargs):
        dim = kwargs.pop("axis", dim)
        keepdim = kwargs.pop("keepdims", keepdim)
        if isinstance(dim, Tensor):
            return pairwise.apply(input, dim)
        if dim is None:
            return full.apply(input)
        values = along.apply(input, dim, keepdim, name)
        return result_type((values, values.grad_fn.ctx.indices))  # forward kept the indices

    return wrapper


def _values_and_indices(plain: Callable, rule: type, result_type: type) -> Callable:
    """``sort``/``topk``: the values are differentiable (``rule``), the indices are not."""

    @functools.wraps(plain)
    def wrapper(input, *args, **kwargs):
        values = rule.apply(input, *args, **kwargs)
        return result_type((values, values.grad_fn.ctx.indices))

    return wrapper


def _cat_like(plain: Callable, rule: type) -> Callable:
    @functools.wraps(plain)
    def wrapper(tensors, dim=0, *, axis=None):
        dim = axis if axis is not None else dim
        return rule.apply(dim, *list(tensors))

    return wrapper


def _contiguous(plain: Callable) -> Callable:
    @functools.wraps(plain)
    def wrapper(x, memory_format=None):
        if not x.is_contiguous():
            return RS.CloneBackward0.apply(x).contiguous()
        return plain(x)

    return wrapper


def _to(plain: Callable) -> Callable:
    """``to``/``float``/``double``/``cpu``...: a dtype or device change is recorded (ToCopyBackward0)."""

    @functools.wraps(plain)
    def wrapper(self, *args, **kwargs):
        result = plain(self, *args, **kwargs)
        # (the dispatcher sent this call here because some argument requires grad: it may be `other` of
        # `x.to(other)`, so ask `self`)
        if self.requires_grad and result is not self and result.dtype.is_floating_point:
            return RC.ToCopyBackward0.apply(self, result)
        return result

    return wrapper


# Operation name -> selector of the Function that records a call with inputs requiring grad (the
# operations whose calls need different Functions; the others register theirs with @backward_of).
SELECTORS: Dict[str, Selector] = {
    "div": _div,
    "pow": _pow,
    "clamp": _clamp,
    "clamp_min": _clamp_min,
    "clamp_max": _clamp_max,
    "where": _where,
    "sum": _with_dim(RR.SumBackward0, RR.SumBackward1),
    "mean": _with_dim(RR.MeanBackward0, RR.MeanBackward1),
    "prod": _with_dim(RR.ProdBackward0, RR.ProdBackward1),
    "squeeze": _squeeze,
    "getitem": _getitem,
    "masked_fill": _masked_fill,
    "matmul": _matmul,
}

# Operation name -> maker of its kernel from the plain kernel (several outputs, conversions...).
SPECIAL: Dict[str, Callable[[Callable], Callable]] = {
    "max": lambda plain: _extreme("max", plain),
    "min": lambda plain: _extreme("min", plain),
    "cat": lambda plain: _cat_like(plain, RJ.CatBackward0),
    "stack": lambda plain: _cat_like(plain, RJ.StackBackward0),
    "sort": lambda plain: _values_and_indices(plain, RR.SortBackward0, return_types.sort),
    "topk": lambda plain: _values_and_indices(plain, RR.TopkBackward0, return_types.topk),
    "contiguous": _contiguous,
    "to": _to,
}

# The arithmetic operators' kernels. 2 + x and 3 * x are recorded as x + 2 and x * 3 (as torch);
# number - x has its own rule (RsubBackward1).
OPERATORS: Dict[str, Callable] = {
    "__add__": lambda self, other: RE.AddBackward0.apply(self, other),
    "__radd__": lambda self, other: RE.AddBackward0.apply(self, other),
    "__sub__": lambda self, other: RE.SubBackward0.apply(self, other),
    "__rsub__": lambda self, other: (RE.SubBackward0.apply(other, self) if isinstance(other, Tensor)
                                     else RE.RsubBackward1.apply(self, other)),
    "__mul__": lambda self, other: RE.MulBackward0.apply(self, other),
    "__rmul__": lambda self, other: RE.MulBackward0.apply(self, other),
}


def register() -> None:
    """Put every autograd kernel into the dispatch table (``ops.dispatch.AUTOGRAD``)."""
    for name, select in SELECTORS.items():
        AUTOGRAD[name] = rule_kernel(OPS[name].plain, select)
    for name, make in SPECIAL.items():
        AUTOGRAD[name] = make(OPS[name].plain)
    for name, out_of_place in INPLACE.items():
        compute = OPS[out_of_place] if isinstance(out_of_place, str) else out_of_place
        AUTOGRAD[name] = make_inplace(OPS[name].plain, compute)
    AUTOGRAD["setitem"] = make_setitem(OPS["setitem"].plain)
    AUTOGRAD.update(OPERATORS)
