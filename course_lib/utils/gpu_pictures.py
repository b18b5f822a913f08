"""Chapter 05's pictures (GPUs and Triton kernels): the memory hierarchy, programs and blocks, the grouped tile
order, the roofline. ``pictures`` re-exports them. Each takes numbers and returns a matplotlib Figure built
without pyplot (see ``pictures``).
"""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

import numpy as np

from .training_pictures import _figure


def _box(ax, x: float, y: float, width: float, height: float, text: str, color: str, size: float = 8) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), width, height, facecolor=color, edgecolor="black", linewidth=0.8))
    ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=size)


MEMORY_LEVELS = [  # (name, size, bandwidth): an NVIDIA H100 SXM's datasheet figures, rounded
    ("registers", "256 KB per SM", "private to a thread"),
    ("shared memory / L1", "up to 228 KB per SM", "~30 TB/s in all"),
    ("L2 cache", "50 MB", "~10 TB/s"),
    ("HBM3 (device memory)", "80 GB", "3.35 TB/s"),
    ("host memory, over PCIe 5", "the CPU's RAM", "~50 GB/s (pinned)"),
]
"""What the hierarchy picture shows, fastest first (orders of magnitude, not measurements)."""


def gpu_hierarchy(streaming_multiprocessors: int = 4):
    """A GPU as Triton sees it: programs scheduled onto streaming multiprocessors (SMs), each with its
    registers and shared memory, above the L2 cache, device memory and, far away, the host."""
    figure, ((ax,),) = _figure(1, 1, (10, 4.6))
    colors = ["#fde0c5", "#fbd0a0", "#c6dbef", "#9ecae1", "#d9d9d9"]
    width = 9.6 / streaming_multiprocessors
    for sm in range(streaming_multiprocessors):
        x = 0.2 + sm * width
        _box(ax, x, 3.2, width - 0.2, 1.2, f"SM {sm}\nruns programs\n(warps of 32 threads)", "#e5f5e0")
        _box(ax, x, 2.6, width - 0.2, 0.5, "registers", colors[0], 7)
        _box(ax, x, 2.0, width - 0.2, 0.5, "shared memory / L1", colors[1], 7)
    for row, (name, size, speed) in enumerate(MEMORY_LEVELS[2:]):
        _box(ax, 0.2, 1.3 - row * 0.65, 9.6 - 0.2, 0.55, f"{name}: {size}, {speed}", colors[2 + row])
    ax.text(5, 4.65, "a kernel launch = a grid of programs; each SM runs several at once, each program on its "
                     "own block of data", ha="center", fontsize=8)
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.2, 4.9)
    ax.axis("off")
    ax.set_title("The memory hierarchy (fastest and smallest at the top; figures of an H100 SXM, rounded)",
                 fontsize=9)
    figure.tight_layout()
    return figure


def program_lanes(n: int, block: int) -> List[Tuple[int, int, bool]]:
    """``(program, element, in bounds)`` for every lane of a launch over ``n`` elements in blocks of ``block``."""
    programs = -(-n // block)
    return [(p, p * block + lane, p * block + lane < n) for p in range(programs) for lane in range(block)]


def program_blocks(n: int, block: int):
    """Which program computes which element: ``ceil(n / block)`` programs of ``block`` lanes; the lanes of the
    last program past ``n`` are masked off (hatched): they must neither load nor store."""
    import matplotlib

    lanes = program_lanes(n, block)
    figure, ((ax,),) = _figure(1, 1, (min(0.42 * len(lanes) + 1, 12), 1.9))
    palette = matplotlib.colormaps["Pastel1"]
    for program, element, inside in lanes:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((element, 0), 1, 1, facecolor=palette(program % 9) if inside else "white",
                               edgecolor="black", linewidth=0.6, hatch=None if inside else "///"))
        ax.text(element + 0.5, 0.5, str(element), ha="center", va="center", fontsize=7,
                color="black" if inside else "gray")
    for program in range(-(-n // block)):
        ax.text(program * block + block / 2, 1.25, f"program {program}", ha="center", fontsize=8)
    ax.set_xlim(0, len(lanes))
    ax.set_ylim(-0.1, 1.6)
    ax.axis("off")
    ax.set_title(f"n = {n}, BLOCK = {block}: {-(-n // block)} programs; hatched lanes are masked (i >= n)",
                 fontsize=9)
    figure.tight_layout()
    return figure


def tile_numbers(tiles_n: int, tiles_m: int, group: int) -> np.ndarray:
    """``(tiles_n, tiles_m)``: the program that computes each output tile in the grouped order (groups of
    ``group`` tile rows, down each column of a group first); ``group=1`` is plain row-major order."""
    order = np.zeros((tiles_n, tiles_m), dtype=int)
    for tile in range(tiles_n * tiles_m):
        first_row = tile // (group * tiles_m) * group
        rows = min(tiles_n - first_row, group)
        order[first_row + tile % (group * tiles_m) % rows, tile % (group * tiles_m) // rows] = tile
    return order


def tile_order(tiles_n: int, tiles_m: int, group: int):
    """The output tiles of a matrix product numbered by the program that computes them, row-major and grouped;
    the first ``tiles_m`` programs are shaded: the tiles of a and b they read differ between the two orders."""
    figure, axes = _figure(1, 2, (9, 3.4))
    for ax, (title, g) in zip(axes[0], (("row-major order", 1), (f"grouped order, GROUP = {group}", group))):
        order = tile_numbers(tiles_n, tiles_m, g)
        ax.imshow(order < tiles_m, cmap="Blues", vmin=0, vmax=1.6)
        for (i, j), number in np.ndenumerate(order):
            ax.text(j, i, str(number), ha="center", va="center", fontsize=8)
        shaded = order < tiles_m
        reads = f"reads {int(shaded.any(1).sum())} row tiles of a, {int(shaded.any(0).sum())} column tiles of b"
        ax.set_title(f"{title}\nprograms 0-{tiles_m - 1} {reads}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return figure


def roofline(peak_tflops: float, bandwidth_tbs: float, kernels: Dict[str, float], title: str):
    """Attainable speed against arithmetic intensity (FLOP per byte moved): ``min(peak, bandwidth x
    intensity)``, with each kernel of ``kernels`` (name -> intensity) placed on the roof."""
    figure, ((ax,),) = _figure(1, 1, (7, 4))
    intensity = np.logspace(-2, 4, 200)
    roof = np.minimum(peak_tflops, bandwidth_tbs * intensity)
    ax.loglog(intensity, roof, color="black")
    ridge = peak_tflops / bandwidth_tbs
    ax.axvline(ridge, color="gray", linestyle=":")
    ax.text(ridge * 1.1, peak_tflops / 30, f"ridge: {ridge:.0f} FLOP/byte", fontsize=8, color="gray")
    for name, value in kernels.items():
        speed = min(peak_tflops, bandwidth_tbs * value)
        ax.plot([value], [speed], "o")
        ax.annotate(name, (value, speed), textcoords="offset points", xytext=(5, -12), fontsize=8)
    ax.set_xlabel("arithmetic intensity (FLOP per byte of device memory moved)")
    ax.set_ylabel("attainable TFLOP/s")
    ax.set_title(title, fontsize=9)
    figure.tight_layout()
    return figure


def warp_segments(strides: Sequence[int], shape: Sequence[int], element_size: int = 4, warp: int = 32,
                  segment: int = 128) -> int:
    """How many ``segment``-byte pieces of memory the first ``warp`` elements (row-major) of a tensor of
    ``shape`` and ``strides`` touch: 1 for a contiguous float32 tensor, up to ``warp`` for a transposed one."""
    index = np.unravel_index(np.arange(warp), tuple(shape))
    positions = sum(i * s for i, s in zip(index, strides))
    return len(set((np.asarray(positions) * element_size // segment).tolist()))
