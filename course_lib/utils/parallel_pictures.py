"""Chapter 06's pictures (parallel training): when the main process and the DataLoader's workers are busy.
``pictures`` re-exports them. Each takes numbers and returns a matplotlib Figure built without pyplot (see
``pictures``).
"""

from __future__ import annotations

from typing import Dict, List, Tuple


def loader_schedule(load: float, compute: float, workers: int, batches: int,
                    prefetch_factor: int = 2) -> Dict[str, List[Tuple[float, float, str]]]:
    """When each lane works, as ``{lane: [(start, end, label)]}``, for ``batches`` training steps whose batch takes
    ``load`` to load and ``compute`` to train on.

    Without workers the main process loads, then computes, one batch after the other. With workers, worker
    ``w`` loads batches ``w, w + workers, ...`` as soon as it may (at most ``prefetch_factor`` batches each ahead
    of the training step), and the main process computes each batch once it has arrived.
    """
    lanes: Dict[str, List[Tuple[float, float, str]]] = {"main process": []}
    if workers == 0:
        for batch in range(batches):
            start = batch * (load + compute)
            lanes["main process"] += [(start, start + load, f"load {batch}"), (start + load, start + load + compute,
                                                                                  f"step {batch}")]
        return lanes
    ready, step_end = [0.0] * batches, [0.0] * batches
    free = [0.0] * workers
    for name in range(workers):
        lanes[f"worker {name}"] = []
    time = 0.0
    for batch in range(batches):
        worker = batch % workers
        ahead = batch - prefetch_factor * workers  # that step must have started before this batch is asked for
        start = max(free[worker], step_end[ahead] - compute if ahead >= 0 else 0.0)
        ready[batch] = free[worker] = start + load
        lanes[f"worker {worker}"].append((start, start + load, f"load {batch}"))
        time = max(time, ready[batch])
        lanes["main process"].append((time, time + compute, f"step {batch}"))
        time = step_end[batch] = time + compute
    return lanes


def worker_timeline(load: float, compute: float, batches: int = 6, workers: Tuple[int, ...] = (0, 2)):
    """Timelines of the same steps with each number of ``workers``: loading (orange) and computing (blue)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 1.1 + 1.0 * sum(1 + w for w in workers) / 2))
    axes = figure.subplots(len(workers), 1, squeeze=False, sharex=True)
    for ax, count in zip(axes[:, 0], workers):
        lanes = loader_schedule(load, compute, count, batches)
        names = list(lanes)
        for row, name in enumerate(names):
            for start, end, label in lanes[name]:
                color = "#fdae6b" if label.startswith("load") else "#9ecae1"
                ax.barh(row, end - start, left=start, color=color, edgecolor="black", linewidth=0.6)
                ax.text((start + end) / 2, row, label, ha="center", va="center", fontsize=7)
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names, fontsize=8)
        ax.invert_yaxis()
        total = max(end for lane in lanes.values() for _, end, _ in lane)
        ax.set_title(f"{count} workers: {batches} steps take {total:g} ms", fontsize=9)
    axes[-1, 0].set_xlabel("time (ms)")
    figure.tight_layout()
    return figure
