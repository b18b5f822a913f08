"""Entry point of ``python -m course_lib.exercises``."""

import sys

from .cli import main

sys.exit(main())
