"""Pooling against torch: ``F.max_pool2d`` (with ties, ceil mode, indices), ``F.avg_pool2d``,
``F.adaptive_avg_pool2d`` and their modules. Outputs and gradients are compared."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import course_lib
from helpers.nn import assert_same
from helpers.windows import compare_with_torch, random

POOL_CASES = [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=(2, 3), stride=(1, 2)),
              dict(kernel_size=3, stride=2, ceil_mode=True),
              dict(kernel_size=(3, 2), stride=2, padding=1, ceil_mode=True)]


@pytest.mark.parametrize("options", POOL_CASES + [dict(kernel_size=3, stride=2, padding=1, dilation=2),
                                                  dict(kernel_size=2, dilation=(2, 1), ceil_mode=True)])
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 7), (1, 1, 5, 6)])
def test_max_pool2d_values_indices_and_gradient_match_torch(options, shape):
    (x,) = random(10, shape)
    compare_with_torch(lambda L, t: L.nn.functional.max_pool2d(t, **options, return_indices=True), x)


@pytest.mark.parametrize("options", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
                                     dict(kernel_size=2, stride=1, ceil_mode=True)])
def test_max_pool2d_sends_the_gradient_to_the_first_maximum_of_ties(options):
    x = np.ones((1, 2, 4, 5), dtype="float32")  # every element ties
    x[0, 1, :, 2:] = 0.0  # and some windows tie only partly
    compare_with_torch(lambda L, t: L.nn.functional.max_pool2d(t, **options, return_indices=True), x)


def test_max_pool2d_of_a_non_contiguous_input():
    (x,) = random(11, (2, 6, 7, 3))
    compare_with_torch(lambda L, t: L.nn.functional.max_pool2d(t, 2), x, prepare=lambda L, t: t.transpose(1, 3))


@pytest.mark.parametrize("options", POOL_CASES + [dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                                  dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                                       count_include_pad=False),
                                                  dict(kernel_size=3, padding=1, divisor_override=4)])
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 7)])
def test_avg_pool2d_matches_torch(options, shape):
    (x,) = random(12, shape)
    compare_with_torch(lambda L, t: L.nn.functional.avg_pool2d(t, **options), x)


@pytest.mark.parametrize("output_size", [1, 2, (3, 4), (None, 3), (5, 5), 7, (9, 2)])
@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 5)])
def test_adaptive_avg_pool2d_matches_torch(output_size, shape):
    (x,) = random(13, shape)
    compare_with_torch(lambda L, t: L.nn.functional.adaptive_avg_pool2d(t, output_size), x, rtol=1e-5, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(height=st.integers(1, 8), width=st.integers(1, 8), kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)), padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), ceil_mode=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_max_and_avg_pool_random_geometry_match_torch(height, width, kernel, stride, padding, dilation, ceil_mode,
                                                      seed):
    # A max-pool window that holds only padding has no element to send its gradient to: torch sends it to an
    # index past the input (its kernel's start position), which is not behaviour to copy.
    assume(all(_every_window_reads_the_input(*geometry, ceil_mode) for geometry in
               zip((height, width), kernel, stride, padding, dilation)))
    # integer values make ties common
    x = np.random.default_rng(seed).integers(-2, 3, (2, 2, height, width)).astype("float32")
    max_options = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    avg_options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
    for function, options in (("max_pool2d", max_options), ("avg_pool2d", avg_options)):
        try:
            getattr(torch.nn.functional, function)(torch.tensor(x), **options)
        except RuntimeError:  # a padding over half the kernel, or no window: both raise the same type
            with pytest.raises(RuntimeError):
                getattr(course_lib.nn.functional, function)(course_lib.tensor(x), **options)
            continue
        compare_with_torch(lambda L, t: getattr(L.nn.functional, function)(t, **options), x)


def _every_window_reads_the_input(size: int, kernel: int, stride: int, padding: int, dilation: int,
                                  ceil_mode: bool) -> bool:
    """Whether each max-pool window along one dimension covers at least one element of the input."""
    span = dilation * (kernel - 1) + 1
    steps = (size + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride
    if ceil_mode and steps * stride >= size + padding:  # torch drops a last window that starts in the padding
        steps -= 1
    return all(any(0 <= start * stride - padding + j * dilation < size for j in range(kernel))
               for start in range(max(steps + 1, 0)))


@pytest.mark.parametrize("factory", [lambda L: L.nn.MaxPool2d(2), lambda L: L.nn.MaxPool2d((2, 3), 1, 1, 2, True, True),
                                     lambda L: L.nn.AvgPool2d(2), lambda L: L.nn.AvgPool2d(3, 2, 1, True, False, 4),
                                     lambda L: L.nn.AdaptiveAvgPool2d((None, 2)), lambda L: L.nn.AdaptiveAvgPool2d(1)])
def test_pooling_modules_match_torch(factory):
    torch_layer, our_layer = factory(torch), factory(course_lib)
    assert repr(our_layer) == repr(torch_layer)
    assert not list(our_layer.parameters()) and our_layer.state_dict() == {}
    (x,) = random(14, (2, 3, 7, 6))
    compare_with_torch(lambda L, t: (torch_layer if L is torch else our_layer)(t), x)


def test_max_pool2d_keeps_the_dtype_of_integers():
    x = np.arange(2 * 16).reshape(1, 2, 4, 4) % 7
    out_t = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 1, padding=1)
    assert_same(course_lib.nn.functional.max_pool2d(course_lib.tensor(x), 3, 1, padding=1), out_t)
