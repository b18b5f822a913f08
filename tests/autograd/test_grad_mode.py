"""Autograd semantics against torch: detach, no_grad / enable_grad / set_grad_enabled, requires_grad flags, graphs freed without the garbage collector."""

from __future__ import annotations

import concurrent.futures
import threading

import numpy as np
import pytest
import torch

import course_lib
from helpers.autograd import BOTH, check_gradients, leaf
from helpers.tensors import same_message

@BOTH
def test_detach_shares_storage_and_has_no_history(L):
    x = leaf(L, [1.0, 2.0, 3.0])
    y = x * 2
    d = y.detach()
    assert d.grad_fn is None and not d.requires_grad and d.is_leaf
    assert d.data_ptr() == y.data_ptr()
    d[0] = 10.0  # shared memory: y sees it
    assert y.tolist()[0] == 10.0
    data = x.data
    assert not data.requires_grad and data.data_ptr() == x.data_ptr()


@BOTH
def test_no_grad_context_decorator_and_nesting(L):
    x = leaf(L, [1.0, 2.0])
    with L.no_grad():
        y = x * 2
        assert not L.is_grad_enabled()
        with L.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert not y.requires_grad and y.grad_fn is None
    assert L.is_grad_enabled()

    @L.no_grad()
    def evaluate(t):
        return t * 2

    @L.no_grad
    def evaluate_bare(t):
        return t * 2

    @L.enable_grad()
    def train(t):
        return t * 2

    assert not evaluate(x).requires_grad and not evaluate_bare(x).requires_grad
    with L.no_grad():
        assert train(x).requires_grad
    assert L.is_grad_enabled()


@BOTH
def test_set_grad_enabled_every_form(L):
    x = leaf(L, [1.0])
    with L.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    L.set_grad_enabled(False)
    try:
        assert not L.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        L.set_grad_enabled(True)

    @L.set_grad_enabled(False)
    def frozen(t):
        return t * 2

    assert L.is_grad_enabled()  # the decorator does not switch it off at definition time
    assert not frozen(x).requires_grad
    assert L.is_grad_enabled()


@BOTH
def test_grad_mode_is_restored_after_an_exception(L):
    with pytest.raises(ValueError):
        with L.no_grad():
            raise ValueError
    assert L.is_grad_enabled()


@BOTH
def test_requires_grad_flags(L):
    x = L.tensor([1.0, 2.0])
    assert not x.requires_grad and x.is_leaf
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    x.requires_grad_(False)
    assert not (x * 2).requires_grad
    assert L.ones(2, requires_grad=True).requires_grad
    assert L.zeros_like(x, requires_grad=True).requires_grad


def test_requires_grad_false_on_a_non_leaf_raises():
    same_message(lambda: (leaf(course_lib, [1.0]) * 2).requires_grad_(False),
                 lambda: (leaf(torch, [1.0]) * 2).requires_grad_(False))


def test_graphs_are_freed_without_the_garbage_collector():
    """No reference cycles (node <-> ctx, saved output <-> its node, leaf <-> accumulator):
    a graph and its saved tensors go as soon as the last reference does, as in torch."""
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        x = leaf(course_lib, [1.0, 2.0])
        y = x.exp()  # saves its own output
        out = (y.tanh() * x).sum()
        refs = [weakref.ref(t) for t in (x, y)] + [weakref.ref(out.grad_fn), weakref.ref(y.grad_fn)]
        del y, out
        assert refs[1]() is None and refs[2]() is None and refs[3]() is None  # forward graph, never used
        out = (x * x).exp().sum()
        out.backward()
        del out, x
        assert refs[0]() is None  # the leaf too: its accumulator does not keep it alive
    finally:
        gc.enable()


def test_only_float_tensors_can_require_grad():
    same_message(lambda: course_lib.tensor([1, 2]).requires_grad_(), lambda: torch.tensor([1, 2]).requires_grad_())


def test_detach_breaks_the_gradient_path():
    check_gradients(lambda L, x: x * x.detach() + (x * 2).detach() * x, np.array([1.0, 2.0, 3.0]))


def _in_thread(function):
    """Run ``function`` in a new thread and return what it returned (re-raising what it raised)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001  (handed back to the test)
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@BOTH
def test_grad_mode_is_per_thread(L):
    """no_grad in one thread leaves another recording, and a new thread starts with recording on."""
    x = leaf(L, [1.0, 2.0])
    inside, release = threading.Event(), threading.Event()

    def without_grad():
        with L.no_grad():
            inside.set()
            release.wait(30)
            return (x * 2).requires_grad, L.is_grad_enabled()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        other = pool.submit(without_grad)
        assert inside.wait(30)
        recorded_here = (x * 2).requires_grad and L.is_grad_enabled()  # while the other thread is in no_grad
        release.set()
        assert other.result() == (False, False) and recorded_here
    with L.no_grad():
        assert _in_thread(lambda: ((x * 2).requires_grad, L.is_grad_enabled())) == (True, True)
        assert not (x * 2).requires_grad
