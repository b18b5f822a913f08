"""Connect the backward rules to the chapter-01 operations.

Chapter 01's functions (``elementwise.add``, ``Tensor.sum``, ``x + y``...) compute
without a graph. :func:`install` replaces each differentiable one, wherever it is reachable
(its module, aliases such as ``concat = cat``, ``Tensor`` methods and operators, the
``course_lib`` namespace), by a wrapper that calls the chapter-01 function directly when no
input requires grad (the fast path: one flag test) and goes through the op's
:class:`~course_lib.autograd.function.Function` otherwise.

In-place operations (``add_``, ``x[key] = v``...) get the wrappers of ``inplace.py``, which
rebase the tensor onto the node of the out-of-place computation, as torch does.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Optional

from .. import return_types
from .._tensor import Tensor
from ..ops import activation, conversion, creation, elementwise, indexing, inplace, join, linalg, reduce, unary, views
from .grad_mode import _state, any_requires_grad
from .inplace import INPLACE, make_inplace, make_setitem
from .rules import elementwise as RE
from .rules import linalg as RL
from .rules import reduce as RR
from .rules import unary as RU
from .rules import views as RS

Selector = Callable[..., Optional[type]]


def differentiable(raw: Callable, select: Selector) -> Callable:
    """Wrap ``raw`` so that calls with inputs requiring grad go through ``select(...)``'s Function.

    ``select`` gets the call's arguments and returns a Function class, or None when this
    call is not differentiable (then ``raw`` runs and the result has no ``grad_fn``).
    """

    @functools.wraps(raw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _state.enabled and any_requires_grad(args, kwargs):
            rule = select(*args, **kwargs)
            if rule is not None:
                return rule.apply(*args, **kwargs)
        return raw(*args, **kwargs)

    wrapper.raw = raw
    return wrapper


def always(rule: type) -> Selector:
    return lambda *args, **kwargs: rule


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
    return RS.index_function(key)


def _masked_fill(input, mask, value):
    return RS.MaskedFillBackward1 if isinstance(value, Tensor) else RS.MaskedFillBackward0


def _extreme(name: str, raw: Callable) -> Callable:
    """``max``/``min``: all elements, along a dim (values and indices), or elementwise."""
    full = RR.MaxBackward1 if name == "max" else RR.MinBackward1
    pairwise = RE.MaximumBackward0 if name == "max" else RE.MinimumBackward0
    along = RR.MaxBackward0 if name == "max" else RR.MinBackward0
    result_type = return_types.max if name == "max" else return_types.min

    @functools.wraps(raw)
    def wrapper(input, dim=None, keepdim=False, **kwargs):
        dim = kwargs.pop("axis", dim)
        keepdim = kwargs.pop("keepdims", keepdim)
        if not (_state.enabled and any_requires_grad((input, dim), {})):
            return raw(input, dim, keepdim)
        if isinstance(dim, Tensor):
            return pairwise.apply(input, dim)
        if dim is None:
            return full.apply(input)
        values = along.apply(input, dim, keepdim, name)
        return result_type((values, values.grad_fn.ctx.indices))  # forward kept the indices

    wrapper.raw = raw
    return wrapper


def _values_and_indices(raw: Callable, rule: type, result_type: type) -> Callable:
    """``sort``/``topk``: the values are differentiable (``rule``), the indices are not."""

    @functools.wraps(raw)
    def wrapper(input, *args, **kwargs):
        if not (_state.enabled and input.requires_grad):
            return raw(input, *args, **kwargs)
        values = rule.apply(input, *args, **kwargs)
        return result_type((values, values.grad_fn.ctx.indices))

    wrapper.raw = raw
    return wrapper


def _cat_like(raw: Callable, rule: type) -> Callable:
    @functools.wraps(raw)
    def wrapper(tensors, dim=0, *, axis=None):
        dim = axis if axis is not None else dim
        tensors = list(tensors)
        if _state.enabled and any_requires_grad(tuple(tensors), {}):
            return rule.apply(dim, *tensors)
        return raw(tensors, dim)

    wrapper.raw = raw
    return wrapper


def _contiguous(raw: Callable) -> Callable:
    @functools.wraps(raw)
    def wrapper(x, memory_format=None):
        if _state.enabled and x.requires_grad and not x.is_contiguous():
            return RU.CloneBackward0.apply(x).contiguous()
        return raw(x)

    wrapper.raw = raw
    return wrapper


def _to(raw: Callable) -> Callable:
    """``to``/``float``/``double``/``cpu``...: a dtype or device change is recorded (ToCopyBackward0)."""

    @functools.wraps(raw)
    def wrapper(self, *args, **kwargs):
        result = raw(self, *args, **kwargs)
        if _state.enabled and self.requires_grad and result is not self and result.dtype.is_floating_point:
            return RU.ToCopyBackward0.apply(self, result)
        return result

    wrapper.raw = raw
    return wrapper


# Function name -> selector of the Function for a call with inputs requiring grad. The name
# is looked up in MODULES (its first home wins); every alias of it is rewired.
RULES: Dict[str, Selector] = {
    "add": always(RE.AddBackward0),
    "sub": always(RE.SubBackward0),
    "mul": always(RE.MulBackward0),
    "div": _div,
    "pow": _pow,
    "neg": always(RU.NegBackward0),
    "exp": always(RU.ExpBackward0),
    "log": always(RU.LogBackward0),
    "sqrt": always(RU.SqrtBackward0),
    "sigmoid": always(RU.SigmoidBackward0),
    "tanh": always(RU.TanhBackward0),
    "relu": always(RU.ReluBackward0),
    "sin": always(RU.SinBackward0),
    "cos": always(RU.CosBackward0),
    "tan": always(RU.TanBackward0),
    "log1p": always(RU.Log1PBackward0),
    "log2": always(RU.Log2Backward0),
    "log10": always(RU.Log10Backward0),
    "expm1": always(RU.Expm1Backward0),
    "exp2": always(RU.Exp2Backward0),
    "rsqrt": always(RU.RsqrtBackward0),
    "square": always(RU.SquareBackward),
    "atan2": always(RE.Atan2Backward0),
    "floor": always(RU.FloorBackward0),
    "ceil": always(RU.CeilBackward0),
    "round": always(RU.RoundBackward0),
    "trunc": always(RU.TruncBackward0),
    "sign": always(RU.SignBackward0),
    "abs": always(RU.AbsBackward0),
    "reciprocal": always(RU.ReciprocalBackward0),
    "maximum": always(RE.MaximumBackward0),
    "minimum": always(RE.MinimumBackward0),
    "clamp": _clamp,
    "clamp_min": _clamp_min,
    "clamp_max": _clamp_max,
    "where": _where,
    "sum": _with_dim(RR.SumBackward0, RR.SumBackward1),
    "mean": _with_dim(RR.MeanBackward0, RR.MeanBackward1),
    "amax": always(RR.AmaxBackward0),
    "amin": always(RR.AminBackward0),
    "prod": _with_dim(RR.ProdBackward0, RR.ProdBackward1),
    "cumsum": always(RR.CumsumBackward0),
    "cumprod": always(RR.CumprodBackward0),
    "var": always(RR.VarBackward0),
    "std": always(RR.StdBackward0),
    "norm": always(RR.LinalgVectorNormBackward0),
    "logsumexp": always(RR.LogsumexpBackward0),
    "softmax": always(RR.SoftmaxBackward0),
    "log_softmax": always(RR.LogSoftmaxBackward0),
    "view": always(RS.ViewBackward0),
    "reshape": always(RS.ReshapeBackward),
    "flatten": always(RS.FlattenBackward),
    "unflatten": always(RS.UnflattenBackward),
    "squeeze": _squeeze,
    "unsqueeze": always(RS.UnsqueezeBackward0),
    "permute": always(RS.PermuteBackward0),
    "transpose": always(RS.TransposeBackward0),
    "t": always(RS.TBackward0),
    "expand": always(RS.ExpandBackward0),
    "flip": always(RS.FlipBackward0),
    "repeat": always(RS.RepeatBackward0),
    "narrow": always(RS.NarrowBackward),
    "select": always(RS.SelectBackward0),
    "clone": always(RU.CloneBackward0),
    "getitem": _getitem,
    "index_select": always(RS.IndexSelectBackward0),
    "gather": always(RS.GatherBackward0),
    "masked_fill": _masked_fill,
    "matmul": _matmul,
    "mm": always(RL.MmBackward0),
    "mv": always(RL.MvBackward0),
    "dot": always(RL.DotBackward0),
    "bmm": always(RL.BmmBackward0),
}

SPECIAL: Dict[str, Callable[[Callable], Callable]] = {
    "max": lambda raw: _extreme("max", raw),
    "min": lambda raw: _extreme("min", raw),
    "cat": lambda raw: _cat_like(raw, RS.CatBackward0),
    "stack": lambda raw: _cat_like(raw, RS.StackBackward0),
    "sort": lambda raw: _values_and_indices(raw, RR.SortBackward0, return_types.sort),
    "topk": lambda raw: _values_and_indices(raw, RR.TopkBackward0, return_types.topk),
    "contiguous": _contiguous,
    "to": _to,
}

MODULES = [activation, elementwise, unary, reduce, views, join, indexing, linalg, conversion, creation,
           inplace]


def _home(name: str) -> Any:
    for module in MODULES:
        if name in module.__dict__:
            return module.__dict__[name]
    raise AttributeError(f"no operation named {name!r} in {[m.__name__ for m in MODULES]}")


def _replace_everywhere(raw: Callable, wrapped: Callable, namespaces: list) -> None:
    """Point every name bound to ``raw`` (aliases included) in ``namespaces`` at ``wrapped``."""
    for namespace in namespaces:
        table = namespace.__dict__
        for name, value in list(table.items()):
            if value is raw:
                setattr(namespace, name, wrapped)


def install(package: Any) -> None:
    """Make the chapter-01 operations differentiable; ``course_lib/__init__.py`` calls it once.

    Args:
        package: the ``course_lib`` package module, whose top-level names are rebound too.
    """
    namespaces = MODULES + [Tensor, package]
    for name, select in RULES.items():
        raw = _home(name)
        _replace_everywhere(raw, differentiable(raw, select), namespaces)
    for name, make in SPECIAL.items():
        raw = _home(name)
        _replace_everywhere(raw, make(raw), namespaces)
    _install_operators()
    _install_inplace(namespaces)


def _install_operators() -> None:
    """``x + y`` and friends: the chapter-01 operators take a fast path; add the grad check.

    The operator has already seen that an operand requires grad, so the arithmetic ones go
    straight to their rule (the module function's wrapper would test it again: a hot path).
    """
    pairs = {
        "__add__": lambda self, other: RE.AddBackward0.apply(self, other),
        "__radd__": lambda self, other: RE.AddBackward0.apply(self, other),  # 2 + x is recorded as x + 2 (torch)
        "__sub__": lambda self, other: RE.SubBackward0.apply(self, other),
        "__rsub__": lambda self, other: (RE.SubBackward0.apply(other, self) if isinstance(other, Tensor)
                                         else RE.RsubBackward1.apply(self, other)),
        "__mul__": lambda self, other: RE.MulBackward0.apply(self, other),
        "__rmul__": lambda self, other: RE.MulBackward0.apply(self, other),  # 3 * x is recorded as x * 3 (torch)
        "__truediv__": lambda self, other: RE.DivBackward0.apply(self, other),
        "__rtruediv__": lambda self, other: RE.DivBackward0.apply(other, self),
        "__pow__": lambda self, other: _pow(self, other).apply(self, other),
        "__rpow__": lambda self, other: _pow(other, self).apply(other, self),
        "__matmul__": lambda self, other: linalg.matmul(self, other),
        "__rmatmul__": lambda self, other: linalg.matmul(other, self),
        "__neg__": lambda self: RU.NegBackward0.apply(self),
        "__abs__": lambda self: RU.AbsBackward0.apply(self),
        "__getitem__": lambda self, key: RS.index_function(key).apply(self, key),
    }
    for name, slow in pairs.items():
        fast = getattr(Tensor, name)
        setattr(Tensor, name, _grad_aware_operator(fast, slow))
    Tensor.T = property(_transposed_all, doc="All dimensions reversed (a view).")
    Tensor.mT = property(lambda self: views.mT(self), doc="The last two dimensions swapped (a view).")


def _transposed_all(self: Tensor) -> Tensor:
    """``x.T``: recorded as a permute (torch's PermuteBackward0) when it takes part in a graph."""
    if _state.enabled and self.requires_grad:
        return views.permute(self, tuple(reversed(range(self.ndim))))
    return views.T(self)


def _grad_aware_operator(fast: Callable, slow: Callable) -> Callable:
    def operator(self, *args):
        if _state.enabled and (self.requires_grad or (args and isinstance(args[0], Tensor) and args[0].requires_grad)):
            return slow(self, *args)
        return fast(self, *args)

    operator.__name__ = getattr(fast, "__name__", "operator")
    return operator


def _install_inplace(namespaces: list) -> None:
    for name, out_of_place in INPLACE.items():
        raw = _home(name)
        function = _home(out_of_place) if isinstance(out_of_place, str) else out_of_place
        _replace_everywhere(raw, make_inplace(raw, function), namespaces)
    Tensor.__iadd__, Tensor.__isub__ = inplace.add_, inplace.sub_
    Tensor.__imul__, Tensor.__itruediv__ = inplace.mul_, inplace.div_
    Tensor.__ipow__ = inplace.pow_
    indexing.setitem = Tensor.__setitem__ = make_setitem(indexing.setitem)
