"""DataLoader workers: loader-only throughput with 0 and 2 worker processes, course_lib's and torch's (chapter 06).

The dataset is MNIST's first training images, each warped by ``RandomAffine`` (rotation, scale, shift, sampled
6 x 6 times per pixel: over a millisecond of CPU per image) and normalised: the kind of augmentation that makes
a training step wait for its data. Only the loader is timed (no model), in rounds that alternate the four
contenders; each figure is the median round. Bar: course_lib with 2 workers >= 1.5x its speed with 0 workers.

A second table shows oversubscription: 2 workers whose samples each need a matrix product, with the math
library at one thread per worker (what the DataLoader sets, as torch does) and at one thread per core in each
worker (2 workers x 2 threads on 2 cores).

Usage: python bench/bench_loader.py [--quick] [--report bench/report_loader.md]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import torch  # noqa: E402

import course_lib  # noqa: E402
from course_lib._atomic import atomic_write_text  # noqa: E402
from course_lib.datasets import MNIST  # noqa: E402
from examples.loader_demos import MatrixProducts, SetThreads, WarpedImages  # noqa: E402
from _report import command_line, machine  # noqa: E402

BAR = 1.5
BATCH = 64


def loader_seconds(make_loader: Callable[[], object]) -> float:
    """Seconds to go once through a new loader (workers' start included, as at each epoch)."""
    start = time.perf_counter()
    for _ in make_loader():
        pass
    return time.perf_counter() - start


def measure(contenders: Dict[str, Callable[[], object]], rounds: int) -> Dict[str, List[float]]:
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    for make in contenders.values():  # warm-up: imports, caches, first forks
        loader_seconds(make)
    for _ in range(rounds):
        for name, make in contenders.items():
            times[name].append(loader_seconds(make))
    return times


def main() -> int:
    args = command_line(__doc__.splitlines()[0], HERE / "report_loader.md")
    started = time.time()
    count, rounds = (128, 1) if args.quick else (1024, 3)
    raw = MNIST(HERE.parent / "data", train=True)
    images, labels = raw.data[:count].numpy(), raw.targets[:count].numpy()
    ours, theirs = WarpedImages(images, labels, "course_lib"), WarpedImages(images, labels, "torch")
    per_sample = statistics.median(_time_one_warp(ours) for _ in range(5))
    contenders = {
        "course_lib, 0 workers": lambda: course_lib.utils.data.DataLoader(ours, batch_size=BATCH),
        "course_lib, 2 workers": lambda: course_lib.utils.data.DataLoader(ours, batch_size=BATCH, num_workers=2),
        "torch, 0 workers": lambda: torch.utils.data.DataLoader(theirs, batch_size=BATCH),
        "torch, 2 workers": lambda: torch.utils.data.DataLoader(theirs, batch_size=BATCH, num_workers=2),
    }
    times = measure(contenders, rounds)
    median = {name: statistics.median(values) for name, values in times.items()}
    lines = ["| loader | images/s | speed-up over 0 workers |", "|---|---:|---:|"]
    for name, seconds in median.items():
        base = median[name.split(",")[0] + ", 0 workers"]
        lines.append(f"| {name} | {count / seconds:,.0f} | {base / seconds:.2f}x |")
    speedup = median["course_lib, 0 workers"] / median["course_lib, 2 workers"]
    verdict = f"course_lib: 2 workers {speedup:.2f}x the speed of 0 (bar >= {BAR}x) " + ("✅" if speedup >= BAR else "❌")

    projected = MatrixProducts(48 if args.quick else 160)
    oversubscribed = measure({
        "2 workers x 1 thread (the DataLoader's default)": lambda: course_lib.utils.data.DataLoader(
            projected, batch_size=8, num_workers=2),
        f"2 workers x {os.cpu_count()} threads": lambda: course_lib.utils.data.DataLoader(
            projected, batch_size=8, num_workers=2, worker_init_fn=SetThreads(os.cpu_count() or 1)),
    }, rounds)
    threads_lines = ["| workers x math threads | seconds |", "|---|---:|"]
    threads_lines += [f"| {name} | {statistics.median(values):.2f} |" for name, values in oversubscribed.items()]

    body = "\n".join(lines)
    print(body, verdict, "\n".join(threads_lines), sep="\n")
    text = ["# DataLoader workers (chapter 06)", "",
            f"Measured on {machine()}, {os.cpu_count()} cores. {count} MNIST images in batches of {BATCH}, each "
            f"warped by RandomAffine ({per_sample * 1e3:.2f} ms of CPU per image here) and normalised; the loader "
            f"alone, a new loader each pass (workers start included); median of {rounds} alternating rounds after a "
            f"warm-up. Run time {time.time() - started:.0f} s{' (quick mode)' if args.quick else ''}.", "",
            body, "", verdict, "",
            "Oversubscription: 2 workers, each sample a chain of 384 x 384 matrix products.", "",
            "\n".join(threads_lines), ""]
    atomic_write_text(args.report, "\n".join(text))
    print(f"report: {args.report}")
    return 0


def _time_one_warp(dataset: WarpedImages) -> float:
    start = time.perf_counter()
    for image in dataset.images[:50]:
        dataset.warp(image)
    return (time.perf_counter() - start) / 50


if __name__ == "__main__":
    sys.exit(main())
