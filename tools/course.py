#!/usr/bin/env python3
"""``course``: the exercise commands (list, check, reset, solution, restore, ...) from anywhere.

``make`` installs this script as ``course`` in the course's virtual environment, and ``make lab``
puts that environment on the PATH of JupyterLab's terminals. Run from inside the course
repository or its ``workspace/`` (any subfolder), it finds both by walking up from the current
folder and runs the *repository's* own tooling, ``python -m course_lib.exercises``, on that
workspace: a learner's unfinished or broken file can never disable ``reset`` or ``restore``,
and no second workspace is ever created inside the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional, Tuple


def is_repository(folder: Path) -> bool:
    return (folder / "course_lib" / "exercises" / "registry.py").is_file() and not (folder / ".course").exists()


def locate(start: Path) -> Optional[Tuple[Path, Path]]:
    """``(repository, workspace)`` for a folder inside either, or None."""
    for folder in [start, *start.parents]:
        if (folder / ".course").is_dir():  # a workspace: it records the course it was made from
            source = folder / ".course" / "source"
            repository = Path(source.read_text(encoding="utf-8").strip()) if source.is_file() else folder.parent
            if is_repository(repository):
                return repository, folder
        elif is_repository(folder):
            return folder, Path(os.environ.get("COURSE_WORKSPACE", folder / "workspace"))
    return None


def main(argv: list) -> int:
    found = locate(Path.cwd())
    if found is None:
        print("course: run this inside the course repository or its workspace/ folder (cd there first)",
              file=sys.stderr)
        return 2
    repository, workspace = found
    # the repository's course_lib, not the workspace's; usage messages name the `course` command
    env = dict(os.environ, PYTHONPATH="", COURSE_COMMAND="course")
    command = [sys.executable, "-m", "course_lib.exercises", "--workspace", str(workspace), *argv]
    return subprocess.call(command, cwd=repository, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
