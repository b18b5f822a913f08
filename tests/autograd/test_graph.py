"""Autograd semantics against torch: the graph itself: grad_fn names and next_functions like torch's, repr."""

from __future__ import annotations


import pytest
import torch

import course_lib
from helpers.devices import torch_repr
from helpers.autograd import LIBRARIES

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
        mine = torch_repr(expression(course_lib, course_lib.tensor([[1.0, 2.0]], requires_grad=True)))
        theirs = repr(expression(torch, torch.tensor([[1.0, 2.0]], requires_grad=True)))
        assert mine == theirs
    assert repr((course_lib.ones(2, requires_grad=True) * 2).grad_fn).startswith("<MulBackward0 object at 0x")


def test_autograd_state_lives_in_one_record():
    plain = course_lib.ones(3)
    assert plain._autograd is None and plain.grad is None and plain.grad_fn is None  # nothing until needed
    with pytest.raises(AttributeError):
        plain.some_new_attribute = 1  # no ad-hoc state on tensors: it goes into the record
    x = course_lib.ones(3, requires_grad=True)
    y = x * 2
    view = y[1:]
    y.retain_grad()
    view.sum().backward(retain_graph=True)
    meta = x.autograd_meta
    assert meta.grad is x.grad and meta.accumulator() is y.grad_fn.next_functions[0][0]
    assert y.autograd_meta.retains_grad and y.autograd_meta.grad_fn is y.grad_fn
    base, steps = view.autograd_meta.view_of
    assert base is y and [(function.__name__, args) for function, args, _ in steps] == [("SliceBackward0",
                                                                                          (slice(1, None),))]
