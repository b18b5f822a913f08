"""``one_hot``, ``embedding`` and ``nn.Embedding`` against torch: values, gradients (rows read twice add up,
the padding row gets none), and the module's parameters, init and repr."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn import assert_same, twins
from helpers.nn_functions import compare

rng = np.random.default_rng(5)
TABLE = rng.standard_normal((6, 3))
INDICES = np.array([[0, 2, 2], [5, 0, 1]])  # row 2 twice, row 0 twice


@pytest.mark.parametrize("indices, num_classes", [([3, 0, 1], -1), ([[1, 2], [0, 0]], 4), (2, 5), ([], 3)])
def test_one_hot(indices, num_classes):
    ours = course_lib.nn.functional.one_hot(course_lib.tensor(indices, dtype=course_lib.int64), num_classes)
    assert_same(ours, torch.nn.functional.one_hot(torch.tensor(indices, dtype=torch.int64), num_classes))


@pytest.mark.parametrize("options", [dict(), dict(padding_idx=2), dict(padding_idx=-1), dict(scale_grad_by_freq=True),
                                     dict(padding_idx=0, scale_grad_by_freq=True)])
def test_embedding(options):
    compare(lambda L, i, w: L.nn.functional.embedding(i, w, **options), INDICES, TABLE, grad_fn=True)
    compare(lambda L, i, w: L.nn.functional.embedding(i, w.t(), **options), INDICES[0], TABLE.T.copy())
    compare(lambda L, i, w: L.nn.functional.embedding(i, w, **options), INDICES.astype(np.int32)[:, 0], TABLE)
    compare(lambda L, i, w: L.nn.functional.embedding(i, w, **options), np.array(3), TABLE)


def test_embedding_max_norm_renormalizes_the_rows_read_in_place():
    results = []
    for L in (torch, course_lib):
        table = L.tensor(TABLE * 2)
        out = L.nn.functional.embedding(L.tensor(INDICES), table, max_norm=1.5)
        results.append((out, table))
    assert_same(results[1], results[0])


@pytest.mark.parametrize("options", [dict(padding_idx=1), dict(padding_idx=1, max_norm=1.0)])
def test_embedding_module_matches_torch(options):
    torch_model, our_model = twins(lambda L: L.nn.Embedding(6, 3, **options))
    assert list(our_model.state_dict()) == list(torch_model.state_dict()) == ["weight"]
    assert repr(our_model) == repr(torch_model)
    outputs = [model(L.tensor(INDICES.tolist() + [[1, 1, 3]])) for L, model in ((torch, torch_model),
                                                                                  (course_lib, our_model))]
    grad = rng.standard_normal(tuple(outputs[0].shape))
    for L, out in zip((torch, course_lib), outputs):
        out.backward(L.tensor(grad, dtype=L.float32))
    assert_same(outputs[1], outputs[0])
    assert_same(our_model.weight.grad, torch_model.weight.grad)
    assert_same(our_model.weight, torch_model.weight)  # max_norm rescales the rows read, in place


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    weight = course_lib.nn.Embedding(4000, 8, padding_idx=-2).weight
    assert weight.requires_grad and weight.dtype == course_lib.float32
    assert weight[-2].abs().sum().item() == 0
    values = weight.detach().cpu().numpy()
    assert abs(values.mean()) < 0.02 and abs(values.std() - 1) < 0.02


@pytest.mark.parametrize("options", [dict(max_norm=1.0, scale_grad_by_freq=True), dict(padding_idx=0, norm_type=1.0)])
def test_embedding_repr_and_from_pretrained(options):
    for L in (torch, course_lib):
        assert repr(L.nn.Embedding(5, 2, **options)) == repr(torch.nn.Embedding(5, 2, **options))
    frozen = [L.nn.Embedding.from_pretrained(L.tensor(TABLE), padding_idx=1) for L in (torch, course_lib)]
    assert_same(frozen[1].weight, frozen[0].weight)
    assert not frozen[1].weight.requires_grad and repr(frozen[1]) == repr(frozen[0])
