"""Views share storage and have torch's layouts; copies happen only where torch copies."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib
from helpers.tensors import assert_same, both, layouts, random_array, same_message

# A representative subset: these tests also run on the python backend (the loops of chapter 01).
pytestmark = pytest.mark.python_backend

FAST = settings(max_examples=40, deadline=None)


def shares(a: course_lib.Tensor, b: course_lib.Tensor) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


@FAST
@given(layouts())
def test_view_chains_have_torch_layout(pair):
    theirs, ours, _ = pair
    assert_same(ours, theirs, check_layout=True)
    assert ours.is_contiguous() == theirs.is_contiguous()


@FAST
@given(layouts(), st.data())
def test_reshape_is_a_view_exactly_when_torch_can_view(pair, data):
    theirs, ours, _ = pair
    count = theirs.numel()
    new_shape = data.draw(st.sampled_from([(count,), (-1,), (1, count), (count, 1, 1)]))
    try:
        expected_view = theirs.view(new_shape)
    except RuntimeError:
        expected_view = None
    if expected_view is None:
        same_message(lambda: ours.view(new_shape), lambda: theirs.view(new_shape))
        result = ours.reshape(new_shape)
        assert result.is_contiguous() and not shares(result, ours)
        assert_same(result, theirs.reshape(new_shape))
    else:
        assert_same(ours.view(new_shape), expected_view, check_layout=True)
        assert shares(ours.reshape(new_shape), ours)


def test_writes_through_views_show_in_the_base():
    base = course_lib.zeros(3, 4)
    base.t()[1, 2] = 5  # base[2, 1]
    base[1:, ::2][0, 1] = 7  # base[1, 2]
    base.view(12)[11] = 9
    base.unsqueeze(0)[0, 0, 0] = 1
    base.narrow(1, 3, 1)[0, 0] = 2
    base.select(0, 2)[3] += 1
    base[0].fill_(0.5)
    expected = torch.zeros(3, 4)
    expected[2, 1], expected[1, 2], expected[2, 3] = 5, 7, 10
    expected[0] = 0.5
    assert_same(base, expected)


def test_view_ops_match_torch():
    array = random_array((2, 3, 4), "float32", 0)
    theirs, ours = both(array)
    cases = [
        lambda x: x.transpose(0, 2), lambda x: x.transpose(-1, 1), lambda x: x.permute(1, 2, 0), lambda x: x.mT,
        lambda x: x[0].t(), lambda x: x[0].T, lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(-1),
        lambda x: x[:, :1].squeeze(), lambda x: x[:, :1].squeeze(1), lambda x: x[:, :1].squeeze((0, 1)),
        lambda x: x.flatten(), lambda x: x.flatten(1), lambda x: x.flatten(0, 1), lambda x: x.unflatten(2, (2, -1)),
        lambda x: x.narrow(2, 1, 2), lambda x: x.narrow(0, -1, 1), lambda x: x.select(1, -1), lambda x: x[:, :1].expand(2, 5, 4),
        lambda x: x[:, :1].expand(3, -1, -1, 4), lambda x: x.view(6, 4).expand_as(torch.empty(6, 4)) if isinstance(x, torch.Tensor)
        else x.view(6, 4).expand_as(course_lib.empty(6, 4)), lambda x: x.movedim(0, 2), lambda x: x.view(-1, 4)[1::2],
        lambda x: x.reshape(4, 6).t().reshape(24), lambda x: x.swapaxes(0, 1), lambda x: x.view_as(x.flatten()),
    ]
    for case in cases:
        expected = case(theirs)
        result = case(ours)
        assert_same(result, expected, check_layout=expected._base is not None or expected.data_ptr() == theirs.data_ptr())


def test_splits_are_views():
    theirs, ours = both(random_array((7, 4), "float32", 1))
    for make in (lambda x: x.split(3), lambda x: x.split([2, 5]), lambda x: x.chunk(3), lambda x: x.chunk(3, 1),
                 lambda x: x.unbind(1), lambda x: x.split(2, dim=-1)):
        expected, result = make(theirs), make(ours)
        assert len(result) == len(expected)
        for r, e in zip(result, expected):
            assert_same(r, e, check_layout=True)
            assert shares(r, ours)


def test_contiguous_and_clone():
    x = course_lib.arange(6.0).reshape(2, 3)
    assert x.contiguous() is x
    t = x.t()
    c = t.contiguous()
    assert c.is_contiguous() and not shares(c, x) and c.tolist() == t.tolist()
    k = x.clone()
    k[0, 0] = 100
    assert x[0, 0].item() == 0 and k.stride() == (3, 1)


@pytest.mark.parametrize("make, message_too", [
    (lambda lib: lib.ones(3, 4).t().view(12), True),
    (lambda lib: lib.ones(12).view(-1, 5), True),
    (lambda lib: lib.ones(2, 3).permute(0), False),  # torch says "permute(sparse_coo)", a quirk
    (lambda lib: lib.ones(2, 3).permute(0, 0), True),
    (lambda lib: lib.ones(2, 3, 4).t(), True),
    (lambda lib: lib.ones(3).expand(2, 4), True),
    (lambda lib: lib.ones(2, 3).transpose(0, 2), True),
    (lambda lib: lib.ones(2, 6).unflatten(1, (4, -1)), True),
    (lambda lib: lib.ones(2, 6).narrow(1, 4, 3), True),
    (lambda lib: lib.ones(2, 3).squeeze(2), True),
    (lambda lib: lib.ones(2, 3).unsqueeze(3), True),
    (lambda lib: lib.ones(4).split([1, 2]), False),
    (lambda lib: lib.ones(3).expand(2, 3).add_(1), True),
])
def test_view_errors_match_torch(make, message_too):
    if message_too:
        same_message(lambda: make(course_lib), lambda: make(torch))
    else:
        from helpers.tensors import raises_like

        raises_like(lambda: make(course_lib), lambda: make(torch))


@pytest.mark.parametrize("shapes, dim", [([(2, 3), (2, 4)], 1), ([(2, 3), (1, 3), (0, 3)], 0), ([(3,), (2,)], 0),
                                         ([(2, 2, 1), (2, 2, 3)], -1)])
def test_cat_matches_torch(shapes, dim):
    arrays = [random_array(s, "float32", i) for i, s in enumerate(shapes)]
    assert_same(course_lib.cat([course_lib.tensor(a) for a in arrays], dim),
                torch.cat([torch.tensor(a) for a in arrays], dim))


def test_cat_promotes_and_stack_adds_a_dim():
    assert_same(course_lib.cat([course_lib.ones(2, dtype=course_lib.int64), course_lib.zeros(1)]),
                torch.cat([torch.ones(2, dtype=torch.int64), torch.zeros(1)]))
    theirs, ours = both(random_array((2, 3), "float32", 3))
    for dim in (0, 1, 2, -1):
        assert_same(course_lib.stack([ours, ours.t().t() * 2], dim), torch.stack([theirs, theirs * 2], dim))
    assert_same(course_lib.cat([ours.t(), ours.t()], 1), torch.cat([theirs.t(), theirs.t()], 1))
    assert_same(course_lib.cat((ours, course_lib.tensor([])), 0), torch.cat((theirs, torch.tensor([])), 0))


@pytest.mark.parametrize("make", [
    lambda lib: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]),
    lambda lib: lib.cat([lib.ones(2, 3), lib.ones(3)]),
    lambda lib: lib.stack([lib.ones(2, 3), lib.ones(2, 4)]),
    lambda lib: lib.cat([lib.ones(2), lib.tensor(1.0)]),
])
def test_cat_stack_errors_match_torch(make):
    same_message(lambda: make(course_lib), lambda: make(torch))


def test_cat_of_nothing_is_a_value_error():
    same_message(lambda: course_lib.cat([]), lambda: torch.cat([]))


def test_flip_and_repeat_copy():
    theirs, ours = both(random_array((2, 3), "float32", 4))
    assert_same(ours.flip(1), theirs.flip(1))
    assert_same(ours.flip((0, 1)), theirs.flip((0, 1)))
    assert_same(ours.repeat(2, 1, 2), theirs.repeat(2, 1, 2))


def test_contiguous_view_and_reshape_do_not_need_exercise_1_9(monkeypatch):
    """A learner who skipped view_strides (1.9) can still view and reshape contiguous tensors."""
    from course_lib.ops import views

    def stub(*args):
        raise NotImplementedError("Exercise 1.9 (course_lib/shape.py: view_strides) is not done yet")

    monkeypatch.setattr(views, "view_strides", stub)
    x = course_lib.arange(12)
    assert_same(x.view(3, 4), torch.arange(12).view(3, 4), check_layout=True)
    assert_same(x.reshape(2, 1, 6), torch.arange(12).reshape(2, 1, 6), check_layout=True)
    assert_same(x.view(3, 4)[[0, 2]], torch.arange(12).view(3, 4)[[0, 2]])  # advanced indexing reshapes too
    with pytest.raises(NotImplementedError, match="Exercise 1.9"):
        x.view(3, 4).t().view(12)  # a non-contiguous view needs the exercise
