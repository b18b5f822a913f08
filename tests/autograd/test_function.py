"""Autograd semantics against torch: custom autograd.Function subclasses and gradcheck."""

from __future__ import annotations


import pytest
import torch

import course_lib
from helpers.autograd import BOTH, grad_fn_name, leaf, randn


class _Cube(course_lib.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x * ctx.scale, None


class _WrongCube(_Cube):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x * x * ctx.scale, None  # should be 3 x^2


class _WrongShape(_Cube):
    @staticmethod
    def backward(ctx, grad):
        return grad.sum(), None


def test_custom_function():
    x = leaf(course_lib, [1.0, 2.0])
    y = _Cube.apply(x, 2.0)
    assert y.grad_fn.name() == "_CubeBackward" and grad_fn_name(y) == "_CubeBackward"  # torch's convention
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad"]
    assert y.grad_fn.ctx.needs_input_grad == (True, False)
    assert [g.tolist() for g in y.grad_fn(course_lib.ones(2, dtype=course_lib.float64))] == [[6.0, 24.0]]
    y.sum().backward()
    assert x.grad.tolist() == [6.0, 24.0]
    with course_lib.no_grad():
        assert _Cube.apply(x, 2.0).grad_fn is None


def test_gradcheck_passes_on_correct_functions():
    from course_lib.autograd import gradcheck

    x = course_lib.tensor(randn(2, 3, seed=9), requires_grad=True)
    y = course_lib.tensor(randn(3, 2, seed=10), requires_grad=True)
    assert gradcheck(lambda a, b: (a @ b).tanh().log_softmax(1), (x, y))
    assert gradcheck(lambda a: _Cube.apply(a, 0.5), x)
    assert gradcheck(lambda a: a.t()[::2].cumprod(1).norm(dim=0), (x,))


def test_gradcheck_explains_a_wrong_backward():
    from course_lib.autograd import GradcheckError, gradcheck

    x = course_lib.tensor([1.0, 2.0], dtype=course_lib.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a: _WrongCube.apply(a, 1.0), (x,))
    message = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    assert "numerical 3" in message and "analytical 2" in message
    assert isinstance(info.value, RuntimeError)  # as torch's GradcheckError
    assert gradcheck(lambda a: _WrongCube.apply(a, 1.0), (x,), raise_exception=False) is False


def test_a_gradient_of_the_wrong_shape_is_refused():
    x = leaf(course_lib, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="returned an invalid gradient at index 0 - got \\[\\] but expected shape"):
        _WrongShape.apply(x, 1.0).sum().backward()


def _broadcasting_function(L):
    """A Function whose backward returns the gradient of a (2, 3) broadcast for its (3,) input."""

    class Spread(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2).sum()

        @staticmethod
        def backward(ctx, grad):
            return grad * L.ones(2, 3, dtype=grad.dtype) * 2

    return Spread


@BOTH
def test_the_engine_sums_a_broadcastable_gradient_to_the_input_shape(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    _broadcasting_function(L).apply(x).backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]  # summed over the two rows, as torch's engine does


def test_broadcast_gradients_from_a_custom_function_match_torch():
    values = {}
    for L in (course_lib, torch):
        x = leaf(L, [[0.5], [-1.0]])  # (2, 1): the gradient (2, 3) is summed over dim 1

        class Scale(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a.expand(2, 3) * 3

            @staticmethod
            def backward(ctx, grad):
                (a,) = ctx.saved_tensors
                return grad * 3 + a  # (2, 3): never reduced by the rule

        Scale.apply(x).sum().backward()
        values[L.__name__] = x.grad.tolist()
    assert values["course_lib"] == values["torch"]


def test_a_gradient_that_does_not_broadcast_raises_torchs_error():
    messages = []
    for L in (course_lib, torch):
        class Wrong(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return L.ones(2, 4, dtype=grad.dtype)

        with pytest.raises(RuntimeError) as info:
            Wrong.apply(leaf(L, [1.0, 2.0, 3.0])).sum().backward()
        messages.append(str(info.value))
    assert messages[0] == messages[1]  # "Function WrongBackward returned an invalid gradient at index 0 - ..."
