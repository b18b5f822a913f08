"""Command line: ``python -m course_lib.datasets [--root data] [--sources ...]`` (``make data``).

Fetches MNIST into ``<root>/MNIST/raw`` with :func:`.mnist.fetch_mnist`, printing each step,
and exits with status 1 and the error message (no traceback) when it cannot.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

from .mnist import fetch_mnist
from .sources import SOURCES
from .verify import MNISTFetchError


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fetch MNIST, print what was done; exit status 1 with the message on failure."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.datasets",
                                     description="Fetch MNIST into <root>/MNIST/raw and verify it.")
    parser.add_argument("--root", default="data", help="data folder (default: data)")
    parser.add_argument("--sources", default=",".join(SOURCES),
                        help=f"comma-separated sources to try, in order (default: {','.join(SOURCES)})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        raw = fetch_mnist(args.root, sources=[s.strip() for s in args.sources.split(",") if s.strip()])
    except (MNISTFetchError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # anything the checks above did not foresee: still one screen, no traceback
        print(f"error: {error.filename or args.root}: {error.strerror or error}. Fix it and run `make data` "
              "again.", file=sys.stderr)
        return 1
    print(f"MNIST ready in {raw} ({time.perf_counter() - start:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
