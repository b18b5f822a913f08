"""One place per operation: its forward and its rule are all a new operation needs.

``@differentiable`` makes the dispatch entry, the Tensor method and the name of the torch-like
namespace; ``@backward_of`` registers the rule, from any layer above autograd (an ``nn.functional``
operation declares both in its own file, as this test does in one).
"""

from __future__ import annotations

import pytest

import course_lib
from course_lib.autograd.function import Function, backward_of
from course_lib.ops import dispatch
from course_lib.ops.dispatch import differentiable


@pytest.fixture
def cube():
    """A new operation ``cube`` with its rule, declared here and removed afterwards."""

    @differentiable("cube")
    def cube(input):
        """``input ** 3``, computed with existing operations."""
        return input * input * input

    @backward_of("cube")
    class CubeBackward0(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return cube.plain(a)

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return grad * 3 * a * a

    yield cube
    for table in (dispatch.OPS, dispatch.AUTOGRAD, dispatch.PUBLIC):
        table.pop("cube", None)
    delattr(course_lib.Tensor, "cube")


def test_a_new_operation_is_a_method_a_public_name_and_records_its_rule(cube):
    x = course_lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
    assert dispatch.PUBLIC["cube"] is cube is course_lib.Tensor.cube is dispatch.OPS["cube"]
    y = x.cube()
    assert y.grad_fn.name() == "CubeBackward0"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 12.0, 0.75]
    with course_lib.no_grad():
        assert x.cube().grad_fn is None and x.cube().tolist() == [1.0, -8.0, 0.125]


def test_a_rule_for_an_operation_nobody_declared_is_refused():
    with pytest.raises(KeyError, match="no operation 'nothing_here'"):
        backward_of("nothing_here")(type("NothingBackward0", (Function,), {}))
