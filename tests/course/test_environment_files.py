"""pyproject.toml and environment.yml must list the same packages with the same lower bounds."""

from __future__ import annotations

import re
import sys

from helpers import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REQUIREMENT = re.compile(r"^\s*-\s+([A-Za-z0-9_.-]+)\s*([<>=!,.0-9 ]*)$")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    result = {}
    for requirement in project["dependencies"]:
        name, spec = re.match(r"([A-Za-z0-9_.-]+)(.*)", requirement).groups()
        result[normalise(name)] = spec.replace(" ", "")
    return result


def conda_requirements() -> dict:
    result = {}
    text = (REPO / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        match = REQUIREMENT.match(line.split("#")[0])
        if match and match[1] not in ("python", "pip"):
            result[normalise(match[1])] = (match[2] or "").replace(" ", "")
    return result


def test_same_packages_and_version_bounds():
    assert conda_requirements() == pyproject_requirements()


def test_required_packages_are_declared():
    required = {"jupyterlab", "numpy", "torch", "torchvision", "matplotlib", "nbval", "pytest", "hypothesis",
                "tqdm", "ipykernel", "ipywidgets"}
    missing = required - set(pyproject_requirements())
    assert not missing, f"pyproject.toml lacks {sorted(missing)}"


def test_python_versions_match():
    """requires-python, the classifiers and environment.yml name the same tested versions, 3.10 to 3.13."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10,<3.14"
    assert "  - python>=3.10,<3.14\n" in (REPO / "environment.yml").read_text()
    minors = sorted(int(c.rsplit(".", 1)[1]) for c in project["classifiers"]
                    if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c))
    assert minors == [10, 11, 12, 13]
