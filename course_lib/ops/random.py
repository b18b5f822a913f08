"""Random sampling into existing tensors: ``uniform_``, ``normal_`` (``nn.init`` builds on them).

Each draws from course_lib's generator (``manual_seed``; or the ``generator`` given) and writes into the
tensor through ``copy_``, so the in-place rules hold (a leaf that requires grad is refused outside
``no_grad``, as torch refuses it). The numbers differ from torch's (another generator); their
distribution is the same.
"""

from __future__ import annotations

import math
from typing import Optional

from .._tensor import Tensor
from ..generator import Generator
from .creation import rand, randn
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


