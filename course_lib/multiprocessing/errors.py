"""``ExceptionWrapper``: an exception raised in one process, carried to another and raised there again.

A traceback cannot be pickled, its text can: the wrapper keeps the exception's type and its formatted
traceback, and :meth:`ExceptionWrapper.reraise` raises the same type with both in the message. DataLoader
workers and the ranks of ``distributed.local`` send their errors home this way (torch has the same class).
"""

from __future__ import annotations

import sys
import traceback


class ExceptionWrapper:
    """An exception raised in another process (made there, inside an ``except`` block: it records the exception
    being handled), to be raised again here.

    Args:
        where: where it happened, for the message: ``"in DataLoader worker process 1"``, ``"on rank 0"``.
    """

    def __init__(self, where: str) -> None:
        error_type, error, _ = sys.exc_info()
        self.error_type = error_type
        self.message = "".join(traceback.format_exception(error_type, error, error.__traceback__))
        self.where = where

    def reraise(self) -> None:
        """Raise the exception again, of the same type, its message naming where it happened and its traceback."""
        message = f"Caught {self.error_type.__name__} {self.where}.\nOriginal {self.message}"
        try:
            error = self.error_type(message)
        except Exception:  # an exception type whose constructor needs other arguments
            raise RuntimeError(message) from None
        raise error
