"""Chapter-03 convolution: the training step of pytorch/examples' MNIST CNN, course_lib against a hand-written
NumPy step and torch (issue 20's bar: course_lib <= 1.1x the hand step, in the same run).

The network (``mnist/main.py``): conv 1->32 3x3, relu, conv 32->64 3x3, relu, max-pool 2, dropout 0.25,
flatten, 9216->128, relu, dropout 0.5, 128->10, log_softmax, nll_loss; batch 64; Adadelta (lr 1.0).

The hand step is written the fast way, so the bar cannot be met against a slow reference:

- activations stay channels-last (N, H, W, C); a convolution copies its strided windows in (kernel row,
  kernel column, channel) order into one matrix and multiplies it by the kernel (the view's own order made
  the copies 4x slower);
- the input gradient of a convolution is the full convolution of the zero-padded output gradient with the
  flipped kernel, the same windows-and-matmul (no scatter, no ``np.add.at``);
- max-pool's backward sends each window's gradient to its first maximum through a one-hot of the argmax over
  the window's four positions (no scatter).

Method: as ``bench_nn.py`` (rounds alternate the contenders after 0.3 s idle; ratios are medians of per-round
ratios, with the spread), with one untimed step at the start of each block: a step of ~0.1 s allocates ~150 MB
of columns, and the first one after another contender's pays for fresh memory (up to 3x slower, measured). The
hand step keeps its column buffers from step to step (the fast way: fresh 100 MB buffers made its time vary
1.5x). Writes ``bench/report_cnn.md``. Run: ``python bench/bench_cnn.py [--quick]``.
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

BATCH, BAR, IDLE = 64, 1.1, 0.3
WINDOWS = np.lib.stride_tricks.sliding_window_view


def build(L, dropout: bool = True):
    """The examples' CNN in ``L`` (torch or course_lib), from torch's default initialisation with seed 0."""
    torch.manual_seed(0)
    reference = [torch.nn.Conv2d(1, 32, 3, 1), torch.nn.Conv2d(32, 64, 3, 1), torch.nn.Linear(9216, 128),
                 torch.nn.Linear(128, 10)]
    layers = [L.nn.Conv2d(1, 32, 3, 1), L.nn.Conv2d(32, 64, 3, 1), L.nn.Linear(9216, 128), L.nn.Linear(128, 10)]
    for ours, theirs in zip(layers, reference):
        ours.load_state_dict({key: L.tensor(value.detach().numpy()) for key, value in theirs.state_dict().items()})
    model = L.nn.Sequential(layers[0], L.nn.ReLU(), layers[1], L.nn.ReLU(), L.nn.MaxPool2d(2),
                            L.nn.Dropout(0.25 if dropout else 0.0), L.nn.Flatten(), layers[2], L.nn.ReLU(),
                            L.nn.Dropout(0.5 if dropout else 0.0), layers[3], L.nn.LogSoftmax(dim=1))
    return model, [layer.state_dict() for layer in reference]


def data():
    rng = np.random.default_rng(1)
    return rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, BATCH)


def framework_step(L, dropout: bool = True) -> Callable[[], object]:
    model, _ = build(L, dropout)
    optimizer = L.optim.Adadelta(model.parameters(), lr=1.0)
    images, labels = (L.tensor(value) for value in data())
    return training_step(model, L.nn.functional.nll_loss, optimizer, images, labels)


_BUFFERS: Dict[tuple, np.ndarray] = {}


def _im2col(x: np.ndarray, slot: str) -> np.ndarray:
    """(N, H, W, C) -> (N * H' * W', 9 * C): each 3x3 window copied in (row, column, channel) order, into a
    buffer kept for ``slot`` from step to step (the columns are up to 100 MB: fresh memory each step made the
    hand step's time vary 1.5x)."""
    n, h, w, c = x.shape
    windows = WINDOWS(x, (3, 3), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3)  # (N, H', W', 3, 3, C), a view
    buffer = _BUFFERS.get((slot, windows.shape))
    if buffer is None:
        buffer = _BUFFERS[(slot, windows.shape)] = np.empty(windows.shape, x.dtype)
    np.copyto(buffer, windows)
    return buffer.reshape(n * (h - 2) * (w - 2), 9 * c)


def numpy_step(dropout: bool = True) -> Callable[[], float]:
    """The same step by hand in NumPy, the fast way (see the module docstring)."""
    _, reference = build(torch, dropout)
    # Kernels as (9 * C_in, C_out) matrices in (row, column, channel) order; fc1's columns in (H, W, C) order.
    k1 = reference[0]["weight"].numpy().transpose(2, 3, 1, 0).reshape(9, 32).copy()
    k2 = reference[1]["weight"].numpy().transpose(2, 3, 1, 0).reshape(288, 64).copy()
    w3 = reference[2]["weight"].numpy().reshape(128, 64, 12, 12).transpose(0, 2, 3, 1).reshape(128, 9216).copy()
    params = [k1, reference[0]["bias"].numpy().copy(), k2, reference[1]["bias"].numpy().copy(), w3,
              reference[2]["bias"].numpy().copy(), reference[3]["weight"].numpy().copy(),
              reference[3]["bias"].numpy().copy()]
    square_avgs = [np.zeros_like(p) for p in params]
    acc_deltas = [np.zeros_like(p) for p in params]
    images, labels = data()
    x = np.ascontiguousarray(images.transpose(0, 2, 3, 1))  # NHWC
    rng = np.random.default_rng(2)
    keep1, keep2 = (0.75, 0.5) if dropout else (1.0, 1.0)

    def step() -> float:
        k1, b1, k2, b2, w3, b3, w4, b4 = params
        cols1 = _im2col(x, "conv1")  # (N*26*26, 9)
        a1 = np.maximum(cols1 @ k1 + b1, 0).reshape(BATCH, 26, 26, 32)
        cols2 = _im2col(a1, "conv2")  # (N*24*24, 288)
        z2 = cols2 @ k2 + b2
        a2 = np.maximum(z2, 0).reshape(BATCH, 12, 2, 12, 2, 64)
        windows = a2.transpose(0, 1, 3, 5, 2, 4).reshape(BATCH, 12, 12, 64, 4)
        first_max = windows.argmax(axis=-1)
        pooled = np.take_along_axis(windows, first_max[..., None], axis=-1)[..., 0]
        mask1 = (rng.random(pooled.shape, dtype=np.float32) < keep1) / np.float32(keep1) if dropout else 1.0
        flat = (pooled * mask1).reshape(BATCH, 9216)
        z3 = flat @ w3.T + b3
        mask2 = (rng.random(z3.shape, dtype=np.float32) < keep2) / np.float32(keep2) if dropout else 1.0
        a3 = np.maximum(z3, 0) * mask2
        logits = a3 @ w4.T + b4
        loss, g4 = cross_entropy_by_hand(logits, labels)
        grads = [None] * 8
        grads[6], grads[7] = g4.T @ a3, g4.sum(0)
        g3 = (g4 @ w4) * mask2 * (z3 > 0)
        grads[4], grads[5] = g3.T @ flat, g3.sum(0)
        g_pooled = ((g3 @ w3).reshape(BATCH, 12, 12, 64) * mask1)
        g_windows = (first_max[..., None] == np.arange(4)) * g_pooled[..., None]  # first maximum only
        g_a2 = g_windows.reshape(BATCH, 12, 12, 64, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(-1, 64)
        g_z2 = g_a2 * (z2 > 0)
        grads[2], grads[3] = cols2.T @ g_z2, g_z2.sum(0)
        # conv2's input gradient: the padded output gradient convolved with the flipped kernel.
        padded = np.pad(g_z2.reshape(BATCH, 24, 24, 64), ((0, 0), (2, 2), (2, 2), (0, 0)))
        flipped = k2.reshape(3, 3, 32, 64)[::-1, ::-1].transpose(0, 1, 3, 2).reshape(576, 32)
        g_z1 = (_im2col(padded, "full") @ flipped) * (a1.reshape(-1, 32) > 0)
        grads[0], grads[1] = cols1.T @ g_z1, g_z1.sum(0)
        for param, grad, square_avg, acc_delta in zip(params, grads, square_avgs, acc_deltas):  # Adadelta
            scaled = np.square(grad)  # in place wherever it can be: few temporaries of a 1.2M-element layer
            scaled *= 0.1
            square_avg *= 0.9
            square_avg += scaled
            std = square_avg + np.float32(1e-6)
            np.sqrt(std, out=std)
            delta = acc_delta + np.float32(1e-6)
            np.sqrt(delta, out=delta)
            delta /= std
            delta *= grad
            acc_delta *= 0.9
            np.square(delta, out=scaled)
            scaled *= 0.1
            acc_delta += scaled
            param -= delta
        return loss

    return step


def check_the_steps_agree() -> None:
    """Without dropout the three steps train the same model: their losses over three steps must match."""
    steps = {"numpy": numpy_step(dropout=False), "course_lib": framework_step(course_lib, dropout=False),
             "torch": framework_step(torch, dropout=False)}
    losses = {name: [float(step()) if name == "numpy" else step().item() for _ in range(3)]
              for name, step in steps.items()}
    for name in ("course_lib", "torch"):
        np.testing.assert_allclose(losses[name], losses["numpy"], rtol=2e-3, err_msg=name)


def measure(rounds: int, number: int) -> Dict[str, List[float]]:
    """Per contender: each round's seconds per step (``_report.alternate_rounds``, one untimed step a block)."""
    threads = torch.get_num_threads()
    contenders = {"course_lib": (framework_step(course_lib), threads), "numpy": (numpy_step(), threads),
                  "torch": (framework_step(torch), threads), "single": (framework_step(torch), 1)}
    return alternate_rounds(contenders, rounds, number, IDLE, untimed_first=True)


def ratio(times: Dict[str, List[float]], reference: str) -> str:
    return round_ratio(times, "course_lib", reference)


def main() -> int:
    args = command_line(__doc__.splitlines()[0], HERE / "report_cnn.md")
    started = time.time()
    check_the_steps_agree()
    rounds, number = (2, 2) if args.quick else (10, 4)
    times = measure(rounds, number)
    median = {name: statistics.median(values) for name, values in times.items()}
    met = statistics.median(o / n for o, n in zip(times["course_lib"], times["numpy"])) <= BAR
    body = "\n".join([
        step_table_header(),
        f"| MNIST CNN (pytorch/examples), batch {BATCH}, Adadelta | {format_time(median['course_lib'])} "
        f"| {format_time(median['numpy'])} | {ratio(times, 'numpy')} | {format_time(median['torch'])} "
        f"| {ratio(times, 'torch')} | {format_time(median['single'])} | {ratio(times, 'single')} "
        f"| <= {BAR}x NumPy time | {'✅' if met else '❌'} |"])
    verdict = "all bars met ✅" if met else "some bars missed ❌"
    print(body)
    print(verdict)
    text = ["# Convolution training step benchmark (chapter 03)", "",
            f"Measured on {machine()}. {rounds} rounds of {number} steps each, after a warm-up round; in every "
            f"round each contender runs in turn after {IDLE} s idle. Ratios are medians of per-round ratios "
            f"(spread: lowest and highest round). Run time {time.time() - started:.0f} s"
            f"{' (quick mode)' if args.quick else ''}.", "",
            "- The three steps train the same model from the same weights: without dropout their losses agree.",
            "", body, "", verdict, ""]
    atomic_write_text(args.report, "\n".join(text))
    print(f"report: {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
