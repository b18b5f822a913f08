"""Named results of ``max(dim)``, ``min(dim)``, ``sort`` and ``topk``: ``(values, indices)``.

Like ``torch.return_types``: a tuple (so ``values, indices = x.max(1)`` works) whose fields
also have names (``x.max(1).indices``).
"""

from __future__ import annotations

from typing import Any, Iterable


class _ValuesIndices(tuple):
    """A ``(values, indices)`` pair with named fields."""

    __slots__ = ()
    _name = "values_indices"

    def __new__(cls, iterable: Iterable[Any]):
        result = tuple.__new__(cls, iterable)
        if len(result) != 2:
            raise TypeError(f"{cls._name} takes 2 fields (values, indices), got {len(result)}")
        return result

    @property
    def values(self) -> Any:
        return self[0]

    @property
    def indices(self) -> Any:
        return self[1]

    def __repr__(self) -> str:
        return f"course_lib.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _named(name: str) -> type:
    return type(name, (_ValuesIndices,), {"__slots__": (), "_name": name, "__module__": __name__})


max = _named("max")  # noqa: A001
min = _named("min")  # noqa: A001
sort = _named("sort")
topk = _named("topk")
