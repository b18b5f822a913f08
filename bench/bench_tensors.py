"""Chapter-01 tensors: course_lib vs torch and raw NumPy on the CPU, side by side in one run.

Three bars:

- per-operation overhead on a 10-element float32 tensor: course_lib time <= 5x torch's;
- elementwise ops and reductions on 1M float32 elements: course_lib adds at most 10 % over the
  same operation in plain NumPy (course_lib time / NumPy time <= 1.10). NumPy's ufuncs run on
  one core, so torch's ratios (at its default threads and at one thread) are information;
- 512x512 float32 matmul: course_lib speed >= 0.8x torch's.

Each figure is the median of several timeit batches, course_lib and its references measured
in turn so that all see the same machine load. Prints a table and writes
``bench/report_tensors.md`` (atomically; ``--report PATH`` writes elsewhere).

Run: ``python bench/bench_tensors.py [--quick] [--report PATH]``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import course_lib  # noqa: E402
from _report import Bar, compare, run_benchmark  # noqa: E402

OVERHEAD_BAR = Bar("torch", 5.0)  # course_lib time / torch time, at most
NUMPY_BAR = Bar("numpy", 1.10)  # course_lib time / raw NumPy time, at most
MATMUL_BAR = Bar("torch", 0.8, "speed")  # torch time / course_lib time, at least
Case = Tuple  # (name, course_lib function, torch function[, NumPy function])


def overhead_cases() -> List[Case]:
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


def throughput_cases(size: int) -> List[Case]:
    """The 1M-element ops, each also in plain NumPy on its own copy of the same data."""
    rng = np.random.default_rng(1)
    data, other = rng.random(size, dtype=np.float32), rng.random(size, dtype=np.float32)
    a, b = course_lib.tensor(data), course_lib.tensor(other)
    ta, tb = torch.tensor(data), torch.tensor(other)
    x, y = data.copy(), other.copy()
    side = int(size ** 0.5)
    m, tm, xm = a[:side * side].view(side, side), ta[:side * side].view(side, side), x[:side * side].reshape(side, side)
    return [
        ("a + b", lambda: a + b, lambda: ta + tb, lambda: np.add(x, y)),
        ("a * b", lambda: a * b, lambda: ta * tb, lambda: np.multiply(x, y)),
        ("a * 2.0", lambda: a * 2.0, lambda: ta * 2.0, lambda: np.multiply(x, 2.0)),
        ("a.exp()", lambda: a.exp(), lambda: ta.exp(), lambda: np.exp(x)),
        ("a.relu()", lambda: a.relu(), lambda: ta.relu(), lambda: np.maximum(x, 0)),
        ("a.add_(b)", lambda: a.add_(b), lambda: ta.add_(tb), lambda: np.add(x, y, out=x)),
        ("a.sum()", lambda: a.sum(), lambda: ta.sum(), lambda: x.sum()),
        ("a.mean()", lambda: a.mean(), lambda: ta.mean(), lambda: x.mean()),
        ("a.max()", lambda: a.max(), lambda: ta.max(), lambda: x.max()),
        ("m.sum(1)", lambda: m.sum(1), lambda: tm.sum(1), lambda: xm.sum(1)),
        ("m.sum(0)", lambda: m.sum(0), lambda: tm.sum(0), lambda: xm.sum(0)),
    ]


def matmul_cases(n: int) -> List[Case]:
    rng = np.random.default_rng(2)
    x, y = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    a, b, ta, tb = course_lib.tensor(x), course_lib.tensor(y), torch.tensor(x), torch.tensor(y)
    return [(f"{n}x{n} @ {n}x{n}", lambda: a @ b, lambda: ta @ tb)]


def run(quick: bool) -> List[Dict]:
    scale = 0.2 if quick else 1.0
    groups = [
        ("overhead, 10 elements", overhead_cases(), 5000, OVERHEAD_BAR),
        ("1M float32 elements", throughput_cases(1_000_000), 20, NUMPY_BAR),
        ("matmul float32", matmul_cases(512), 10, MATMUL_BAR),
    ]
    rows = []
    for group, cases, number, bar in groups:
        for name, ours, theirs, *numpy in cases:
            times = compare(ours, theirs, max(1, int(number * scale)), numpy=numpy[0] if numpy else None)
            rows.append(dict(labels=(group, f"`{name}`"), bar=bar, **times))
    return rows


def main() -> int:
    notes = [
        f"- *overhead*: 10 float32 elements; bar: course_lib time at most {OVERHEAD_BAR.limit:g}x torch's.",
        f"- *1M float32 elements*: bar: course_lib time at most {NUMPY_BAR.limit:.2f}x that of the same operation",
        "  in plain NumPy on the same data (`np.add(x, y)`, `np.exp(x)`, `np.maximum(x, 0)`, `np.add(x, y, out=x)`,",
        f"  `x.sum()`, `x.max()`, ...): the framework adds at most {NUMPY_BAR.limit - 1:.0%} over raw NumPy.",
        "  NumPy's ufuncs run on one core while torch spreads large operations over all cores, so the torch",
        "  columns of these rows are information; BLAS (matmul, course_lib's ones-vector sums) is multi-threaded.",
        f"- *matmul*: 512x512 float32; bar: course_lib speed at least {MATMUL_BAR.limit:g}x torch's.",
    ]
    return run_benchmark(__doc__.splitlines()[0], "Chapter 01 tensors: course_lib vs torch and NumPy (CPU)", notes,
                         HERE / "report_tensors.md", ["group", "op"], run)


if __name__ == "__main__":
    sys.exit(main())
