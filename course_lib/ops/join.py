"""Joining tensors: ``cat``, ``stack``, ``hstack``, ``vstack`` (copies into a new tensor).

Taught in notebooks/01_tensors.ipynb, section "Views: view and reshape" (what copies and
what does not). The shapes are checked here with torch's messages; the backend's ``cat``
does the copy (composed from ``empty`` + ``copy_into`` unless a backend has a faster one).
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Sequence, Tuple

from .. import dtypes as _dt
from ..backends import get_backend
from ..shape import normalize_dim
from .._tensor import Tensor, check_same_device
from .common import wrong_type
from .dispatch import alias, differentiable, public
from .views import expand, reshape, unsqueeze


def _tensor_list(name: str, tensors: Any) -> list:
    """``tensors`` as a list, each a course_lib Tensor (else torch's TypeError, with the fix for torch tensors)."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for index, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise wrong_type(f"{name}(): expected course_lib.Tensor as element {index} in argument 0, but got {{}}", t)
    return tensors


@differentiable("cat", method=False)
def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Join tensors along an existing dimension (a copy); dtypes are promoted.

    Raises:
        ValueError: for an empty sequence.
        RuntimeError: ``Sizes of tensors must match except in dimension 0. Expected size 3
            but got size 4 for tensor number 1 in the list.`` and other torch messages.
    """
    dim = dim if axis is None else axis
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # torch skips legacy empty 1-d tensors of shape (0,) when other tensors have more dims.
    shaped = [t for t in tensors if not (t.ndim == 1 and t._shape[0] == 0)] or tensors[:1]
    first = shaped[0]
    for position, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {position}) cannot be concatenated")
    d = normalize_dim(dim, first.ndim)
    kept = {id(t) for t in shaped}
    for position, t in enumerate(tensors):
        if id(t) not in kept:
            continue
        if t.ndim != first.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {first.ndim} and {t.ndim}")
        for axis in range(first.ndim):
            if axis != d and t._shape[axis] != first._shape[axis]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{first._shape[axis]} but got size {t._shape[axis]} for tensor number "
                                   f"{position} in the list.")
    device = check_same_device(*tensors)
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = _dt.promote_types(dtype, t.dtype)
    return get_backend(device.type).cat(shaped, d, dtype)


concat, concatenate = alias("concat", cat, method=False), alias("concatenate", cat, method=False)


@differentiable("stack", method=False)
def stack(tensors: Sequence[Tensor], dim: int = 0, *, axis: Any = None) -> Tensor:
    """Join same-shape tensors along a new dimension ``dim`` (a copy).

    Raises:
        RuntimeError: ``stack expects each tensor to be equal size, but got [2, 3] at entry 0
            and [2, 4] at entry 1``.
    """
    dim = dim if axis is None else axis
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]
    for position, t in enumerate(tensors[1:], start=1):
        if t._shape != first._shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first._shape)} at entry 0 "
                               f"and {list(t._shape)} at entry {position}")
    d = normalize_dim(dim, first.ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


@public(method=False)
def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 1 (dim 0 for 1-d tensors)."""
    tensors = list(tensors)
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


@public(method=False)
def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Concatenate along dim 0, treating 1-d tensors as rows."""
    return cat([unsqueeze(t, 0) if t.ndim == 1 else t for t in tensors], 0)


@public(method=False)
def meshgrid(*tensors: Any, indexing: Optional[str] = None) -> Tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors: ``indexing="ij"`` (matrix, torch's default) or ``"xy"`` (Cartesian).

    Views of the inputs (expanded), as in torch. Like torch, warns when ``indexing`` is not given.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    vectors = [reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(vectors) >= 2
    if swap:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = tuple(v._shape[0] for v in vectors)
    grids = []
    for i, v in enumerate(vectors):
        view = reshape(v, tuple(-1 if j == i else 1 for j in range(len(vectors))))
        grids.append(expand(view, shape))
    if swap:  # "xy": the grids of the first two inputs swapped back (shape: len(y), len(x), ...)
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
