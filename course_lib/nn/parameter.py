"""``nn.Parameter``: a tensor that a Module registers as one of its parameters.

A Parameter is a :class:`~course_lib.Tensor` (every operation takes it; their results are plain
tensors) that shares the storage of the data it was made from and requires grad by default. Assigning
one to a Module attribute (``self.weight = Parameter(...)``) registers it, which is how ``parameters()``,
``state_dict()`` and optimizers find it.
"""

from __future__ import annotations

from typing import Any, Optional

from .._tensor import Tensor, _become, _new
from ..formatting import tensor_repr
from ..ops.creation import empty


class Parameter(Tensor):
    """A tensor that is a module parameter.

    Args:
        data: the values (shared, not copied: a view of the same storage without its history);
            ``None`` gives an empty float32 tensor, as torch does.
        requires_grad: whether it requires grad (default True; only floating-point data can).

    Raises:
        RuntimeError: ``requires_grad=True`` for data that is not floating point (torch's message).
    """

    __slots__ = ()

    def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be a Tensor, not {type(data).__name__}")
        parameter = _new(cls)
        _become(parameter, data)  # same storage and layout, no graph
        parameter.requires_grad_(requires_grad)
        return parameter

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True) -> None:
        pass  # __new__ did it all (Tensor.__init__ would build a new tensor from ``data``)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + tensor_repr(self)

    def __deepcopy__(self, memo: dict) -> "Parameter":
        if id(self) not in memo:
            memo[id(self)] = Parameter(self.detach().clone(), self.requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol: Any):
        return Parameter, (self.detach(), self.requires_grad)

