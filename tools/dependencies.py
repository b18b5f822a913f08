"""Print the dependencies declared in pyproject.toml, one per line (for ``pip install``).

The Makefile installs these into the shared virtual environment instead of installing the
course itself: notebooks, tests and the CLI import ``course_lib`` from the checkout they run
in, so one environment can serve any number of clones (CI's included).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def dependencies(text: str) -> list[str]:
    """The strings of ``[project] dependencies`` (tomllib when available, else a small parser)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: the list is simple enough to read directly
        block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
        return re.findall(r'"([^"]+)"', block.group(1)) if block else []
    return list(tomllib.loads(text)["project"]["dependencies"])


if __name__ == "__main__":
    print("\n".join(dependencies(PYPROJECT.read_text())))
    sys.exit(0)
