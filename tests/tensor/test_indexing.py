"""Indexing against torch: basic indexing gives views, advanced indexing copies; assignment."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import course_lib
from helpers.tensors import assert_same, both, layouts, random_array, raises_like, same_message

FAST = settings(max_examples=40, deadline=None)

EVERY = slice(None)
BASIC_KEYS = [0, -1, (1, 2), (EVERY, 1), slice(1, 3), (slice(None, None, 2), slice(1, None)), (None, 0),
              (Ellipsis, 1), (0, Ellipsis, None), (slice(5, 9),), (1, slice(-2, None), 0), (),
              # torch accepts several ellipses: each skips the dims the other items leave over
              (Ellipsis, None, Ellipsis), (Ellipsis, 1, Ellipsis), (0, Ellipsis, 1, Ellipsis),
              (Ellipsis, Ellipsis, Ellipsis), (None, Ellipsis, None, Ellipsis), (Ellipsis, slice(1, None), Ellipsis)]


@pytest.mark.parametrize("key", BASIC_KEYS, ids=repr)
def test_basic_indexing_is_a_view_with_torch_layout(key):
    theirs, ours = both(random_array((3, 4, 5), "float32", 0))
    result = ours[key]
    assert_same(result, theirs[key], check_layout=True)
    assert result.untyped_storage().data_ptr() == ours.untyped_storage().data_ptr()


@FAST
@given(layouts(), st.data())
def test_slicing_strided_tensors(pair, data):
    theirs, ours, _ = pair
    assume(theirs.dim() > 0)
    key = []
    for size in theirs.shape:
        start = data.draw(st.integers(-size - 1, size + 1))
        stop = data.draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
        key.append(slice(start, stop, data.draw(st.integers(1, 3))))
    key = tuple(key)
    assert_same(ours[key], theirs[key], check_layout=True)


ADVANCED_KEYS = [
    [0, 2], ([0, 1], [1, 3]), (EVERY, [3, 0, 0]), (0, EVERY, [1, 2]), ([[0], [1]], EVERY, [1, 2]), (EVERY, [0, 1], [1, 2]),
    (Ellipsis, [1]), (None, [0, 1]), ([0, 1], None, [0, 1]), ([-1, 0],), (EVERY, slice(1, 3), [4, 0]),
    ([0, 2], EVERY, 1),
]


@pytest.mark.parametrize("key", ADVANCED_KEYS, ids=repr)
def test_advanced_indexing_copies_like_torch(key):
    theirs, ours = both(random_array((3, 4, 5), "float32", 1))
    result = ours[key]
    assert_same(result, theirs[key])
    result.fill_(0)
    assert ours.abs().sum().item() > 0  # the source is untouched


def test_tensor_and_mask_indices():
    theirs, ours = both(random_array((3, 4), "float32", 2))
    t_index, index = both(np.array([2, 0, 2]))
    assert_same(ours[index], theirs[t_index])
    assert_same(ours[:, index], theirs[:, t_index])
    assert_same(ours[ours > 0], theirs[theirs > 0])
    assert_same(ours[ours[:, 0] > 0], theirs[theirs[:, 0] > 0])
    assert_same(ours[course_lib.tensor(1)], theirs[torch.tensor(1)])
    assert_same(ours[course_lib.tensor([[0, 1], [1, 0]])], theirs[torch.tensor([[0, 1], [1, 0]])])
    y, y_hat = course_lib.tensor([0, 2]), course_lib.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    assert_same(y_hat[[0, 1], y], torch.tensor([0.1, 0.5]))
    assert_same(ours.t()[[1, 3]], theirs.t()[[1, 3]])
    assert_same(ours[1:][course_lib.tensor([True, False])], theirs[1:][torch.tensor([True, False])])


@pytest.mark.parametrize("make", [
    lambda lib, x: x[5],
    lambda lib, x: x[0, 7],
    lambda lib, x: x[lib.tensor([0, 3])],
    lambda lib, x: x[lib.tensor([0.5])],
    lambda lib, x: x[1.5],
    lambda lib, x: x[0, 0, 0],
    lambda lib, x: x[lib.tensor([True, False])],
    lambda lib, x: x[[0, 1], [0, 1, 2]],
])
def test_indexing_errors_match_torch(make):
    theirs, ours = both(random_array((3, 4), "float32", 3))
    raises_like(lambda: make(course_lib, ours), lambda: make(torch, theirs))


def test_index_error_messages():
    theirs, ours = both(random_array((3, 4), "float32", 3))
    same_message(lambda: ours[5], lambda: theirs[5])
    same_message(lambda: ours[0, 7], lambda: theirs[0, 7])
    same_message(lambda: ours[::-1], lambda: theirs[::-1])
    same_message(lambda: ours[course_lib.tensor([True, False])], lambda: theirs[torch.tensor([True, False])])


SET_KEYS = [0, (EVERY, 1), slice(1, None), (slice(None, None, 2), [0, 2]), [2, 0], ([0, 1], [1, 3]), Ellipsis]


@pytest.mark.parametrize("key", SET_KEYS, ids=repr)
@pytest.mark.parametrize("value_kind", ["number", "tensor", "broadcast"])
def test_setitem_matches_torch(key, value_kind):
    theirs, ours = both(random_array((3, 4), "float32", 4))
    target_shape = theirs[key].shape
    if value_kind == "number":
        t_value, value = 7.5, 7.5
    elif value_kind == "tensor":
        t_value, value = both(random_array(tuple(target_shape), "float64", 5))
    else:
        t_value, value = both(random_array(tuple(target_shape)[-1:], "int64", 6))
    try:
        theirs[key] = t_value
    except RuntimeError:  # torch refuses advanced assignment of another dtype
        same_message(lambda: ours.__setitem__(key, value), lambda: theirs.__setitem__(key, t_value))
        return
    ours[key] = value
    assert_same(ours, theirs)


def test_setitem_with_masks_views_and_casts():
    theirs, ours = both(random_array((3, 4), "float32", 7))
    theirs[theirs > 0] = 0
    ours[ours > 0] = 0
    assert_same(ours, theirs)
    integers = course_lib.zeros(2, 3, dtype=course_lib.long)
    integers[0] = 2.7
    integers[integers > 1] = 5
    assert integers.tolist() == [[5, 5, 5], [0, 0, 0]]
    z = course_lib.zeros(3)
    z[[0, 0]] = course_lib.tensor([1.0, 2.0])
    assert z.tolist() == [2.0, 0.0, 0.0]
    base = course_lib.zeros(4, 4)
    base.t()[1:3, 0] = course_lib.tensor([1.0, 2.0])
    assert base[0].tolist() == [0.0, 1.0, 2.0, 0.0]
    x = course_lib.arange(5.0)
    x[1:] = x[:-1].clone()
    assert x.tolist() == [0.0, 0.0, 1.0, 2.0, 3.0]
    same_message(lambda: course_lib.zeros(2, 3).__setitem__(slice(None), course_lib.ones(4)),
                 lambda: torch.zeros(2, 3).__setitem__(slice(None), torch.ones(4)))
    nested = course_lib.zeros(2, 2)
    nested[0] = [1, 2]
    assert nested.tolist() == [[1.0, 2.0], [0.0, 0.0]]


def test_gather_index_select_masked():
    theirs, ours = both(random_array((3, 4), "float32", 8))
    t_index, index = both(np.array([[0, 3], [1, 1], [2, 0]]))
    assert_same(ours.gather(1, index), theirs.gather(1, t_index))
    t_rows, rows = both(np.array([[0, 1, 2, 0]]))
    assert_same(ours.gather(0, rows), theirs.gather(0, t_rows))
    assert_same(ours.index_select(1, course_lib.tensor([3, 0])), theirs.index_select(1, torch.tensor([3, 0])))
    assert_same(ours.masked_fill(ours < 0, -1.0), theirs.masked_fill(theirs < 0, -1.0))
    assert_same(course_lib.masked_select(ours, ours > 0), torch.masked_select(theirs, theirs > 0))
    masked = ours.clone()
    masked.masked_fill_(course_lib.tensor([True, False, True, False]), 9)
    expected = theirs.clone()
    expected.masked_fill_(torch.tensor([True, False, True, False]), 9)
    assert_same(masked, expected)


def test_iteration_yields_views():
    x = course_lib.arange(6).reshape(3, 2)
    rows = list(x)
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    rows[1][0] = 9
    assert x[1, 0].item() == 9
