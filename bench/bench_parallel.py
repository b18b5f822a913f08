"""The three ways to split training over processes, measured on this machine (chapter 06): data parallelism
(course_lib's and torch's DistributedDataParallel), GPipe pipeline parallelism and Megatron-style tensor
parallelism, against one process training the same model at the same batch.

Every process (rank) is forked here and computes on one math-library thread, so that 2 processes use 2 cores;
"1 process x 2 threads" is the other way to use them. A figure is the median step of the slowest rank. The
communication column times the step's messages alone (DDP: the gradients' all-reduce; tensor parallel: its two
all-reduces of one output), which is what a step pays for splitting, unless it overlaps with computing.
No bar: the report is for information; what it teaches is when splitting pays.

Usage: python bench/bench_parallel.py [--quick] [--report bench/report_parallel.md]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from course_lib._atomic import atomic_write_text  # noqa: E402
from course_lib.distributed.local import run_on_local_processes as run  # noqa: E402
from course_lib.utils.parallel_pictures import bubble_fraction, timeline_lanes  # noqa: E402
from examples import parallel_demos as demos  # noqa: E402
from _report import command_line, machine  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def data_parallel_rows(batches: List[int], steps: int) -> List[str]:
    lines = ["| global batch | framework | 1 process x 1 thread | 1 process x 2 threads | 2 processes x 1 thread "
             "| communication per step | speed-up of 2 processes |", "|---:|---|---:|---:|---:|---:|---:|"]
    for batch in batches:
        for name, train in (("course_lib", demos.data_parallel), ("torch", demos.torch_data_parallel)):
            one = demos.slowest(run(train, 1, batch, steps))
            threaded = demos.slowest(run(train, 1, batch, steps, 2))
            ranks = run(train, 2, batch, steps)
            two = demos.slowest(ranks)
            talk = ms(max(r["communication_s"] for r in ranks)) if "communication_s" in ranks[0] else "—"
            lines.append(f"| {batch} | {name} | {ms(one)} | {ms(threaded)} | {ms(two)} | {talk} | {one / two:.2f}x |")
    return lines


def pipeline_rows(batches: List[int], steps: int) -> List[str]:
    lines = ["| batch | 1 process (unsplit) | micro-batches | 2 stages | measured bubble | speed-up |",
             "|---:|---:|---:|---:|---:|---:|"]
    for batch in batches:
        one = demos.slowest(run(demos.pipeline, 1, batch, 1, steps))
        for micro in (1, 2, 4, 8):
            ranks = run(demos.pipeline, 2, batch, micro, steps)
            bubble = bubble_fraction(timeline_lanes([rank["timeline"] for rank in ranks]))
            two = demos.slowest(ranks)
            lines.append(f"| {batch} | {ms(one)} | {micro} | {ms(two)} | {100 * bubble:.0f}% | "
                         f"{one / two:.2f}x |")
    return lines


def tensor_parallel_rows(batches: List[int], steps: int) -> List[str]:
    lines = ["| batch | 1 process | 2 ranks | communication per step | speed-up |", "|---:|---:|---:|---:|---:|"]
    for batch in batches:
        one = demos.slowest(run(demos.tensor_parallel, 1, batch, steps))
        ranks = run(demos.tensor_parallel, 2, batch, steps)
        two = demos.slowest(ranks)
        lines.append(f"| {batch} | {ms(one)} | {ms(two)} | {ms(max(r['communication_s'] for r in ranks))} | "
                     f"{one / two:.2f}x |")
    return lines


def main() -> int:
    args = command_line(__doc__.splitlines()[0], HERE / "report_parallel.md")
    started = time.time()
    steps, batches = (3, [256]) if args.quick else (10, [256, 2048])
    sections = [
        ("Data parallelism", "Chapter 04's MLP (784-512-256-10, 535,818 parameters), SGD, cross-entropy; each of "
         "2 processes takes half the global batch.", data_parallel_rows(batches, steps)),
        ("Pipeline parallelism (GPipe)", "A deeper MLP (784-512-512-512-512-10) cut in two stages of about equal "
         "work (784-512-512 and 512-512-512-10); the measured bubble is the stages' idle share of the last step.",
         pipeline_rows(batches, steps)),
        ("Tensor parallelism (Megatron's pair)", "784 -> 2048 -> 784 with GELU, mean-square loss; each rank holds "
         "half of the hidden features.", tensor_parallel_rows(batches, steps)),
    ]
    text = ["# Parallel training on one machine (chapter 06)", "",
            f"Measured on {machine()}, {os.cpu_count()} cores; processes forked, one math thread each; median of "
            f"{steps} steps after 2 warm-up steps. Run time {time.time() - started:.0f} s"
            f"{' (quick mode)' if args.quick else ''}.", ""]
    for title, method, lines in sections:
        print(title, *lines, sep="\n")
        text += [f"## {title}", "", method, "", *lines, ""]
    atomic_write_text(args.report, "\n".join(text))
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
