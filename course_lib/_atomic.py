"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Every course command that writes a file (workspace updates, resets, exports, MNIST,
checkpoints) goes through :func:`atomic_write_chunks`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

PathLike = Union[str, os.PathLike]


def atomic_write_chunks(path: PathLike, chunks: Iterable[bytes],
                        verify: Optional[Callable[[int, str], None]] = None) -> None:
    """Write ``chunks`` to ``path`` so that ``path`` only ever holds complete content.

    The bytes go to a temporary file in the same folder (so the rename cannot cross file
    systems), are flushed to disk, optionally checked, and only then renamed over ``path``
    with ``os.replace``, which is atomic. On any failure the temporary file is removed and
    ``path`` is left as it was. The parent folder is created if missing.

    Args:
        path: the destination.
        chunks: the content, in pieces (a single ``bytes`` in a list is fine).
        verify: called with (size in bytes, MD5 hex digest) of what was written, before the
            rename; raising there keeps ``path`` untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.md5(), 0
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _new_file_mode())  # mkstemp makes files private (0600); ours are ordinary files
        if verify is not None:
            verify(size, digest.hexdigest())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write_chunks`)."""
    atomic_write_chunks(path, [data])


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write_chunks`)."""
    atomic_write_chunks(path, [text.encode("utf-8")])


def _new_file_mode() -> int:
    """The permissions ``open()`` would give a new file: 0o666 minus the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
