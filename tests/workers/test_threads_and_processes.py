"""Threads inside a process (set_num_threads), processes (course_lib.multiprocessing and spawn), tensors between
processes, gradient accumulation, and the RandomAffine warp the worker benchmark uses."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import course_lib
from course_lib.datasets.transforms import RandomAffine
from course_lib.nn.utils import accumulate_gradients
from helpers.loader_datasets import spawned_square


def test_set_num_threads_limits_the_math_library_and_is_checked_as_in_torch():
    before = course_lib.get_num_threads()
    try:
        course_lib.set_num_threads(1)
        assert course_lib.get_num_threads() == 1
    finally:
        course_lib.set_num_threads(before)
    assert course_lib.get_num_threads() == before
    for bad in (0, -2):
        with pytest.raises(RuntimeError) as theirs:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as ours:
            course_lib.set_num_threads(bad)
        assert str(ours.value) == str(theirs.value)


def test_multiprocessing_has_torchs_names():
    names = ["spawn", "start_processes", "Process", "Queue", "SimpleQueue", "set_start_method", "get_start_method",
             "get_all_start_methods", "get_context", "ProcessContext", "ProcessRaisedException",
             "ProcessExitedException"]
    assert all(hasattr(torch.multiprocessing, name) for name in names)
    missing = [name for name in names if not hasattr(course_lib.multiprocessing, name)]
    assert not missing


def test_spawn_runs_every_process_and_raises_a_childs_error_with_its_traceback(tmp_path):
    done = tmp_path / "done"
    done.mkdir()
    assert course_lib.multiprocessing.spawn(spawned_square, args=(str(done),), nprocs=2) is None
    assert sorted((path.name, path.read_text()) for path in done.iterdir()) == [("0", "0"), ("1", "1")]
    failing = tmp_path / "fail"
    failing.mkdir()
    with pytest.raises(course_lib.multiprocessing.ProcessRaisedException) as raised:
        course_lib.multiprocessing.spawn(spawned_square, args=(str(failing),), nprocs=2)
    assert raised.value.error_index == 1
    assert "ValueError: process 1 gives up" in str(raised.value) and "Traceback" in str(raised.value)


def test_a_tensor_crosses_to_another_process_by_pickling():
    x = course_lib.arange(12.0).view(3, 4)[:, 1:]
    queue = course_lib.multiprocessing.get_context("fork").Queue()
    queue.put(x)
    received = queue.get(timeout=10)
    assert received.tolist() == x.tolist() and received.shape == x.shape and received.dtype == x.dtype
    assert pickle.loads(pickle.dumps(x)).tolist() == x.tolist()


@pytest.mark.parametrize("micro_batches", [1, 2, 3, 5, 10])
def test_accumulated_gradients_equal_the_whole_batchs(micro_batches):
    course_lib.manual_seed(0)
    nn = course_lib.nn
    model = nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4)).double()
    inputs = course_lib.randn(10, 6, dtype=course_lib.float64)
    targets = course_lib.randint(0, 4, (10,))
    whole = nn.functional.cross_entropy(model(inputs), targets)
    whole.backward()
    expected = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    loss = accumulate_gradients(model, nn.functional.cross_entropy, inputs, targets, micro_batches)
    assert loss == pytest.approx(whole.item(), rel=1e-12)
    for ours, theirs in zip(model.parameters(), expected):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)


def test_random_affine():
    image = np.random.default_rng(0).integers(0, 256, (28, 28)).astype(np.uint8)
    assert np.array_equal(RandomAffine(0, supersample=1)(image), image.astype(np.float32))  # no warp: the image
    np.random.seed(3)
    warped = RandomAffine(30, (0.2, 0.2), (0.8, 1.2))(image)
    np.random.seed(3)
    again = RandomAffine(30, (0.2, 0.2), (0.8, 1.2))(course_lib.tensor(image))
    assert warped.dtype == np.float32 and warped.shape == (28, 28) and not np.array_equal(warped, image)
    assert isinstance(again, course_lib.Tensor) and np.array_equal(again.numpy(), warped)  # NumPy's generator
    blank = RandomAffine(0, translate=(0.5, 0.5))(np.ones((8, 8), dtype=np.float32))
    assert blank.min() < 1.0 and blank.max() == pytest.approx(1.0)  # shifted in from outside: zeros
    with pytest.raises(ValueError, match=r"expects an image of 2 dimensions \(H, W\), got shape \(1, 8, 8\)"):
        RandomAffine(10)(np.ones((1, 8, 8)))
