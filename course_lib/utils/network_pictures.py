"""Chapter 03's pictures (neural networks): losses, convolution as a matrix product, optimizers on a loss
surface, and activations layer by layer. ``pictures`` re-exports them, so a notebook calls
``pictures.losses(...)`` like every other picture.

As in ``pictures``, each function returns a matplotlib Figure built without pyplot; the concept pictures
(:func:`losses`, :func:`im2col`) take torch tensors and use only their methods, the others take numbers the
notebook computed with torch and with the learner's course_lib.
"""

from __future__ import annotations

from typing import Dict, Sequence, Tuple

import numpy as np


def _figure(rows: int, cols: int, figsize: Tuple[float, float], **grid):
    """A new Figure (not registered with pyplot) and its array of axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(rows, cols, squeeze=False, **grid)


def losses(z):
    """Three losses as functions of one number ``z`` (a 1-d torch tensor of values to plot against):

    - mean squared error of a prediction ``z`` for the target 0;
    - binary cross-entropy of a probability ``sigmoid(z)`` for the targets 1 and 0;
    - cross-entropy of the logits ``[z, 0, 0]`` for class 0, i.e. ``-log softmax(...)[0]``.
    """
    values = z.double()
    mse = values * values
    probability = values.sigmoid()
    bce_one, bce_zero = -(probability.log()), -((1 - probability).log())
    cross_entropy = ((-values).exp() * 2 + 1).log()  # -log(e^z / (e^z + 2))
    x = values.numpy()
    figure, axes = _figure(1, 3, (11, 3.2))
    (left, middle, right) = axes[0]
    left.plot(x, mse.numpy(), color="tab:blue")
    left.set_title("MSE: (prediction - 0)²", fontsize=9)
    left.set_xlabel("prediction")
    middle.plot(x, bce_one.numpy(), color="tab:green", label="target 1: -log p")
    middle.plot(x, bce_zero.numpy(), color="tab:red", label="target 0: -log(1 - p)")
    middle.set_title("binary cross-entropy of p = sigmoid(z)", fontsize=9)
    middle.set_xlabel("logit z")
    middle.legend(fontsize=8)
    right.plot(x, cross_entropy.numpy(), color="tab:purple", label="class 0 is right")
    right.plot(x, (cross_entropy + values).numpy(), color="tab:orange", label="class 1 is right")
    right.set_title("cross-entropy of logits [z, 0, 0]", fontsize=9)
    right.set_xlabel("logit of class 0")
    right.legend(fontsize=8)
    for ax in axes[0]:
        ax.set_ylim(0, 6)
        ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def im2col(x, kernel: Tuple[int, int], row: int):
    """Convolution as windows and one matrix product, for a one-channel plane ``x`` (a 2-d torch tensor).

    Left: the plane with the window of output position ``row`` outlined. Middle: the column matrix, one row
    per output position, each row a window read in (kernel row, kernel column) order, row ``row`` outlined.
    Right: the kernel as a column; the product is the output, one value per window.
    """
    from matplotlib.patches import Rectangle

    kh, kw = kernel
    windows = x.unfold(0, kh, 1).unfold(1, kw, 1)  # (oh, ow, kh, kw), a view
    oh, ow = windows.shape[0], windows.shape[1]
    columns = windows.reshape(oh * ow, kh * kw).numpy()
    plane = x.numpy()
    figure, axes = _figure(1, 2, (9, 3.6), gridspec_kw={"width_ratios": [plane.shape[1] + 1, kh * kw + 2]})
    left, right = axes[0]
    top, first = divmod(row, ow)
    for (i, j), value in np.ndenumerate(plane):
        inside = top <= i < top + kh and first <= j < first + kw
        left.add_patch(Rectangle((j, -i), 1, 1, facecolor="#fde68a" if inside else "white", edgecolor="black"))
        left.text(j + 0.5, -i + 0.5, f"{value:g}", ha="center", va="center", fontsize=9)
    left.add_patch(Rectangle((first, -top - kh + 1), kw, kh, fill=False, edgecolor="tab:red", linewidth=2.5))
    left.set_title(f"input {plane.shape[0]}×{plane.shape[1]}, window of output {row}", fontsize=9)
    for (i, j), value in np.ndenumerate(columns):
        color = "#fde68a" if i == row else "white"
        right.add_patch(Rectangle((j, -i * 0.5), 1, 0.5, facecolor=color, edgecolor="black"))
        right.text(j + 0.5, -i * 0.5 + 0.25, f"{value:g}", ha="center", va="center", fontsize=7)
    right.add_patch(Rectangle((0, -row * 0.5), kh * kw, 0.5, fill=False, edgecolor="tab:red", linewidth=2.5))
    right.set_title(f"columns: {oh * ow} windows × {kh * kw} values  (@ kernel as a column → {oh * ow} outputs)",
                    fontsize=9)
    for ax, (width, height) in ((left, (plane.shape[1], plane.shape[0] - 1)),
                                (right, (kh * kw, (oh * ow - 1) * 0.5))):
        ax.set_xlim(-0.2, width + 0.2)
        ax.set_ylim(-height - 0.2, 1.2)
        ax.set_aspect("equal")
        ax.axis("off")
    return figure


def optimizer_race(grid: Tuple[np.ndarray, np.ndarray, np.ndarray], paths: Dict[str, Tuple[np.ndarray, np.ndarray]],
                   start: Sequence[float]):
    """Trajectories of several optimizers on a 2-d loss surface.

    Args:
        grid: ``(X, Y, loss)`` from ``np.meshgrid``, drawn as contour lines.
        paths: optimizer name -> ``(torch's points, course_lib's points)``, each ``(steps + 1, 2)``; torch's
            drawn as a line, course_lib's as dots on it.
        start: the common starting point.
    """
    figure, axes = _figure(1, 1, (7, 5))
    ax = axes[0][0]
    X, Y, Z = grid
    ax.contour(X, Y, Z, levels=np.geomspace(max(Z.min(), 1e-3), Z.max(), 18), colors="grey", linewidths=0.6)
    for (name, (theirs, ours)), color in zip(paths.items(), ("tab:blue", "tab:orange", "tab:green", "tab:red")):
        ax.plot(theirs[:, 0], theirs[:, 1], color=color, linewidth=1.5, label=f"{name} (torch: line)")
        ax.plot(ours[:, 0], ours[:, 1], "o", color=color, markersize=3, label=f"{name} (course_lib: dots)")
    ax.plot(*start, "k*", markersize=12)
    ax.set_title("40 steps of each optimizer from the same start (★)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    return figure


def layer_statistics(runs: Dict[str, Dict[str, Sequence[float]]]):
    """Per layer, the standard deviation of the activations (forward) and of the gradients (backward).

    Args:
        runs: a label ("weights × 0.5", "torch's default") -> {"activations": [...], "gradients": [...]}, one
            value per layer, first layer first.
    """
    figure, axes = _figure(1, 2, (10, 3.4))
    for key, ax in zip(("activations", "gradients"), axes[0]):
        for label, run in runs.items():
            values = np.asarray(run[key], dtype=float)
            ax.semilogy(np.arange(1, len(values) + 1), values, "o-", label=label)
        ax.set_xlabel("layer")
        ax.set_title(f"std of the {key} (log scale)", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
