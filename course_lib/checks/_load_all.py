"""Importing this module registers every chapter's checks (one import per chapter)."""

from . import ch00  # noqa: F401
from . import ch01  # noqa: F401
from . import ch02  # noqa: F401
