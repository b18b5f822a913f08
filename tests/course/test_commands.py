"""The documented commands say what README.md promises (checked with `make -n`, which runs nothing)."""

from __future__ import annotations

import os
import subprocess

from helpers import REPO


def dry_run(*targets: str) -> str:
    done = subprocess.run(["make", "-n", *targets], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout


def test_test_command_runs_pytest_and_strict_nbval_on_all_notebooks():
    commands = dry_run("test")
    assert "-m pytest tests notebooks --nbval --nbval-current-env " \
           "--nbval-sanitize-with notebooks/nbval_sanitize.cfg" in commands
    assert "course_lib.datasets --root data" in commands  # the MNIST test reads real files


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nmake test\n" in ci and "export CI=true" in ci
    assert "bash .ci/run" in (REPO / ".github" / "workflows" / "ci.yml").read_text()


def test_lab_serves_the_workspace_and_needs_allow_root_only_as_root():
    commands = dry_run("lab")
    assert "cd workspace" in commands and "notebooks/00_getting_started.ipynb" in commands
    assert ("--allow-root" in commands) == (os.geteuid() == 0)
    assert "course_lib.exercises update" in commands and "course_lib.datasets --root data" in commands


def test_default_target_is_help():
    assert "make lab" in dry_run() and "-m pytest" not in dry_run()
