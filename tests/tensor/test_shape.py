"""course_lib/shape.py against torch: strides, index math, broadcasting, the view rule, dims."""

from __future__ import annotations

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_lib import shape
from helpers.tensors import broadcastable_pair, layouts, same_message, small_shapes

FAST = settings(max_examples=40, deadline=None)


@FAST
@given(small_shapes)
def test_contiguous_strides_match_torch(dims):
    assert shape.contiguous_strides(dims) == torch.empty(dims).stride()
    assert shape.numel(dims) == torch.Size(dims).numel()


@FAST
@given(layouts(dtype="int64"), st.randoms(use_true_random=False))
def test_index_to_position_reads_the_element(pair, rng):
    theirs, ours, _ = pair
    base = torch.arange(theirs.untyped_storage().nbytes() // 8)  # value = storage position
    view = base.as_strided(theirs.shape, theirs.stride(), theirs.storage_offset())
    assume(view.numel() > 0)
    index = tuple(rng.randrange(s) for s in view.shape)
    assert shape.index_to_position(index, view.stride(), view.storage_offset()) == int(view[index])


@FAST
@given(st.lists(st.integers(1, 5), min_size=0, max_size=4).map(tuple), st.randoms(use_true_random=False))
def test_position_to_index_inverts_index_to_position(dims, rng):
    position = rng.randrange(shape.numel(dims))
    index = shape.position_to_index(position, dims)
    assert shape.index_to_position(index, shape.contiguous_strides(dims)) == position
    if dims:
        assert index == tuple(int(i) for i in torch.unravel_index(torch.tensor(position), dims))


@FAST
@given(broadcastable_pair())
def test_broadcast_shape_matches_torch(pair):
    a, b = pair
    assert shape.broadcast_shape(a, b) == tuple(torch.broadcast_shapes(a, b))


@pytest.mark.parametrize("a, b", [((2, 3), (2, 4)), ((3,), (2, 4)), ((2, 3, 4), (5, 1)), ((0,), (2,))])
def test_broadcast_error_matches_torch(a, b):
    same_message(lambda: shape.broadcast_shape(a, b), lambda: torch.empty(a) + torch.empty(b))


@FAST
@given(broadcastable_pair(min_size=1), st.randoms(use_true_random=False))
def test_broadcast_index_matches_torch_expand(pair, rng):
    a, b = pair
    big = shape.broadcast_shape(a, b)
    index = tuple(rng.randrange(s) for s in big)
    for small in (a, b):
        expected = ()
        if small:
            value = torch.arange(shape.numel(small)).reshape(small).expand(big)[index]
            expected = tuple(int(i) for i in torch.unravel_index(value, small))
        assert shape.broadcast_index(index, big, small) == expected


@FAST
@given(broadcastable_pair())
def test_broadcast_strides_give_torch_expand_strides(pair):
    small, other = pair
    big = shape.broadcast_shape(small, other)
    t = torch.empty(small)
    assert shape.broadcast_strides(small, t.stride(), big) == t.expand(big).stride()


@pytest.mark.parametrize("source, target", [((3,), (2, 4)), ((3,), (4,)), ((2, 3), (3,)), ((3,), (-1, 3))])
def test_expand_errors_match_torch(source, target):
    t = torch.empty(source)
    mine, theirs = None, None
    try:
        t.expand(target)
    except RuntimeError as error:
        theirs = str(error)
    try:
        shape.broadcast_strides(source, t.stride(), target)
    except RuntimeError as error:
        mine = str(error)
    assert theirs is not None and mine is not None
    if "must match the existing size" in theirs or "leading, non-existing" in theirs:
        assert mine == theirs
    else:
        assert "must be greater or equal to the number of dimensions" in mine


@FAST
@given(layouts(max_dims=3), st.data())
def test_view_strides_follow_torch(pair, data):
    theirs, _, _ = pair
    count = theirs.numel()
    # a new shape: split the elements into factors, with some size-1 dims sprinkled in
    sizes, rest = [], count
    for _ in range(data.draw(st.integers(0, 3))):
        divisors = [d for d in range(1, max(rest, 1) + 1) if rest % d == 0] if rest else [0, 1]
        size = data.draw(st.sampled_from(divisors))
        sizes.append(size)
        rest = rest // size if size else rest
    sizes.append(rest if count else 0)
    if data.draw(st.booleans()):
        sizes.insert(data.draw(st.integers(0, len(sizes))), 1)
    new_shape = tuple(sizes)
    assume(shape.numel(new_shape) == count)
    try:
        expected = theirs.view(new_shape).stride()
    except RuntimeError:
        expected = None
    assert shape.view_strides(tuple(theirs.shape), theirs.stride(), new_shape) == expected


def test_view_strides_examples():
    assert shape.view_strides((2, 3), (3, 1), (6,)) == (1,)
    assert shape.view_strides((3, 2), (1, 3), (6,)) is None
    assert shape.view_strides((), (), (1, 1)) == (1, 1)


@pytest.mark.parametrize("dims, count", [((-1, 5), 12), ((-1, -1), 12), ((-2, 6), 12), ((5,), 12), ((0, -1), 3), ((0, -1), 0)])
def test_infer_size_errors_match_torch(dims, count):
    same_message(lambda: shape.infer_size(dims, count), lambda: torch.empty(count).view(dims))


def test_infer_size_fills_the_missing_dimension():
    assert shape.infer_size((-1, 4), 12) == (3, 4)
    assert shape.infer_size((2, -1, 2), 12) == (2, 3, 2)
    assert shape.infer_size((0, 3), 0) == (0, 3)


@pytest.mark.parametrize("dim, ndim", [(2, 2), (-3, 2), (1, 0), (5, 4)])
def test_normalize_dim_errors_match_torch(dim, ndim):
    same_message(lambda: shape.normalize_dim(dim, ndim), lambda: torch.empty((2,) * ndim).sum(dim))


def test_normalize_dims_rejects_repeats():
    same_message(lambda: shape.normalize_dims((0, 0), 2), lambda: torch.empty(2, 3).sum((0, 0)))
    assert shape.normalize_dims((-1, 0), 3) == (0, 2)
    assert shape.normalize_dims(None, 3) == (0, 1, 2)


@FAST
@given(st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple), st.data())
def test_reduced_shape_matches_torch(dims_shape, data):
    dims = tuple(sorted(data.draw(st.sets(st.integers(0, len(dims_shape) - 1), min_size=1))))
    keepdim = data.draw(st.booleans())
    expected = torch.empty(dims_shape).sum(dims, keepdim=keepdim).shape
    assert shape.reduced_shape(dims_shape, dims, keepdim) == tuple(expected)


@FAST
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple), st.data())
def test_permute_shape_strides_match_torch(dims_shape, data):
    order = tuple(data.draw(st.permutations(list(range(len(dims_shape))))))
    t = torch.empty(dims_shape)
    expected = t.permute(order)
    assert shape.permute_shape_strides(dims_shape, t.stride(), order) == (tuple(expected.shape), expected.stride())


def test_is_contiguous_ignores_size_one_dims():
    assert shape.is_contiguous((1, 3), (7, 1))
    assert not shape.is_contiguous((3, 2), (1, 3))
    assert shape.is_contiguous((0, 3), (5, 9))
