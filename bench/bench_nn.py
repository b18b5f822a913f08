"""Chapter-03 training step: course_lib's nn + optim against a hand-written NumPy step and torch.

The bar: one training step of an MLP 784-256-10 on a batch of 64 (float32: forward, cross-entropy,
backward, SGD step) takes at most 1.3x the time of the same step written by hand in NumPy, the limit of
a framework that computes with NumPy. torch (at its default threads and at one thread) is measured
beside them for information.

A second row, for information, times the same step on a tiny MLP (8-8-4, batch 4): there the arrays cost
next to nothing, so a step's time is the framework's own time per step (the hand step's is NumPy's
per-call overhead). Inside the real step the same Python runs slower than in this hot loop, because the
step's array work pushes the interpreter's code and objects out of the CPU caches.

Method: a warm-up, then ROUNDS rounds; in each round every contender runs a block of steps in turn
(the order reversed every other round), after 0.3 s of idle time (so that no one inherits another's
turbo or cache state). A ratio is the median of the per-round ratios; its spread (lowest and highest
round) is reported with it. Writes ``bench/report_nn.md`` (atomically; ``--report PATH`` writes elsewhere).

Run: ``python bench/bench_nn.py [--quick] [--report PATH]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import course_lib  # noqa: E402
from course_lib._atomic import atomic_write_text  # noqa: E402
from _report import (alternate_rounds, command_line, format_time, machine, round_ratio,  # noqa: E402
                     cross_entropy_by_hand, step_table_header, training_step)

BATCH, SIZES, LR = 64, (784, 256, 10), 0.01
TINY_BATCH, TINY_SIZES = 4, (8, 8, 4)  # the framework-time row
BAR = 1.3  # course_lib's step time / the hand-written NumPy step's, at most
IDLE = 0.3


def initial_weights(seed: int = 0, sizes: tuple = SIZES) -> List[np.ndarray]:
    """W1, b1, W2, b2 of the MLP (float32), as torch's default initialisation draws them."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights += [rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                    rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    return weights


def batch(seed: int = 1, size: int = BATCH, sizes: tuple = SIZES):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((size, sizes[0])).astype(np.float32), rng.integers(0, sizes[-1], size)


def numpy_step(size: int = BATCH, sizes: tuple = SIZES) -> Callable[[], float]:
    """The step written by hand: the forward, the loss and every gradient, in NumPy (no framework)."""
    w1, b1, w2, b2 = initial_weights(sizes=sizes)
    x, y = batch(size=size, sizes=sizes)

    def step() -> float:
        hidden = x @ w1.T + b1
        active = np.maximum(hidden, 0)
        logits = active @ w2.T + b2
        loss, grad_logits = cross_entropy_by_hand(logits, y)
        grad_w2, grad_b2 = grad_logits.T @ active, grad_logits.sum(0)
        grad_hidden = grad_logits @ w2
        grad_hidden *= hidden > 0
        grad_w1, grad_b1 = grad_hidden.T @ x, grad_hidden.sum(0)
        for weight, grad in ((w1, grad_w1), (b1, grad_b1), (w2, grad_w2), (b2, grad_b2)):
            weight -= LR * grad
        return loss

    return step


def framework_step(L, size: int = BATCH, sizes: tuple = SIZES) -> Callable[[], object]:
    """The same step with ``L.nn`` and ``L.optim`` (L = torch or course_lib)."""
    model = L.nn.Sequential(L.nn.Linear(sizes[0], sizes[1]), L.nn.ReLU(), L.nn.Linear(sizes[1], sizes[2]))
    model.load_state_dict({key: L.tensor(value) for key, value in
                           zip(("0.weight", "0.bias", "2.weight", "2.bias"), initial_weights(sizes=sizes))})
    optimizer = L.optim.SGD(model.parameters(), lr=LR)
    x_array, y_array = batch(size=size, sizes=sizes)
    return training_step(model, L.nn.functional.cross_entropy, optimizer, L.tensor(x_array), L.tensor(y_array))


def check_the_steps_agree() -> None:
    """The three steps train the same model: their losses over a few steps must match."""
    steps = {"numpy": numpy_step(), "course_lib": framework_step(course_lib), "torch": framework_step(torch)}
    losses = {name: [float(step()) if name == "numpy" else step().item() for _ in range(3)]
              for name, step in steps.items()}
    for name in ("course_lib", "torch"):
        np.testing.assert_allclose(losses[name], losses["numpy"], rtol=1e-4, err_msg=name)


def measure(rounds: int, number: int, size: int = BATCH, sizes: tuple = SIZES) -> Dict[str, List[float]]:
    """Per contender: each round's seconds per step (``_report.alternate_rounds``)."""
    threads = torch.get_num_threads()
    contenders = {"course_lib": (framework_step(course_lib, size, sizes), threads),
                  "numpy": (numpy_step(size, sizes), threads),
                  "torch": (framework_step(torch, size, sizes), threads),
                  "single": (framework_step(torch, size, sizes), 1)}
    return alternate_rounds(contenders, rounds, number, IDLE)


OPTIMIZERS = {"SGD": {}, "SGD, momentum": {"momentum": 0.9}, "Adam": {}, "AdamW": {}, "RMSprop": {},
              "Adagrad": {}, "Adadelta": {}}


def optimizer_step(L, name: str) -> Callable[[], object]:
    """``optimizer.step()`` alone for the MLP's parameters (784-256-10), whose gradients are set once."""
    params = [L.tensor(value).requires_grad_() for value in initial_weights()]
    for param in params:
        param.grad = L.ones(*param.shape) * 1e-3
    optimizer = getattr(L.optim, name.split(",")[0])(params, lr=LR, **OPTIMIZERS[name])
    return optimizer.step


def measure_optimizers(rounds: int, number: int) -> Dict[str, Dict[str, List[float]]]:
    """Per optimizer: course_lib's and torch's (default threads) seconds per step, alternating, idle before each."""
    threads = torch.get_num_threads()
    return {name: alternate_rounds({"course_lib": (optimizer_step(course_lib, name), threads),
                                    "torch": (optimizer_step(torch, name), threads)}, rounds, number, IDLE / 3)
            for name in OPTIMIZERS}


def optimizer_table(times: Dict[str, Dict[str, List[float]]]) -> str:
    rows = ["| optimizer step (MLP 784-256-10's parameters) | course_lib | torch | ratio (spread) |",
            "|---|---:|---:|---:|"]
    for name, measured in times.items():
        rows.append(f"| {name} | {format_time(statistics.median(measured['course_lib']))} | "
                    f"{format_time(statistics.median(measured['torch']))} | "
                    f"{round_ratio(measured, 'course_lib', 'torch')} |")
    return "\n".join(rows)


def summary(times: Dict[str, List[float]], reference: str) -> str:
    return round_ratio(times, "course_lib", reference)


def row(label: str, times: Dict[str, List[float]], bar: bool) -> str:
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = statistics.median(o / n for o, n in zip(times["course_lib"], times["numpy"]))
    verdict = ("✅" if ratio <= BAR else "❌") if bar else ""
    return (f"| {label} | {format_time(median['course_lib'])} | {format_time(median['numpy'])} "
            f"| {summary(times, 'numpy')} | {format_time(median['torch'])} | {summary(times, 'torch')} "
            f"| {format_time(median['single'])} | {summary(times, 'single')} | "
            f"{f'<= {BAR}x NumPy time' if bar else '(information)'} | {verdict} |")


def main() -> int:
    args = command_line(__doc__.splitlines()[0], HERE / "report_nn.md")
    started = time.time()
    check_the_steps_agree()
    rounds, number = (3, 10) if args.quick else (20, 60)
    times = measure(rounds, number)
    tiny = measure(rounds, number * 5, TINY_BATCH, TINY_SIZES)
    optimizers = optimizer_table(measure_optimizers(max(3, rounds // 2), number // 2))
    ratio = statistics.median(o / n for o, n in zip(times["course_lib"], times["numpy"]))
    met = ratio <= BAR
    threads = torch.get_num_threads()
    body = "\n".join([
        step_table_header(),
        row(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, SGD", times, bar=True),
        row(f"MLP {'-'.join(map(str, TINY_SIZES))}, batch {TINY_BATCH} (framework time)", tiny, bar=False)])
    verdict = "all bars met ✅" if met else "some bars missed ❌"
    print(body)
    print(verdict)
    print(optimizers)
    median = {name: statistics.median(values) for name, values in times.items()}
    text = [f"# Training step benchmark (chapter 03)", "",
            f"Measured on {machine()}. {rounds} rounds of {number} steps each ({number * 5} for the tiny MLP), "
            f"after a warm-up round; in every round each contender runs in turn after {IDLE} s idle. A ratio is "
            f"the median of the per-round ratios of course_lib's time to the reference's; the spread is the "
            f"lowest and highest round. Run time {time.time() - started:.0f} s{' (quick mode)' if args.quick else ''}.",
            "",
            "- The three steps train the same model from the same weights (their losses agree before timing).",
            f"- course_lib's framework time per step in the real step (its time minus the hand step's): "
            f"{format_time(median['course_lib'] - median['numpy'])}; in the tiny step's hot loop: "
            f"{format_time(statistics.median(tiny['course_lib']) - statistics.median(tiny['numpy']))}.",
            "", body, "", verdict, "",
            "Each optimizer's update alone (for information; torch at its default threads):", "", optimizers, ""]
    atomic_write_text(args.report, "\n".join(text))
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
