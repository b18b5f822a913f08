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


def command_line(description: str, report: Path) -> argparse.Namespace:
    """A benchmark's arguments: ``--quick`` (a smoke run) and ``--report PATH`` (default ``report``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--report", type=Path, default=report, metavar="PATH",
                        help=f"where to write the Markdown report (default: {report.relative_to(report.parents[1])})")
    return parser.parse_args()


def run_benchmark(description: str, title: str, notes: List[str], report: Path, headers: Sequence[str],
                  run: Callable[[bool], List[Dict]]) -> int:
    """Parse ``--quick`` and ``--report``, run ``run(quick) -> rows``, print their :func:`table`, write the report.

    The report states the machine, the method and the run time above the table, and a
    one-line verdict below it; it is written atomically.
    """
    args = command_line(description, report)
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


def alternate_rounds(contenders: Dict[str, tuple], rounds: int, number: int, idle: float,
                     untimed_first: bool = False) -> Dict[str, List[float]]:
    """Each contender's seconds per step in each round: ``contenders`` maps a name to ``(step, threads)``.

    A warm-up round, then ``rounds`` rounds in which the contenders run a block of ``number`` steps in turn
    (the order reversed every other round, so that no one always follows the same other), each block after
    ``idle`` seconds of rest with torch on its number of threads; ``untimed_first`` runs one step before the
    clock starts (for steps so large that the first after another contender pays for fresh memory).
    """
    threads = torch.get_num_threads()
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    try:
        for round_ in range(rounds + 1):  # round 0 warms up
            order = list(contenders.items())
            for name, (step, thread_count) in (order if round_ % 2 else order[::-1]):
                torch.set_num_threads(thread_count)
                time.sleep(idle)
                if untimed_first:
                    step()
                started = time.perf_counter()
                for _ in range(number):
                    step()
                if round_:
                    times[name].append((time.perf_counter() - started) / number)
    finally:
        torch.set_num_threads(threads)
    return times


def round_ratio(times: Dict[str, List[float]], ours: str, reference: str) -> str:
    """The median of the per-round ratios ``ours / reference``, with the lowest and highest round."""
    ratios = [mine / theirs for mine, theirs in zip(times[ours], times[reference])]
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f})"


def step_table_header() -> str:
    """The header of a training-step table: course_lib, the hand NumPy step, torch at its threads and at one."""
    return (f"| step | course_lib | NumPy by hand | ratio (spread) | torch ({torch.get_num_threads()} threads) "
            "| ratio (spread) | torch (1 thread) | ratio (spread) | bar | |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---|")


def training_step(model: Callable, loss: Callable, optimizer, inputs, targets) -> Callable[[], object]:
    """One step of the usual loop (zero_grad, forward, loss, backward, step), for torch or course_lib alike."""

    def step():
        optimizer.zero_grad()
        value = loss(model(inputs), targets)
        value.backward()
        optimizer.step()
        return value

    return step


def cross_entropy_by_hand(logits: np.ndarray, labels: np.ndarray) -> tuple:
    """``(loss, d loss / d logits)`` of the mean cross-entropy, in NumPy: what the hand-written steps use."""
    rows = np.arange(len(labels))
    shifted = logits - logits.max(1, keepdims=True)
    exps = np.exp(shifted)
    sums = exps.sum(1, keepdims=True)
    loss = float(np.log(sums[:, 0]).mean() - shifted[rows, labels].mean())
    grad = exps / sums
    grad[rows, labels] -= 1
    grad /= len(labels)
    return loss, grad
