"""What every benchmark in bench/ shares: the command line, time formatting and the report file."""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path
from typing import Callable, List, Tuple

import numpy as np
import torch

from course_lib._atomic import atomic_write_text


def format_time(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")


def run_benchmark(description: str, title: str, notes: List[str], report: Path,
                  run: Callable[[bool], Tuple[list, bool]], table: Callable[[list], str]) -> int:
    """Parse ``--quick``, run ``run(quick) -> (rows, all bars met)``, print ``table(rows)``, write ``report``.

    The report states the machine, the method and the run time above the table, and a
    one-line verdict below it; it is written atomically.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    args = parser.parse_args()
    started = time.time()
    rows, all_ok = run(args.quick)
    body = table(rows)
    summary = "all bars met ✅" if all_ok else "some bars missed ❌ (see the rows marked ❌)"
    print(body)
    print(summary)
    text = [f"# {title}", "",
            f"Measured side by side in one run on {machine()}; median of 7 repeats, the two libraries "
            f"alternating. Run time {time.time() - started:.0f} s{' (quick mode)' if args.quick else ''}.", "",
            *notes, "", body, "", summary, ""]
    atomic_write_text(report, "\n".join(text))
    return 0
