"""Bad inputs raise torch's exception type (and warn with torch's category), table-driven, both libraries.

Each row is one bad call written once, for ``L = torch`` and ``L = course_lib``. The test runs it in both
and compares the exception type and the warning categories; torch must raise or warn (so a row that is
not a bad input fails). Add a row with every operation added to course_lib.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import course_lib


def _leaf(L):
    return L.ones(2, requires_grad=True)


def _backward_twice(L):
    y = (_leaf(L) * _leaf(L)).sum()
    y.backward()
    y.backward()


def _grad_unused(L):
    x, unused = _leaf(L), _leaf(L)
    L.autograd.grad((x * 2).sum(), [x, unused])


def _inplace_saved(L):
    x = _leaf(L)
    y = x.exp()
    z = y.sum() * 1
    y.add_(1)
    (y * x).sum().backward()
    return z


def _setattr_grad(L, value):
    x = _leaf(L)
    x.grad = value(L)


BAD = {
    # creation
    "tensor ragged": lambda L: L.tensor([[1, 2], [3]]),
    "tensor of a string": lambda L: L.tensor("abc"),
    "tensor of strings": lambda L: L.tensor(["a", "b"]),
    "tensor of an object": lambda L: L.tensor([object()]),
    "zeros dtype as a string": lambda L: L.zeros(2, dtype="float"),
    "zeros negative size": lambda L: L.zeros(-1),
    "arange step 0": lambda L: L.arange(0, 5, 0),
    "arange wrong direction": lambda L: L.arange(5, 0, 1),
    "randint high <= low": lambda L: L.randint(5, 5, (2,)),
    "linspace negative steps": lambda L: L.linspace(0, 1, -1),
    "int tensor requires grad": lambda L: L.tensor([1, 2], requires_grad=True),
    "ones requires_grad int": lambda L: L.ones(2, dtype=L.int64).requires_grad_(),
    # shapes and views
    "view wrong size": lambda L: L.ones(6).view(4, 2),
    "view of a transpose": lambda L: L.ones(2, 3).t().view(6),
    "view float size": lambda L: L.ones(6).view(2, 3.0),
    "reshape two -1": lambda L: L.ones(6).reshape(-1, -1),
    "permute too few dims": lambda L: L.ones(2, 3).permute(0),
    "permute repeated dim": lambda L: L.ones(2, 3).permute(0, 0),
    "transpose dim out of range": lambda L: L.ones(2, 3).transpose(0, 2),
    "unsqueeze dim out of range": lambda L: L.ones(2).unsqueeze(3),
    "squeeze dim out of range": lambda L: L.ones(2).squeeze(2),
    "expand a non-1 size": lambda L: L.ones(2, 3).expand(4, 3),
    "expand fewer dims": lambda L: L.ones(2, 3).expand(3),
    "flatten start after end": lambda L: L.ones(2, 3, 4).flatten(2, 1),
    "narrow past the end": lambda L: L.ones(5).narrow(0, 3, 4),
    "select index out of range": lambda L: L.ones(2, 3).select(1, 5),
    "chunk 0": lambda L: L.ones(4).chunk(0),
    "t of a 3-d tensor": lambda L: L.ones(2, 3, 4).t(),
    ".T of a 3-d tensor (warns)": lambda L: L.ones(2, 3, 4).T,
    "cat empty list": lambda L: L.cat([]),
    "cat 0-d tensors": lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]),
    "cat different ranks": lambda L: L.cat([L.ones(2), L.ones(2, 2)]),
    "cat size mismatch": lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    "stack different shapes": lambda L: L.stack([L.ones(2), L.ones(3)]),
    # elementwise
    "add shapes that do not broadcast": lambda L: L.ones(2, 3) + L.ones(4),
    "sub of bools": lambda L: L.tensor([True]) - L.tensor([False]),
    "neg of bools": lambda L: -L.tensor([True]),
    "bitwise and of floats": lambda L: L.ones(2) & L.ones(2),
    "invert a float tensor": lambda L: ~L.ones(2),
    "div bad rounding mode": lambda L: L.div(L.ones(2), 2, rounding_mode="up"),
    "where non-bool condition": lambda L: L.where(L.ones(2), L.ones(2), L.zeros(2)),
    "add a string": lambda L: L.ones(2) + "a",
    "in-place result type": lambda L: L.ones(2, dtype=L.int64).add_(1.5),
    "in-place broadcast to a bigger shape": lambda L: L.ones(3).add_(L.ones(2, 3)),
    # reductions
    "sum keepdim not a bool": lambda L: L.ones(2).sum(dim=0, keepdim="yes"),
    "sum dim out of range": lambda L: L.ones(2, 3).sum(2),
    "mean of ints": lambda L: L.ones(2, dtype=L.int64).mean(),
    "max of an empty tensor": lambda L: L.ones(0).max(),
    "argmax of an empty tensor": lambda L: L.ones(0).argmax(),
    "var of ints": lambda L: L.ones(2, dtype=L.int64).var(),
    "cumsum dim out of range": lambda L: L.ones(2).cumsum(1),
    "topk k too large": lambda L: L.ones(3).topk(4),
    "sort dim out of range": lambda L: L.ones(3).sort(1),
    # linear algebra
    "mm shapes": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "mm of a 3-d tensor": lambda L: L.mm(L.ones(2, 2, 2), L.ones(2, 2)),
    "bmm of 2-d tensors": lambda L: L.bmm(L.ones(2, 2), L.ones(2, 2)),
    "dot of different sizes": lambda L: L.dot(L.ones(2), L.ones(3)),
    "dot of 2-d tensors": lambda L: L.dot(L.ones(2, 2), L.ones(2, 2)),
    "matmul of 0-d tensors": lambda L: L.matmul(L.tensor(1.0), L.tensor(2.0)),
    "mv shapes": lambda L: L.mv(L.ones(2, 3), L.ones(2)),
    "matmul mixed dtypes": lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    # indexing
    "index out of range": lambda L: L.ones(3)[5],
    "too many indices": lambda L: L.ones(3)[0, 0],
    "bool mask of the wrong shape": lambda L: L.ones(3)[L.tensor([True, False])],
    "index with a float tensor": lambda L: L.ones(3)[L.tensor([0.0])],
    "index_select with a 2-d index": lambda L: L.ones(3).index_select(0, L.tensor([[0]])),
    "masked_fill with an int mask": lambda L: L.ones(2).masked_fill(L.tensor([1, 0]), 0.0),
    "setitem shape mismatch": lambda L: L.ones(3).__setitem__(slice(0, 2), L.ones(3)),
    "item of two elements": lambda L: L.ones(2).item(),
    "bool of two elements": lambda L: bool(L.ones(2)),
    "len of a 0-d tensor": lambda L: len(L.tensor(1.0)),
    "iterate a 0-d tensor": lambda L: iter(L.tensor(1.0)),
    # autograd
    "backward of a non-scalar": lambda L: (_leaf(L) * 2).backward(),
    "backward without grad": lambda L: L.ones(2).sum().backward(),
    "backward twice": _backward_twice,
    "grad of an unused input": _grad_unused,
    "in-place on a leaf that requires grad": lambda L: _leaf(L).add_(1),
    "in-place change of a saved tensor": _inplace_saved,
    "requires_grad_(False) on a non-leaf": lambda L: (_leaf(L) * 2).requires_grad_(False),
    "retain_grad without requires_grad": lambda L: L.ones(2).retain_grad(),
    "assign a grad of another shape": lambda L: _setattr_grad(L, lambda L: L.zeros(3, 2)),
    "assign a grad of another dtype": lambda L: _setattr_grad(L, lambda L: L.zeros(2, dtype=L.int64)),
    "assign a list as grad": lambda L: _setattr_grad(L, lambda L: [1.0, 2.0]),
    ".grad of a non-leaf (warns)": lambda L: (_leaf(L) * 2).grad,
}


def outcome(L, call) -> tuple:
    """(exception type name or None, warning category names) of ``call(L)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call(L)
            error = None
        except Exception as raised:  # noqa: BLE001 - the type is what is compared
            error = type(raised).__name__
    return error, sorted({w.category.__name__ for w in caught})


def test_the_table_is_large_enough():
    assert len(BAD) >= 60


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_input_gets_torchs_exception_type_and_warning(name):
    theirs = outcome(torch, BAD[name])
    assert theirs[0] is not None or theirs[1], f"torch accepts {name!r}: not a bad input"
    assert outcome(course_lib, BAD[name]) == theirs
