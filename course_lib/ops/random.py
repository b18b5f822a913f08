"""Random sampling: ``uniform_``, ``normal_`` (``nn.init`` builds on them), ``bernoulli_``, ``random_``,
``exponential_`` into existing tensors; ``bernoulli`` and ``multinomial`` into new ones.

Each draws from course_lib's generator (``manual_seed``; or the ``generator`` given) and writes into the
tensor through ``copy_``, so the in-place rules hold (a leaf that requires grad is refused outside
``no_grad``, as torch refuses it). The numbers differ from torch's (another generator); their
distribution is the same.
"""

from __future__ import annotations

import math
import struct
import warnings
from typing import Any, Optional

from .. import dtypes as _dt
from .._tensor import Tensor
from ..generator import Generator, default_generator
from .creation import empty_like, rand, randint, randn, tensor
from .reduce import cumsum, topk
from .dispatch import public
from .inplace import copy_


def _random_like(draw, self: Tensor, generator: Optional[Generator]) -> Tensor:
    if not self.dtype.is_floating_point:
        raise NotImplementedError(f'"{draw.__name__}" not implemented for \'{self.dtype.name.capitalize()}\'')
    return draw(self.shape, dtype=self.dtype, device=self.device, generator=generator)


@public("uniform_", export=False)
def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with numbers drawn uniformly from ``[a, b)``, in place; returns self."""
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    return copy_(self, _random_like(rand, self, generator) * (b - a) + a)


@public("normal_", export=False)
def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with numbers drawn from a normal distribution N(mean, std²), in place; returns self."""
    if std < 0 or math.isnan(std):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return copy_(self, _random_like(randn, self, generator) * std + mean)




# --------------------------------------------------------------------------- Bernoulli, integers, exponential


def _check_probability(p: Any, name: str) -> None:
    """torch's range check of a probability (a number, or every element of a tensor)."""
    if isinstance(p, Tensor):
        if not p.dtype.is_floating_point:
            raise NotImplementedError(f'"{name}" not implemented for \'{p.dtype.type_name}\': the probabilities '
                                      "must be a floating-point tensor")
        if p.numel() and not bool(((p >= 0) & (p <= 1)).all()):
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false. (every probability "
                               "must be in [0, 1])")
    elif not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")


@public("bernoulli_", export=False)
def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with 1 (probability ``p``) or 0, in place; returns self. Any dtype (bool, integers, floats).

    Args:
        p: a number in ``[0, 1]``, or a floating-point tensor of probabilities broadcastable to ``self``.

    Raises:
        RuntimeError: ``p`` outside ``[0, 1]`` (torch's type).
    """
    _check_probability(p, "bernoulli_tensor_cpu_p_")
    draw = rand(self.shape, dtype=_dt.float64, device=self.device, generator=generator)
    return copy_(self, draw < p)


@public()
def bernoulli(input: Tensor, p: Optional[float] = None, *, generator: Optional[Generator] = None) -> Tensor:
    """A new tensor of 0s and 1s like ``input``: element i is 1 with probability ``input[i]`` (or ``p`` when given).

    Returns:
        ``input``'s shape and dtype. The result records no graph (torch's has a zero gradient).

    Raises:
        NotImplementedError: integer probabilities (torch's type). RuntimeError: a probability outside [0, 1].
    """
    probabilities = input if p is None else p
    if p is None and not input.dtype.is_floating_point:
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for \'{input.dtype.type_name}\': '
                                  "the probabilities must be a floating-point tensor")
    return bernoulli_(empty_like(input), probabilities.detach() if p is None else p, generator=generator)


def _default_upper_bound(dtype: _dt.dtype) -> int:
    """``random_()``'s exclusive upper bound: the dtype's largest integer, or ``2**mantissa`` for floats
    (every integer up to it is exact)."""
    if dtype.is_floating_point:
        return 2 ** _MANTISSA_BITS[dtype.name] + 1
    return _dt.SCALAR_RANGE[dtype][1] + 1


_MANTISSA_BITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}


def _check_bounds(low: int, high: int, dtype: _dt.dtype) -> None:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dtype.is_floating_point:
        limit = 2 ** _MANTISSA_BITS[dtype.name]
        for value, name in ((low, "from"), (high - 1, "to - 1")):
            if not -limit <= value <= limit:
                warnings.warn(f"{name} is out of bounds [-(2^{_MANTISSA_BITS[dtype.name]}), "
                              f"2^{_MANTISSA_BITS[dtype.name]}]: {dtype.name} holds every integer only within "
                              "this range", UserWarning, stacklevel=3)
        return
    smallest, largest = _dt.SCALAR_RANGE[dtype]
    if not smallest <= low <= largest:
        raise RuntimeError(f"from is out of bounds for {dtype.cpp_name}: {low} is outside [{smallest}, {largest}]")
    if not smallest <= high - 1 <= largest:
        raise RuntimeError(f"to - 1 is out of bounds for {dtype.cpp_name}: {high - 1} is outside "
                           f"[{smallest}, {largest}]")


@public("random_", export=False)
def random_(self: Tensor, from_: Optional[int] = None, to: Optional[int] = None, *,
            generator: Optional[Generator] = None) -> Tensor:
    """Fill with integers drawn uniformly from ``[from_, to)``, in place; returns self.

    torch's three calls: ``random_()`` (from 0 to the dtype's largest integer, ``2**mantissa`` for floats),
    ``random_(to)`` and ``random_(from, to)``. torch's first parameter is ``from``, a Python keyword: here
    ``from_`` (the same position).

    Raises:
        TypeError: a bound that is not an int. RuntimeError: ``from >= to``, or a bound outside an integer
            dtype (torch's "from is out of bounds for signed char").
    """
    for bound in (from_, to):
        if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
            raise TypeError(f"random_(): the bounds must be ints (from, to), but got {type(bound).__name__}")
    if to is None and from_ is not None:  # random_(to): torch's one-argument overload
        from_, to = 0, from_
    low = 0 if from_ is None else from_
    high = _default_upper_bound(self.dtype) if to is None else to
    _check_bounds(low, high, self.dtype)
    return copy_(self, randint(low, high, self.shape, dtype=self.dtype, device=self.device, generator=generator))


@public("exponential_", export=False)
def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Optional[Generator] = None) -> Tensor:
    """Fill with numbers drawn from the exponential distribution of rate ``lambd`` (mean ``1/lambd``), in place.

    Raises:
        RuntimeError: ``lambd <= 0``, or an integer or bool ``self`` (torch's type).
    """
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    if not self.dtype.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {self.dtype.type_name}")
    # -log(1 - u) with u in [0, 1): the inverse of the exponential CDF, finite because 1 - u > 0.
    uniform = rand(self.shape, dtype=_dt.float64, device=self.device, generator=generator)
    return copy_(self, uniform.neg_().log1p().neg_().div_(lambd))


# --------------------------------------------------------------------------- multinomial


def _check_distribution(input: Tensor, num_samples: int, replacement: bool) -> None:
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype.type_name}")
    if input.dim() not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {input.dim()} dimensions")
    if num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples (num_samples={num_samples})")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {categories})")
    if not bool(((input >= 0) & input.isfinite()).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not bool((input.sum(-1) > 0).all()):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")


@public()
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Optional[Generator] = None) -> Tensor:
    """Indices of categories drawn with probabilities proportional to the weights of ``input``'s last dimension.

    Args:
        input: ``(C,)`` or ``(N, C)`` non-negative weights (they need not sum to 1).
        num_samples: draws per row; without replacement at most ``C``.

    Returns:
        int64 ``(num_samples,)`` or ``(N, num_samples)``, a new tensor.

    Raises:
        RuntimeError: torch's checks (integer weights, not 1-d or 2-d, ``num_samples <= 0`` or more than ``C``
            without replacement, a negative/inf/nan weight, a row summing to 0).
    """
    _check_distribution(input, num_samples, replacement)
    weights = input.detach().to(_dt.float64)
    rows = weights if weights.dim() == 2 else weights.unsqueeze(0)
    if not replacement:
        # Each category's key w / E with E ~ Exp(1): the k largest keys are k draws without replacement
        # (the "exponential race": the category whose exponential clock rings first is drawn first).
        clocks = exponential_(empty_like(rows), generator=generator)
        chosen = topk(rows / clocks, num_samples, dim=-1).indices
    else:
        # Inverse CDF: a uniform point on [0, total) falls into category i's slice of the cumulative sums.
        edges = cumsum(rows, dim=-1)
        points = rand(rows.shape[0], num_samples, 1, dtype=_dt.float64, device=rows.device,
                      generator=generator) * edges[:, -1:].unsqueeze(1)
        passed = (points >= edges.unsqueeze(1)).sum(-1)  # (N, num_samples): edges at or below each point
        chosen = passed.clamp_(max=rows.shape[-1] - 1)  # a point rounded onto the total stays in range
    return chosen if input.dim() == 2 else chosen.squeeze(0)


# --------------------------------------------------------------------------- the default generator's state
# A uint8 tensor, as torch's, so a checkpoint keeps it with the weights (and torch.load(weights_only=True) reads it).


@public(method=False)
def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor (for :func:`set_rng_state`)."""
    return tensor(list(default_generator.state_bytes()), dtype=_dt.uint8)


@public(method=False)
def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator from a :func:`get_rng_state` tensor.

    Raises:
        TypeError: not a tensor.
        RuntimeError: not a uint8 tensor of the right length.
    """
    if not isinstance(new_state, Tensor):
        raise TypeError(f"set_rng_state(): argument 'new_state' must be Tensor, not {type(new_state).__name__}")
    size = struct.calcsize(Generator.STATE_LAYOUT)
    if new_state.dtype is not _dt.uint8 or new_state.numel() != size:
        raise RuntimeError(f"Expected a uint8 tensor of {size} elements (course_lib's generator state), got a "
                           f"{new_state.dtype} tensor of {new_state.numel()}")
    default_generator.set_state_bytes(bytes(new_state.tolist()))
