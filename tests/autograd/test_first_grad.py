"""The first gradient of a leaf: taken as it is when nothing else can see it (torch's "steal"), else copied.

Stealing saves a copy of every parameter's gradient on every training step; these tests hold the
cases where a copy is required, because the gradient is visible somewhere else.
"""

from __future__ import annotations

import weakref

import numpy as np
import pytest

import course_lib
from course_lib.autograd import Function


def with_backward(make_gradient):
    """A Function ``2 a`` whose backward returns ``make_gradient(grad)``."""

    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return make_gradient(grad)

    return Double


def doubling(keep_output=None):
    """``with_backward`` of a fresh gradient ``grad * 2``: the test gets a weak reference to it and, with
    ``keep_output``, whatever ``keep_output(gradient)`` keeps."""
    weak = []

    def make_gradient(grad):
        out = grad * 2
        weak.append(weakref.ref(out))
        if keep_output is not None:
            keep_output(out)
        return out

    return with_backward(make_gradient), weak


def test_a_fresh_gradient_becomes_grad_itself():
    Double, weak = doubling()
    a = course_lib.randn(3, requires_grad=True)
    Double.apply(a).sum().backward()
    assert weak[0]() is a.grad
    assert a.grad.tolist() == [2.0, 2.0, 2.0]


@pytest.mark.cpu_only  # NumPy sees the memory of cpu tensors only
@pytest.mark.parametrize("keep", ["the tensor", "a view of it", "its memory, as NumPy"])
def test_a_gradient_seen_elsewhere_is_copied(keep):
    kept = []
    keepers = {"the tensor": kept.append, "a view of it": lambda g: kept.append(g[:2]),
               "its memory, as NumPy": lambda g: kept.append(g.numpy())}
    Double, weak = doubling(keepers[keep])
    a = course_lib.randn(3, requires_grad=True)
    Double.apply(a).sum().backward()
    assert weak[0]() is not a.grad
    a.grad.mul_(10)  # the leaf's gradient is its own: what was kept does not change
    assert np.asarray(kept[0]).tolist() == [2.0] * len(kept[0])


def test_a_gradient_kept_by_a_hook_is_copied():
    kept = []
    a = course_lib.randn(3, requires_grad=True)
    a.register_hook(kept.append)
    (a * 3).sum().backward()
    assert kept[0] is not a.grad
    a.grad.zero_()
    assert kept[0].tolist() == [3.0, 3.0, 3.0]


def test_a_gradient_sent_to_two_leaves_is_copied_for_one():
    a, b = course_lib.randn(2, requires_grad=True), course_lib.randn(2, requires_grad=True)
    (a + b).sum().backward()  # AddBackward0 hands the same tensor to both leaves
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0] and a.grad.tolist() == [2.0, 2.0]


@pytest.mark.cpu_only  # from_numpy makes cpu tensors
def test_memory_from_numpy_is_never_taken():
    source = np.ones(3, dtype=np.float32)
    # a tensor nothing else holds, on memory NumPy holds
    FromNumPy = with_backward(lambda grad: course_lib.from_numpy(source))
    a = course_lib.randn(3, requires_grad=True)
    FromNumPy.apply(a).sum().backward()
    a.grad.mul_(5)
    assert source.tolist() == [1.0, 1.0, 1.0] and a.grad.tolist() == [5.0, 5.0, 5.0]


def test_later_gradients_accumulate_into_the_first():
    Double, weak = doubling()
    a = course_lib.randn(3, requires_grad=True)
    Double.apply(a).sum().backward()
    first = a.grad
    Double.apply(a).sum().backward()
    assert a.grad is first and first.tolist() == [4.0, 4.0, 4.0]
