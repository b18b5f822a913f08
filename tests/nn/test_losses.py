"""Losses against torch: values and gradients for every reduction, weights, ignored and smoothed targets,
broadcast and edge-case inputs (``helpers.nn_functions.compare``)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import course_lib
from helpers.nn_functions import Const, compare

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(18)
LOGITS = {  # (input, class-index target, class-probability target); -100 entries are ignored
    "2d": (rng.standard_normal((6, 4)), np.array([0, 3, -100, 1, 1, 2]), rng.dirichlet(np.ones(4), 6)),
    "4d": (rng.standard_normal((2, 4, 3, 2)), rng.integers(0, 4, (2, 3, 2)),
           rng.dirichlet(np.ones(4), (2, 3, 2)).transpose(0, 3, 1, 2).copy()),
    "1d": (rng.standard_normal(4), np.array(2), rng.dirichlet(np.ones(4))),
}
LOGITS["4d"][1][0, 1, 1] = -100
CLASS_WEIGHT = np.abs(rng.standard_normal(4)) + 0.1


def F(L):
    return L.nn.functional


def _options(L, weighted: bool, **options) -> dict:
    return dict(options, weight=L.tensor(CLASS_WEIGHT)) if weighted else options


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(LOGITS))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_of_class_indices(case, reduction, weighted, smoothing):
    x, target, _ = LOGITS[case]
    compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                               **_options(L, weighted)), x, target,
            grad_fn=case == "2d" and not weighted and not smoothing)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(LOGITS))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_of_class_probabilities(case, reduction, weighted, smoothing):
    x, _, probabilities = LOGITS[case]  # the target requires grad too: torch differentiates it
    compare(lambda L, x, p: F(L).cross_entropy(x, p, reduction=reduction, label_smoothing=smoothing,
                                               **_options(L, weighted)), x, probabilities)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(LOGITS))
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(case, reduction, weighted):
    x, target, _ = LOGITS[case]
    compare(lambda L, x, t: F(L).nll_loss(x.log_softmax(1 if x.dim() > 1 else 0), t, reduction=reduction,
                                          **_options(L, weighted)), x, target)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_of_an_ignored_class_and_of_nothing_counted(reduction, smoothing):
    """``ignore_index`` another class; a mean over no counted target is NaN with zero gradients (torch's)."""
    x, target, _ = LOGITS["2d"]
    compare(lambda L, x, t: F(L).cross_entropy(x, t, ignore_index=1, reduction=reduction,
                                               label_smoothing=smoothing), x, target.clip(0))
    for weighted in (False, True):
        compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction, label_smoothing=smoothing,
                                                   **_options(L, weighted)), x, np.full(6, -100))
    compare(lambda L, x, t: F(L).cross_entropy(x, t, ignore_index=2, reduction=reduction), LOGITS["1d"][0],
            np.array(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_float32_uint8_targets_and_empty_batches(reduction):
    x, target, probabilities = LOGITS["2d"]
    compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction), x.astype(np.float32),
            target.clip(0).astype(np.uint8), grad_fn=True)
    for options in (dict(label_smoothing=0.1), dict(weight=CLASS_WEIGHT)):  # (torch fails on both with a mean)
        compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction, **{
            k: L.tensor(v) if k == "weight" else v for k, v in options.items()}), x, target.clip(0).astype(np.uint8))
    compare(lambda L, x, p: F(L).cross_entropy(x, p, reduction=reduction), x.astype(np.float32),
            Const(probabilities))  # a float64 target promotes the result
    compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction), np.zeros((0, 4)),
            np.zeros(0, dtype=np.int64))
    non_contiguous = x.T.copy().T
    compare(lambda L, x, t: F(L).cross_entropy(x, t, reduction=reduction), non_contiguous, target.clip(0))


def test_cross_entropy_of_a_non_contiguous_input_and_through_the_module():
    x, target, _ = LOGITS["2d"]
    compare(lambda L, x, t: F(L).cross_entropy(x.t(), t), x.T.copy(), target.clip(0), grad_fn=True)
    compare(lambda L, x, t: L.nn.CrossEntropyLoss(weight=L.tensor(CLASS_WEIGHT), label_smoothing=0.1)(x, t),
            x, target)
    compare(lambda L, x, t: L.nn.NLLLoss(reduction="sum")(x, t), x, target)


ELEMENTWISE = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]
A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
A[0, 0], A[0, 1], A[0, 2] = B[0, 0], B[0, 1] + 1.0, B[0, 2] - 0.5  # at the kinks: 0, beta, beta / 2
ELEMENT_WEIGHT = rng.random((3, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_regression_losses(name, reduction):
    compare(lambda L, a, b: getattr(F(L), name)(a, b, reduction=reduction), A, B)
    compare(lambda L, a, b: getattr(F(L), name)(a.t(), b.t(), reduction=reduction), A, B)  # non-contiguous
    # a float64 target of a float32 input promotes (torch's huber_loss then fails in backward: float32 there)
    target = B[0].astype(np.float32) if name == "huber_loss" else B[0]
    with pytest.warns(UserWarning, match="target size"):  # torch's warning, then the broadcast loss
        compare(lambda L, a, b: getattr(F(L), name)(a, b, reduction=reduction), A.astype(np.float32), target)
    compare(lambda L, a, b: getattr(F(L), name)(a, b, reduction=reduction), np.zeros((0, 2)), np.zeros((0, 2)))
    if name != "smooth_l1_loss":
        compare(lambda L, a, b: getattr(F(L), name)(a, b, reduction=reduction, weight=L.tensor(ELEMENT_WEIGHT)),
                A, B)


@pytest.mark.parametrize("size", [0.0, 0.5, 2.0])
def test_smooth_l1_beta_and_huber_delta(size):
    compare(lambda L, a, b: F(L).smooth_l1_loss(a, b, beta=size), A, B)
    if size:
        compare(lambda L, a, b: F(L).huber_loss(a, b, delta=size, reduction="none"), A, B)


def test_a_target_of_another_size_warns_as_torch():
    for name in ELEMENTWISE:
        for L in (torch, course_lib):
            with pytest.warns(UserWarning, match="target size"):
                getattr(F(L), name)(L.ones(3, 4), L.ones(4))
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                getattr(F(L), name)(L.ones(3, 4), L.ones(3, 4))


PROBABILITIES = rng.random((3, 4)) * 0.98 + 0.01
TARGETS = rng.random((3, 4))
EDGES = np.array([0.0, 1.0, 0.0, 1.0, 0.5]), np.array([1.0, 0.0, 0.0, 1.0, 0.5])  # the log clamped at -100


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    compare(lambda L, p, t: F(L).binary_cross_entropy(p, t, reduction=reduction), PROBABILITIES, TARGETS,
            grad_fn=True)
    for weight in (ELEMENT_WEIGHT, ELEMENT_WEIGHT[0], ELEMENT_WEIGHT[:, :1]):
        compare(lambda L, p, t: F(L).binary_cross_entropy(p, t, weight=L.tensor(weight), reduction=reduction),
                PROBABILITIES, Const(TARGETS))
    compare(lambda L, p, t: F(L).binary_cross_entropy(p, t, reduction=reduction), *EDGES, grad_fn=True)
    compare(lambda L, p, t: F(L).binary_cross_entropy(p, t, reduction=reduction),
            PROBABILITIES.astype(np.float32), Const(TARGETS.astype(np.float32)))


LOGIT_VALUES = np.concatenate([rng.standard_normal((2, 4)), [[0.0, 50.0, -50.0, 800.0]]])  # no overflow


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    compare(lambda L, x, t: F(L).binary_cross_entropy_with_logits(x, t, reduction=reduction), LOGIT_VALUES,
            TARGETS, grad_fn=True)
    compare(lambda L, x, t: F(L).binary_cross_entropy_with_logits(
        x, t, weight=L.tensor(ELEMENT_WEIGHT[0]), pos_weight=L.tensor(ELEMENT_WEIGHT[0] * 3), reduction=reduction),
        LOGIT_VALUES, TARGETS)
    compare(lambda L, x, t: F(L).binary_cross_entropy_with_logits(x, t, pos_weight=L.tensor(ELEMENT_WEIGHT),
                                                                  reduction=reduction), LOGIT_VALUES, TARGETS)
    compare(lambda L, x, t: F(L).binary_cross_entropy_with_logits(x, t, reduction=reduction),
            LOGIT_VALUES.astype(np.float32), Const(TARGETS.astype(np.float32)))


MODULES = {
    "MSELoss": lambda L: L.nn.MSELoss(),
    "L1Loss": lambda L: L.nn.L1Loss(reduction="sum"),
    "SmoothL1Loss": lambda L: L.nn.SmoothL1Loss(beta=0.5),
    "HuberLoss": lambda L: L.nn.HuberLoss(delta=0.5, reduction="none"),
    "BCELoss": lambda L: L.nn.BCELoss(weight=L.tensor(ELEMENT_WEIGHT[0])),
    "BCEWithLogitsLoss": lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor(ELEMENT_WEIGHT[0] + 1)),
    "legacy size_average=False": lambda L: L.nn.MSELoss(size_average=False),
    "legacy reduce=False": lambda L: L.nn.BCELoss(reduce=False),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_loss_modules(name):
    with warnings.catch_warnings(record=True) as caught:  # the legacy arguments warn, in both libraries
        warnings.simplefilter("always")
        compare(lambda L, p, t: MODULES[name](L)(p, t), PROBABILITIES, TARGETS)
        theirs, ours = MODULES[name](torch), MODULES[name](course_lib)
    assert len(caught) == (4 if "legacy" in name else 0), [str(w.message) for w in caught]
    assert len({str(w.message) for w in caught}) <= 1  # the same message
    assert repr(ours) == repr(theirs) and ours.reduction == theirs.reduction
    assert list(ours.state_dict()) == list(theirs.state_dict())
