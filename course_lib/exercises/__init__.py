"""Course tooling: exercise markers, the registry, learner editions, workspace and CLI.

This package never imports the framework itself (tensors, autograd...): it only reads and
writes source files, and runs checks in a subprocess (see ``runner.py``).
"""

from .registry import EXERCISES, Exercise, get_exercise

__all__ = ["EXERCISES", "Exercise", "get_exercise"]
