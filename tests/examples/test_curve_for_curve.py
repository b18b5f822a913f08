"""Chapter 04's claim, held: the same MLP, weights and batches give course_lib and torch the same losses."""

from __future__ import annotations

import numpy as np
import pytest

from examples import mnist
from helpers import REPO

pytestmark = pytest.mark.skipif(not (REPO / "data" / "MNIST" / "raw" / "train-labels-idx1-ubyte").is_file(),
                                reason="MNIST is not fetched (make data)")


@pytest.fixture(scope="module")
def training_images():
    return mnist.normalised_training_images()


@pytest.mark.slow
def test_float64_losses_agree_step_for_step(training_images):
    losses = mnist.losses_side_by_side(*training_images, steps=100, double=True)
    assert len(losses["course_lib"]) == len(losses["torch"]) == 100
    assert np.abs(np.subtract(losses["course_lib"], losses["torch"])).max() < 1e-10
    assert losses["torch"][-1] < losses["torch"][0] / 2  # and it learns


@pytest.mark.slow
def test_float32_losses_agree_over_the_first_steps(training_images):
    losses = mnist.losses_side_by_side(*training_images, steps=30)
    assert np.abs(np.subtract(losses["course_lib"], losses["torch"])).max() < 1e-4
