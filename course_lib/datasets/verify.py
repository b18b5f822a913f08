"""The official MNIST files and how to check them: names, sizes, MD5 sums, and the errors.

:data:`EXPECTED` lists the four uncompressed IDX files with their published size and MD5.
:func:`verify_mnist` checks a data folder against it, and every file the fetch writes is
checked the same way before it gets its final name. The checks read bytes and MD5 sums only:
they never parse the IDX format. When a file is wrong, :class:`MNISTFetchError` names it, says
what was expected and what was found, and how to fix it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, NamedTuple

from .._atomic import atomic_write_chunks

__all__ = ["EXPECTED", "FileSpec", "MNISTFetchError", "raw_dir", "verify_mnist"]


class FileSpec(NamedTuple):
    """What an official MNIST file must be: its size in bytes and its MD5 hex digest."""

    size: int
    md5: str


# The published sums of the official uncompressed files.
EXPECTED: dict[str, FileSpec] = {
    "train-images-idx3-ubyte": FileSpec(47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": FileSpec(60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": FileSpec(7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": FileSpec(10_008, "27ae3e4e09519cfbb04c329615203637"),
}

FIX = "delete it and run `make data` again"
_CHUNK = 1 << 20


class MNISTFetchError(RuntimeError):
    """MNIST could not be fetched, or a file on disk is not the official one."""


class _SourceFailed(Exception):
    """One source could not deliver; the fetch goes on to the next source."""


def raw_dir(root: str | os.PathLike = "data") -> Path:
    """The folder that holds the four IDX files: ``<root>/MNIST/raw``."""
    return Path(root) / "MNIST" / "raw"


def _md5_of_file(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(size: int, md5: str | None = None) -> str:
    return f"{size:,} bytes" + (f" with MD5 {md5}" if md5 else "")


def _check_file(path: Path, name: str) -> None:
    """Raise MNISTFetchError unless ``path`` has the size and MD5 that ``EXPECTED[name]`` lists."""
    spec = EXPECTED[name]
    size = path.stat().st_size
    # Size first: a truncated file is the common case and needs no hashing.
    md5 = _md5_of_file(path) if size == spec.size else None
    if size != spec.size or md5 != spec.md5:
        raise MNISTFetchError(
            f"{path} is not the official MNIST file {name}: expected "
            f"{_describe(spec.size, spec.md5)}, found {_describe(size, md5)} "
            f"(a truncated or corrupted download?). It was left untouched; to fix it, {FIX}."
        )


def verify_mnist(root: str | os.PathLike = "data") -> Path:
    """Check that all four MNIST files are present in ``<root>/MNIST/raw`` and official.

    Args:
        root: the data folder (the same ``root`` torchvision takes).

    Returns:
        The raw folder, when all four files have the expected size and MD5.

    Raises:
        MNISTFetchError: a file is missing (the message lists which) or differs from the
            official one (the message names it, with expected and found size/MD5, and the fix).
    """
    raw = raw_dir(root)
    missing = [name for name in EXPECTED if not (raw / name).is_file()]
    for name in EXPECTED:
        if name not in missing:  # a bad file is reported first: it needs the learner's action
            _check_file(raw / name, name)
    if missing:
        raise MNISTFetchError(
            f"MNIST files missing from {raw}: {', '.join(missing)}. Run `make data` "
            f"(or `python -m course_lib.datasets --root {root}`) to fetch them."
        )
    return raw


def _atomic_write(path: Path, chunks: Iterable[bytes], expect: FileSpec | None = None) -> None:
    """Write ``chunks`` to ``path`` atomically; if ``expect`` is given the bytes must match it.

    The size and MD5 are those of the bytes as they are written, checked before the file gets
    its final name, so a file under an official name is always the official one.

    Raises:
        _SourceFailed: the written bytes do not match ``expect`` (``path`` is left as it was).
    """

    def verify(size: int, md5: str) -> None:
        if expect is not None and (size, md5) != tuple(expect):
            raise _SourceFailed(f"{path.name} came out as {_describe(size, md5)}, "
                                f"expected {_describe(expect.size, expect.md5)}")

    atomic_write_chunks(path, chunks, verify)
