"""Backward rules of views (the ops of ``ops/views.py``).

Taught in notebooks/02_autograd.ipynb, section "Gradients through views". A view moves no
data: its backward only has to put the gradient back into the input's layout (reshape it,
permute it back, sum over expanded copies, or place it into zeros at the indexed spots).
"""

from __future__ import annotations

from typing import Any, Sequence

from ...ops import views as S
from ..._tensor import Tensor
from ..function import Function, backward_of
from ..engine import sum_to_shape
from .indexing import IndexPutBackward0


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


@backward_of("unfold")
class UnfoldBackward0(Function):
    """``unfold`` reads overlapping windows; its gradient adds each window's share back in place.

    Position ``j`` of every window is one strided slice of the input (``j, j + step, ...``), so the
    backward is ``size`` slice-adds into zeros: an element inside several windows gets the sum.
    """

    is_view = True

    @staticmethod
    def forward(ctx, a, dimension, size, step):
        ctx.shape, ctx.dim, ctx.step = tuple(a.shape), dimension % max(a.dim(), 1), step
        return S.unfold(a, dimension, size, step)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.shape:  # a 0-d input: one window of one element
            return grad.reshape(()), None, None, None
        windows, size = grad.shape[ctx.dim], grad.shape[-1]
        if ctx.step == size and windows * size == ctx.shape[ctx.dim]:  # windows tile the dimension exactly
            return grad.movedim(-1, ctx.dim + 1).reshape(ctx.shape), None, None, None
        result = grad.new_zeros(ctx.shape)
        before = (slice(None),) * ctx.dim
        for j in range(size):
            spots = before + (slice(j, j + (windows - 1) * ctx.step + 1, ctx.step),)
            if grad.requires_grad:  # create_graph: the write into result must be recorded too
                result[spots] += grad.select(-1, j)
            else:
                result[spots].add_(grad.select(-1, j))
        return result, None, None, None


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


@backward_of("clone")
class CloneBackward0(Function):
    @staticmethod
    def forward(ctx, a):
        return a.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad
