"""What every benchmark in bench/ shares: timing, bars, the table, the command line and the report file.

A benchmark times course_lib (``ours``) against references measured in the same run: torch at
its default number of threads (``torch``), torch on one thread (``single``) and, where given,
the same operation in plain NumPy (``numpy``). A row's :class:`Bar` is against one of them
(no bar: the row is for information).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
import torch

from course_lib._atomic import atomic_write_text

REPEATS = 7  # each figure is the median of this many timed batches
REFERENCES = {"numpy": "NumPy", "torch": "torch ({threads} threads)", "single": "torch (1 thread)"}  # column names
SHORT_NAMES = {"numpy": "NumPy", "torch": "torch", "single": "1-thread torch"}  # in bars


def format_time(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
            f"NumPy {np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)")


def per_call(function: Callable[[], object], number: int) -> float:
    """Seconds per call of ``function``, over one timeit batch of ``number`` calls."""
    return timeit.timeit(function, number=number) / number


def compare(ours: Callable, theirs: Callable, number: int, measure: Callable[[Callable, int], float] = per_call,
            numpy: Optional[Callable] = None) -> Dict[str, float]:
    """Median seconds ``measure(function, number)`` of course_lib, torch, torch on one thread and NumPy.

    The keys are ``ours``, ``torch``, ``single`` and, when ``numpy`` is given, ``numpy``. Every
    round measures each of them in turn, so that all see the same machine load.
    """
    functions = {"ours": ours, "torch": theirs, "single": theirs, **({"numpy": numpy} if numpy else {})}
    threads = torch.get_num_threads()
    times: Dict[str, List[float]] = {key: [] for key in functions}
    try:
        for round_ in range(REPEATS + 1):  # round 0 warms up (allocations, caches, lazy imports)
            for key, function in functions.items():
                torch.set_num_threads(1 if key == "single" else threads)
                seconds = measure(function, number if round_ else 2)
                if round_:
                    times[key].append(seconds)
    finally:
        torch.set_num_threads(threads)
    return {key: statistics.median(values) for key, values in times.items()}


def ratio(ours: float, reference: float, unit: str) -> float:
    """``"time"``: course_lib's time / the reference's; ``"speed"``: the reference's time / course_lib's."""
    return ours / reference if unit == "time" else reference / ours


@dataclass(frozen=True)
class Bar:
    """course_lib against ``reference`` (a key of :func:`compare`'s result).

    ``unit="time"``: course_lib's time / the reference's, at most ``limit``;
    ``unit="speed"``: the reference's time / course_lib's, at least ``limit``.
    """
    reference: str
    limit: float
    unit: str = "time"

    def met(self, row: Dict) -> bool:
        value = ratio(row["ours"], row[self.reference], self.unit)
        return value <= self.limit if self.unit == "time" else value >= self.limit

    def __str__(self) -> str:
        return f"{'<=' if self.unit == 'time' else '>='} {self.limit:g}x {SHORT_NAMES[self.reference]} {self.unit}"


def table(headers: Sequence[str], rows: List[Dict]) -> str:
    """Markdown: the label columns (``row["labels"]``), course_lib's time, then for each reference its
    time and course_lib's ratio to it (in the unit of the row's bar, ``—`` where not measured),
    then the bar (``row["bar"]``, None for information) and its mark."""
    references = [key for key in REFERENCES if any(key in row for row in rows)]
    names = [REFERENCES[key].format(threads=torch.get_num_threads()) for key in references]
    lines = ["| " + " | ".join([*headers, "course_lib", *(f"{name} | ratio" for name in names), "bar", ""]) + " |",
             "|" + "---|" * len(headers) + "---:|" + "---:|---:|" * len(references) + "---|---|"]
    for row in rows:
        bar: Optional[Bar] = row["bar"]
        unit = bar.unit if bar else "time"
        cells = [f"{format_time(row[key])} | {ratio(row['ours'], row[key], unit):.2f}x {unit}"
                 if key in row else "— | —" for key in references]
        verdict = [str(bar), "✅" if bar.met(row) else "❌"] if bar else ["(information)", ""]
        lines.append("| " + " | ".join([*row["labels"], format_time(row["ours"]), *cells, *verdict]) + " |")
    return "\n".join(lines)


def run_benchmark(description: str, title: str, notes: List[str], report: Path, headers: Sequence[str],
                  run: Callable[[bool], List[Dict]]) -> int:
    """Parse ``--quick`` and ``--report``, run ``run(quick) -> rows``, print their :func:`table`, write the report.

    The report states the machine, the method and the run time above the table, and a
    one-line verdict below it; it is written atomically.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--report", type=Path, default=report, metavar="PATH",
                        help=f"where to write the Markdown report (default: {report.relative_to(report.parents[1])})")
    args = parser.parse_args()
    started = time.time()
    rows = run(args.quick)
    body = table(headers, rows)
    all_ok = all(row["bar"].met(row) for row in rows if row["bar"])
    summary = "all bars met ✅" if all_ok else "some bars missed ❌ (see the rows marked ❌)"
    print(body)
    print(summary)
    text = [f"# {title}", "",
            f"Measured side by side in one run on {machine()}. Each figure is the median of {REPEATS} timed "
            f"batches; every round times course_lib and each reference in turn, so that all see the same machine "
            f"load. Run time {time.time() - started:.0f} s{' (quick mode)' if args.quick else ''}.", "",
            "- *ratio*: in the unit of the row's bar, *x time* = course_lib's time / the reference's, "
            "*x speed* = the reference's time / course_lib's.",
            *notes, "", body, "", summary, ""]
    atomic_write_text(args.report, "\n".join(text))
    print(f"report: {args.report}")
    return 0
