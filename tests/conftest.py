"""Shared fixtures: the repository root and a throw-away copy of the course."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers import REPO

# Checks and notebooks are compared on the CPU; progress bars would only add noise.
os.environ.setdefault("TQDM_DISABLE", "1")


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the reference edition (course_lib/ and notebooks/) to modify freely."""
    destination = tmp_path / "course"
    for folder in ("course_lib", "notebooks"):
        shutil.copytree(REPO / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return destination
