"""Utilities, like ``torch.utils``: ``data`` (chapter 03)."""

from . import data

__all__ = ["data"]
