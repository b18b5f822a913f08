"""Backward rules of views, indexing and joining.

Taught in notebooks/02_autograd.ipynb, section "Gradients through views". A view moves no
data: its backward only has to put the gradient back into the input's layout (reshape it,
permute it back, sum over expanded copies, or place it into zeros at the indexed spots).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...ops import indexing as I
from ...ops import join as J
from ...ops import views as S
from ...backends import get_backend
from ...ops.creation import arange, zeros
from ..._tensor import Tensor
from ..function import Function, backward_of
from ..engine import sum_to_shape


@backward_of("view")
class ViewBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, *shape):
        ctx.shape = tuple(a.shape)
        return S.view(a, *shape)

    @staticmethod
    def backward(ctx, grad):
        """A view only relabels the elements: give the gradient the input's shape back."""
        # BEGIN EXERCISE 2.11
        return grad.reshape(ctx.shape)
        # END EXERCISE


def _reshaping(name: str, op: Any) -> type:
    """A Function for an op that only changes the shape (its backward reshapes back)."""

    def forward(ctx, a, *args):
        ctx.shape = tuple(a.shape)
        return op(a, *args)

    def backward(ctx, grad):
        return grad.reshape(ctx.shape)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                    "is_view": True,
                                    "__doc__": f"Backward of ``{op.__name__}``: reshape the gradient back."})


ReshapeBackward = backward_of("reshape")(_reshaping("ViewBackward0", S.reshape))
FlattenBackward = backward_of("flatten")(_reshaping("ViewBackward0", S.flatten))
UnflattenBackward = backward_of("unflatten")(_reshaping("ViewBackward0", S.unflatten))
SqueezeBackward0 = _reshaping("SqueezeBackward0", S.squeeze)  # squeeze(): every size-1 dim
SqueezeBackward1 = _reshaping("SqueezeBackward1", S.squeeze)  # squeeze(dim)
SqueezeBackward2 = _reshaping("SqueezeBackward2", S.squeeze)  # squeeze((dims...))
UnsqueezeBackward0 = backward_of("unsqueeze")(_reshaping("UnsqueezeBackward0", S.unsqueeze))


@backward_of("permute")
class PermuteBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, *dims):
        result = S.permute(a, *dims)
        ctx.order = _permutation(a, dims)
        return result

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.order)
        for position, dim in enumerate(ctx.order):
            inverse[dim] = position
        return grad.permute(inverse)


def _permutation(a: Tensor, dims: Sequence[Any]) -> list:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = max(a.dim(), 1)
    return [d % ndim for d in dims]


@backward_of("transpose")
class TransposeBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return S.transpose(a, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims), None, None


@backward_of("t")
class TBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return S.t(a)

    @staticmethod
    def backward(ctx, grad):
        return grad.t()


@backward_of("expand")
class ExpandBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, *sizes):
        ctx.shape = tuple(a.shape)
        return S.expand(a, *sizes)

    @staticmethod
    def backward(ctx, grad):
        # Every copy made by expand used the same element: their gradients add up.
        return sum_to_shape(grad, ctx.shape)


@backward_of("flip")
class FlipBackward0(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return I.flip(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


@backward_of("narrow")
class NarrowBackward(Function):
    """``narrow`` is a slice; its gradient fills the other positions with zeros."""

    is_view = True

    @staticmethod
    def forward(ctx, a, dim, start, length):
        ctx.shape, ctx.key = tuple(a.shape), _narrow_key(a, dim, start, length)
        return S.narrow(a, dim, start, length)

    @staticmethod
    def backward(ctx, grad):
        return IndexPutBackward0.apply(grad, ctx.shape, ctx.key), None, None, None


NarrowBackward.__name__ = "SliceBackward0"


def _narrow_key(a: Tensor, dim: int, start: int, length: int) -> tuple:
    d = dim % max(a.dim(), 1)
    begin = start % a.shape[d] if start < 0 else start
    return (slice(None),) * d + (slice(begin, begin + length),)


@backward_of("select")
class SelectBackward0(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dim, index):
        d = dim % max(a.dim(), 1)
        ctx.shape, ctx.key = tuple(a.shape), (slice(None),) * d + (index,)
        return S.select(a, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return IndexPutBackward0.apply(grad, ctx.shape, ctx.key), None, None


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


@backward_of("repeat")
class RepeatBackward0(Function):
    @staticmethod
    def forward(ctx, a, *sizes):
        ctx.shape = tuple(a.shape)
        ctx.sizes = S._shape_args(sizes)
        return S.repeat(a, *sizes)

    @staticmethod
    def backward(ctx, grad):
        # Copy r of dimension i sits at [r * size_i + k]: split each dim into (copies, size)
        # and add the copies up.
        padded = (1,) * (len(ctx.sizes) - len(ctx.shape)) + ctx.shape
        split = []
        for copies, size in zip(ctx.sizes, padded):
            split += [copies, size]
        if not split:
            return grad
        summed = grad.reshape(split).sum(dim=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.shape)


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


class CatBackward0(Function):
    """``cat(tensors, dim)``: each input gets its slice of the gradient back."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] if t.dim() else 0 for t in tensors]
        return J.cat(list(tensors), dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            grads.append(grad.narrow(ctx.dim, start, size))
            start += size
        return (None, *grads)


class StackBackward0(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return J.stack(list(tensors), dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *grad.unbind(ctx.dim))


