"""course_lib: a small deep-learning framework with a PyTorch-compatible API.

Built chapter by chapter in the notebooks under ``notebooks/``; every exercise is
checked against real PyTorch with :func:`check`. Code written for the subset runs
unchanged with ``import course_lib as torch``.
"""

from . import _api
from ._api import *  # noqa: F401,F403  (the torch-like namespace)
from .checks import check

__version__ = "0.1.0"

__all__ = ["check", *_api.__all__]
