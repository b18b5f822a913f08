"""All parameters as one flat vector and back: what second-order methods and weight averaging work on."""

from __future__ import annotations

from typing import Iterable

from ..._tensor import Tensor
from ...ops.join import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-d tensor of every parameter's elements, in order (a new tensor, in the graph: ``CatBackward0``).

    Raises:
        TypeError: the parameters are on different devices.
    """
    parameters = list(parameters)
    for p in parameters[1:]:
        if p.device != parameters[0].device:
            raise TypeError(f"Found two parameters on different devices, this is currently not supported: "
                            f"{parameters[0].device} and {p.device}")
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Point each parameter's ``.data`` at its slice of ``vec``, reshaped (the parameters become views of
    ``vec``: a later change of ``vec`` shows in them, as in torch). ``vec`` may be longer than needed.

    Raises:
        TypeError: ``vec`` is not a Tensor.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected course_lib.Tensor, but got: {type(vec).__name__}")
    start = 0
    for p in parameters:
        count = p.numel()
        p.data = vec[start:start + count].view_as(p).data
        start += count
