"""GPU benchmarks of the cuda backend's kernels against torch on the same GPU (``make bench-gpu``).

Each row times a raw launcher with ``triton.testing.do_bench`` (warm-up, then the median of repeated runs,
synchronised), ours and torch's in one run, and reports the ratio against the row's bar:

- elementwise add of 16M float32 (the contiguous fast path): bandwidth, >= 90 % of torch's;
- softmax of 4096 rows x 256, 1024, 4096 and 8192 float32 columns: >= 0.95x torch's speed each, >= 1.0x in
  geometric mean;
- matmul 4096 x 4096 in float16, and in float32 as TF32 on both sides (``allow_tf32`` in torch and in
  course_lib): >= 80 % of ``torch.matmul``'s speed; float32 in IEEE (as the checks compare) is reported;
- course_lib's MLP training step (784-512-256-10, batch 256) against torch's: reported.

Without a GPU it prints why and exits 0 (``make bench`` runs every bench_*.py); ``--simulated`` runs the same
code on tiny sizes in Triton's interpreter, to test the script (its times mean nothing).

Usage: python bench/bench_gpu.py [--simulated] [--report bench/report_gpu.md]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import course_lib  # noqa: E402
from course_lib._atomic import atomic_write_text  # noqa: E402
from course_lib.backends import get_backend  # noqa: E402

SIZES = {"add": 16 * 2**20, "softmax_rows": 4096, "softmax_columns": (256, 1024, 4096, 8192), "matmul": 4096,
         "mlp_batch": 256}
TINY = {"add": 4096, "softmax_rows": 8, "softmax_columns": (16, 64), "matmul": 32, "mlp_batch": 8}


def timer(simulated: bool) -> Callable[[Callable[[], object]], float]:
    """Milliseconds per call: ``triton.testing.do_bench`` on a GPU; a plain clock when simulated."""
    if not simulated:
        from triton.testing import do_bench

        return lambda function: float(do_bench(function))

    def clock(function: Callable[[], object]) -> float:
        function()
        start = time.perf_counter()
        function()
        return (time.perf_counter() - start) * 1e3

    return clock


def ours_and_theirs(array: torch.Tensor) -> Tuple[course_lib.Tensor, torch.Tensor]:
    """The same values as a course_lib cuda tensor and a torch tensor on torch's device."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return course_lib.tensor(array.cpu().numpy(), device="cuda"), array.to(device)


def rows(sizes: Dict, bench: Callable[[Callable[[], object]], float]) -> List[Tuple[str, float, float, str, bool]]:
    """(name, our ms, torch ms, the measure and its bar, whether the bar holds) for every row."""
    backend, table = get_backend("cuda"), []
    generator = torch.Generator().manual_seed(0)

    a, ta = ours_and_theirs(torch.randn(sizes["add"], generator=generator))
    b, tb = ours_and_theirs(torch.randn(sizes["add"], generator=generator))
    ours, theirs = bench(lambda: backend.zip("add", a, b)), bench(lambda: ta + tb)
    gigabytes = 3 * 4 * sizes["add"] / 1e9
    share = theirs / ours
    table.append((f"add {sizes['add']:,} float32", ours, theirs,
                  f"{gigabytes / ours * 1e3:.0f} GB/s, {share:.0%} of torch's (bar >= 90 %)", share >= 0.9))

    speeds = []
    for columns in sizes["softmax_columns"]:
        x, tx = ours_and_theirs(torch.randn(sizes["softmax_rows"], columns, generator=generator))
        ours, theirs = bench(lambda: backend.softmax(x, 1)), bench(lambda: torch.softmax(tx, 1))
        speeds.append(theirs / ours)
        table.append((f"softmax {sizes['softmax_rows']} x {columns} float32", ours, theirs,
                      f"{theirs / ours:.2f}x torch's speed (bar >= 0.95x)", theirs / ours >= 0.95))
    mean = math.exp(sum(math.log(s) for s in speeds) / len(speeds))
    table.append(("softmax, geometric mean", float("nan"), float("nan"), f"{mean:.2f}x (bar >= 1.0x)", mean >= 1.0))

    n = sizes["matmul"]
    for dtype, tf32, bar in ((torch.float16, False, 0.8), (torch.float32, True, 0.8), (torch.float32, False, None)):
        m1, t1 = ours_and_theirs(torch.randn(n, n, generator=generator).to(dtype))
        m2, t2 = ours_and_theirs(torch.randn(n, n, generator=generator).to(dtype))
        with tf32_on_both_sides(tf32):
            ours, theirs = bench(lambda: backend.matmul(m1, m2)), bench(lambda: t1 @ t2)
        flops = 2 * n**3
        name = f"matmul {n} x {n} {str(dtype)[6:]}" + (" as TF32 (both sides)" if tf32 else
                                                         " IEEE" if dtype == torch.float32 else "")
        measure = f"{flops / ours / 1e9:.0f} TFLOP/s, {theirs / ours:.0%} of torch's speed"
        table.append((name, ours, theirs, measure + (f" (bar >= {bar:.0%})" if bar else " (reported)"),
                      bar is None or theirs / ours >= bar))

    table.append(mlp_step_row(sizes["mlp_batch"], bench))
    return table


@contextlib.contextmanager
def tf32_on_both_sides(on: bool) -> Iterator[None]:
    """float32 matmuls in TF32 in torch and in course_lib inside the block (when ``on``), as before after it."""
    saved = torch.backends.cuda.matmul.allow_tf32, course_lib.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = course_lib.backends.cuda.matmul.allow_tf32 = on
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, course_lib.backends.cuda.matmul.allow_tf32 = saved


def mlp_step_row(batch: int, bench: Callable[[Callable[[], object]], float]) -> Tuple[str, float, float, str, bool]:
    """One SGD training step of the MNIST MLP in both frameworks, on their GPUs."""
    steps = {}
    for library, device in ((course_lib, "cuda"), (torch, "cuda" if torch.cuda.is_available() else "cpu")):
        nn = library.nn
        model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
        model.to(device)
        optimizer = library.optim.SGD(model.parameters(), lr=0.01)
        images = library.randn(batch, 784, device=device)
        labels = library.randint(0, 10, (batch,), device=device)

        def step(model=model, optimizer=optimizer, images=images, labels=labels, library=library):
            optimizer.zero_grad()
            library.nn.functional.cross_entropy(model(images), labels).backward()
            optimizer.step()

        steps[library.__name__] = step
    ours, theirs = bench(steps["course_lib"]), bench(steps["torch"])
    return (f"MLP step 784-512-256-10, batch {batch}", ours, theirs, f"{ours / theirs:.2f}x torch's time (reported)",
            True)


def report(table, device: str, simulated: bool) -> str:
    lines = ["# GPU benchmarks (`make bench-gpu`)", "",
             f"Device: {device}. torch {torch.__version__}.", ""]
    if simulated:
        lines += ["**Simulated** (Triton's interpreter on the CPU, tiny sizes): this tests the script; the times "
                  "mean nothing.", ""]
    lines += ["| row | course_lib | torch | measure | bar |", "|---|---:|---:|---|---|"]
    for name, ours, theirs, measure, holds in table:
        shown = [f"{t:.3f} ms" if t == t else "" for t in (ours, theirs)]
        lines.append(f"| {name} | {shown[0]} | {shown[1]} | {measure} | {'✅' if holds else '❌'} |")
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulated", action="store_true", help="tiny sizes in Triton's interpreter (no GPU)")
    parser.add_argument("--report", default=str(ROOT / "bench" / "report_gpu.md"))
    args = parser.parse_args(argv)
    if not args.simulated and not course_lib.cuda.is_available():
        print("bench_gpu: no NVIDIA GPU here (course_lib.cuda.is_available() is False): nothing to measure; "
              "--simulated tests the script on tiny sizes")
        return 0
    device = course_lib.cuda.get_device_name()
    table = rows(TINY if args.simulated else SIZES, timer(args.simulated))
    text = report(table, device, args.simulated)
    print(text)
    atomic_write_text(Path(args.report), text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
