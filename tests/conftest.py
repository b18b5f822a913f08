"""Shared fixtures: the repository root and a throw-away copy of the course."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from helpers import REPO

# Checks and notebooks are compared on the CPU; progress bars would only add noise.
os.environ.setdefault("TQDM_DISABLE", "1")

# In CI every hypothesis test draws the same examples each run (a red CI is then reproducible, never a draw
# of luck); on a developer's machine they explore, and the example database replays what failed before.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``triton`` are skipped, with the reason, where torch came without Triton."""
    if importlib.util.find_spec("triton") is not None:
        return
    skip = pytest.mark.skip(reason="triton is not installed (torch's macOS and Windows wheels have none)")
    for item in items:
        if item.get_closest_marker("triton") is not None:
            item.add_marker(skip)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the reference edition (course_lib/, notebooks/ and examples/) to modify freely."""
    destination = tmp_path / "course"
    for folder in ("course_lib", "notebooks", "examples"):
        shutil.copytree(REPO / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return destination


@pytest.fixture(autouse=True)
def backups_in_tmp(tmp_path_factory, monkeypatch):
    """Course commands back files up under ~/.cache by default: keep the tests' backups out of it."""
    monkeypatch.setenv("COURSE_BACKUPS", str(tmp_path_factory.mktemp("backups")))
