"""The memory layout of results: an elementwise result keeps a dense input's layout (channels-last stays
channels-last), as torch's does; a convolution's output is channels-last; ``contiguous()`` still copies.

Keeping the layout saves a copy per operation on a convolution's output (issue 20's CNN step: 7 ms of copies
a step). NumPy's backend only: the loops of chapter 01 write row-major results.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import course_lib
from helpers.tensors import assert_same, both

F = course_lib.nn.functional

ELEMENTWISE = {
    "relu": lambda x: x.relu(), "exp": lambda x: x.exp(), "x * 2 + 1": lambda x: x * 2 + 1,
    "x * x": lambda x: x * x, "x > 0": lambda x: x > 0, "x * (x != 0.5)": lambda x: x * (x != 0.5), "x.double()": lambda x: x.double(),
}


def channels_last_pair(shape=(2, 3, 4, 5), seed=0):
    """The same (N, C, H, W) values in both libraries, held in (N, H, W, C) memory."""
    array = np.random.default_rng(seed).standard_normal((shape[0], shape[2], shape[3], shape[1])).astype(np.float32)
    theirs, ours = both(array)
    return theirs.permute(0, 3, 1, 2), ours.permute(0, 3, 1, 2)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_results_keep_a_dense_inputs_layout(name):
    theirs, ours = channels_last_pair()
    assert_same(ELEMENTWISE[name](ours), ELEMENTWISE[name](theirs), check_layout=True)


def test_a_transposed_matrix_keeps_its_layout_through_a_binary_operation():
    theirs, ours = both(np.arange(12.0).reshape(3, 4))
    assert_same(ours.t() + ours.t(), theirs.t() + theirs.t(), check_layout=True)


def test_contiguous_copies_a_channels_last_tensor_into_row_major_memory():
    theirs, ours = channels_last_pair()
    result = ours.relu().contiguous()
    assert_same(result, theirs.relu().contiguous(), check_layout=True)
    assert result.data_ptr() != ours.relu().data_ptr()


def test_a_result_never_shares_memory_with_its_input():
    _, ours = channels_last_pair()
    result = ours * 1
    result.add_(1)
    assert not torch.equal(torch.from_numpy(result.cpu().numpy()), torch.from_numpy(ours.cpu().numpy()))


def test_conv2d_output_is_channels_last_and_equals_torchs():
    """A deviation from torch (whose output of a contiguous input is contiguous): course_lib's output is the
    matrix product's rows as they come, (N, H, W, C) in memory. Values are torch's; reshape works, view across
    the channels does not."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 6, 5)).astype(np.float32), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    ours = F.conv2d(course_lib.tensor(x), course_lib.tensor(w), padding=1)
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours.stride() == (6 * 5 * 4, 1, 5 * 4, 4)
    assert_same(ours.relu().reshape(2, -1), theirs.relu().reshape(2, -1), rtol=1e-5, atol=1e-5)


def test_max_pool_gradient_after_a_convolution_is_laid_out_like_its_input():
    theirs, ours = channels_last_pair((2, 3, 4, 6), seed=2)
    for x in (theirs, ours):
        x.requires_grad_()
    gradient = np.random.default_rng(3).standard_normal((2, 3, 2, 3)).astype(np.float32)
    F.max_pool2d(ours, 2).backward(course_lib.tensor(gradient))
    torch.nn.functional.max_pool2d(theirs, 2).backward(torch.tensor(gradient))
    assert_same(ours.grad, theirs.grad)
    assert ours.grad.stride()[1] == 1  # channels-last, as the input


def test_relu_of_a_0d_tensor_has_a_gradient():
    for library in (course_lib, torch):
        x = library.tensor(0.5, dtype=library.float64, requires_grad=True)
        x.relu().backward()
        assert x.grad.item() == 1.0
