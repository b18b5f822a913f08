"""Gradients through views, indexing, joining and matrix products against torch (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib
from helpers.autograd import check_gradients, check_pair, randn
from helpers.tensors import broadcastable_pair, layouts

FAST = settings(max_examples=25, deadline=None)

VIEWS = {
    "view": lambda L, x: x.view(4, 6) * 2,
    "view(-1)": lambda L, x: x.view(-1).exp(),
    "view tuple": lambda L, x: x.view((3, 8)),
    "view_as": lambda L, x: x.view_as(L.ones(6, 4)),
    "reshape": lambda L, x: x.reshape(6, -1),
    "reshape of a transpose (copies)": lambda L, x: x.transpose(0, 2).reshape(-1),
    "reshape_as": lambda L, x: x.reshape_as(L.ones(2, 12)),
    "permute": lambda L, x: x.permute(2, 0, 1),
    "permute tuple": lambda L, x: x.permute((1, 2, 0)),
    "permute negative": lambda L, x: L.permute(x, (-1, 0, -2)),
    "transpose": lambda L, x: x.transpose(0, 2),
    "swapaxes": lambda L, x: x.swapaxes(-1, 1),
    "movedim": lambda L, x: x.movedim(0, -1),
    "t": lambda L, x: x[0].t(),
    "T": lambda L, x: x[:, 1].T,
    "mT": lambda L, x: x.mT,
    "expand": lambda L, x: x[:, :1].expand(2, 5, 4),
    "expand new dims": lambda L, x: x[0, 0].expand(3, 2, 4),
    "expand -1": lambda L, x: x.unsqueeze(1).expand(-1, 3, -1, -1),
    "expand_as": lambda L, x: x[:1].expand_as(x),
    "broadcast_to": lambda L, x: L.broadcast_to(x[:, 2:3], (2, 3, 4)),
    "squeeze": lambda L, x: x[:, :1].squeeze(),
    "squeeze dim": lambda L, x: x[:, :1].squeeze(1),
    "squeeze dims tuple": lambda L, x: x[:1, :1].squeeze((0, 1)),
    "unsqueeze": lambda L, x: x.unsqueeze(-1).unsqueeze(0),
    "flatten": lambda L, x: x.flatten(),
    "flatten(1)": lambda L, x: L.flatten(x, 1),
    "unflatten": lambda L, x: x.unflatten(2, (2, 2)),
    "narrow": lambda L, x: x.narrow(2, 1, 2),
    "narrow negative": lambda L, x: L.narrow(x, -1, -3, 2),
    "select": lambda L, x: x.select(1, 2),
    "select negative": lambda L, x: x.select(-1, -1),
    "flip": lambda L, x: x.flip(0),
    "flip dims": lambda L, x: x.flip((0, 2)),
    "repeat": lambda L, x: x.repeat(2, 1, 3),
    "repeat new dims": lambda L, x: x[0].repeat(2, 2, 1),
    "x[1]": lambda L, x: x[1],
    "x[:, 1:3]": lambda L, x: x[:, 1:3],
    "x[::2, ::2, 1::3]": lambda L, x: x[::2, ::2, 1::3],
    "x[..., 0]": lambda L, x: x[..., 0],
    "x[None, 1, ..., None]": lambda L, x: x[None, 1, ..., None],
    "x[-1, -2:]": lambda L, x: x[-1, -2:],
    "chain of views": lambda L, x: x.permute(1, 0, 2)[1:].reshape(2, -1).t()[::3].unsqueeze(0).expand(2, -1, -1),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_and_basic_indexing(name):
    check_gradients(VIEWS[name], randn(2, 3, 4, seed=1), seed=2)


@FAST
@given(layouts("float64", max_dims=3), st.data())
def test_views_of_strided_leaves(layout, data):
    """Non-contiguous leaves, then a random permute / slice with step / unsqueeze / flatten."""
    theirs, ours, _ = layout
    ndim = theirs.dim()
    if ndim == 0:
        check_pair(lambda L, x: x.reshape(1, 1).expand(2, 3) * 3, [ours.requires_grad_()], [theirs.requires_grad_()])
        return
    order = data.draw(st.permutations(list(range(ndim))))
    dim = data.draw(st.integers(0, ndim - 1))
    step = data.draw(st.integers(1, 3))
    key = (slice(None),) * dim + (slice(None, None, step),)

    def expression(L, x):
        return (x.permute(*order)[key].unsqueeze(0).flatten() * 1.5).reshape(-1, 1)

    check_pair(expression, [ours.requires_grad_()], [theirs.requires_grad_()])


ADVANCED = {
    "repeated indices": lambda L, x: x[L.tensor([0, 2, 0, 0])],
    "list index": lambda L, x: x[[1, 1, 0]],
    "two index tensors": lambda L, x: x[L.tensor([0, 1, 1]), L.tensor([2, 2, 0])],
    "index then slice": lambda L, x: x[[2, 0, 2], 1:],
    "slice then index": lambda L, x: x[1:, [3, 3, 0]],
    "non-adjacent indices": lambda L, x: x.unsqueeze(1)[[0, 0], :, [1, 1]],
    "broadcast indices": lambda L, x: x[L.tensor([[0], [2]]), L.tensor([1, 1, 3])],
    "negative indices": lambda L, x: x[[-1, -1], [-4, 0]],
    "bool mask": lambda L, x: x[x > 0],
    "bool mask of rows": lambda L, x: x[L.tensor([True, False, True])],
    "masked_select": lambda L, x: x.masked_select(x < 0.5),
    "index_select": lambda L, x: x.index_select(1, L.tensor([3, 0, 3])),
    "index_select dim 0": lambda L, x: L.index_select(x, 0, L.tensor([2, 2, 1, 2])),
    "gather": lambda L, x: x.gather(1, L.tensor([[0, 0, 3], [1, 2, 2], [3, 3, 3]])),
    "gather dim 0, smaller index": lambda L, x: L.gather(x, 0, L.tensor([[2, 0], [2, 2]])),
    "masked_fill": lambda L, x: x.masked_fill(x > 0, 0.0) * 2,
    "masked_fill broadcast mask": lambda L, x: L.masked_fill(x, L.tensor([True, False, False, True]), -1.0),
}


@pytest.mark.parametrize("name", sorted(ADVANCED))
def test_advanced_indexing_scatters_and_adds(name):
    check_gradients(ADVANCED[name], randn(3, 4, seed=3), seed=4)


def test_masked_fill_with_a_tensor_value():
    check_gradients(lambda L, x, v: x.masked_fill(x > 0, v) * 3, randn(3, 4, seed=5), np.array(2.0))


def test_gather_log_softmax_loss():
    """The loss of the MLP benchmark: -log_softmax(logits).gather(1, targets).mean()."""
    check_gradients(lambda L, logits: -logits.log_softmax(1).gather(1, L.tensor([[1], [0], [3]])).mean(),
                    randn(3, 4, seed=6))


JOINS = {
    "cat dim 0": lambda L, a, b: L.cat([a, b, a]),
    "cat dim 1": lambda L, a, b: L.cat((a, b), dim=1),
    "cat negative dim": lambda L, a, b: L.cat([a, b], -1) * 2,
    "concat": lambda L, a, b: L.concat([b, a], 0),
    "stack": lambda L, a, b: L.stack([a, b]),
    "stack dim -1": lambda L, a, b: L.stack((a, b, a), dim=-1),
    "hstack/vstack": lambda L, a, b: L.hstack([a, b]).sum() + L.vstack([a, b]).sum(),
    "split": lambda L, a, b: a.split(2, dim=1),
    "split sizes": lambda L, a, b: L.split(b, [1, 3], 1),
    "chunk": lambda L, a, b: a.chunk(3, 1),
    "unbind": lambda L, a, b: b.unbind(1),
    "unbind then stack": lambda L, a, b: L.stack(a.unbind(0)[::-1]),
    "broadcast_tensors": lambda L, a, b: L.broadcast_tensors(a, b[:1]),
}


@pytest.mark.parametrize("name", sorted(JOINS))
def test_join_and_split(name):
    check_gradients(JOINS[name], randn(2, 4, seed=7), randn(2, 4, seed=8), seed=9)


def test_cat_with_an_input_that_needs_no_grad():
    a, b = randn(2, 3, seed=10), randn(1, 3, seed=11)
    ours = [course_lib.tensor(a, requires_grad=True), course_lib.tensor(b)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b)]
    check_pair(lambda L, a, b: L.cat([b, a, b]).exp(), ours, theirs)


MATMUL_SHAPES = [
    ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)), ((1, 3, 4), (2, 1, 4, 2)),
]


@pytest.mark.parametrize("a_shape, b_shape", MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul_every_rank(a_shape, b_shape):
    check_gradients(lambda L, a, b: a @ b, randn(*a_shape, seed=12), randn(*b_shape, seed=13))
    check_gradients(lambda L, a, b: L.matmul(a, b), randn(*a_shape, seed=14), randn(*b_shape, seed=15))


@FAST
@given(broadcastable_pair(min_size=1), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 99))
def test_batched_matmul_broadcasts_batch_dims(batch, n, k, m, seed):
    a = randn(*batch[0], n, k, seed=seed)
    b = randn(*batch[1], k, m, seed=seed + 1)
    check_gradients(lambda L, a, b: a.matmul(b), a, b, seed=seed)


def test_mm_mv_dot_bmm_and_transposed_operands():
    a, b, v = randn(3, 4, seed=16), randn(4, 5, seed=17), randn(4, seed=18)
    check_gradients(lambda L, a, b: L.mm(a, b) + a.mm(b), a, b)
    check_gradients(lambda L, a, b: b.t().mm(a.t()), a, b)
    check_gradients(lambda L, a, v: a.mv(v) + L.mv(a, v), a, v)
    check_gradients(lambda L, v: L.dot(v, v * 2) + v.dot(v), v)
    check_gradients(lambda L, a, b: L.bmm(a.unsqueeze(0).expand(2, 3, 4), b.expand(2, 4, 5)), a, b)
    check_gradients(lambda L, a, b: L.outer(a[0], b[:, 1]), a, b)


def test_matmul_with_one_operand_not_requiring_grad():
    a, b = randn(3, 4, seed=19), randn(4, 2, seed=20)
    ours = [course_lib.tensor(a), course_lib.tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a), torch.tensor(b, requires_grad=True)]
    check_pair(lambda L, a, b: (a @ b).relu() @ b.t(), ours, theirs)


def test_mlp_forward_backward():
    x, w1, b1, w2, b2 = randn(8, 5, seed=21), randn(5, 7, seed=22), randn(7, seed=23), randn(7, 3, seed=24), randn(3, seed=25)

    def mlp(L, x, w1, b1, w2, b2):
        hidden = (x @ w1 + b1).relu()
        logits = hidden @ w2 + b2
        return -logits.log_softmax(dim=1).gather(1, L.tensor([[0], [1], [2], [0], [1], [2], [0], [1]])).mean()

    check_gradients(mlp, x, w1, b1, w2, b2)
