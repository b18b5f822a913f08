"""The operation vocabulary (``backends/base.py``) as ``@triton.jit`` functions on blocks of elements.

Taught in notebooks/05_gpus_and_kernels.ipynb. ``FN`` is a compile-time string, so each kernel keeps only
the branch it needs. Only Triton's core math is used (exp, log, sin, cos, sqrt, floor, ceil): it runs both
compiled and in the interpreter, which has no libdevice. The rest is built from it with formulas that keep
float32 within torch's tolerances (``expm1``/``log1p`` by Kahan's tricks, ``atan`` by two half-angle steps
and a short series). float16 is computed in float32 and rounded once, as torch does.
"""

from __future__ import annotations

import triton.language as tl

from .jit import device_function

# Internal names beside the vocabulary: "truth" is bool(x) (x != 0, NaN included), used by casts to bool.


@device_function
def widen(x):
    """float16 computes in float32; other types as they are."""
    if x.dtype == tl.float16:
        x = x.to(tl.float32)
    return x


@device_function
def constant(x, value):
    """``value`` as a block of ``x``'s shape and type (a literal alone would be float32)."""
    return tl.full(x.shape, value, x.dtype)


@device_function
def expm1(x):
    u = tl.exp(x)
    small = tl.where(u == 1, x, (u - 1) * x / tl.log(u))  # Kahan: exact where u rounds, accurate near 0
    return tl.where(tl.abs(x) < 0.5, small, u - 1)  # (away from 0, u - 1 loses nothing)


@device_function
def log1p(x):
    u = 1 + x
    small = tl.where(u == 1, x, tl.log(u) * x / (u - 1))  # Kahan, as in expm1
    return tl.where(tl.abs(x) < 0.5, small, tl.log(u))


@device_function
def tanh(x):
    e = tl.exp(-2 * tl.abs(x))
    t = (1 - e) / (1 + e)
    return tl.where(x < 0, -t, t)


@device_function
def round_half_even(x):
    r = tl.floor(x + 0.5)
    d = r - x
    odd = (r - 2 * tl.floor(r * 0.5)) != 0
    return tl.where(d > 0.5, r - 1, tl.where((d == 0.5) & odd, r - 1, r))


@device_function
def atan(z):
    """atan by two half-angle steps (|t| <= tan(pi/16)) and the series to t^19."""
    t = z / (1 + tl.sqrt(1 + z * z))
    t = t / (1 + tl.sqrt(1 + t * t))
    big = tl.abs(z) > 1e18  # 1 + z * z overflows: atan is +-pi/2 there
    t2 = t * t
    series = constant(t, 1.0 / 19.0)
    for k in tl.static_range(9):
        series = constant(t, 1.0 / (17 - 2 * k)) - t2 * series
    y = 4 * t * series
    return tl.where(big, tl.where(z > 0, constant(z, 1.5707963267948966), constant(z, -1.5707963267948966)), y)


@device_function
def atan2(a, b):
    pi = constant(a, 3.141592653589793)
    negative_a = (a < 0) | ((a == 0) & (1 / a < 0))  # -0.0 counts as negative, as in C's atan2
    negative_b = (b < 0) | ((b == 0) & (1 / b < 0))
    y = atan(a / b)
    y = tl.where(negative_b, tl.where(negative_a, y - pi, y + pi), y)
    y = tl.where((b == 0) & (a != 0), tl.where(negative_a, -pi * 0.5, pi * 0.5), y)
    y = tl.where(a == 0, tl.where(negative_b, tl.where(negative_a, -pi, pi), a), y)
    return tl.where((a != a) | (b != b), a + b, y)


@device_function
def float_pow(a, b):
    """a ** b for floats: exp2(b * log2|a|) in float64, with the sign of odd integer powers of negatives."""
    wide_a = a.to(tl.float64)
    wide_b = b.to(tl.float64)
    magnitude = tl.exp2(wide_b * tl.log2(tl.abs(wide_a)))
    integral = tl.floor(wide_b) == wide_b
    odd = integral & ((wide_b - 2 * tl.floor(wide_b * 0.5)) != 0)
    y = tl.where((wide_a < 0) & odd, -magnitude, magnitude)
    y = tl.where((wide_a < 0) & ~integral & (tl.abs(wide_b) != float("inf")), float("nan"), y)
    y = tl.where((wide_b == 0) | (wide_a == 1), 1.0, y)
    return y.to(a.dtype)


@device_function
def int_pow(a, b):
    """a ** b for integers (b >= 0): square and multiply over b's bits."""
    result = tl.full(a.shape, 1, a.dtype)
    base = a
    exponent = b
    for _ in tl.static_range(63):
        result = tl.where((exponent & 1) != 0, result * base, result)
        base = base * base
        exponent = exponent >> 1
    return result


@device_function
def unary(x, FN: tl.constexpr):
    """The vocabulary's unary function ``FN`` on a block."""
    x = widen(x)
    if FN == "identity":
        y = x
    elif FN == "truth":
        y = x != 0
    elif FN == "neg":
        y = -x
    elif FN == "abs":
        y = tl.abs(x)
    elif FN == "exp":
        y = tl.exp(x)
    elif FN == "exp2":
        y = tl.exp2(x)
    elif FN == "expm1":
        y = expm1(x)
    elif FN == "log":
        y = tl.log(x)
    elif FN == "log2":
        y = tl.log2(x)
    elif FN == "log10":
        y = tl.log(x) / tl.log(constant(x, 10.0))
    elif FN == "log1p":
        y = log1p(x)
    elif FN == "sqrt":
        y = tl.sqrt(x)
    elif FN == "square":
        y = x * x
    elif FN == "reciprocal":
        y = 1 / x
    elif FN == "sin":
        y = tl.sin(x)
    elif FN == "cos":
        y = tl.cos(x)
    elif FN == "tan":
        y = tl.sin(x) / tl.cos(x)
    elif FN == "tanh":
        y = tanh(x)
    elif FN == "sigmoid":
        y = 1 / (1 + tl.exp(-x))
    elif FN == "relu":
        y = tl.where(x < 0, constant(x, 0), x)  # NaN stays NaN
    elif FN == "sign":
        y = tl.where(x > 0, 1, tl.where(x < 0, -1, 0)).to(x.dtype)  # NaN gives 0, as in torch
    elif FN == "floor":
        y = tl.floor(x) if x.dtype.is_floating() else x
    elif FN == "ceil":
        y = tl.ceil(x) if x.dtype.is_floating() else x
    elif FN == "round":
        y = round_half_even(x) if x.dtype.is_floating() else x
    elif FN == "trunc":
        y = tl.where(x < 0, tl.ceil(x), tl.floor(x)) if x.dtype.is_floating() else x
    elif FN == "logical_not":
        y = x == 0
    elif FN == "bitwise_not":
        y = (x == 0) if x.dtype == tl.int1 else -x - 1  # two's complement: ~x == -x - 1 (uint8 wraps alike)
    elif FN == "isnan":
        y = x != x
    elif FN == "isinf":
        y = tl.abs(x) == float("inf") if x.dtype.is_floating() else x != x
    elif FN == "isfinite":
        y = (x == x) & (tl.abs(x) != float("inf")) if x.dtype.is_floating() else x == x
    else:
        tl.static_assert(False, "unknown unary function")
    return y


@device_function
def binary(a, b, FN: tl.constexpr):
    """The vocabulary's binary function ``FN`` on two blocks of one type."""
    a = widen(a)
    b = widen(b)
    if FN == "add":
        y = a + b
    elif FN == "sub":
        y = a - b
    elif FN == "mul":
        y = a * b
    elif FN == "div":
        y = a / b
    elif FN == "floor_divide":
        if a.dtype.is_floating():
            mod = a % b  # fmod: the sign of a
            div = (a - mod) / b
            div = tl.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
            floored = tl.floor(div)
            floored = tl.where(div - floored > 0.5, floored + 1, floored)
            y = tl.where(b == 0, a / b, tl.where(div == 0, (a / b) * 0, floored))
        else:
            quotient = a // b  # truncates toward zero
            y = tl.where(((a % b) != 0) & ((a < 0) != (b < 0)), quotient - 1, quotient)
    elif FN == "remainder":
        mod = a % b
        y = tl.where((mod != 0) & ((mod < 0) != (b < 0)), mod + b, mod)
        if a.dtype.is_floating():
            y = tl.where(mod == 0, tl.where(b < 0, constant(a, -0.0), constant(a, 0.0)), y)  # zero takes b's sign
    elif FN == "fmod":
        y = a % b
    elif FN == "pow":
        y = float_pow(a, b) if a.dtype.is_floating() else int_pow(a, b)
    elif FN == "maximum":
        y = tl.maximum(a, b)
        if a.dtype.is_floating():
            y = tl.where((a != a) | (b != b), a + b, y)
    elif FN == "minimum":
        y = tl.minimum(a, b)
        if a.dtype.is_floating():
            y = tl.where((a != a) | (b != b), a + b, y)
    elif FN == "atan2":
        y = atan2(a, b)
    elif FN == "eq":
        y = a == b
    elif FN == "ne":
        y = a != b
    elif FN == "lt":
        y = a < b
    elif FN == "le":
        y = a <= b
    elif FN == "gt":
        y = a > b
    elif FN == "ge":
        y = a >= b
    elif FN == "logical_and":
        y = (a != 0) & (b != 0)
    elif FN == "logical_or":
        y = (a != 0) | (b != 0)
    elif FN == "logical_xor":
        y = (a != 0) != (b != 0)
    elif FN == "bitwise_and":
        y = a & b
    elif FN == "bitwise_or":
        y = a | b
    elif FN == "bitwise_xor":
        y = a ^ b
    else:
        tl.static_assert(False, "unknown binary function")
    return y
