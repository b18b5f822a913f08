"""``utils.data`` against torch's: datasets, samplers, ``DataLoader`` batches and ``default_collate``, written
once for ``L`` in (course_lib, torch) where the two must agree; shuffles, whose random numbers differ between
the libraries, are held to what a shuffle must be (a permutation, repeatable from a seeded generator)."""

from __future__ import annotations

import collections
from pathlib import Path

import numpy as np
import pytest
import torch

import course_lib
from helpers.both import raises_both


def as_plain(value):
    """A batch with every tensor as (dtype name, nested list), for comparing the two libraries."""
    if isinstance(value, (torch.Tensor, course_lib.Tensor)):
        return (str(value.dtype).split(".")[-1], value.tolist())
    if isinstance(value, dict):
        return {key: as_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [as_plain(item) for item in value]
    return value


def features_and_labels(L, rows=7):
    return L.tensor(np.arange(rows * 3, dtype=np.float32).reshape(rows, 3)), L.tensor(np.arange(rows) % 3)


def both(make):
    return [as_plain(make(L)) for L in (course_lib, torch)]


@pytest.mark.parametrize("options", [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True},
                                     {"batch_size": None}, {"batch_size": 7}, {"batch_size": 10}])
def test_sequential_batches_equal_torchs(options):
    def batches(L):
        loader = L.utils.data.DataLoader(L.utils.data.TensorDataset(*features_and_labels(L)), **options)
        return [list(batch) if isinstance(batch, (list, tuple)) else batch for batch in loader] + [len(loader)]
    ours, theirs = both(batches)
    assert ours == theirs


PAIR = collections.namedtuple("PAIR", "a b")
COLLATED = {
    "tensors and ints": lambda L: [(L.ones(2), 1), (L.zeros(2), 0)],
    "floats are float64": lambda L: [1.5, 2.5],
    "bools": lambda L: [True, False],
    "NumPy arrays and scalars": lambda L: [(np.ones((2, 2), np.float32), np.float32(3.0)),
                                           (np.zeros((2, 2), np.float32), np.float32(1.0))],
    "strings stay a list": lambda L: [("a", 1), ("b", 2)],
    "dicts, nested": lambda L: [{"x": (1.0, [2, 3]), "y": "p"}, {"x": (4.0, [5, 6]), "y": "q"}],
    "namedtuples": lambda L: [PAIR(1, 2.0), PAIR(3, 4.0)],
}


@pytest.mark.parametrize("case", list(COLLATED))
def test_default_collate_equals_torchs(case):
    ours, theirs = both(lambda L: L.utils.data.default_collate(COLLATED[case](L)))
    assert ours == theirs


def test_torch_tensors_and_torchvision_style_samples_collate_into_course_lib_tensors():
    batch = course_lib.utils.data.default_collate([(torch.ones(1, 2, 2), 3), (torch.zeros(1, 2, 2), 5)])
    assert isinstance(batch[0], course_lib.Tensor) and batch[0].shape == (2, 1, 2, 2) and batch[1].tolist() == [3, 5]


def test_subset_concat_and_add_index_like_torch():
    def indexed(L):
        data = L.utils.data
        first = data.TensorDataset(*features_and_labels(L, 4))
        second = data.Subset(data.TensorDataset(*features_and_labels(L, 6)), [5, 0, 2])
        joined = first + second
        return [len(joined), [list(joined[i]) for i in range(-len(joined), len(joined))],
                list(data.ConcatDataset([second, first])[3])]
    ours, theirs = both(indexed)
    assert ours == theirs


def test_random_split_lengths_equal_torchs_and_the_parts_cover_the_dataset():
    for lengths in ([0.5, 0.3, 0.2], [0.34, 0.33, 0.33], [4, 3, 3]):
        ours = course_lib.utils.data.random_split(range(10), lengths)
        theirs = torch.utils.data.random_split(range(10), lengths)
        assert [len(part) for part in ours] == [len(part) for part in theirs]
        assert sorted(index for part in ours for index in part) == list(range(10))


def test_shuffles_are_permutations_repeatable_from_a_seed():
    dataset = course_lib.utils.data.TensorDataset(course_lib.arange(10))

    def epoch(seed):
        loader = course_lib.utils.data.DataLoader(dataset, batch_size=4, shuffle=True,
                                                  generator=course_lib.Generator().manual_seed(seed))
        return [index for (batch,) in loader for index in batch.tolist()]

    assert sorted(epoch(0)) == list(range(10)) and epoch(0) == epoch(0) and epoch(0) != epoch(1)
    sampler = course_lib.utils.data.RandomSampler(range(5), replacement=True, num_samples=12,
                                                  generator=course_lib.Generator().manual_seed(2))
    draws = list(sampler)
    assert len(draws) == len(sampler) == 12 and set(draws) <= set(range(5))
    longer = list(course_lib.utils.data.RandomSampler(range(5), num_samples=7))  # a whole shuffle, then 2 more
    assert len(longer) == 7 and sorted(longer[:5]) == list(range(5)) and len(set(longer[5:])) == 2


class Countdown:
    """An iterable dataset of 5, 4, 3, 2, 1 (for either library)."""

    def __init__(self, L):
        base = L.utils.data.IterableDataset
        self.dataset = type("Stream", (base,), {"__iter__": lambda self: iter([5, 4, 3, 2, 1]),
                                                 "__len__": lambda self: 5})()


@pytest.mark.parametrize("options", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None}])
def test_an_iterable_dataset_is_batched_in_order_like_torch(options):
    ours, theirs = both(lambda L: list(L.utils.data.DataLoader(Countdown(L).dataset, **options)))
    assert ours == theirs


BAD = {
    "TensorDataset of unequal tensors": lambda L: L.utils.data.TensorDataset(L.ones(3), L.ones(4)),
    "batch_size=0": lambda L: L.utils.data.DataLoader(range(3), batch_size=0),
    "sampler with shuffle": lambda L: L.utils.data.DataLoader(range(3), sampler=[0, 1, 2], shuffle=True),
    "batch_sampler with batch_size": lambda L: L.utils.data.DataLoader(range(3), batch_sampler=[[0, 1]], batch_size=2),
    "batch_size=None with drop_last": lambda L: L.utils.data.DataLoader(range(3), batch_size=None, drop_last=True),
    "negative num_workers": lambda L: L.utils.data.DataLoader(range(3), num_workers=-1),
    "random_split lengths of another total": lambda L: L.utils.data.random_split(range(5), [2, 2]),
    "RandomSampler num_samples=0": lambda L: L.utils.data.RandomSampler(range(3), num_samples=0),
    "RandomSampler replacement=1": lambda L: L.utils.data.RandomSampler(range(3), replacement=1),
    "an empty ConcatDataset": lambda L: L.utils.data.ConcatDataset([]),
    "collate of lists of different lengths": lambda L: L.utils.data.default_collate([[1, 2], [3]]),
    "collate of objects": lambda L: L.utils.data.default_collate([object(), object()]),
    "shuffle of an iterable dataset": lambda L: L.utils.data.DataLoader(Countdown(L).dataset, shuffle=True),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_bad_data_arguments_raise_torchs_errors(bad):
    raises_both(BAD[bad], message=bad != "collate of objects")


REAL_RAW = Path(__file__).resolve().parents[2] / "data" / "MNIST" / "raw"


@pytest.mark.skipif(not (REAL_RAW / "t10k-images-idx3-ubyte").is_file(),
                    reason="real MNIST not fetched (run `make data`)")
def test_torchvision_mnist_with_to_tensor_loads_into_course_lib_batches():
    torchvision = pytest.importorskip("torchvision")
    dataset = torchvision.datasets.MNIST(root=str(REAL_RAW.parents[1]), train=False, download=False,
                                         transform=torchvision.transforms.ToTensor())
    ours = next(iter(course_lib.utils.data.DataLoader(dataset, batch_size=16)))
    theirs = next(iter(torch.utils.data.DataLoader(dataset, batch_size=16)))
    assert isinstance(ours[0], course_lib.Tensor) and ours[0].dtype == course_lib.float32
    assert ours[0].shape == (16, 1, 28, 28) and ours[1].dtype == course_lib.int64
    np.testing.assert_array_equal(ours[0].cpu().numpy(), theirs[0].cpu().numpy())
    assert ours[1].tolist() == theirs[1].tolist()
