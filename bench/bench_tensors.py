"""Chapter-01 tensors: course_lib vs torch on the CPU, side by side in one run.

Three bars (DESIGN.md §9 and the chapter-01 brief):

- per-operation overhead on a 10-element float32 tensor: course_lib time <= 5x torch's;
- elementwise ops and reductions on 1M float32 elements: course_lib speed >= 0.8x torch's;
- 512x512 float32 matmul: course_lib speed >= 0.8x torch's.

Each figure is the median of several timeit repeats, the two libraries measured
alternately so that both see the same machine load. Prints a table and writes
``bench/report_tensors.md`` (atomically).

Run: ``python bench/bench_tensors.py [--quick]``.
"""

from __future__ import annotations

import statistics
import sys
import time
import timeit
from pathlib import Path
from typing import Callable, List, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import course_lib  # noqa: E402
from _report import format_time, run_benchmark  # noqa: E402

OVERHEAD_BAR = 5.0  # course_lib time / torch time, at most
THROUGHPUT_BAR = 0.8  # torch time / course_lib time, at least


def measure(function: Callable[[], object], number: int) -> float:
    """Seconds per call of one timeit batch."""
    return timeit.timeit(function, number=number) / number


def compare(ours: Callable[[], object], theirs: Callable[[], object], number: int,
            repeats: int) -> Tuple[float, float, float]:
    """Median seconds per call of course_lib, torch, and torch on one thread, measured alternately.

    The one-thread figure is for information: NumPy's elementwise loops run on one core, while
    torch spreads large operations over all of them.
    """
    ours(), theirs()  # warm up (allocations, caches, lazy imports)
    threads = torch.get_num_threads()
    mine, torch_times, single = [], [], []
    for _ in range(repeats):
        mine.append(measure(ours, number))
        torch_times.append(measure(theirs, number))
        torch.set_num_threads(1)
        single.append(measure(theirs, number))
        torch.set_num_threads(threads)
    return statistics.median(mine), statistics.median(torch_times), statistics.median(single)


def overhead_cases() -> List[Tuple[str, Callable, Callable]]:
    rng = np.random.default_rng(0)
    data, other = rng.random(10, dtype=np.float32), rng.random(10, dtype=np.float32)
    a, b = course_lib.tensor(data), course_lib.tensor(other)
    ta, tb = torch.tensor(data), torch.tensor(other)
    m, tm = course_lib.tensor(rng.random((2, 5), dtype=np.float32)), torch.tensor(rng.random((2, 5), dtype=np.float32))
    return [
        ("a + b", lambda: a + b, lambda: ta + tb),
        ("a * 2.0", lambda: a * 2.0, lambda: ta * 2.0),
        ("a.exp()", lambda: a.exp(), lambda: ta.exp()),
        ("a.relu()", lambda: a.relu(), lambda: ta.relu()),
        ("a > b", lambda: a > b, lambda: ta > tb),
        ("a.sum()", lambda: a.sum(), lambda: ta.sum()),
        ("m.sum(1)", lambda: m.sum(1), lambda: tm.sum(1)),
        ("a.max()", lambda: a.max(), lambda: ta.max()),
        ("a.view(2, 5)", lambda: a.view(2, 5), lambda: ta.view(2, 5)),
        ("m.t()", lambda: m.t(), lambda: tm.t()),
        ("a[2:7]", lambda: a[2:7], lambda: ta[2:7]),
        ("a.add_(b)", lambda: a.add_(b), lambda: ta.add_(tb)),
        ("m @ m.t()", lambda: m @ m.t(), lambda: tm @ tm.t()),
        ("zeros(10)", lambda: course_lib.zeros(10), lambda: torch.zeros(10)),
    ]


def throughput_cases(size: int) -> List[Tuple[str, Callable, Callable]]:
    rng = np.random.default_rng(1)
    data, other = rng.random(size, dtype=np.float32), rng.random(size, dtype=np.float32)
    a, b = course_lib.tensor(data), course_lib.tensor(other)
    ta, tb = torch.tensor(data), torch.tensor(other)
    side = int(size ** 0.5)
    m, tm = a[:side * side].view(side, side), ta[:side * side].view(side, side)
    return [
        ("a + b", lambda: a + b, lambda: ta + tb),
        ("a * b", lambda: a * b, lambda: ta * tb),
        ("a * 2.0", lambda: a * 2.0, lambda: ta * 2.0),
        ("a.exp()", lambda: a.exp(), lambda: ta.exp()),
        ("a.relu()", lambda: a.relu(), lambda: ta.relu()),
        ("a.add_(b)", lambda: a.add_(b), lambda: ta.add_(tb)),
        ("a.sum()", lambda: a.sum(), lambda: ta.sum()),
        ("a.mean()", lambda: a.mean(), lambda: ta.mean()),
        ("a.max()", lambda: a.max(), lambda: ta.max()),
        ("m.sum(1)", lambda: m.sum(1), lambda: tm.sum(1)),
        ("m.sum(0)", lambda: m.sum(0), lambda: tm.sum(0)),
    ]


def matmul_cases(n: int) -> List[Tuple[str, Callable, Callable]]:
    rng = np.random.default_rng(2)
    x, y = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    a, b, ta, tb = course_lib.tensor(x), course_lib.tensor(y), torch.tensor(x), torch.tensor(y)
    return [(f"{n}x{n} @ {n}x{n}", lambda: a @ b, lambda: ta @ tb)]


def run(quick: bool) -> Tuple[List[dict], bool]:
    rows = []
    scale = 0.2 if quick else 1.0
    groups = [
        ("overhead, 10 elements", overhead_cases(), max(1, int(5000 * scale)), 7, "overhead"),
        ("1M float32 elements", throughput_cases(1_000_000), max(1, int(20 * scale)), 7, "throughput"),
        ("matmul float32", matmul_cases(512), max(1, int(10 * scale)), 7, "throughput"),
    ]
    for group, cases, number, repeats, kind in groups:
        for name, ours, theirs in cases:
            mine, reference, single = compare(ours, theirs, number, repeats)
            if kind == "overhead":
                ratio, ok, ratio_single = mine / reference, mine / reference <= OVERHEAD_BAR, mine / single
            else:
                ratio, ok, ratio_single = reference / mine, reference / mine >= THROUGHPUT_BAR, single / mine
            rows.append(dict(group=group, op=name, ours=mine, torch=reference, single=single, kind=kind, ratio=ratio,
                             ratio_single=ratio_single, ok=ok))
    return rows, all(r["ok"] for r in rows)



def table(rows: List[dict]) -> str:
    threads = torch.get_num_threads()
    lines = [f"| group | op | course_lib | torch ({threads} threads) | ratio | bar | | torch (1 thread) | ratio |",
             "|---|---|---:|---:|---:|---|---|---:|---:|"]
    for r in rows:
        unit = "time" if r["kind"] == "overhead" else "speed"
        bar = f"<= {OVERHEAD_BAR:g}x time" if r["kind"] == "overhead" else f">= {THROUGHPUT_BAR:g}x speed"
        lines.append(f"| {r['group']} | `{r['op']}` | {format_time(r['ours'])} | {format_time(r['torch'])} | "
                     f"{r['ratio']:.2f}x {unit} | {bar} | {'✅' if r['ok'] else '❌'} | {format_time(r['single'])} | "
                     f"{r['ratio_single']:.2f}x {unit} |")
    return "\n".join(lines)


def main() -> int:
    notes = [
        "- *overhead*: course_lib time / torch time on 10 elements (bar: at most 5x);",
        "- *speed*: torch time / course_lib time on 1M elements and on a 512x512 matmul (bar: at least 0.8x).",
        "- the last two columns compare with torch limited to one thread, for information: NumPy's elementwise",
        "  loops and reductions run on one core, torch spreads large operations over all cores; BLAS (matmul,",
        "  the ones-vector sums) is multi-threaded in both.",
    ]
    return run_benchmark(__doc__.splitlines()[0], "Chapter 01 tensors: course_lib vs torch (CPU)", notes,
                         HERE / "report_tensors.md", run, table)


if __name__ == "__main__":
    sys.exit(main())
