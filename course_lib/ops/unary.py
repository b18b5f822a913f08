"""Unary elementwise functions: ``neg``, ``abs``, ``exp``, ``log``, ``sqrt``, ``sigmoid``, ``relu``...

Taught in notebooks/01_tensors.ipynb, section "Elementwise operations and broadcasting". Each is one call of
the backend's ``map`` primitive; integer inputs of floating-point functions (``exp`` of an
int64 tensor) are first cast to the default float dtype, as in torch.
"""

from __future__ import annotations

from .. import dtypes as _dt
from .._tensor import Tensor
from .common import backend_for, cast, wrong_type
from .writes import accepts_out
from .dispatch import alias, differentiable, public

_FLOAT_ONLY = frozenset({"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "sin", "cos", "tan",
                         "tanh", "sigmoid", "reciprocal"})
_INTEGER_IDENTITY = frozenset({"floor", "ceil", "round", "trunc"})


def _unary(fn_name: str, x: Tensor) -> Tensor:
    if not isinstance(x, Tensor):
        raise wrong_type(f"{fn_name}(): argument 'input' (position 1) must be course_lib.Tensor, not {{}}", x)
    dtype = x.dtype
    if not dtype.is_floating_point:
        if fn_name in _FLOAT_ONLY:  # exp of an int tensor is a float tensor, as in torch
            x = cast(x, _dt.get_default_dtype())
        elif fn_name in _INTEGER_IDENTITY:
            return backend_for(x.device).copy(x)
        elif fn_name == "neg" and dtype is _dt.bool:
            raise NotImplementedError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                                      "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return backend_for(x.device).map(fn_name, x)


def _make_unary(fn_name: str, doc: str, has_gradient: bool = True):
    """The public function ``fn_name`` (dispatched to its autograd kernel when ``has_gradient``)."""

    def function(input: Tensor) -> Tensor:
        return _unary(fn_name, input)

    function.__name__ = function.__qualname__ = fn_name
    function.__doc__ = doc
    function = accepts_out(function)
    return differentiable(fn_name)(function) if has_gradient else public()(function)


neg = _make_unary("neg", "``-input`` elementwise.")
negative = alias("negative", neg)
abs = _make_unary("abs", "Absolute value elementwise.")  # noqa: A001
exp = _make_unary("exp", "``e ** input`` elementwise (integers give floats).")
exp2 = _make_unary("exp2", "``2 ** input`` elementwise.")
expm1 = _make_unary("expm1", "``exp(input) - 1``, accurate near 0.")
log = _make_unary("log", "Natural logarithm elementwise (``log(0) = -inf``).")
log2 = _make_unary("log2", "Base-2 logarithm elementwise.")
log10 = _make_unary("log10", "Base-10 logarithm elementwise.")
log1p = _make_unary("log1p", "``log(1 + input)``, accurate near 0.")
sqrt = _make_unary("sqrt", "Square root elementwise (``sqrt(-1) = nan``).")
square = _make_unary("square", "``input * input``.")
reciprocal = _make_unary("reciprocal", "``1 / input`` elementwise.")
sin = _make_unary("sin", "Sine elementwise.")
cos = _make_unary("cos", "Cosine elementwise.")
tan = _make_unary("tan", "Tangent elementwise.")
tanh = _make_unary("tanh", "Hyperbolic tangent elementwise.")
sigmoid = _make_unary("sigmoid", "``1 / (1 + exp(-input))`` elementwise.")
relu = _make_unary("relu", "``max(input, 0)`` elementwise.")
sign = _make_unary("sign", "-1, 0 or 1 elementwise.")
floor = _make_unary("floor", "Round down elementwise.")
ceil = _make_unary("ceil", "Round up elementwise.")
_round_to_integer = _make_unary("round", "Round to the nearest integer, half to even.")


@public()
def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001  (torch.round)
    """Round to ``decimals`` decimal places (half to even); computed as torch does, ``round(x * 10**d) / 10**d``."""
    if decimals == 0:
        return _round_to_integer(input)
    scale = 10.0 ** decimals
    return _round_to_integer(input * scale) / scale
trunc = _make_unary("trunc", "Round towards zero elementwise.")
isnan = _make_unary("isnan", "True where the element is NaN.", has_gradient=False)
isinf = _make_unary("isinf", "True where the element is +-inf.", has_gradient=False)
isfinite = _make_unary("isfinite", "True where the element is neither inf nor NaN.", has_gradient=False)
logical_not = _make_unary("logical_not", "True where the element is zero (False).", has_gradient=False)


@differentiable("rsqrt")
def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``."""
    return reciprocal(sqrt(input))


@public(export=False)
def positive(input: Tensor) -> Tensor:
    """``+input``: the tensor itself."""
    return input


@public()
def bitwise_not(input: Tensor) -> Tensor:
    """``~input``: logical NOT for bool tensors, bitwise NOT for integers."""
    if input.dtype.is_floating_point:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{input.dtype.type_name}'")
    return backend_for(input.device).map("bitwise_not", input)
