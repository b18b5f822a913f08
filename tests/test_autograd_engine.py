"""Autograd semantics against torch: .grad accumulation, backward's arguments, graph freeing,
detach / no_grad, in-place rules and the version counter, autograd.grad (higher order),
gradcheck, and the graph itself (grad_fn names, next_functions, repr)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import course_lib
from autograd_helpers import check_gradients, grad_fn_name, randn
from tensor_helpers import assert_same, raises_like, same_message

LIBRARIES = [course_lib, torch]
BOTH = pytest.mark.parametrize("L", LIBRARIES, ids=["course_lib", "torch"])


def leaf(L, values, **kwargs):
    return L.tensor(values, dtype=L.float64, requires_grad=True, **kwargs)


# --------------------------------------------------------------------------- .grad and backward


@BOTH
def test_grad_is_none_until_backward_then_accumulates(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    assert x.grad is None and x.is_leaf and x.grad_fn is None
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    (3 * x).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0, 9.0]
    x.grad.zero_()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


@BOTH
def test_non_leaf_grad_is_none_unless_retained(L):
    x = leaf(L, [1.0, 2.0])
    y = x * 3
    z = y * y
    y.retain_grad()
    assert not z.is_leaf and z.grad_fn is not None and y.retains_grad and not z.retains_grad
    z.sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns when .grad of a non-leaf is read
        assert z.grad is None
    assert y.grad.tolist() == [6.0, 12.0]
    assert x.grad.tolist() == [18.0, 36.0]


def test_retain_grad_on_a_tensor_without_grad_raises():
    same_message(lambda: course_lib.ones(2).retain_grad(), lambda: torch.ones(2).retain_grad())


def test_non_scalar_backward_needs_a_gradient():
    mine, _ = raises_like(lambda: (leaf(course_lib, [1.0, 2.0]) * 2).backward(),
                          lambda: (leaf(torch, [1.0, 2.0]) * 2).backward())
    assert "grad can be implicitly created only for scalar outputs" in str(mine)


def test_backward_of_a_tensor_without_grad_raises():
    same_message(lambda: course_lib.ones(2).sum().backward(), lambda: torch.ones(2).sum().backward())


def test_vector_jacobian_product():
    v = np.array([0.1, 1.0, 0.0001])
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, -2.0, 3.0])
        y = x * x * 2 + x.exp()
        y.backward(L.tensor(v, dtype=L.float64))
        results.append(x.grad)
    assert_same(*results)


def test_backward_gradient_of_another_dtype_is_cast():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        (x * 2).backward(L.ones(2, dtype=L.float32))
        results.append(x.grad)
    assert_same(*results)


def test_backward_gradient_of_the_wrong_shape_raises():
    raises_like(lambda: (leaf(course_lib, [1.0, 2.0]) * 2).backward(course_lib.ones(3, dtype=course_lib.float64)),
                lambda: (leaf(torch, [1.0, 2.0]) * 2).backward(torch.ones(3, dtype=torch.float64)))


@BOTH
def test_backward_of_a_leaf_itself(L):
    x = leaf(L, 2.0)
    x.backward()
    assert x.grad.item() == 1.0


@BOTH
def test_backward_twice_needs_retain_graph(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    out = (x.exp() * x).sum()
    out.backward(retain_graph=True)
    out.backward()
    first = (np.exp([1.0, 2.0, 3.0]) * (1 + np.array([1.0, 2.0, 3.0])))
    np.testing.assert_allclose(x.grad.tolist(), 2 * first)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward()


@BOTH
def test_a_graph_without_saved_tensors_can_be_walked_twice(L):
    x = leaf(L, [1.0, 2.0])
    out = (x + 1).sum()  # add and sum save nothing: torch allows a second backward
    out.backward()
    out.backward()
    assert x.grad.tolist() == [2.0, 2.0]


@BOTH
def test_backward_with_inputs_accumulates_only_there(L):
    x, w = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    h = x * w
    (h * h).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.tolist() == [6.0, 32.0]  # 2 h x
    L.autograd.backward([(x * w).sum()], inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0]


@BOTH
def test_several_outputs_in_one_backward(L):
    x = leaf(L, [1.0, 2.0])
    a, b = x * 2, x * x
    L.autograd.backward([a, b], [L.ones(2, dtype=L.float64), L.full((2,), 0.5, dtype=L.float64)])
    assert x.grad.tolist() == [3.0, 4.0]


def test_gradient_is_not_aliased_with_the_callers_tensor():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, -1.0])
        g = L.ones(2, dtype=L.float64)
        (x * 1).backward(g)
        g.mul_(100)
        results.append(x.grad)
    assert_same(*results)


def test_deep_chain_does_not_hit_the_recursion_limit():
    def chain(L, x):
        for _ in range(3000):
            x = x * 0.999 + 0.001
        return x

    check_gradients(chain, np.array([1.0, 2.0]))


def test_diamond_and_shared_subexpressions():
    def diamond(L, x, y):
        a = x * y
        b = a + x
        c = a.exp() * b
        return (a * b * c).sum() + c.mean()

    check_gradients(diamond, randn(3, seed=1), randn(3, seed=2))


def test_topological_order_lists_each_node_before_its_inputs():
    from course_lib.autograd.engine import topological_order

    x, y = leaf(course_lib, [1.0, 2.0]), leaf(course_lib, [3.0, 4.0])
    a = x * y
    out = (a * (a + x)).sum()
    order = topological_order([out.grad_fn])
    position = {id(node): i for i, node in enumerate(order)}
    assert len(order) == len(position) == 6  # Sum, Mul, Add, Mul, 2 AccumulateGrad
    assert order[0] is out.grad_fn
    for node in order:
        for child, _ in node.next_functions:
            if child is not None:
                assert position[id(child)] > position[id(node)], (node, child)


# --------------------------------------------------------------------------- detach, no_grad, flags


@BOTH
def test_detach_shares_storage_and_has_no_history(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    assert d.data_ptr() == y.data_ptr()
    d[0] = 10.0  # shared memory: y sees it
    assert y.tolist()[0] == 10.0
    data = x.data
    assert not data.requires_grad and data.data_ptr() == x.data_ptr()


@BOTH
def test_no_grad_context_decorator_and_nesting(L):
    x = leaf(L, [1.0, 2.0])
    with L.no_grad():
        y = x * 2
        assert not L.is_grad_enabled()
        with L.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert not y.requires_grad and y.grad_fn is None
    assert L.is_grad_enabled()

    @L.no_grad()
    def evaluate(t):
        return t * 2

    @L.no_grad
    def evaluate_bare(t):
        return t * 2

    @L.enable_grad()
    def train(t):
        return t * 2

    assert not evaluate(x).requires_grad and not evaluate_bare(x).requires_grad
    with L.no_grad():
        assert train(x).requires_grad
    assert L.is_grad_enabled()


@BOTH
def test_set_grad_enabled_every_form(L):
    x = leaf(L, [1.0])
    with L.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    L.set_grad_enabled(False)
    try:
        assert not L.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        L.set_grad_enabled(True)

    @L.set_grad_enabled(False)
    def frozen(t):
        return t * 2

    assert L.is_grad_enabled()  # the decorator does not switch it off at definition time
    assert not frozen(x).requires_grad
    assert L.is_grad_enabled()


@BOTH
def test_grad_mode_is_restored_after_an_exception(L):
    with pytest.raises(ValueError):
        with L.no_grad():
            raise ValueError
    assert L.is_grad_enabled()


@BOTH
def test_requires_grad_flags(L):
    x = L.tensor([1.0, 2.0])
    assert not x.requires_grad and x.is_leaf
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    x.requires_grad_(False)
    assert not (x * 2).requires_grad
    assert L.ones(2, requires_grad=True).requires_grad
    assert L.zeros_like(x, requires_grad=True).requires_grad


def test_requires_grad_false_on_a_non_leaf_raises():
    same_message(lambda: (leaf(course_lib, [1.0]) * 2).requires_grad_(False),
                 lambda: (leaf(torch, [1.0]) * 2).requires_grad_(False))


def test_graphs_are_freed_without_the_garbage_collector():
    """No reference cycles (node <-> ctx, saved output <-> its node, leaf <-> accumulator):
    a graph and its saved tensors go as soon as the last reference does, as in torch."""
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        x = leaf(course_lib, [1.0, 2.0])
        y = x.exp()  # saves its own output
        out = (y.tanh() * x).sum()
        refs = [weakref.ref(t) for t in (x, y)] + [weakref.ref(out.grad_fn), weakref.ref(y.grad_fn)]
        del y, out
        assert refs[1]() is None and refs[2]() is None and refs[3]() is None  # forward graph, never used
        out = (x * x).exp().sum()
        out.backward()
        del out, x
        assert refs[0]() is None  # the leaf too: its accumulator does not keep it alive
    finally:
        gc.enable()


def test_only_float_tensors_can_require_grad():
    same_message(lambda: course_lib.tensor([1, 2]).requires_grad_(), lambda: torch.tensor([1, 2]).requires_grad_())


def test_detach_breaks_the_gradient_path():
    check_gradients(lambda L, x: x * x.detach() + (x * 2).detach() * x, np.array([1.0, 2.0, 3.0]))


# --------------------------------------------------------------------------- in-place operations


@BOTH
def test_inplace_change_of_a_saved_tensor_raises_at_backward(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    y = x.exp()  # saves its result
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    z = leaf(L, [1.0, 2.0]) * 1
    w = z * z  # saves z
    z.mul_(2)
    assert z._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.sum().backward()


@BOTH
def test_inplace_on_a_leaf_that_requires_grad_raises(L):
    x = leaf(L, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x += 1
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."):
        x[0] = 5.0
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place"):
        x[0].mul_(2)


@BOTH
def test_optimizer_step_in_place_under_no_grad(L):
    w = leaf(L, [1.0, -2.0, 3.0])
    (w * w).sum().backward()
    with L.no_grad():
        w -= 0.1 * w.grad
        w.mul_(2)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    np.testing.assert_allclose(w.tolist(), [1.6, -3.2, 4.8])
    w.grad.zero_()
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0, 3.0]


INPLACE = {
    "add_": lambda L, y: y.add_(1),
    "add_ alpha": lambda L, y: y.add_(y.detach(), alpha=2),
    "sub_": lambda L, y: y.sub_(0.5),
    "mul_": lambda L, y: y.mul_(3),
    "div_": lambda L, y: y.div_(2),
    "pow_": lambda L, y: y.pow_(2),
    "+= -= *= /=": lambda L, y: y.__iadd__(1).__isub__(2).__imul__(3).__itruediv__(4),
    "neg_ abs_": lambda L, y: y.neg_().abs_(),
    "exp_": lambda L, y: y.exp_(),
    "sigmoid_": lambda L, y: y.sigmoid_(),
    "tanh_": lambda L, y: y.tanh_(),
    "relu_": lambda L, y: y.relu_(),
    "clamp_": lambda L, y: y.clamp_(-0.5, 0.5),
    "floor_": lambda L, y: y.floor_(),
    "masked_fill_": lambda L, y: y.masked_fill_(y.detach() > 0.3, 0.0),
    "fill_": lambda L, y: y.fill_(2.0),
    "zero_": lambda L, y: y.zero_(),
    "copy_": lambda L, y: y.copy_(y.detach() * 2),
    "view: y[0].mul_(3)": lambda L, y: y[0].mul_(3),
    "view: y.t()[1:].add_(1)": lambda L, y: y.t()[1:].add_(1),
    "view of a view: y.view(6)[::2].zero_()": lambda L, y: y.view(6)[::2].zero_(),
    "setitem y[0] = ...": lambda L, y: y.__setitem__(0, y[1].detach() * 3),
    "setitem y[:, 1:] = 0": lambda L, y: y.__setitem__((slice(None), slice(1, None)), 0.0),
    "setitem through a view: y[1][::2] = 5": lambda L, y: y[1].__setitem__(slice(None, None, 2), 5.0),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_ops_on_non_leaves_keep_correct_gradients(name):
    def expression(L, x):
        y = x * 2  # MulBackward0 with a number saves nothing of x*2: the in-place change is legal
        INPLACE[name](L, y)
        return (y * x).exp().sum()

    check_gradients(expression, randn(2, 3, seed=3))


def test_inplace_add_then_exp_like_torch():
    def expression(L, x):
        y = x * 2
        y.add_(1)
        return y.exp().sum()

    check_gradients(expression, np.array([1.0, 2.0, 3.0]))


def test_inplace_with_another_tensor_requiring_grad():
    def expression(L, x, w):
        y = x * 1
        y.mul_(w)
        y[0] += w[1]
        z = L.zeros(3, dtype=L.float64)
        z.add_(y)  # z did not require grad: it joins the graph
        return (z * z).sum()

    check_gradients(expression, randn(3, seed=4), randn(3, seed=5))


def test_setitem_with_grad():
    def expression(L, x, y):
        z = L.zeros(2, 3, dtype=L.float64)
        z[:] = x + y
        z[1, ::2] = x[:2] * y[2]
        return (z * z).sum() + z[0].prod()

    check_gradients(expression, randn(3, seed=6), randn(3, seed=7))


def test_setitem_names_and_versions():
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        z = L.zeros(3, dtype=L.float64)
        z[1:] = x * 2
        assert grad_fn_name(z) == "CopySlices" and z._version == 1
        assert [type(n).__name__ if n else None for n, _ in z.grad_fn.next_functions] == [None, "MulBackward0"]


def test_retain_grad_follows_an_inplace_change():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        y = x * 3
        y.retain_grad()
        y.add_(1)
        (y * y).sum().backward()
        results.append((y.grad, x.grad))
    assert_same(*results)


# --------------------------------------------------------------------------- autograd.grad


@BOTH
def test_grad_returns_without_accumulating(L):
    x, y = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    (gx,) = L.autograd.grad((x * x).sum(), x)
    assert gx.tolist() == [2.0, 4.0] and x.grad is None
    gx, gy = L.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gy is None
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        L.autograd.grad((x * 2).sum(), [x, y])


@BOTH
def test_grad_with_respect_to_a_non_leaf(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    h = x * 3
    out = (h * h).sum()
    (gh,) = L.autograd.grad(out, h)
    assert gh.tolist() == [6.0, 12.0, 18.0] and x.grad is None


def test_higher_order_derivatives_of_x_cubed():
    results = []
    for L in LIBRARIES:
        x = leaf(L, 2.0)
        (g1,) = L.autograd.grad(x ** 3, x, create_graph=True)
        (g2,) = L.autograd.grad(g1, x, create_graph=True)
        (g3,) = L.autograd.grad(g2, x)
        results.append((g1.item(), g2.item(), g3.item(), g1.requires_grad, g3.requires_grad))
    assert results[0] == results[1] == (12.0, 12.0, 6.0, True, False)


def test_hessian_vector_product():
    v = np.array([[1.0, 0.5], [0.0, 2.0]])
    results = []
    for L in LIBRARIES:
        x = leaf(L, [[1.0, 2.0], [3.0, -1.0]])
        f = (x ** 3).sum() + (x[0] * x[1]).sum() + (x.exp() * x.sin()).sum() + x.softmax(1).prod()
        (g,) = L.autograd.grad(f, x, create_graph=True)
        (hv,) = L.autograd.grad(g, x, L.tensor(v, dtype=L.float64))
        results.append(hv)
    assert_same(*results)


def test_second_derivatives_through_many_rules():
    """create_graph differentiates the backward rules themselves (they use Tensor ops)."""

    def second(L, x):
        y = (x.tanh() * x.sigmoid() + x.log_softmax(0) + (x @ x) * x.norm() + x.cumprod(0) / x.abs().sqrt()
             + x.max() + x.var() + x.amin() * x.prod() + x[[0, 0, 1]].sum() + x.clamp(-0.5, 0.5) ** 2)
        (g,) = L.autograd.grad(y.sum(), x, create_graph=True)
        return (g * g).sum()

    check_gradients(second, np.array([0.3, -1.2, 2.0]))


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@BOTH
def test_grad_of_a_sum_with_create_graph_is_a_real_tensor(L):
    x = L.ones(3, requires_grad=True)
    x.sum().backward(create_graph=True)  # the rule returns an expanded view: .grad must be a copy
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_with_create_graph_makes_a_differentiable_grad():
    results = []
    for L in LIBRARIES:
        x = leaf(L, [1.0, 2.0])
        (x ** 3).sum().backward(create_graph=True)
        first = x.grad
        assert first.requires_grad
        (g2,) = L.autograd.grad(first.sum(), x)
        results.append((first.detach(), g2))
    assert_same(*results)


def test_jacobian_against_torch():
    from course_lib.autograd.functional import jacobian

    point = randn(2, 3, seed=8)
    for function in (lambda x: x.softmax(1), lambda x: (x ** 2).sum(0), lambda x: x.t() @ x):
        assert_same(jacobian(function, course_lib.tensor(point)),
                    torch.autograd.functional.jacobian(function, torch.tensor(point)))


# --------------------------------------------------------------------------- Function and gradcheck


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


# --------------------------------------------------------------------------- the graph


NAMED = {
    "x + y": lambda L, x, y: x + y,
    "x + 2": lambda L, x, y: x + 2,
    "2 + x": lambda L, x, y: 2 + x,
    "x - y": lambda L, x, y: x - y,
    "2 - x": lambda L, x, y: 2 - x,
    "x * y": lambda L, x, y: x * y,
    "3 * x": lambda L, x, y: 3 * x,
    "x / y": lambda L, x, y: x / y,
    "x ** 2": lambda L, x, y: x ** 2,
    "x ** y": lambda L, x, y: x ** y,
    "2 ** x": lambda L, x, y: 2 ** x,
    "-x": lambda L, x, y: -x,
    "exp log sqrt": lambda L, x, y: x.exp().log().sqrt(),
    "sigmoid tanh relu": lambda L, x, y: x.sigmoid().tanh().relu(),
    "abs reciprocal": lambda L, x, y: x.abs().reciprocal(),
    "sin cos": lambda L, x, y: x.sin().cos(),
    "square": lambda L, x, y: x.square(),
    "maximum minimum": lambda L, x, y: L.maximum(x, y).minimum(y),
    "clamp": lambda L, x, y: x.clamp(0, 1),
    "where": lambda L, x, y: L.where(x > 0, x, y),
    "mean()": lambda L, x, y: x.mean(),
    "mean(0)": lambda L, x, y: x.mean(0),
    "sum()": lambda L, x, y: x.sum(),
    "sum(1)": lambda L, x, y: x.sum(1),
    "prod() prod(0)": lambda L, x, y: x.prod(0).prod(),
    "amax amin": lambda L, x, y: x.amax(0).amin(),
    "max() min()": lambda L, x, y: x.max() + x.min(),
    "max(0)": lambda L, x, y: x.max(0).values,
    "var std": lambda L, x, y: x.var(0) * x.std(),
    "norm": lambda L, x, y: x.norm(),
    "logsumexp": lambda L, x, y: x.logsumexp(1),
    "softmax log_softmax": lambda L, x, y: x.softmax(1).log_softmax(0),
    "cumsum cumprod": lambda L, x, y: x.cumsum(0).cumprod(1),
    "view": lambda L, x, y: x.view(6),
    "reshape flatten": lambda L, x, y: x.reshape(3, 2).flatten(),
    "t": lambda L, x, y: x.t(),
    "T": lambda L, x, y: x.T,
    "transpose": lambda L, x, y: x.transpose(0, 1),
    "permute": lambda L, x, y: x.permute(1, 0),
    "expand": lambda L, x, y: x.unsqueeze(0).expand(2, 2, 3),
    "squeeze": lambda L, x, y: x[:1].squeeze(0).unsqueeze(1).squeeze(),
    "x[1]": lambda L, x, y: x[1],
    "x[:, 1]": lambda L, x, y: x[:, 1],
    "x[1:]": lambda L, x, y: x[1:],
    "x[0, ::2]": lambda L, x, y: x[0, ::2],
    "x[None]": lambda L, x, y: x[None],
    "x[[0, 0]]": lambda L, x, y: x[[0, 0]],
    "x[x > 0]": lambda L, x, y: x[x > 0],
    "select narrow": lambda L, x, y: x.select(0, 1).narrow(0, 1, 2),
    "index_select gather": lambda L, x, y: x.index_select(1, L.tensor([0, 0])).gather(0, L.tensor([[1, 0]])),
    "masked_fill": lambda L, x, y: x.masked_fill(x > 0, 0.0),
    "repeat flip": lambda L, x, y: x.repeat(2, 1).flip(0),
    "cat stack": lambda L, x, y: L.stack([L.cat([x, y]), L.cat([y, x])]),
    "mm": lambda L, x, y: x.mm(y.t()),
    "matmul 2-d": lambda L, x, y: x @ y.t(),
    "mv dot": lambda L, x, y: x.mv(y[0]).dot(x[:, 0]),
    "bmm": lambda L, x, y: L.bmm(x.unsqueeze(0), y.t().unsqueeze(0)),
    "clone": lambda L, x, y: x.clone(),
    "contiguous of a transpose": lambda L, x, y: x.t().contiguous(),
    "to(float32)": lambda L, x, y: x.to(L.float32),
    "in-place add_": lambda L, x, y: (x * 1).add_(1),
    "setitem": lambda L, x, y: _setitem(x * 1, y),
}


def _setitem(target, value):
    target[0] = value[1]
    return target


def _names(tensor):
    """(grad_fn name, names of next_functions) with torch's spelling normalised."""
    def clean(node):
        return None if node is None else type(node).__name__
    return clean(tensor.grad_fn), [clean(node) for node, _ in tensor.grad_fn.next_functions]


# torch records x[0, ::2] as a chain SliceBackward0 -> SelectBackward0; course_lib as one node
# named after the last step: only the top name is compared.
ONE_NODE_FOR_A_CHAIN = {"x[0, ::2]"}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_grad_fn_names_and_next_functions_match_torch(name):
    results = []
    for L in LIBRARIES:
        x = L.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=L.float64, requires_grad=True)
        y = L.tensor([[1.0, 2.0, 0.5], [0.5, 3.0, 1.0]], dtype=L.float64, requires_grad=True)
        out = NAMED[name](L, x, y)
        results.append(_names(out))
    if name in ONE_NODE_FOR_A_CHAIN:
        assert results[0][0] == results[1][0]
    else:
        assert results[0] == results[1]
    x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)
    assert NAMED[name](torch, x, x).grad_fn.name().split("::")[-1] == results[1][0]  # name() agrees with the type


def test_next_functions_of_a_chain_match_torch():
    def structure(node):
        if node is None:
            return None
        return (type(node).__name__, [structure(child) for child, _ in node.next_functions])

    results = []
    for L in LIBRARIES:
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        results.append(structure((3 * (x + 2) ** 2).mean().grad_fn))
    assert results[0] == results[1] == (
        "MeanBackward0", [("MulBackward0", [("PowBackward0", [("AddBackward0", [("AccumulateGrad", []), None])]),
                                            None])])
    x = course_lib.tensor([1.0], requires_grad=True)
    accumulate = (x * 2).grad_fn.next_functions[0][0]
    assert accumulate.variable is x and (x + 1).grad_fn.next_functions[0][0] is accumulate  # one per leaf


def test_repr_shows_grad_fn_and_requires_grad():
    for expression in (lambda L, x: x * 2, lambda L, x: x, lambda L, x: x.sum(), lambda L, x: x.detach(),
                       lambda L, x: x[0], lambda L, x: x.exp().mean(0)):
        mine = repr(expression(course_lib, course_lib.tensor([[1.0, 2.0]], requires_grad=True)))
        theirs = repr(expression(torch, torch.tensor([[1.0, 2.0]], requires_grad=True)))
        assert mine == theirs
    assert repr((course_lib.ones(2, requires_grad=True) * 2).grad_fn).startswith("<MulBackward0 object at 0x")
