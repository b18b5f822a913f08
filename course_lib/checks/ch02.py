"""Checks for chapter 02 (notebooks/02_autograd.ipynb): your autograd engine against torch's.

What they cover: each expression is written twice, once with course_lib and once with
torch, on the same float64 data (micrograd's test, applied per exercise). The check
compares the forward value and the gradient of every input, after ``backward`` with a
random output gradient (so a rule that is right only for a gradient of ones still fails).
Inputs include broadcast shapes, non-contiguous (transposed) operands and 0-d tensors.
Exercises 2.1, 2.3, 2.10 and 2.12 are also called directly.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Sequence, Tuple

import numpy as np

from .. import _api
from .compare import Expression, forward_backward, random_arrays
from .harness import Case, register_check
from ..autograd.engine import sum_to_shape, topological_order
from ..ops.creation import tensor
from ..autograd.functional import jacobian


def _run(library: Any, device: str, expression: Expression, arrays: List[np.ndarray], seed: int) -> tuple:
    """Forward + backward in ``library`` (course_lib or torch); returns (output, *input grads)."""
    inputs = [library.tensor(a, dtype=library.float64, device=device).requires_grad_() for a in arrays]
    outputs, grads = forward_backward(library, expression, inputs, seed)
    return (outputs[0], *grads)


def gradient_case(name: str, device: str, expression: Expression, shapes: Sequence[Tuple[int, ...]],
                  seed: int, text: str, positive: bool = False) -> Case:
    """A case comparing ``expression``'s value and input gradients with torch's."""
    import torch

    ours = _api
    arrays = random_arrays(shapes, seed, positive)
    return Case(
        name=f"{name}",
        inputs=f"{text} with inputs of shapes {list(shapes)} (float64, seed {seed})",
        actual=lambda: _run(ours, device, expression, arrays, seed),
        expected=lambda: _run(torch, "cpu", expression, arrays, seed),
    )


def _graph_names(root: Any) -> List[str]:
    """Class names of every node of a torch graph reachable from ``root`` (each node once), sorted."""
    seen, stack, names = set(), [root], []
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        names.append(type(node).__name__)  # torch names AccumulateGrad "torch::autograd::..." in name()
        stack.extend(child for child, _ in node.next_functions)
    return sorted(names)


def _diamond(library: Any, x: Any, y: Any) -> Any:
    a = x * y
    b = a + x
    return (a * b).sum()


@register_check("2.1", per_device=True)
def check_topological_order(device: str) -> Iterator[Case]:
    """Every node once, each before the nodes it points to; then gradients of graphs that need the order."""
    import torch


    def order_is_valid() -> tuple:
        x = tensor([1.0, 2.0], dtype=None, device=device).double().requires_grad_()
        y = tensor([3.0, -1.0], device=device).double().requires_grad_()
        root = _diamond(None, x, y).grad_fn
        order = topological_order([root])
        position = {id(node): i for i, node in enumerate(order)}
        before = all(position[id(child)] > position[id(node)]
                     for node in order for child, _ in node.next_functions if child is not None)
        return len(order) == len(position), before, sorted(n.name() for n in order)

    def torch_answer() -> tuple:
        x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        y = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
        return True, True, _graph_names(_diamond(torch, x, y).grad_fn)

    yield Case("order of a diamond graph", "a = x*y; b = a + x; (a*b).sum(): (no duplicates, inputs after "
               "users, node names)", actual=order_is_valid, expected=torch_answer)
    yield gradient_case("diamond graph", device, _diamond, [(3,), (3,)], 1, "a = x*y; b = a + x; out = (a*b)")
    if device == "cpu":  # the order does not depend on the device; 9,000 simulated cuda launches take a minute
        deep = lambda lib, x: _deep_chain(x)  # noqa: E731
        yield gradient_case("chain of 3000 nodes", device, deep, [(2,)], 2, "x, then 3000 times x = x*0.999 + 0.001")


def _deep_chain(x: Any) -> Any:
    for _ in range(3000):
        x = x * 0.999 + 0.001
    return x


@register_check("2.2", per_device=True)
def check_accumulate_grad(device: str) -> Iterator[Case]:
    """Two backward passes add up in ``.grad``; the first gradient is stored, never aliased."""
    import torch

    ours = _api

    def twice(library: Any, dev: str) -> tuple:
        x = library.tensor([1.0, 2.0, 3.0], dtype=library.float64, device=dev, requires_grad=True)
        (x * x).sum().backward()
        first = x.grad.clone()
        (3 * x).sum().backward()
        return first, x.grad

    def not_aliased(library: Any, dev: str) -> tuple:
        x = library.tensor([1.0, -1.0], dtype=library.float64, device=dev, requires_grad=True)
        y = x * 2
        g = library.tensor([1.0, 1.0], dtype=library.float64, device=dev)
        y.backward(g)
        g.mul_(100)  # must not change x.grad
        return (x.grad,)

    yield Case("x*x then 3x: grads add up", "x = [1, 2, 3]; (x*x).sum().backward(); (3*x).sum().backward()",
               actual=lambda: twice(ours, device), expected=lambda: twice(torch, "cpu"))
    yield Case("grad is not the caller's gradient tensor", "y = 2*x; y.backward(g); g.mul_(100)",
               actual=lambda: not_aliased(ours, device), expected=lambda: not_aliased(torch, "cpu"))
    yield gradient_case("a leaf used three times", device, lambda lib, x: x * x + x.exp() * x, [(2, 3)], 3,
                        "x*x + exp(x)*x")


@register_check("2.3", per_device=True)
def check_sum_to_shape(device: str) -> Iterator[Case]:
    """``sum_to_shape`` against torch's gradient of an ``expand`` (which un-broadcasts)."""
    import torch


    pairs = [((2, 3, 4), (3, 1)), ((2, 3, 4), (1, 4)), ((5, 1, 3), (1,)), ((4, 3), (4, 3)), ((2, 3), ()),
             ((3, 0, 2), (1, 2)), ((2, 1, 3), (2, 1, 1))]
    for index, (big, small) in enumerate(pairs):
        grad = np.random.default_rng(index).standard_normal(big)

        def expected(grad=grad, small=small, big=big):
            x = torch.zeros(small, dtype=torch.float64, requires_grad=True)
            (x.expand(big) * torch.tensor(grad)).sum().backward()
            return x.grad

        yield Case(f"{big} -> {small}", f"grad of shape {big} summed to shape {small}",
                   actual=lambda grad=grad, small=small: sum_to_shape(tensor(grad, device=device), small),
                   expected=expected)
    yield gradient_case("a * b broadcast", device, lambda lib, a, b: a + b, [(2, 1, 3), (4, 1)], 7,
                        "a + b with broadcasting")


def _elementwise(exercise: str, device: str) -> Iterator[Case]:
    cases = {
        "mul": [("a * b", lambda lib, a, b: a * b, [(3, 4), (3, 4)], False),
                ("a * b, broadcast", lambda lib, a, b: a * b, [(2, 1, 4), (3, 1)], False),
                ("a.t() * b (non-contiguous)", lambda lib, a, b: a.t() * b, [(4, 3), (3, 4)], False),
                ("2.5 * a (a number)", lambda lib, a: 2.5 * a, [(5,)], False),
                ("a * a (same input twice)", lambda lib, a: a * a, [(3,)], False),
                ("0-d * vector", lambda lib, a, b: a * b, [(), (4,)], False)],
        "div": [("a / b", lambda lib, a, b: a / b, [(3, 4), (3, 4)], True),
                ("a / b, broadcast", lambda lib, a, b: a / b, [(2, 3), (3,)], True),
                ("1 / a (a number on top)", lambda lib, a: 1.0 / a, [(4,)], True),
                ("a / 4", lambda lib, a: a / 4.0, [(2, 2)], False)],
        "pow": [("a ** 2", lambda lib, a: a ** 2, [(3, 4)], False),
                ("a ** 3", lambda lib, a: a ** 3, [(5,)], False),
                ("a ** 0.5 (a > 0)", lambda lib, a: a ** 0.5, [(2, 3)], True),
                ("a ** -1.5 (a > 0)", lambda lib, a: a ** -1.5, [(4,)], True),
                ("a.t() ** 2", lambda lib, a: a.t() ** 2, [(3, 2)], False)],
        "exp": [("exp(a)", lambda lib, a: a.exp(), [(3, 4)], False),
                ("exp(a) * a", lambda lib, a: a.exp() * a, [(6,)], False),
                ("exp of a 0-d tensor", lambda lib, a: a.exp(), [()], False)],
        "log": [("log(a)", lambda lib, a: a.log(), [(3, 4)], True),
                ("log(a.t())", lambda lib, a: a.t().log(), [(2, 5)], True),
                ("log(a) * a", lambda lib, a: a.log() * a, [(4,)], True)],
    }[exercise]
    for seed, (name, expression, shapes, positive) in enumerate(cases):
        yield gradient_case(name, device, expression, shapes, 10 + seed, name, positive)


@register_check("2.4", per_device=True)
def check_mul_backward(device: str) -> Iterator[Case]:
    yield from _elementwise("mul", device)


@register_check("2.5", per_device=True)
def check_div_backward(device: str) -> Iterator[Case]:
    yield from _elementwise("div", device)


@register_check("2.6", per_device=True)
def check_pow_backward(device: str) -> Iterator[Case]:
    yield from _elementwise("pow", device)


@register_check("2.7", per_device=True)
def check_exp_backward(device: str) -> Iterator[Case]:
    yield from _elementwise("exp", device)


@register_check("2.8", per_device=True)
def check_log_backward(device: str) -> Iterator[Case]:
    yield from _elementwise("log", device)


@register_check("2.9", per_device=True)
def check_mm_backward(device: str) -> Iterator[Case]:
    """``a @ b`` for matrices, including a transposed (non-contiguous) operand and a chain."""
    yield gradient_case("(3, 4) @ (4, 5)", device, lambda lib, a, b: a @ b, [(3, 4), (4, 5)], 20, "a @ b")
    yield gradient_case("a.t() @ b", device, lambda lib, a, b: a.t() @ b, [(4, 3), (4, 2)], 21, "a.t() @ b")
    yield gradient_case("(a @ b) @ a", device, lambda lib, a, b: (a @ b) @ a, [(3, 3), (3, 3)], 22, "(a @ b) @ a")
    yield gradient_case("mm(a, b) (1 column)", device, lambda lib, a, b: a.mm(b), [(2, 5), (5, 1)], 23, "a.mm(b)")


@register_check("2.10", per_device=True)
def check_expand_reduced(device: str) -> Iterator[Case]:
    """Gradients of sum/mean over different dims, with and without keepdim."""
    variants = [("sum()", lambda lib, a: a.sum(), (3, 4)),
                ("sum(dim=1)", lambda lib, a: a.sum(dim=1), (3, 4)),
                ("sum(dim=0, keepdim=True)", lambda lib, a: a.sum(dim=0, keepdim=True), (3, 4)),
                ("sum(dim=(0, 2))", lambda lib, a: a.sum(dim=(0, 2)), (2, 3, 4)),
                ("mean(dim=-1)", lambda lib, a: a.mean(dim=-1), (2, 5)),
                ("mean(dim=(1, 2), keepdim=True)", lambda lib, a: a.mean(dim=(1, 2), keepdim=True), (2, 3, 2)),
                ("mean() of a 0-d tensor", lambda lib, a: a.mean(), ())]
    for seed, (name, expression, shape) in enumerate(variants):
        yield gradient_case(name, device, expression, [shape], 30 + seed, name)


@register_check("2.11", per_device=True)
def check_view_backward(device: str) -> Iterator[Case]:
    """Gradients flow through ``view`` back to the input's shape."""
    variants = [("view(6, 2)", lambda lib, a: a.view(6, 2) * 2, (3, 4)),
                ("view(-1)", lambda lib, a: a.view(-1).exp(), (2, 3, 2)),
                ("view then sum(0)", lambda lib, a: a.view(2, 6).sum(0), (4, 3)),
                ("view of a 0-d tensor", lambda lib, a: a.view(1, 1) * 3, ())]
    for seed, (name, expression, shape) in enumerate(variants):
        yield gradient_case(name, device, expression, [shape], 40 + seed, name)


@register_check("2.12", per_device=True)
def check_jacobian(device: str) -> Iterator[Case]:
    """``jacobian`` against ``torch.autograd.functional.jacobian``."""
    import torch


    functions = [("x * x", lambda x: x * x, (3,)),
                 ("softmax(x, 0)", lambda x: x.softmax(0), (4,)),
                 ("A @ x", lambda x: x.reshape(2, 3) @ x.reshape(3, 2), (6,)),
                 ("(x ** 2).sum(1)", lambda x: (x ** 2).sum(1), (2, 3))]
    for seed, (name, function, shape) in enumerate(functions):
        point = np.random.default_rng(50 + seed).standard_normal(shape)
        yield Case(name, f"jacobian of {name} at a random x of shape {shape}",
                   actual=lambda f=function, p=point: jacobian(f, tensor(p, device=device)),
                   expected=lambda f=function, p=point: torch.autograd.functional.jacobian(f, torch.tensor(p)))
