"""Datasets for chapter 06's measurements of DataLoader workers (notebooks/06_parallel_training.ipynb and
bench/bench_loader.py).

They live in a file, not in the notebook: a worker started with "spawn" (the default on macOS and Windows)
imports the dataset's class by its module's name, and a class defined in a notebook has none it can import.
Each works with course_lib's DataLoader and with torch's (``library`` chooses the tensors).
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

import course_lib
from course_lib.datasets.transforms import RandomAffine


def random_digits(count: int, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """``count`` random uint8 "images" of 28 x 28 and labels 0-9: MNIST's shapes, without its files."""
    generator = np.random.default_rng(seed)
    return generator.integers(0, 256, (count, 28, 28)).astype(np.uint8), generator.integers(0, 10, count)


class WarpedImages:
    """Images randomly warped by ``RandomAffine`` (about 2 ms of CPU each with ``supersample=6``) and normalised
    with MNIST's statistics; samples are ``(image (1, 28, 28) float32, label)`` as tensors of ``library``."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, library: str = "course_lib", supersample: int = 6):
        self.images, self.labels, self.library = images, labels, library
        self.warp = RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1), supersample=supersample)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> Tuple[Any, int]:
        image = ((self.warp(self.images[index]) / 255 - 0.1307) / 0.3081)[None].astype(np.float32)
        if self.library == "torch":
            import torch

            return torch.from_numpy(image), int(self.labels[index])
        return course_lib.tensor(image), int(self.labels[index])


class MatrixProducts:
    """Samples that each cost a chain of ``size x size`` matrix products: work for the math library's threads."""

    def __init__(self, count: int, size: int = 384) -> None:
        self.count, self.size = count, size

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> Any:
        matrix = np.random.default_rng(index).standard_normal((self.size, self.size))
        return course_lib.tensor((matrix @ matrix @ matrix).sum(0)[:8])


class SetThreads:
    """A ``worker_init_fn`` giving each worker's math library ``count`` threads (the DataLoader gives it 1)."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __call__(self, worker_id: int) -> None:
        course_lib.set_num_threads(self.count)
