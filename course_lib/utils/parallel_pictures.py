"""Chapter 06's pictures (parallel training): when the main process and the DataLoader's workers are busy, the
three ways to split training across devices, and a pipeline's timeline with its bubble. ``pictures``
re-exports them. Each takes numbers and returns a matplotlib Figure built without pyplot (see
``pictures``).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple


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


Lanes = Dict[str, List[Tuple[float, float, str]]]


def _draw_lanes(ax, lanes: Lanes, color_of, narrowest_label: float = 0.0) -> None:
    """One row per lane, a bar per ``(start, end, label)``, coloured by ``color_of(label)`` and labelled when at
    least ``narrowest_label`` wide."""
    names = list(lanes)
    for row, name in enumerate(names):
        for start, end, label in lanes[name]:
            ax.barh(row, end - start, left=start, color=color_of(label), edgecolor="black", linewidth=0.6)
            if end - start >= narrowest_label:
                ax.text((start + end) / 2, row, label, ha="center", va="center", fontsize=7)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()


def worker_timeline(load: float, compute: float, batches: int = 6, workers: Tuple[int, ...] = (0, 2)):
    """Timelines of the same steps with each number of ``workers``: loading (orange) and computing (blue)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 1.1 + 1.0 * sum(1 + w for w in workers) / 2))
    axes = figure.subplots(len(workers), 1, squeeze=False, sharex=True)
    for ax, count in zip(axes[:, 0], workers):
        lanes = loader_schedule(load, compute, count, batches)
        _draw_lanes(ax, lanes, lambda label: "#fdae6b" if label.startswith("load") else "#9ecae1")
        total = max(end for lane in lanes.values() for _, end, _ in lane)
        ax.set_title(f"{count} workers: {batches} steps take {total:g} ms", fontsize=9)
    axes[-1, 0].set_xlabel("time (ms)")
    figure.tight_layout()
    return figure


Order = List[Tuple[str, int]]  # one stage's work in order: ("F", micro-batch) or ("B", micro-batch)


def simulate_schedule(orders: List[Order], forward: float = 1.0, backward: float = 2.0) -> Lanes:
    """When each stage works if stage ``s`` runs ``orders[s]`` in that order, as ``{"stage s": [(start, end,
    "F i" or "B i")]}``: each task as soon as the stage is free and its input has arrived (a forward needs the
    previous stage's forward of that micro-batch, a backward the next stage's backward), taking ``forward`` or
    ``backward``; communication is taken as instant.

    Raises:
        ValueError: the orders deadlock (a stage waits for work that waits for it).
    """
    stages = len(orders)
    done: Dict[Tuple[str, int, int], float] = {}
    lanes: Lanes = {f"stage {s}": [] for s in range(stages)}
    free, position = [0.0] * stages, [0] * stages
    while any(position[s] < len(orders[s]) for s in range(stages)):
        progressed = False
        for s in range(stages):
            while position[s] < len(orders[s]):
                kind, index = orders[s][position[s]]
                needs = ("F", s - 1, index) if kind == "F" else ("B", s + 1, index)
                if (kind == "F" and s == 0) or (kind == "B" and s == stages - 1):
                    needs = None
                if needs is not None and needs not in done:
                    break
                start = max(free[s], done[needs] if needs else 0.0)
                free[s] = done[(kind, s, index)] = start + (forward if kind == "F" else backward)
                lanes[f"stage {s}"].append((start, free[s], f"{kind}{index}"))
                position[s] += 1
                progressed = True
        if not progressed:
            waiting = [orders[s][position[s]] for s in range(stages) if position[s] < len(orders[s])]
            raise ValueError(f"these orders deadlock: the stages wait at {waiting}")
    return lanes


def gpipe_order(micro_batches: int) -> Order:
    """Every micro-batch forward, then every one backward: each stage's order under GPipe."""
    return [("F", index) for index in range(micro_batches)] + [("B", index) for index in range(micro_batches)]


def gpipe_schedule(stages: int, micro_batches: int, forward: float = 1.0, backward: float = 2.0) -> Lanes:
    """:func:`simulate_schedule` of GPipe on ``stages`` stages."""
    return simulate_schedule([gpipe_order(micro_batches)] * stages, forward, backward)


def peak_in_flight(order: Order) -> int:
    """The most micro-batches a stage holds activations for at once (forwarded, not yet backwarded)."""
    held = peak = 0
    for kind, _ in order:
        held += 1 if kind == "F" else -1
        peak = max(peak, held)
    return peak


def schedule_comparison(orders: Dict[str, List[Order]], forward: float = 1.0, backward: float = 2.0):
    """One timeline per schedule (each stage's order, ``orders[name][stage]``): its bubble and the most
    micro-batches' activations any stage holds at once."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 0.6 + 0.45 * sum(len(stages) + 1 for stages in orders.values())))
    axes = figure.subplots(len(orders), 1, squeeze=False, sharex=True)
    for ax, (name, stage_orders) in zip(axes[:, 0], orders.items()):
        lanes = simulate_schedule(stage_orders, forward, backward)
        _draw_lanes(ax, lanes, lambda label: "#9ecae1" if label.startswith("F") else "#a1d99b")
        held = max(peak_in_flight(order) for order in stage_orders)
        ax.set_title(f"{name}: idle {100 * bubble_fraction(lanes):.0f}% of the step, at most {held} micro-batches' "
                     "activations held", fontsize=9)
    axes[-1, 0].set_xlabel("time (a micro-batch forward through one stage = 1, backward = 2)")
    figure.tight_layout()
    return figure


def bubble_fraction(lanes: Lanes) -> float:
    """The share of the stages' time spent idle, between the step's start and its end."""
    total = max(end for lane in lanes.values() for _, end, _ in lane)
    busy = sum(end - start for lane in lanes.values() for start, end, _ in lane)
    return 1 - busy / (total * len(lanes))


Timeline = List[Tuple[str, int, float, float]]  # PipelineStage.timeline: (kind, micro-batch, start, end) in s


def timeline_lanes(timelines: List[Timeline], scale: float = 1.0) -> Lanes:
    """The stages' ``PipelineStage.timeline`` lists as lanes (times multiplied by ``scale``)."""
    return {f"stage {rank}": [(scale * start, scale * end, f"{kind}{chunk}") for kind, chunk, start, end in timeline]
            for rank, timeline in enumerate(timelines)}


def pipeline_timeline(stages: int = 4, micro_batches: Tuple[int, ...] = (1, 4, 8),
                      measured: Optional[List[Timeline]] = None):
    """GPipe's timeline for each count of ``micro_batches`` (the same batch, cut finer): forward (blue), backward
    (green), and the idle *bubble* (white). ``measured``, each stage's ``PipelineStage.timeline`` of one step,
    is drawn below them (in ms) when given."""
    from matplotlib.figure import Figure

    panels = [(f"{m} micro-batch{'es' if m > 1 else ''}", gpipe_schedule(stages, m, 4 / m, 8 / m))
              for m in micro_batches]
    if measured is not None:
        panels.append(("measured on this machine (ms)", timeline_lanes(measured, scale=1e3)))
    figure = Figure(figsize=(10, 0.6 + 0.42 * sum(len(lanes) + 1 for _, lanes in panels)))
    axes = figure.subplots(len(panels), 1, squeeze=False)
    def longest(lanes: Lanes) -> float:
        return max(end for lane in lanes.values() for _, end, _ in lane)

    ideal_end = max(longest(lanes) for _, lanes in panels[:len(micro_batches)])
    for index, (ax, (title, lanes)) in enumerate(zip(axes[:, 0], panels)):
        end = ideal_end if index < len(micro_batches) else longest(lanes)
        _draw_lanes(ax, lanes, lambda label: "#9ecae1" if label.startswith("F") else "#a1d99b", end / 60)
        ax.set_xlim(0, end)
        ax.set_title(f"{title}: the stages are idle {100 * bubble_fraction(lanes):.0f}% of the step", fontsize=9)
    axes[len(micro_batches) - 1, 0].set_xlabel("time (one batch forward through one stage = 4)")
    figure.tight_layout()
    return figure


def parallel_strategies():
    """The three ways to train one model on two devices, side by side: data parallelism (whole model twice,
    half the batch each, gradients averaged), pipeline parallelism (half the layers each, activations passed
    on) and tensor parallelism (half of every split layer's weights each, partial results summed)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    figure = Figure(figsize=(11, 3.6))
    axes = figure.subplots(1, 3)
    colors = ("#9ecae1", "#fdae6b")

    def box(ax, x, y, w, h, text, color, size=8):
        ax.add_patch(Rectangle((x, y), w, h, facecolor=color, edgecolor="black", linewidth=0.8))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size)

    def arrow(ax, start, end, text="", style="-|>", side=1):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=10, linewidth=1))
        if text:
            ax.text((start[0] + end[0]) / 2 + 0.03 * side, (start[1] + end[1]) / 2, text, fontsize=7, va="center",
                    ha="left" if side > 0 else "right")

    data, pipe, tensor = axes
    for device, x in enumerate((0.05, 0.55)):
        box(data, x, 0.72, 0.4, 0.12, f"batch half {device}", "#eeeeee")
        for layer, y in enumerate((0.5, 0.3)):
            box(data, x, y, 0.4, 0.14, f"layer {layer + 1} (all)", colors[device])
        arrow(data, (x + 0.2, 0.72), (x + 0.2, 0.64))
    arrow(data, (0.45, 0.37), (0.55, 0.37), style="<|-|>")
    arrow(data, (0.45, 0.57), (0.55, 0.57), style="<|-|>")
    data.text(0.5, 0.15, "gradients averaged across devices\n(all-reduce) during backward", ha="center", fontsize=8)
    data.set_title("data parallel: a replica per device", fontsize=9)

    for device, (y, layers) in enumerate(((0.55, "layers 1-2"), (0.2, "layers 3-4"))):
        box(pipe, 0.3, y, 0.4, 0.2, f"device {device}: {layers}", colors[device])
    box(pipe, 0.3, 0.83, 0.4, 0.1, "micro-batches 0, 1, 2 ...", "#eeeeee")
    arrow(pipe, (0.5, 0.83), (0.5, 0.75))
    arrow(pipe, (0.42, 0.55), (0.42, 0.4), "activations", side=-1)
    arrow(pipe, (0.58, 0.4), (0.58, 0.55), "gradients")
    pipe.set_title("pipeline parallel: a stage per device", fontsize=9)

    box(tensor, 0.3, 0.83, 0.4, 0.1, "x (every device)", "#eeeeee")
    for device, x in enumerate((0.08, 0.6)):
        box(tensor, x, 0.55, 0.32, 0.18, f"W1 columns {device}", colors[device], 7)
        box(tensor, x, 0.25, 0.32, 0.18, f"W2 rows {device}", colors[device], 7)
        arrow(tensor, (0.5, 0.83), (x + 0.16, 0.73))
        arrow(tensor, (x + 0.16, 0.55), (x + 0.16, 0.43))
    arrow(tensor, (0.4, 0.34), (0.6, 0.34), style="<|-|>")
    tensor.text(0.5, 0.12, "partial outputs summed\n(all-reduce), then the next layer", ha="center", fontsize=8)
    tensor.set_title("tensor parallel: a slice of each layer per device", fontsize=9)
    for ax in axes:
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
    figure.tight_layout()
    return figure
