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

__all__ = ["EXPECTED", "FileSpec", "MNISTFetchError", "MNISTWriteError", "raw_dir", "verify_mnist"]


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


class MNISTWriteError(MNISTFetchError):
    """A file could not be written into the data folder: a local problem, not the source's."""


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


def file_problem(path: Path, name: str) -> str | None:
    """What is wrong with the file at ``path`` (named ``name`` in ``EXPECTED``), in one line with the
    fix, or None when it has the official size and MD5."""
    spec = EXPECTED[name]
    try:
        if path.is_dir():
            return f"{path} is a folder, not the file {name}; move it away and run `make data` again."
        size = path.stat().st_size
        # Size first: a truncated file is the common case and needs no hashing.
        md5 = _md5_of_file(path) if size == spec.size else None
    except OSError as error:
        return (f"{path} cannot be read ({error.strerror or error}); give yourself read permission "
                f"(`chmod u+r {path}`) or {FIX}.")
    if size != spec.size or md5 != spec.md5:
        return (f"{path} is not the official MNIST file {name}: expected "
                f"{_describe(spec.size, spec.md5)}, found {_describe(size, md5)} "
                f"(a truncated or corrupted download?). It was left untouched; to fix it, {FIX}.")
    return None


def check_existing(raw: Path) -> list[str]:
    """The names of the official files present in ``raw``, after checking them all.

    Raises:
        MNISTFetchError: ``raw`` is not a folder, or some files there are bad: every bad file is
            listed, each with its fix.
    """
    if raw.exists() and not raw.is_dir():
        raise MNISTFetchError(f"{raw} is a file, but MNIST needs a folder there: move the file away "
                              "and run `make data` again.")
    present = [name for name in EXPECTED if os.path.lexists(raw / name)]
    problems = [p for p in (file_problem(raw / name, name) for name in present) if p]
    if problems:
        raise MNISTFetchError("\n".join(problems) if len(problems) == 1
                              else f"{len(problems)} MNIST files are bad:\n" + "\n".join(f"- {p}" for p in problems))
    return present


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
    present = check_existing(raw)  # bad files are reported first: they need the learner's action
    missing = [name for name in EXPECTED if name not in present]
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
        _SourceFailed: reading the source failed, or the written bytes do not match ``expect``
            (``path`` is left as it was).
        MNISTWriteError: the file could not be written (a full disk, a read-only folder...).
    """

    def verify(size: int, md5: str) -> None:
        if expect is not None and (size, md5) != tuple(expect):
            raise _SourceFailed(f"{path.name} came out as {_describe(size, md5)}, "
                                f"expected {_describe(expect.size, expect.md5)}")

    def read(source: Iterable[bytes]) -> Iterable[bytes]:
        try:  # a read error belongs to the source: it must not pass for a write error below
            yield from source
        except (OSError, EOFError) as error:
            raise _SourceFailed(f"reading {path.name} from the source failed: {error}") from None

    try:
        atomic_write_chunks(path, read(chunks), verify)
    except OSError as error:
        raise MNISTWriteError(f"cannot write {path} ({error.strerror or error}): a problem of this machine, not "
                              f"of the download; make {path.parent} writable (or free disk space) and run "
                              "`make data` again.") from None
