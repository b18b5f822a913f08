"""Backward rules of indexing: `x[key]`, `gather`, `index_select`, `masked_fill`, `flip`, index assignment.

Taught in notebooks/02_autograd.ipynb, section "Gradients through views". The gradient goes back to the
indexed places of a zero tensor of the input's shape (added up where an index repeats).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...backends import get_backend
from ...ops import indexing as I
from ...ops import views as S
from ...ops.creation import arange, zeros
from ..._tensor import Tensor
from ..engine import sum_to_shape
from ..function import Function, backward_of


@backward_of("flip")
class FlipBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return I.flip(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


class IndexBackward0(Function):
    """``x[key]``: basic indexing (a view) or advanced indexing (a copy)."""

    edge_args = (0,)  # the indexed tensor; never the index tensors
    is_view = True  # basic indexing (advanced indexing copies: no shared memory)

    @staticmethod
    def forward(ctx, a, key):
        ctx.shape, ctx.key = tuple(a.shape), key
        return I.getitem(a, key)

    @staticmethod
    def backward(ctx, grad):
        return IndexPutBackward0.apply(grad, ctx.shape, ctx.key), None


# torch builds basic indexing (ints, slices, None) from select/slice/unsqueeze steps and names
# the result's node after the last one (x[1:, 0] -> SelectBackward0); one node does it all here.
BasicSelectBackward = type("SelectBackward0", (IndexBackward0,), {"__doc__": "``x[..., i]``: last step an int."})


SliceBackward0 = type("SliceBackward0", (IndexBackward0,), {"__doc__": "``x[..., a:b]``: last step a slice."})


BasicUnsqueezeBackward = type("UnsqueezeBackward0", (IndexBackward0,), {"__doc__": "``x[..., None]``."})


AliasBackward0 = type("AliasBackward0", (IndexBackward0,), {"__doc__": "``x[...]``: the same elements."})


def index_function(key: Any) -> type:
    """The Function recording ``x[key]``, named as torch names that node."""
    items = key if isinstance(key, tuple) else (key,)
    if any(isinstance(item, (Tensor, list, bool, np.ndarray)) for item in items):
        return IndexBackward0
    for item in reversed(items):
        if item is None:
            return BasicUnsqueezeBackward
        if isinstance(item, slice) and item != slice(None):
            return SliceBackward0
        if not isinstance(item, slice) and item is not Ellipsis:
            return BasicSelectBackward
    return SliceBackward0 if any(isinstance(item, slice) for item in items) else AliasBackward0


def gather_key(indices: Tensor, dim: int) -> tuple:
    """The advanced-indexing key that picks what ``x.gather(dim, indices)`` picks.

    ``indices`` along ``dim``, and along every other dimension ``d`` the positions
    ``0..indices.shape[d]-1`` (an ``arange`` shaped to broadcast).
    """
    key = []
    for axis, size in enumerate(indices.shape):
        if axis == dim:
            key.append(indices)
        else:
            layout = [1] * indices.dim()
            layout[axis] = size
            key.append(arange(size, device=indices.device).reshape(layout))
    return tuple(key)


def scatter_along(grad: Tensor, shape: Sequence[int], dim: int, indices: Tensor) -> Tensor:
    """Zeros of ``shape`` with ``grad`` added at ``indices`` along ``dim``: the backward of
    every op that picks elements along a dimension (``gather``, ``max(dim)``, ``sort``, ``topk``)."""
    return IndexPutBackward0.apply(grad, tuple(shape), gather_key(indices, dim))


@backward_of("gather")
class GatherBackward0(Function):
    edge_args = (0,)

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape, ctx.dim, ctx.index = tuple(a.shape), dim % max(a.dim(), 1), index
        return I.gather(a, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return scatter_along(grad, ctx.shape, ctx.dim, ctx.index), None, None


@backward_of("index_select")
class IndexSelectBackward0(Function):
    edge_args = (0,)

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.shape = tuple(a.shape)
        ctx.key = (slice(None),) * (dim % max(a.dim(), 1)) + (index,)
        return I.index_select(a, dim, index)

    @staticmethod
    def backward(ctx, grad):
        # Repeated indices each add their share (IndexPutBackward0 accumulates).
        return IndexPutBackward0.apply(grad, ctx.shape, ctx.key), None, None


class MaskedFillBackward0(Function):
    """``masked_fill(mask, number)``: the filled positions get no gradient."""

    edge_args = (0,)

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.shape = tuple(a.shape)
        ctx.save_for_backward(mask)
        return I.masked_fill(a, mask, value)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return sum_to_shape(grad.masked_fill(mask, 0.0), ctx.shape), None, None


class MaskedFillBackward1(MaskedFillBackward0):
    """``masked_fill(mask, value)`` with a 0-d tensor ``value``: it gets the filled positions' gradient."""

    edge_args = (0, 2)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        grad_value = (grad - grad.masked_fill(mask, 0.0)).sum()
        return sum_to_shape(grad.masked_fill(mask, 0.0), ctx.shape), None, grad_value


class IndexPutBackward0(Function):
    """Zeros of ``shape`` with ``values`` added at ``key``: the scatter-add that undoes ``x[key]``.

    Repeated indices (``x[[0, 0]]``) each add their share, so the gradient of an element
    used twice is the sum of both uses.
    """

    @staticmethod
    def forward(ctx, values, shape, key):
        ctx.key = key
        out = zeros(shape, dtype=values.dtype, device=values.device)
        view, advanced = I._parse(out, key)
        backend = get_backend(out.device.type)
        if not advanced:
            backend.copy_into(view, values)
        else:
            positions = I._positions(view, advanced).contiguous()
            backend.put(out, positions, S.expand(values, tuple(positions.shape)).contiguous(), accumulate=True)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.key], None, None
