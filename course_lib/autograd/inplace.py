"""Autograd for in-place operations: ``x.add_(y)``, ``x[key] = v``, ``x.copy_(y)`` on tensors in a graph.

Taught in notebooks/02_autograd.ipynb, section "Saved tensors: in-place changes and freed graphs".

An in-place op on a tensor that takes part in a graph is computed as torch does: out of
place from a copy of the old values, then the new values are copied in and the tensor
becomes the output of the new node (it is "rebased"). An in-place change of a view recorded
by a rule (``y[0]``, ``y.t()``... of a ``y`` that requires grad) also gives the base a
``CopySlices`` node. Not covered: views made without recording (of a tensor that does not
require grad, or under ``no_grad``), whose base keeps its old history (torch tracks every
view's base).

``kernels.register`` puts the wrappers made here (:func:`make_inplace`, :func:`make_setitem`)
into the dispatch table (``ops.dispatch.AUTOGRAD``) as the in-place operations' autograd kernels.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any, Callable, Dict, Sequence

from ..ops import elementwise, indexing, views
from ..ops.creation import full_like, ones_like, zeros_like
from ..ops.inplace import copy_
from .._tensor import Tensor
from .function import Function

from .grad_mode import no_grad
from .engine import sum_to_shape


# --------------------------------------------------------------------------- rules of in-place ops


class FillBackward2(Function):
    """``a.fill_(number)`` (and ``zero_``) on a tensor in a graph: the old values get no gradient."""

    @staticmethod
    def forward(ctx, a, value):
        return full_like(a, value.item() if isinstance(value, Tensor) else value)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), None


class FillBackward3(Function):
    """``a.fill_(value)`` with a 0-d tensor ``value``: every element came from it."""

    @staticmethod
    def forward(ctx, a, value):
        return full_like(a, value.item())

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), grad.sum()


class ZeroBackward0(FillBackward2):
    @staticmethod
    def forward(ctx, a):
        return zeros_like(a)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class CopyBackwards(Function):
    """``a.copy_(src)``: the result is ``src`` (broadcast, cast to ``a``'s dtype); ``a``'s old
    values get a zero gradient (torch's name)."""

    @staticmethod
    def forward(ctx, a, src):
        ctx.src_shape, ctx.src_dtype = tuple(src.shape), src.dtype
        result = a.clone()
        result.copy_(src)
        return result

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), sum_to_shape(grad, ctx.src_shape).to(ctx.src_dtype)


class CopySlices(Function):
    """``base[key] = value`` when ``value`` or ``base`` takes part in a graph (torch's name).

    ``base`` is a fresh clone (see :func:`make_setitem`): forward writes into it and returns it.
    """

    @staticmethod
    def forward(ctx, base, value, key):
        ctx.key = key
        ctx.value_shape = tuple(value.shape) if isinstance(value, Tensor) else None
        indexing.setitem(base, key, value)
        return base

    @staticmethod
    def backward(ctx, grad):
        # The written positions no longer depend on the old base; they came from value.
        grad_base = grad.clone()
        grad_base[ctx.key] = 0
        grad_value = None if ctx.value_shape is None else sum_to_shape(grad[ctx.key], ctx.value_shape)
        return grad_base, grad_value, None


def replay_view(tensor: Tensor, steps: Sequence[tuple]) -> Tensor:
    """Apply the recorded view ``steps`` (``(Function, args, kwargs)`` each) to ``tensor``."""
    for function, args, kwargs in steps:
        tensor = function.apply(tensor, *args, **kwargs)
    return tensor


class ViewCopySlices(Function):
    """The new history of a base after an in-place change of one of its views (torch's CopySlices).

    ``base`` already holds the new values (the view wrote into its memory); ``value`` is
    the view's new content. Backward: the region the view covers gets its gradient from
    ``value``, the rest from the base's old history.
    """

    @staticmethod
    def forward(ctx, base, value, steps):
        ctx.steps = steps
        return base.clone()

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous()  # any view the base allowed works on a contiguous tensor of its shape
        outside = ones_like(grad)
        replay_view(outside, ctx.steps).fill_(0.0)
        return grad * outside, replay_view(grad, ctx.steps), None


ViewCopySlices.__name__ = "CopySlices"


# --------------------------------------------------------------------------- rebasing

# In-place op -> the out-of-place computation of its new value: the name of a differentiable
# operation (dispatch looks it up like its RULES) or a callable.
INPLACE: Dict[str, Any] = {
    "add_": "add", "sub_": "sub", "mul_": "mul", "div_": "div", "pow_": "pow", "clamp_": "clamp",
    "neg_": "neg", "exp_": "exp", "log_": "log", "sqrt_": "sqrt", "sigmoid_": "sigmoid", "tanh_": "tanh",
    "relu_": "relu", "abs_": "abs", "reciprocal_": "reciprocal", "floor_": "floor", "ceil_": "ceil",
    "round_": "round", "trunc_": "trunc", "sign_": "sign", "masked_fill_": "masked_fill",
    "fill_": lambda self, value: (FillBackward3 if isinstance(value, Tensor) else FillBackward2).apply(self, value),
    "zero_": lambda self: ZeroBackward0.apply(self),
    "copy_": lambda self, src, non_blocking=False: CopyBackwards.apply(self, src),
    # composed ops (no rule of their own): recorded through the operations they are made of
    "addcmul_": elementwise.addcmul, "addcdiv_": elementwise.addcdiv, "lerp_": elementwise.lerp,
}


def _check_leaf(self: Tensor) -> None:
    if self.requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    origin = self._autograd.view_of if self._autograd is not None else None
    if origin is not None and origin[0].requires_grad and origin[0].grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


def _old_values(self: Tensor) -> Tensor:
    """A copy of ``self``'s current values that stands for them in the graph (same ``grad_fn``).

    The in-place op is computed out of place from it, so what its backward saves is this
    copy, which stays intact after ``self`` is overwritten (torch calls it "original self").
    """
    with no_grad():
        old = views.clone(self)
    old._requires_grad, old.grad_fn = self._requires_grad, self.grad_fn
    return old


def _rebase(self: Tensor, result: Tensor) -> Tensor:
    """Copy ``result``'s values into ``self`` and make ``self`` the output of ``result``'s node.

    When ``self`` is a recorded view, its base changed too: the base gets a CopySlices node
    (its old history outside the view, ``result`` inside), and ``self`` becomes that view
    of the new base again.
    """
    with no_grad():
        copy_(self, result)  # counts as a write: tensors saved earlier see the change
    if result.grad_fn is None:
        return self
    origin = self._autograd.view_of if self._autograd is not None else None
    if origin is None:
        _set_history(self, result.grad_fn)
        return self
    base, steps = origin
    _set_history(base, ViewCopySlices.apply(base, result, steps).grad_fn)
    _set_history(self, replay_view(base, steps).grad_fn)
    return self


def _set_history(tensor: Tensor, node: Any) -> None:
    """Make ``tensor`` the output of ``node`` (its values are already in place)."""
    previous = tensor.grad_fn
    if previous is not None and getattr(previous, "tensor_ref", None) is not None and previous.tensor_ref() is tensor:
        previous.tensor_ref = None  # the old values are gone: retain_grad() now means the new ones
    tensor.grad_fn = node
    node.tensor_ref = weakref.ref(tensor)
    tensor._requires_grad = True


def make_inplace(plain: Callable, out_of_place: Callable) -> Callable:
    """``plain`` (a chapter-01 in-place op) made graph-aware: with inputs requiring grad, rebase onto ``out_of_place``."""

    @functools.wraps(plain)
    def wrapper(self, *args, **kwargs):
        _check_leaf(self)
        return _rebase(self, out_of_place(_old_values(self), *args, **kwargs))

    return wrapper


def make_setitem(plain_setitem: Callable) -> Callable:
    """``x[key] = value`` made graph-aware: recorded as a CopySlices node when an operand requires grad."""

    def setitem(self, key, value):
        _check_leaf(self)
        return _rebase(self, CopySlices.apply(_old_values(self), value, key))

    return setitem
