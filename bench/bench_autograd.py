"""Chapter-02 autograd: course_lib vs torch on the CPU, side by side in one run.

The bar (the per-op overhead bar, <= 5x torch's, applied to the backward pass): backward
time per graph node <= 5x torch's, on

- a chain of 200 operations on 10-element tensors (tensor and number operands, saved
  tensors), where the time is all overhead: walking the graph, calling the rules, adding
  gradients;
- the graph of one training step of an MLP 784-128-64-10 on a batch of 64 (float32,
  loss = -log_softmax(logits).gather(1, targets).mean()), where the matmuls add real work.

Forward (recording the graph) and forward + backward times are printed for information.
Each figure is the median of several repeats, course_lib and torch (at its default threads
and at one thread) measured in turn so that all see the same machine load. Prints a table
and writes ``bench/report_autograd.md`` (atomically; ``--report PATH`` writes elsewhere).

Run: ``python bench/bench_autograd.py [--quick] [--report PATH]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import course_lib  # noqa: E402
from _report import Bar, compare, run_benchmark  # noqa: E402

BACKWARD_BAR = Bar("torch", 5.0)  # course_lib backward time per node / torch's, at most
CHAIN_LENGTH = 200


# --------------------------------------------------------------------------- workloads


def chain_workload(library: Any) -> Callable[[], Any]:
    """A function that builds the 200-op chain on 10 elements and returns its (scalar) output."""
    rng = np.random.default_rng(0)
    x = library.tensor(rng.random(10, dtype=np.float32), requires_grad=True)
    w = library.tensor(rng.random(10, dtype=np.float32) + 0.5, requires_grad=True)
    b = library.tensor(rng.random(10, dtype=np.float32), requires_grad=True)

    def build():
        y = x
        for _ in range(CHAIN_LENGTH // 4):  # 4 ops per round: tensor mul, tensor add, tanh, number mul
            y = (y * w + b).tanh() * 0.9
        return y.sum()

    return build


def mlp_workload(library: Any) -> Callable[[], Any]:
    """A function that runs the MLP's forward pass on a fixed batch and returns the loss."""
    rng = np.random.default_rng(1)
    sizes = [784, 128, 64, 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(library.tensor(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
                                     requires_grad=True))
        params.append(library.tensor(rng.uniform(-bound, bound, fan_out).astype(np.float32), requires_grad=True))
    images = library.tensor(rng.random((64, 784), dtype=np.float32))
    targets = library.tensor(rng.integers(0, 10, (64, 1)))

    def build():
        h = images
        for layer in range(3):
            h = h @ params[2 * layer] + params[2 * layer + 1]
            if layer < 2:
                h = h.relu()
        loss = -h.log_softmax(dim=1).gather(1, targets).mean()
        for p in params:
            p.grad = None
        return loss

    return build


def count_nodes(output: Any) -> int:
    """Nodes of the graph behind ``output`` (operations and leaf accumulators), each once."""
    seen, stack = set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(child for child, _ in node.next_functions)
    return len(seen)


# --------------------------------------------------------------------------- timing


def time_forward(build: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        build()
    return (time.perf_counter() - start) / number


def time_backward(build: Callable[[], Any], number: int) -> float:
    """Seconds per ``backward`` call, the forward passes (building each graph) not counted."""
    total = 0.0
    for _ in range(number):
        output = build()
        start = time.perf_counter()
        output.backward()
        total += time.perf_counter() - start
    return total / number


def time_step(build: Callable[[], Any], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        build().backward()
    return (time.perf_counter() - start) / number


def run(quick: bool) -> List[Dict[str, Any]]:
    scale = 0.2 if quick else 1.0
    rows = []
    workloads = [
        (f"chain of {CHAIN_LENGTH} ops, 10 elements", chain_workload, max(2, int(40 * scale))),
        ("MLP 784-128-64-10, batch 64", mlp_workload, max(2, int(40 * scale))),
    ]
    for name, make, number in workloads:
        ours, theirs = make(course_lib), make(torch)
        nodes = count_nodes(ours())
        assert nodes == count_nodes(theirs()), "the two graphs should have the same number of nodes"
        for what, measure, bar in [("backward, per node", time_backward, BACKWARD_BAR),
                                   ("forward (recording), per node", time_forward, None),
                                   ("forward + backward", time_step, None)]:
            per = nodes if "per node" in what else 1
            times = compare(ours, theirs, number, measure)
            rows.append(dict(labels=(name, what, str(nodes)), bar=bar,
                             **{key: seconds / per for key, seconds in times.items()}))
    return rows


# --------------------------------------------------------------------------- report


def main() -> int:
    notes = [
        "- *backward, per node*: the time of `loss.backward()` alone (the forward pass that builds each graph is",
        "  not counted), divided by the number of graph nodes (operations and leaf accumulators, the same count",
        f"  in both libraries). Bar: at most {BACKWARD_BAR.limit:g}x torch's.",
        "- *forward (recording), per node*: the forward pass with the graph recorded, per node (information).",
        "- *forward + backward*: one whole step, forward and backward (information; the chapter-03 bar for an",
        "  MLP training step is course_lib time <= 1.0x torch's, same model and batch).",
        "- chain: `y = (y * w + b).tanh() * 0.9` repeated 50 times on 10 float32 elements, then `y.sum()`: every",
        "  figure is overhead. MLP: 784-128-64-10 with ReLU, batch 64, float32, loss",
        "  `-log_softmax(logits).gather(1, targets).mean()`: the matmuls add real work.",
    ]
    return run_benchmark(__doc__.splitlines()[0], "Chapter 02 autograd: course_lib vs torch (CPU)", notes,
                         HERE / "report_autograd.md", ["workload", "measure", "nodes"], run)


if __name__ == "__main__":
    sys.exit(main())
