"""Backward rules of reductions, scans and softmax.

Taught in notebooks/02_autograd.ipynb, section "Backward of reductions". A reduction maps
many elements to one; its backward sends the output gradient back to every element that
contributed, so the first step is always to put the reduced dimensions back
(:func:`expand_reduced`).
"""

from __future__ import annotations

import math
from typing import Any, Sequence, Tuple

from ...ops import elementwise as E
from ...ops import reduce as R
from ...ops.creation import arange
from ...shape import normalize_dims
from ..._tensor import Tensor
from ..function import Function, backward_of
from .indexing import scatter_along
from ...ops.join import cat
from ...ops.views import narrow


def reduced_dims(dim: Any, ndim: int) -> Tuple[int, ...]:
    """Normalized reduced dimensions; ``None`` or ``()`` means all (torch's convention)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return normalize_dims(dim, ndim)


def expand_reduced(grad: Tensor, shape: Sequence[int], dims: Sequence[int], keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back to the input's ``shape``.

    ``grad`` has the reduction's output shape: ``shape`` without ``dims`` (or with size 1
    there if ``keepdim``). Re-insert the reduced dimensions as size 1, then expand.

    Returns:
        A view of ``grad`` with shape ``shape`` (expanded: no copy).
    """
    # BEGIN EXERCISE 2.10
    if not keepdim:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    return grad.expand(tuple(shape))
    # END EXERCISE


class _Reduction(Function):
    """Remembers the input shape, the reduced dims and keepdim for backward."""

    @staticmethod
    def remember(ctx, a: Tensor, dim: Any, keepdim: bool) -> None:
        ctx.shape, ctx.dims, ctx.keepdim = tuple(a.shape), reduced_dims(dim, a.dim()), keepdim


class SumBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        return R.sum(a, dim, keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class SumBackward1(SumBackward0):
    """``sum`` with a ``dim`` (torch's name for it)."""


class MeanBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        ctx.count = math.prod(ctx.shape[d] for d in ctx.dims)
        return R.mean(a, dim, keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim) / ctx.count, None, None, None


class MeanBackward1(MeanBackward0):
    """``mean`` with a ``dim``."""


@backward_of("amax")
class AmaxBackward0(_Reduction):
    """``amax``/``amin`` and ``max()``/``min()`` without dim: ties share the gradient evenly (as torch)."""

    extreme = staticmethod(R.amax)

    @classmethod
    def forward(cls, ctx, a, dim=(), keepdim=False):
        _Reduction.remember(ctx, a, dim, keepdim)
        result = cls.extreme(a, dim, keepdim)
        ctx.save_for_backward(a, result)
        return result

    @classmethod
    def backward(cls, ctx, grad):
        a, result = ctx.saved_tensors
        hits = (a == expand_reduced(result, ctx.shape, ctx.dims, ctx.keepdim)).to(grad.dtype)
        count = hits.sum(dim=ctx.dims, keepdim=True)
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim) * hits / count, None, None


@backward_of("amin")
class AminBackward0(AmaxBackward0):
    extreme = staticmethod(R.amin)


class MaxBackward1(AmaxBackward0):
    """``max()`` of all elements (torch's name)."""

    @staticmethod
    def forward(ctx, a):
        return AmaxBackward0.forward.__func__(AmaxBackward0, ctx, a, (), False)

    @staticmethod
    def backward(ctx, grad):
        return AmaxBackward0.backward.__func__(AmaxBackward0, ctx, grad)[:1]


class MinBackward1(MaxBackward1):
    @staticmethod
    def forward(ctx, a):
        return AmaxBackward0.forward.__func__(AminBackward0, ctx, a, (), False)


class MaxBackward0(Function):
    """``max(dim)``/``min(dim)`` values: the gradient goes to the element the index names."""

    @staticmethod
    def forward(ctx, a, dim, keepdim=False, which="max"):
        values, indices = (R.max if which == "max" else R.min)(a, dim, keepdim)
        ctx.shape, ctx.dim, ctx.keepdim = tuple(a.shape), normalize_dims(dim, max(a.dim(), 1))[0], keepdim
        ctx.indices = indices
        return values

    @staticmethod
    def backward(ctx, grad):
        indices = ctx.indices
        if not ctx.shape:  # a 0-d input is its own maximum
            return grad, None, None, None
        if not ctx.keepdim:
            grad, indices = grad.unsqueeze(ctx.dim), indices.unsqueeze(ctx.dim)
        return scatter_along(grad, ctx.shape, ctx.dim, indices), None, None, None


class MinBackward0(MaxBackward0):
    pass


class SortBackward0(Function):
    """``sort`` values: each sorted element's gradient goes back to where it came from."""

    @staticmethod
    def forward(ctx, a, dim=-1, descending=False, stable=False):
        values, indices = R.sort(a, dim, descending, stable)
        ctx.shape, ctx.dim, ctx.indices = tuple(a.shape), normalize_dims(dim, max(a.dim(), 1))[0], indices
        return values

    @staticmethod
    def backward(ctx, grad):
        if not ctx.shape:
            return grad, None, None, None
        return scatter_along(grad, ctx.shape, ctx.dim, ctx.indices), None, None, None


class TopkBackward0(Function):
    """``topk`` values: like sort, the ``k`` kept elements get their gradient back, the others 0."""

    @staticmethod
    def forward(ctx, a, k, dim=-1, largest=True, sorted=True):  # noqa: A002
        values, indices = R.topk(a, k, dim, largest, sorted)
        ctx.shape, ctx.dim, ctx.indices = tuple(a.shape), normalize_dims(dim, max(a.dim(), 1))[0], indices
        return values

    @staticmethod
    def backward(ctx, grad):
        if not ctx.shape:
            return grad, None, None, None, None
        return scatter_along(grad, ctx.shape, ctx.dim, ctx.indices), None, None, None, None


class ProdBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, dtype=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        ctx.save_for_backward(a)
        return R.prod(a, dim, keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # d(prod)/dx_i = product of the others. Computed without dividing (x_i may be 0):
        # exclusive running products from the left and from the right, multiplied.
        (a,) = ctx.saved_tensors
        if a.dim() == 0:
            return grad, None, None, None
        flat = a.reshape(-1) if len(ctx.dims) != 1 else a
        dim = 0 if len(ctx.dims) != 1 else ctx.dims[0]
        others = _exclusive_cumprod(flat, dim) * _exclusive_cumprod(flat.flip(dim), dim).flip(dim)
        local = others.reshape(ctx.shape)
        return local * expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


class ProdBackward1(ProdBackward0):
    pass


def _exclusive_cumprod(x: Tensor, dim: int) -> Tensor:
    """``out[i] = x[0] * ... * x[i-1]`` along ``dim`` (1 for i = 0)."""
    ones = narrow(x, dim, 0, 1) * 0 + 1
    shifted = cat([ones, narrow(x, dim, 0, x.shape[dim] - 1)], dim)
    return shifted.cumprod(dim)


@backward_of("cumsum")
class CumsumBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        ctx.dim, ctx.dtype = dim, a.dtype
        return R.cumsum(a, dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # Element i feeds every output j >= i: the gradient is a reversed running sum.
        if grad.dim() == 0:
            return grad.to(ctx.dtype), None, None
        return grad.flip(ctx.dim).cumsum(ctx.dim).flip(ctx.dim).to(ctx.dtype), None, None


@backward_of("cumprod")
class CumprodBackward0(Function):
    @staticmethod
    def forward(ctx, a, dim, dtype=None):
        ctx.dim, ctx.dtype = dim, a.dtype
        ctx.save_for_backward(a)
        return R.cumprod(a, dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        # out[j] = x[0] * ... * x[j], so d out[j] / d x[i] = (product of x[k] for k <= j, k != i)
        # when j >= i, else 0. Computed without dividing by x[i] (which may be 0): row i of an
        # (n, n) table holds x with x[i] replaced by 1; its running product along the row is
        # that partial product for every j. O(n^2) memory, fine for the sizes cumprod sees here.
        (a,) = ctx.saved_tensors
        if a.dim() == 0:
            return grad.to(ctx.dtype), None, None
        dim = normalize_dims(ctx.dim, a.dim())[0]
        x, g = a.to(grad.dtype).movedim(dim, -1), grad.movedim(dim, -1)
        n = x.shape[-1]
        position = arange(n, device=a.device)
        diagonal = position.unsqueeze(1) == position.unsqueeze(0)  # (i, k): k == i
        later = position.unsqueeze(0) >= position.unsqueeze(1)  # (i, j): j >= i
        partial = E.where(diagonal, 1.0, x.unsqueeze(-2)).cumprod(-1)  # (..., i, j)
        result = E.where(later, partial * g.unsqueeze(-2), 0.0).sum(-1)
        return result.movedim(-1, dim).to(ctx.dtype), None, None


@backward_of("var")
class VarBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim=None, unbiased=None, keepdim=False, correction=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        ctx.save_for_backward(a)
        corr = (1 if unbiased is None or unbiased else 0) if correction is None else correction
        ctx.dof = math.prod(ctx.shape[d] for d in ctx.dims) - corr
        return R.var(a, dim, unbiased, keepdim, correction=correction)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        centered = a - a.mean(dim=ctx.dims, keepdim=True)
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim) * 2 * centered / ctx.dof, None, None, None, None


@backward_of("std")
class StdBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim=None, unbiased=None, keepdim=False, correction=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        result = R.std(a, dim, unbiased, keepdim, correction=correction)
        ctx.save_for_backward(a, result)
        corr = (1 if unbiased is None or unbiased else 0) if correction is None else correction
        ctx.dof = math.prod(ctx.shape[d] for d in ctx.dims) - corr
        return result

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        centered = a - a.mean(dim=ctx.dims, keepdim=True)
        spread = expand_reduced(result, ctx.shape, ctx.dims, ctx.keepdim)
        scale = expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim)
        # NOTE: where the std is 0 (all elements equal) torch takes the gradient as 0, not 0/0.
        return (scale * centered / (ctx.dof * spread)).masked_fill(spread == 0, 0.0), None, None, None, None


@backward_of("norm")
class LinalgVectorNormBackward0(_Reduction):
    """``norm`` (torch records every vector norm as ``linalg.vector_norm``)."""

    @staticmethod
    def forward(ctx, a, p="fro", dim=None, keepdim=False, dtype=None):
        _Reduction.remember(ctx, a, dim, keepdim)
        result = R.norm(a, p, dim, keepdim, dtype=dtype)
        ctx.save_for_backward(a, result)
        ctx.p = 2 if p in ("fro", None) else p
        return result

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        p = ctx.p
        scale = expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim)
        norm = expand_reduced(result, ctx.shape, ctx.dims, ctx.keepdim)
        if p == 1:
            local = a.sign()
        elif p == 2:
            # NOTE: the gradient at the zero vector is taken as 0 (torch's subgradient choice).
            local = (a / norm).masked_fill(norm == 0, 0.0)
        elif p in (math.inf, -math.inf):
            hits = (a.abs() == norm).to(a.dtype)
            local = a.sign() * hits / hits.sum(dim=ctx.dims, keepdim=True)
        else:
            local = (a.sign() * a.abs() ** (p - 1) / norm ** (p - 1)).masked_fill(norm == 0, 0.0)
        return scale * local, None, None, None, None


@backward_of("logsumexp")
class LogsumexpBackward0(_Reduction):
    @staticmethod
    def forward(ctx, a, dim, keepdim=False):
        _Reduction.remember(ctx, a, dim, keepdim)
        result = R.logsumexp(a, dim, keepdim)
        ctx.save_for_backward(a, result)
        return result

    @staticmethod
    def backward(ctx, grad):
        a, result = ctx.saved_tensors
        weights = (a - expand_reduced(result, ctx.shape, ctx.dims, ctx.keepdim)).exp()
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim) * weights, None, None
