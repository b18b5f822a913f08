"""Backups of a learner's files: made before any course command changes one, and brought back by ``restore``.

They live outside the repository, under ``~/.cache/dl-course/backups/<workspace>/<time>/`` (or
``$COURSE_BACKUPS``), so that ``git clean -x``, which deletes the git-ignored ``workspace/``, cannot
take them too. Each backup folder mirrors the workspace's layout (``course_lib/shape.py``...) and records
why it was made (``reset 1.3``, ``restore 20261130-121524``, ``update``) in a file of its own,
:data:`REASON_FILE`, which is not one of the files it holds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import List, NamedTuple, Optional, Tuple

from .._atomic import atomic_write_bytes

REASON_FILE = ".reason"
"""In each backup folder: the command that made it, one line."""


class Backup(NamedTuple):
    """One backup folder: its ``name`` (the time it was made), ``reason`` and the ``files`` it holds."""

    name: str
    reason: str
    files: List[str]


def backup_root(workspace: Path) -> Path:
    """The folder holding every backup of ``workspace`` (one subfolder per command run)."""
    base = Path(os.environ.get("COURSE_BACKUPS") or Path.home() / ".cache" / "dl-course" / "backups")
    resolved = Path(workspace).resolve()
    tag = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return base / f"{resolved.parent.name}-{resolved.name}-{tag}"


def new_backup_dir(workspace: Path, reason: str) -> Path:
    """A new backup folder named by the time (``20261130-121524``), created with its reason recorded.

    Args:
        reason: the command that makes it, as the list of backups shows it (``"reset 1.3"``).
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root = backup_root(workspace)
    root.mkdir(parents=True, exist_ok=True)
    candidate, n = root / stamp, 1
    while True:
        try:
            candidate.mkdir()  # atomic: two commands at the same second get two folders
            break
        except FileExistsError:
            candidate, n = root / f"{stamp}-{n}", n + 1
    (candidate / REASON_FILE).write_text(reason + "\n", encoding="utf-8")
    return candidate


def backup(workspace: Path, relative: str, backup_dir: Path) -> Path:
    """Copy ``workspace/relative`` into ``backup_dir`` (same relative path); returns the copy."""
    destination = backup_dir / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(workspace / relative, destination)
    return destination


def held_files(folder: Path) -> List[str]:
    """The workspace files a backup folder holds (relative paths, sorted)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != REASON_FILE)


def list_backups(workspace: Path) -> List[Backup]:
    """Every backup of ``workspace``, oldest first (a backup made before reasons were recorded says ``"?"``)."""
    root = backup_root(workspace)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir(), key=lambda f: _order(f.name)):
        if folder.is_dir():
            reason_file = folder / REASON_FILE
            reason = reason_file.read_text(encoding="utf-8").strip() if reason_file.is_file() else "?"
            found.append(Backup(folder.name, reason, held_files(folder)))
    return found


def _order(name: str) -> tuple:
    """Sort key of a backup name: ``20261130-121524-10`` after ``20261130-121524-9``."""
    stamp, _, n = name.partition("-")[2].partition("-")
    return name.split("-")[0], stamp, int(n) if n.isdigit() else 0


def restore(workspace: Path, name: str, files: Optional[List[str]] = None) -> Tuple[List[str], Optional[Path]]:
    """Copy files of backup ``name`` back into ``workspace`` (all of them, or ``files``).

    The versions they replace are backed up first, so a restore can itself be undone.

    Returns:
        ``(restored files, the backup of the replaced versions or None)``.

    Raises:
        FileNotFoundError: for an unknown backup or a file it does not hold (the message lists what exists).
    """
    folder = backup_root(workspace) / name
    if not folder.is_dir() or name.startswith("."):
        known = ", ".join(b.name for b in list_backups(workspace)) or "none yet"
        raise FileNotFoundError(f"no backup named {name!r}; backups: {known}")
    held = held_files(folder)
    chosen = held if not files else files
    missing = sorted(set(chosen) - set(held))
    if missing:
        raise FileNotFoundError(f"backup {name} has no {', '.join(missing)}; it holds: {', '.join(sorted(held))}")
    safety = None
    for relative in chosen:
        if (workspace / relative).is_file():
            safety = safety or new_backup_dir(workspace, f"restore {name}")
            backup(workspace, relative, safety)
    for relative in chosen:
        atomic_write_bytes(workspace / relative, (folder / relative).read_bytes())
    return sorted(chosen), safety
