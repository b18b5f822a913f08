"""``nn.Flatten``: dimensions ``start_dim .. end_dim`` merged into one (images to vectors); ``nn.Unflatten``, the
inverse: one dimension split into several."""

from __future__ import annotations

from typing import Sequence

from ..._tensor import Tensor
from .module import Module


class Flatten(Module):
    """``input.flatten(start_dim, end_dim)``; by default every dimension but the batch one (``start_dim=1``)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """``input.unflatten(dim, unflattened_size)``: dimension ``dim`` split into ``unflattened_size`` (one entry
    may be -1), the inverse of ``Flatten``. A view where the layout allows it.

    Raises:
        TypeError: ``unflattened_size`` not a tuple/list of ints, or ``dim`` not an int (course_lib has no
            named tensors, for which torch takes a str).
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if not isinstance(dim, int):
            raise TypeError(f"invalid argument type for dim parameter: expected an int, got {type(dim).__name__} "
                            "(course_lib has no named tensors)")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for position, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise TypeError(f"unflattened_size must be tuple of ints, but found element of type "
                                f"{type(size).__name__} at pos {position}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
