"""Tests for course_lib/datasets/idx.py: reading and writing the IDX format."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.datasets import idx
from helpers.mnist import tiny  # noqa: F401 - a fixture


def test_read_idx_reads_back_what_write_idx_wrote(tmp_path, tiny):
    images = tiny["images"][0]
    idx.write_idx(tmp_path / "images", images)
    assert (tmp_path / "images").read_bytes() == tiny["files"]["train-images-idx3-ubyte"]
    np.testing.assert_array_equal(idx.read_idx(tmp_path / "images"), images)
    floats = np.arange(6, dtype=np.float32).reshape(2, 3)
    idx.write_idx(tmp_path / "floats", floats)
    np.testing.assert_array_equal(idx.read_idx(tmp_path / "floats"), floats)


def test_read_idx_rejects_a_truncated_file(tmp_path, tiny):
    path = tmp_path / "images"
    path.write_bytes(tiny["files"]["train-images-idx3-ubyte"][:-1])
    with pytest.raises(ValueError, match="truncated"):
        idx.read_idx(path)
