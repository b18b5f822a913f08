"""``MNIST``: the digits as a map-style dataset, like ``torchvision.datasets.MNIST``.

Reads ``<root>/MNIST/raw`` (fetched and verified by ``make data``) with :func:`.idx.read_idx`, the IDX reader
that chapter 04 (notebooks/04_mnist_training.ipynb) has learners write. A sample is ``(image, label)``: the
image a uint8 ``(28, 28)`` tensor (torchvision gives a PIL image; ``transforms.ToTensor`` takes either), the
label an int.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional, Tuple

from ..dtypes import int64, uint8
from ..ops.creation import tensor
from ..utils.data.dataset import Dataset
from .idx import read_idx
from .verify import MNISTFetchError, raw_dir

__all__ = ["MNIST"]

_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class MNIST(Dataset):
    """60,000 training or 10,000 test digits.

    Args:
        root: the data folder holding ``MNIST/raw`` (torchvision's layout).
        train: the training set (else the test set).
        transform: applied to each image; ``target_transform``: to each label.
        download: accepted for torchvision's signature; run ``make data`` to fetch the files.

    Attributes:
        data: uint8 ``(N, 28, 28)``; targets: int64 ``(N,)``.

    Raises:
        MNISTFetchError: a file is missing or cannot be read: the message names the file, the cause and the fix
            (``make data``), as ``make data`` itself does.
    """

    classes = [f"{digit} - {name}" for digit, name in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])]

    def __init__(self, root: str | os.PathLike = "data", train: bool = True, transform: Optional[Callable] = None,
                 target_transform: Optional[Callable] = None, download: bool = False) -> None:
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        folder = raw_dir(root)
        arrays = []
        for name in _FILES[bool(train)]:
            path = folder / name
            if not path.is_file():
                raise MNISTFetchError(f"MNIST file missing: {path}. Run `make data` (or `python -m course_lib.datasets "
                                      f"--root {root}`) to fetch and verify it.")
            try:
                arrays.append(read_idx(path))
            except ValueError as error:
                raise MNISTFetchError(f"MNIST file unreadable: {path}: {error}. Delete it and run `make data` "
                                      "again.") from None
        images, labels = arrays
        if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
            raise MNISTFetchError(f"MNIST files in {folder} do not match: {images.shape[0]} images of shape "
                                  f"{images.shape[1:]}, {labels.shape[0]} labels. Delete them and run `make data`.")
        self.data = tensor(images, dtype=uint8)
        self.targets = tensor(labels, dtype=int64)
        self._labels = labels.tolist()

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, index: int) -> Tuple[Any, Any]:
        image, label = self.data[index], self._labels[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __repr__(self) -> str:
        return (f"Dataset MNIST\n    Number of datapoints: {len(self)}\n    Root location: {self.root}\n"
                f"    Split: {'Train' if self.train else 'Test'}")
