"""Every learning-rate scheduler against torch's: the rates of two parameter groups epoch by epoch, through a
checkpoint (optimizer and scheduler rebuilt from their state dicts) in the middle, and torch's errors and
warning."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch

import course_lib
from helpers.both import raises_both


def halving(epoch):
    return 0.5 ** (epoch // 3)


SCHEDULES = {
    "StepLR": lambda L, o: L.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR, a repeated milestone": lambda L, o: L.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda L, o: L.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
    "CosineAnnealingLR, past its period": lambda L, o: L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.01),
    "LambdaLR": lambda L, o: L.optim.lr_scheduler.LambdaLR(o, halving),
    "LambdaLR, one function per group": lambda L, o: L.optim.lr_scheduler.LambdaLR(o, [halving, lambda e: 1 / (e + 1)]),
}
IGNORED = {"_get_lr_called_within_step"}  # torch's bookkeeping flag for a warning course_lib does not give


def optimizer(L):
    return L.optim.SGD([{"params": [L.zeros(2, requires_grad=True)], "lr": 0.1},
                        {"params": [L.zeros(3, requires_grad=True)], "lr": 0.5}], lr=0.1, momentum=0.9)


def run(L, make, epochs=14, resume_at=6):
    opt = optimizer(L)
    scheduler = make(L, opt)
    rates = [scheduler.get_last_lr()]
    for epoch in range(epochs):
        if epoch == resume_at:  # a checkpoint: both rebuilt, the optimizer's state loaded first (torch's advice)
            saved_optimizer, saved_scheduler = copy.deepcopy(opt.state_dict()), copy.deepcopy(scheduler.state_dict())
            opt = optimizer(L)
            opt.load_state_dict(saved_optimizer)
            scheduler = make(L, opt)
            scheduler.load_state_dict(saved_scheduler)
        opt.step()
        scheduler.step()
        rates.append([group["lr"] for group in opt.param_groups])
        assert scheduler.get_last_lr() == rates[-1]
    return rates, {key: value for key, value in scheduler.state_dict().items() if key not in IGNORED}


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_rates_and_state_dict_equal_torchs(schedule):
    ours, our_state = run(course_lib, SCHEDULES[schedule])
    theirs, their_state = run(torch, SCHEDULES[schedule])
    assert ours == theirs  # the same float arithmetic in the same order: equal, not close
    assert list(our_state) == list(their_state)
    assert our_state == their_state


def test_reduce_on_plateau_equals_torchs():
    metrics = [5, 4, 4, 4, 4, 3.9999, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2]
    results = []
    for L in (course_lib, torch):
        opt = optimizer(L)
        scheduler = L.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, cooldown=1, factor=0.5, min_lr=[0.02, 0.0])
        rates = []
        for epoch, metric in enumerate(metrics):
            if epoch == 7:
                saved = copy.deepcopy(scheduler.state_dict())
                scheduler = L.optim.lr_scheduler.ReduceLROnPlateau(opt)
                scheduler.load_state_dict(saved)
            scheduler.step(L.tensor(float(metric)))
            rates.append(scheduler.get_last_lr())
        results.append((rates, scheduler.state_dict()))
    assert results[0] == results[1]


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    messages = []
    for L in (course_lib, torch):
        scheduler = L.optim.lr_scheduler.StepLR(optimizer(L), step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step()
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1


BAD = {
    "not an optimizer": lambda L: L.optim.lr_scheduler.StepLR([1, 2], step_size=2),
    "resuming without initial_lr": lambda L: L.optim.lr_scheduler.StepLR(optimizer(L), step_size=2, last_epoch=3),
    "LambdaLR, too few functions": lambda L: L.optim.lr_scheduler.LambdaLR(optimizer(L), [halving]),
    "ReduceLROnPlateau, factor 1": lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(optimizer(L), factor=1.0),
    "ReduceLROnPlateau, unknown mode": lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(optimizer(L), mode="up"),
    "ReduceLROnPlateau, min_lr list of the wrong length":
        lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(optimizer(L), min_lr=[0.1]),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_bad_scheduler_arguments_raise_torchs_errors(bad):
    raises_both(BAD[bad], message=bad != "resuming without initial_lr")
