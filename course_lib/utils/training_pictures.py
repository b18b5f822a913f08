"""Chapter 04's pictures (the MNIST training loop): digits, label counts, loss curves, a confusion matrix.
``pictures`` re-exports them. Each takes NumPy arrays or numbers the notebook computed and returns a matplotlib
Figure built without pyplot (see ``pictures``).
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np


def _figure(rows: int, cols: int, figsize: Tuple[float, float], **grid):
    """A new Figure (not registered with pyplot) and its array of axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(rows, cols, squeeze=False, **grid)


def digits(images: np.ndarray, labels: Sequence[int], predictions: Optional[Sequence[int]] = None,
           columns: int = 10, title: str = ""):
    """A grid of ``(N, 28, 28)`` images, each titled with its label (and the prediction, in red, when given)."""
    rows = -(-len(images) // columns)
    figure, axes = _figure(rows, columns, (columns * 0.9, rows * 1.05))
    for ax in axes.flat:
        ax.axis("off")
    for index, (ax, image, label) in enumerate(zip(axes.flat, images, labels)):
        ax.imshow(image, cmap="gray_r")
        if predictions is None:
            ax.set_title(str(label), fontsize=8)
        else:
            ax.set_title(f"{label}→{predictions[index]}", fontsize=8, color="tab:red")
    if title:
        figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return figure


def label_counts(train: Sequence[int], test: Sequence[int]):
    """How many images of each digit, in the training and the test set."""
    figure, axes = _figure(1, 1, (7, 2.6))
    ax, positions = axes[0][0], np.arange(10)
    ax.bar(positions - 0.2, train, width=0.4, label="training set")
    ax.bar(positions + 0.2, np.asarray(test) * 6, width=0.4, label="test set × 6")
    ax.set_xticks(positions)
    ax.set_xlabel("digit")
    ax.legend(fontsize=8)
    ax.set_title("images per digit", fontsize=9)
    figure.tight_layout()
    return figure


def loss_curves(curves: Dict[str, Sequence[float]], title: str, difference: Optional[Sequence[float]] = None):
    """Training losses step by step, one line per run; with ``difference``, a second panel of |a - b|."""
    panels = 2 if difference is not None else 1
    figure, axes = _figure(1, panels, (5.5 * panels, 3.2))
    ax = axes[0][0]
    for (label, values), style in zip(curves.items(), ("-", "--", ":", "-.")):
        ax.plot(np.arange(1, len(values) + 1), values, style, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if difference is not None:
        gap = axes[0][1]
        gap.semilogy(np.arange(1, len(difference) + 1), np.maximum(np.asarray(difference), 1e-12))
        gap.set_xlabel("step")
        gap.set_title("|course_lib − torch| (log scale)", fontsize=9)
        gap.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def confusion(matrix: np.ndarray):
    """A 10 × 10 confusion matrix: row = true digit, column = predicted digit, counts written in the cells."""
    figure, axes = _figure(1, 1, (5, 4.4))
    ax = axes[0][0]
    shown = ax.imshow(np.log1p(matrix), cmap="Blues")
    for (row, column), count in np.ndenumerate(matrix):
        if count:
            ax.text(column, row, str(count), ha="center", va="center", fontsize=7,
                    color="white" if row == column else "black")
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix (colour: log of the count)", fontsize=9)
    figure.colorbar(shown, ax=ax, shrink=0.8)
    return figure
