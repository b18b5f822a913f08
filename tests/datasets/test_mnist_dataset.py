"""course_lib's MNIST dataset and transforms against torchvision's, on the real files."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch
import torchvision

import course_lib
from course_lib.datasets import MNIST, MNISTFetchError, transforms
from helpers import REPO

DATA = REPO / "data"
pytestmark = pytest.mark.skipif(not (DATA / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file(),
                                reason="MNIST is not fetched (make data)")


def test_the_test_set_equals_torchvisions_after_the_same_transforms():
    ours = MNIST(DATA, train=False, transform=transforms.Compose([transforms.ToTensor(),
                                                                 transforms.Normalize((0.1307,), (0.3081,))]))
    vision = torchvision.transforms
    theirs = torchvision.datasets.MNIST(str(DATA), train=False, transform=vision.Compose(
        [vision.ToTensor(), vision.Normalize((0.1307,), (0.3081,))]))
    assert len(ours) == len(theirs) == 10_000
    assert np.array_equal(ours.targets.numpy(), theirs.targets.numpy())
    assert np.array_equal(ours.data.numpy(), theirs.data.numpy())
    for index in (0, 1, 4321, 9999):
        (image, label), (expected, expected_label) = ours[index], theirs[index]
        assert label == expected_label and tuple(image.shape) == (1, 28, 28)
        torch.testing.assert_close(torch.from_numpy(image.numpy()), expected)


def test_target_transform_and_torchvisions_dataset_through_course_libs_loader():
    ours = MNIST(DATA, train=False, target_transform=lambda label: label + 10)
    assert ours[0][1] == int(ours.targets[0]) + 10
    theirs = torchvision.datasets.MNIST(str(DATA), train=False, transform=torchvision.transforms.ToTensor())
    images, labels = next(iter(course_lib.utils.data.DataLoader(theirs, batch_size=8)))
    assert tuple(images.shape) == (8, 1, 28, 28) and labels.dtype == course_lib.int64


def test_a_damaged_file_names_itself_and_the_fix(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        shutil.copy(DATA / "MNIST" / "raw" / name, raw / name)
    with open(raw / "t10k-images-idx3-ubyte", "r+b") as file:
        file.truncate(1000)
    with pytest.raises(MNISTFetchError, match="t10k-images-idx3-ubyte.*make data"):
        MNIST(tmp_path, train=False)
    with pytest.raises(MNISTFetchError, match="train-images-idx3-ubyte.*make data"):
        MNIST(tmp_path, train=True)


def test_normalize_refuses_a_zero_std_as_torchvision_does():
    with pytest.raises(ValueError):
        torchvision.transforms.Normalize((0.5,), (0.0,))(torch.zeros(1, 2, 2))
    with pytest.raises(ValueError):
        transforms.Normalize((0.5,), (0.0,))
