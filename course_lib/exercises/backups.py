"""Backups of a learner's files: made before any course command changes one, and brought back by ``restore``.

They live outside the repository, under ``~/.cache/dl-course/backups/<workspace>/<time>/`` (or
``$COURSE_BACKUPS``), so that ``git clean -x``, which deletes the git-ignored ``workspace/``, cannot
take them too. Each backup folder mirrors the workspace's layout (``course_lib/shape.py``...).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path
from typing import List, Optional, Tuple


def backup_root(workspace: Path) -> Path:
    """The folder holding every backup of ``workspace`` (one subfolder per command run)."""
    base = Path(os.environ.get("COURSE_BACKUPS") or Path.home() / ".cache" / "dl-course" / "backups")
    resolved = Path(workspace).resolve()
    tag = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return base / f"{resolved.parent.name}-{resolved.name}-{tag}"


def new_backup_dir(workspace: Path) -> Path:
    """A new, not yet created, backup folder named by the time (``20261130-121524``)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    root = backup_root(workspace)
    candidate, n = root / stamp, 1
    while candidate.exists():
        candidate, n = root / f"{stamp}-{n}", n + 1
    return candidate


def backup(workspace: Path, relative: str, backup_dir: Path) -> Path:
    """Copy ``workspace/relative`` into ``backup_dir`` (same relative path); returns the copy."""
    destination = backup_dir / relative
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(workspace / relative, destination)
    return destination


def list_backups(workspace: Path) -> List[Tuple[str, List[str]]]:
    """Every backup of ``workspace``, oldest first: ``(name, files it holds)``."""
    root = backup_root(workspace)
    if not root.is_dir():
        return []
    return [(folder.name, sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))
            for folder in sorted(root.iterdir()) if folder.is_dir()]


def restore(workspace: Path, name: str, files: Optional[List[str]] = None) -> Tuple[List[str], Optional[Path]]:
    """Copy files of backup ``name`` back into ``workspace`` (all of them, or ``files``).

    The versions they replace are backed up first, so a restore can itself be undone.

    Returns:
        ``(restored files, the backup of the replaced versions or None)``.

    Raises:
        FileNotFoundError: for an unknown backup or a file it does not hold (the message lists what exists).
    """
    folder = backup_root(workspace) / name
    if not folder.is_dir():
        known = ", ".join(n for n, _ in list_backups(workspace)) or "none yet"
        raise FileNotFoundError(f"no backup named {name!r}; backups: {known}")
    held = [p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()]
    chosen = held if not files else files
    missing = sorted(set(chosen) - set(held))
    if missing:
        raise FileNotFoundError(f"backup {name} has no {', '.join(missing)}; it holds: {', '.join(sorted(held))}")
    safety = None
    for relative in chosen:
        if (workspace / relative).is_file():
            safety = safety or new_backup_dir(workspace)
            backup(workspace, relative, safety)
    for relative in chosen:
        destination = workspace / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / relative, destination)
    return sorted(chosen), safety
