"""The concept pictures of the notebooks: one function per picture, each returning a matplotlib Figure.

A notebook cell ends with the call, so Jupyter shows the returned figure once (the figures are built
without pyplot, so nothing else shows them, and nothing keeps them alive afterwards)::

    from course_lib.utils import pictures
    pictures.storage_layouts(torch.arange(12).view(3, 4))

The pictures drawn before the exercises take torch tensors and use only their methods, never the
learner's code, so they work before any exercise is done. The pictures at the end of a chapter show the
learner's own functions at work: those functions are arguments (``index_to_position``, ``broadcast_index``,
``topological_order``). Nothing here runs at import time: matplotlib is imported inside the functions, so
``import course_lib`` does not need it.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

STORAGE = "storage"
"""``gid`` of the squares of a storage strip (one per storage element)."""
TENSOR = "tensor"
"""``gid`` of the squares of a tensor's grid (one per element)."""


# ---------------------------------------------------------------- drawing helpers


def _figure(rows: int, cols: int, figsize: Tuple[float, float], **grid):
    """A new Figure (not registered with pyplot) and its array of axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    return figure, figure.subplots(rows, cols, squeeze=False, **grid)


def _colors(name: str) -> tuple:
    """The colours of a qualitative matplotlib colormap (``"tab20"``, ``"Pastel1"``)."""
    import matplotlib

    return matplotlib.colormaps[name].colors


def _square(ax, x: float, y: float, text, color="white", alpha: float = 1.0, size: float = 9, gid: str = TENSOR):
    """Draw a unit square with its lower left corner at ``(x, y)`` and ``text`` in its middle."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((x, y), 1, 1, facecolor=color, edgecolor="black", alpha=alpha, gid=gid))
    ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=size, alpha=max(alpha, 0.4))


def _finish(ax, title: str, width: float, height: float) -> None:
    """Title the axes, show ``[-0.5, width + 0.5]`` by ``[-height - 0.5, 2.5]`` at equal scale, hide the axes."""
    ax.set_title(title, fontsize=9, pad=14)
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(-height - 0.5, 2.5)
    ax.set_aspect("equal")
    ax.axis("off")


def _layout(t) -> str:
    """``"shape (3, 4), strides (4, 1), offset 0"`` for a 2-d tensor ``t``."""
    return f"shape {tuple(t.shape)}, strides {tuple(t.stride())}, offset {t.storage_offset()}"


def _positions(t, index_to_position: Optional[Callable] = None) -> List[List[int]]:
    """The storage position each element of the 2-d tensor ``t`` reads, row by row.

    Found with ``index_to_position`` (``(index, strides, offset) -> position``) when given, else from the
    tensor's own methods (``offset + i * stride(0) + j * stride(1)``, what torch does).
    """
    rows, cols = t.shape
    if index_to_position is None:
        return [[t.storage_offset() + i * t.stride(0) + j * t.stride(1) for j in range(cols)] for i in range(rows)]
    return [[index_to_position((i, j), tuple(t.stride()), t.storage_offset()) for j in range(cols)]
            for i in range(rows)]


# ---------------------------------------------------------------- chapter 01, before the exercises


def storage_layout_views(x) -> Dict[str, object]:
    """The four views :func:`storage_layouts` draws, by the expression that makes each from ``x``."""
    rows, cols = x.shape
    return {"x": x, "x.t()": x.t(), "x[:, 1::2]": x[:, 1::2], f"x[1].expand({rows}, {cols})": x[1].expand(rows, cols)}


def storage_layouts(x):
    """Four layouts over one storage: ``x``, ``x.t()``, ``x[:, 1::2]`` and ``x[1].expand(...)``.

    Each panel draws the storage as a strip of unit squares, square ``p`` at ``x = p`` labelled with its
    position ``p`` (coloured when the view reads it, white when not), and the view as a grid whose cells
    show the storage position they read, in that position's colour.

    Args:
        x: a contiguous 2-d tensor with at least 2 rows and 2 columns (torch or course_lib); its elements
            are the whole storage (``torch.arange(12).view(3, 4)`` in chapter 01).

    Returns:
        The figure: 2 x 2 panels, one per view.
    """
    colors = _colors("tab20")
    size, tallest = x.numel(), max(x.shape)
    figure, axes = _figure(2, 2, (12, 6.5))
    for ax, (title, t) in zip(axes.flat, storage_layout_views(x).items()):
        positions = _positions(t)
        read = {p for row in positions for p in row}
        for p in range(size):
            _square(ax, p, 2, p, colors[p % len(colors)] if p in read else "white", size=8, gid=STORAGE)
        for i, row in enumerate(positions):
            for j, p in enumerate(row):
                _square(ax, j, -i, p, colors[p % len(colors)])
        ax.text(-0.3, 2.5, "storage", ha="right", va="center", fontsize=9)
        ax.text(-0.3, 0.5, "tensor", ha="right", va="center", fontsize=9)
        ax.set_title(f"{title}\n{_layout(t)}", fontsize=10)
        ax.set_xlim(-2.6, size + 0.2)
        ax.set_ylim(-tallest + 0.8, 3.2)
        ax.set_aspect("equal")
        ax.axis("off")
    figure.tight_layout()
    return figure


def broadcasting(a, b):
    """``a``, ``b`` and ``a + b``, each drawn at the shape of the result.

    The cells an input really stores are dark; the cells broadcasting reads again along a size-1
    dimension are faded.

    Args:
        a, b: 2-d tensors whose shapes broadcast (``(3, 1)`` and ``(1, 4)`` in chapter 01).

    Returns:
        The figure: three panels, ``a``, ``b`` and ``a + b``.
    """
    colors = _colors("tab20")
    out = a + b
    rows, cols = out.shape
    figure, axes = _figure(1, 3, (12, 3))
    panels = [(f"a: shape {tuple(a.shape)}", a), (f"b: shape {tuple(b.shape)}", b),
              (f"a + b: shape {tuple(out.shape)}", out)]
    for ax, (title, t) in zip(axes.flat, panels):
        for i in range(rows):
            for j in range(cols):
                stored = i < t.shape[0] and j < t.shape[1]
                value = t[min(i, t.shape[0] - 1), min(j, t.shape[1] - 1)].item()
                if t is out:
                    _square(ax, j, -i, value, colors[(2 * j + i % 2) % len(colors)])
                else:
                    _square(ax, j, -i, value, colors[0] if stored else colors[1], alpha=1.0 if stored else 0.25)
        _finish(ax, title, cols, rows)
    return figure


def contiguous_chunks(t) -> List[List[int]]:
    """Group the dimensions of ``t`` into chunks that are contiguous with each other.

    Dimension ``d - 1`` joins dimension ``d``'s chunk when ``stride[d - 1] == size[d] * stride[d]``: then
    the two step through memory like one dimension. ``view`` can split and merge dimensions only
    within a chunk.

    Returns:
        The chunks, in order, each a list of dimensions (``[[0, 1], [2]]``).
    """
    chunks, start = [], 0
    for d in range(1, t.dim() + 1):
        if d == t.dim() or t.stride(d - 1) != t.shape[d] * t.stride(d):
            chunks.append(list(range(start, d)))
            start = d
    return chunks


def _view_verdict(t, shape: Tuple[int, ...]) -> str:
    """Whether ``t.view(*shape)`` works, in words."""
    try:
        t.view(*shape)
    except RuntimeError:
        return "no view (a dimension straddles two chunks)"
    return "a view"


def view_chunks(t, shapes: Sequence[Tuple[int, ...]]):
    """The chunks of ``t``'s dimensions (:func:`contiguous_chunks`), and whether ``t`` views as each shape.

    Args:
        t: a tensor (``torch.arange(24).view(2, 3, 4)[:, :, :2]`` in chapter 01).
        shapes: the shapes to try with ``t.view``.

    Returns:
        The figure: one box per dimension, coloured by chunk, and the verdict for each shape.
    """
    from matplotlib.patches import Rectangle

    colors = _colors("tab20")
    chunks = contiguous_chunks(t)
    figure, axes = _figure(1, 1, (11, 2.6))
    ax = axes[0, 0]
    for c, dims in enumerate(chunks):
        for d in dims:
            ax.add_patch(Rectangle((3 * d, -0.4), 2.6, 1.6, facecolor=colors[2 * c % len(colors)], edgecolor="black"))
            ax.text(3 * d + 1.3, 0.4, f"dim {d}\nsize {t.shape[d]}\nstride {t.stride(d)}", ha="center",
                    va="center", fontsize=9)
        ax.text(3 * dims[0] + 1.5 * (len(dims) - 1) + 1.3, 1.6, f"chunk {c}: dims {dims}", ha="center", fontsize=9)
    for row, shape in enumerate(shapes):
        ax.text(3 * t.dim() + 0.5, 1.0 - 0.7 * row, f"view{tuple(shape)}: {_view_verdict(t, shape)}", fontsize=9)
    _finish(ax, f"chunks of shape {tuple(t.shape)}, strides {tuple(t.stride())}: {chunks}", 16, 2)
    return figure


def reduction(x):
    """``x.sum(dim=1, keepdim=True)``: each row of ``x`` folds into the output element of that row.

    Args:
        x: a 2-d tensor of whole numbers (``torch.arange(12.0).view(3, 4)`` in chapter 01).

    Returns:
        The figure: ``x``, arrows, and the sums.
    """
    from matplotlib.patches import FancyArrowPatch

    colors = _colors("tab20")
    total = x.sum(dim=1, keepdim=True)
    rows, cols = x.shape
    figure, axes = _figure(1, 1, (8, 3))
    ax = axes[0, 0]
    for i in range(rows):
        color = colors[2 * i % len(colors)]
        for j in range(cols):
            _square(ax, j, -i, int(x[i, j].item()), color)
        _square(ax, cols + 2, -i, int(total[i, 0].item()), color)
        ax.add_patch(FancyArrowPatch((cols + 0.1, -i + 0.5), (cols + 1.9, -i + 0.5), arrowstyle="->",
                                     mutation_scale=12))
    ax.text(cols / 2, 1.4, f"x: shape {tuple(x.shape)}", ha="center")
    ax.text(cols + 2.5, 1.4, "x.sum(1, keepdim=True)", ha="center")
    _finish(ax, "out[i, 0] = fn(out[i, 0], x[i, j]) for every j", cols + 3, rows)
    return figure


def matmul(a, b, i: int, j: int):
    """``a @ b``, with row ``i`` of ``a``, column ``j`` of ``b`` and ``out[i, j]`` highlighted.

    Args:
        a, b: 2-d tensors of whole numbers with ``a.shape[1] == b.shape[0]``.
        i, j: the output element to explain; the title spells out its sum of products.

    Returns:
        The figure: ``a``, ``b`` and ``a @ b`` side by side.
    """
    colors = _colors("tab20")
    out = a @ b
    (m, k), n = a.shape, b.shape[1]
    b_left = k + 1.5
    out_left = b_left + n + 1.5
    figure, axes = _figure(1, 1, (10, 3))
    ax = axes[0, 0]
    for r in range(m):
        for c in range(k):
            _square(ax, c, -r, int(a[r, c].item()), colors[2] if r == i else "white")
    for r in range(k):
        for c in range(n):
            _square(ax, b_left + c, -r + 1, int(b[r, c].item()), colors[4] if c == j else "white")
    for r in range(m):
        for c in range(n):
            _square(ax, out_left + c, -r, int(out[r, c].item()), colors[6] if (r, c) == (i, j) else "white")
    ax.text(k / 2, 2.4, f"a {tuple(a.shape)}", ha="center")
    ax.text(b_left + n / 2, 2.4, f"b {tuple(b.shape)}", ha="center")
    ax.text(out_left + n / 2, 2.4, f"a @ b {tuple(out.shape)}", ha="center")
    terms = " + ".join(f"{int(a[i, c].item())}·{int(b[c, j].item())}" for c in range(k))
    _finish(ax, f"out[{i}, {j}] = {terms} = {int(out[i, j].item())}", out_left + n, m)
    return figure


# ---------------------------------------------------------------- chapter 01, with the learner's functions


def storage_values(t) -> list:
    """Every element of ``t``'s storage, in storage order (a course_lib tensor: its storage counts elements)."""
    storage = t.untyped_storage()
    return [storage[p] for p in range(len(storage))]


def read_through_layout(t, index_to_position: Callable) -> List[list]:
    """Every element of the 2-d course_lib tensor ``t``, read from its storage with ``index_to_position``
    (``(index, strides, offset) -> position``): equals ``t.tolist()`` when ``index_to_position`` is right."""
    values = storage_values(t)
    return [[values[p] for p in row] for row in _positions(t, index_to_position)]


def _draw_layout(ax, t, title: str, index_to_position: Callable) -> None:
    """One panel of :func:`memory_layouts`: storage strip, grid, and the strides as arrows."""
    from matplotlib.patches import Rectangle

    palette = _colors("Pastel1")
    values = storage_values(t)
    rows, cols = t.shape
    positions = _positions(t, index_to_position)
    read = {p for row in positions for p in row}
    for p, value in enumerate(values):                                 # the storage strip (white: not read)
        ax.add_patch(Rectangle((p, 2), 1, 1, facecolor=palette[p % 9] if p in read else "white", edgecolor="black",
                               gid=STORAGE))
        ax.text(p + 0.5, 2.5, value, ha="center", va="center")
        ax.text(p + 0.5, 3.2, p, ha="center", va="center", fontsize=8, color="gray")
    ax.text(-0.2, 2.5, "storage", ha="right", va="center")
    for i, row in enumerate(positions):                                # the tensor's grid
        for j, p in enumerate(row):
            ax.add_patch(Rectangle((j, -i), 1, 1, facecolor=palette[p % 9], edgecolor="black", gid=TENSOR))
            ax.text(j + 0.5, 0.5 - i, f"{values[p]}\n@{p}", ha="center", va="center", fontsize=9)
    ax.text(-0.2, 0.5, "tensor", ha="right", va="center")
    arrow = dict(arrowstyle="->", color="tab:red")
    ax.annotate("", (cols - 0.1, 1.25), (0.1, 1.25), arrowprops=arrow)
    ax.text(cols / 2, 1.45, f"dim 1: +{t.stride(1)}", ha="center", color="tab:red", fontsize=9)
    ax.annotate("", (cols + 0.25, 1 - rows + 0.1), (cols + 0.25, 0.9), arrowprops=arrow)
    ax.text(cols + 0.4, 1 - rows / 2, f"dim 0: +{t.stride(0)}", va="center", color="tab:red", fontsize=9)
    ax.set_title(f"{title}\n{_layout(t)}", fontsize=10)
    ax.set_xlim(-1.8, max(len(values), cols) + 2.2)
    ax.set_ylim(-rows + 0.8, 3.6)
    ax.set_aspect("equal")
    ax.axis("off")


def memory_layouts(views: Sequence[Tuple[object, str]], index_to_position: Callable):
    """Storage and grid of each 2-d course_lib tensor, every element found with ``index_to_position``.

    Args:
        views: up to four ``(tensor, title)`` pairs.
        index_to_position: ``(index, strides, offset) -> storage position`` (the learner's, exercise 1.8).

    Returns:
        The figure: 2 x 2 panels.
    """
    figure, axes = _figure(2, 2, (11, 6))
    for ax, (t, title) in zip(axes.flat, views):
        _draw_layout(ax, t, title, index_to_position)
    figure.tight_layout()
    return figure


def stretched(t, shape: Tuple[int, int], broadcast_index: Callable) -> Dict[Tuple[int, int], tuple]:
    """``(value, is_stored)`` for every cell of the 2-d ``shape`` that ``t`` is broadcast to.

    Args:
        t: a 2-d tensor whose shape broadcasts to ``shape``.
        broadcast_index: ``(index, shape, input_shape) -> input index`` (the learner's).

    Returns:
        ``{(i, j): (value, is_stored)}``; ``is_stored`` is False for cells read again along a size-1 dimension.
    """
    rows = t.tolist()
    cells = {}
    for i in range(shape[0]):
        for j in range(shape[1]):
            small = tuple(broadcast_index((i, j), tuple(shape), tuple(t.shape)))
            cells[i, j] = rows[small[0]][small[1]], small == (i, j)
    return cells


def _draw_grid(ax, cells: Dict[Tuple[int, int], tuple], shape: Tuple[int, int], title: str, color: str) -> None:
    """One panel of :func:`broadcast_stretch`: stored cells solid, cells read again dashed and faded."""
    from matplotlib.patches import Rectangle

    for (i, j), (value, real) in cells.items():
        ax.add_patch(Rectangle((j, -i), 1, 1, facecolor=color, alpha=1.0 if real else 0.25, edgecolor="black",
                               linestyle="-" if real else "--", gid=TENSOR))
        ax.text(j + 0.5, 0.5 - i, value, ha="center", va="center", fontsize=14, alpha=1.0 if real else 0.5)
    ax.set_title(title, fontsize=11)
    ax.set_xlim(-0.2, shape[1] + 0.2)
    ax.set_ylim(-shape[0] + 0.8, 1.2)
    ax.set_aspect("equal")
    ax.axis("off")


def broadcast_stretch(a, b, broadcast_index: Callable, broadcast_shape: Callable):
    """``a + b`` as each input stretched to the result's shape, found with the learner's functions.

    Args:
        a, b: 2-d tensors whose shapes broadcast.
        broadcast_index: ``(index, shape, input_shape) -> input index``.
        broadcast_shape: ``(shape, shape) -> broadcast shape``.

    Returns:
        The figure: ``a`` stretched + ``b`` stretched = the sum of the stretched values.
    """
    shape = tuple(broadcast_shape(tuple(a.shape), tuple(b.shape)))
    cells_a, cells_b = stretched(a, shape, broadcast_index), stretched(b, shape, broadcast_index)
    total = {key: (cells_a[key][0] + cells_b[key][0], True) for key in cells_a}
    figure, axes = _figure(1, 5, (11, 3), gridspec_kw={"width_ratios": [3, 1, 3, 1, 3]})
    axes = axes[0]
    _draw_grid(axes[0], cells_a, shape, f"a: {tuple(a.shape)} stretched", "tab:blue")
    _draw_grid(axes[2], cells_b, shape, f"b: {tuple(b.shape)} stretched", "tab:orange")
    _draw_grid(axes[4], total, shape, f"a + b: {shape}", "tab:green")
    for ax, sign in ((axes[1], "+"), (axes[3], "=")):
        ax.text(0.5, 0.5, sign, fontsize=28, ha="center", va="center")
        ax.axis("off")
    return figure


# ---------------------------------------------------------------- chapter 02


def graph_levels(root) -> Tuple[Dict[object, int], Dict[object, set]]:
    """The level of every node reachable from ``root`` (the longest path from it) and each node's users.

    Args:
        root: a ``grad_fn`` node (torch's or course_lib's: anything with ``next_functions``).

    Returns:
        ``(level, users)``: ``level[node]`` is 0 for the root; ``users[node]`` is the set of nodes whose
        ``next_functions`` point at ``node``.
    """
    level, users, stack = {}, {}, [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > level.get(node, -1):
            level[node] = depth
            for child, _ in node.next_functions:
                if child is not None:
                    users.setdefault(child, set()).add(node)
                    stack.append((child, depth + 1))
    return level, users


def backward_graph(out):
    """The backward graph of ``out`` drawn from its ``grad_fn`` nodes, each one level below its users.

    Args:
        out: a tensor with a ``grad_fn`` (torch's, in chapter 02 before the exercises).

    Returns:
        The figure: boxes named by node class (blue: ``AccumulateGrad``), arrows along ``next_functions``;
        an arrow that skips a level bends.
    """
    level, users = graph_levels(out.grad_fn)
    rows: Dict[int, list] = {}
    for node, depth in level.items():
        rows.setdefault(depth, []).append(node)
    position = {node: (i - (len(nodes) - 1) / 2, -depth)
                for depth, nodes in rows.items() for i, node in enumerate(nodes)}
    figure, axes = _figure(1, 1, (8, 4.5))
    ax = axes[0, 0]
    for child, senders in users.items():
        for user in senders:
            (x0, y0), (x1, y1) = position[user], position[child]
            bend = "arc3,rad=0.5" if y0 - y1 > 1 else "arc3"
            ax.annotate("", (x1, y1 + 0.15), (x0, y0 - 0.15),
                        arrowprops={"arrowstyle": "->", "color": "gray", "connectionstyle": bend})
    for node, (px, py) in position.items():
        name = type(node).__name__
        ax.text(px, py, name, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": "lightblue" if "Accumulate" in name else "lightyellow"})
    ax.set_xlim(-2, 2)
    ax.set_ylim(-max(rows) - 0.6, 0.6)
    ax.axis("off")
    ax.set_title("out.grad_fn and its next_functions: the order backward must walk (root at the top)", fontsize=9)
    return figure


def graph_edges(order: Sequence) -> List[tuple]:
    """``(parent, child)`` for every ``next_functions`` entry of the nodes in ``order`` that is a node."""
    return [(node, child) for node in order for child, _ in node.next_functions if child is not None]


def _draw_graph(ax, root, leaf_names: Dict[int, str], title: str, topological_order: Callable) -> None:
    """One panel of :func:`backward_graphs`: the nodes stacked in ``topological_order([root])``."""
    order = topological_order([root])
    row = {id(node): i for i, node in enumerate(order)}
    side = 1
    for parent, child in graph_edges(order):
        bend = 0.0
        if row[id(child)] - row[id(parent)] > 1:            # skips boxes: bend, alternating sides
            bend, side = 0.8 * side, -side
        ax.annotate("", xy=(0, -row[id(child)]), xytext=(0, -row[id(parent)]), zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="gray", lw=1.2, shrinkA=0, shrinkB=12,
                                    connectionstyle=f"arc3,rad={bend}"))
    for node in order:
        leaf = node.name() == "AccumulateGrad"
        label = node.name() + (f" ({leaf_names[id(node.variable)]})" if leaf else "")
        ax.text(0, -row[id(node)], label, ha="center", va="center", fontsize=10, zorder=3,
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#c7e9c0" if leaf else "#c6dbef", edgecolor="black"))
    ax.set_title(title, fontsize=11)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-len(order) + 0.5, 0.5)
    ax.axis("off")


def backward_graphs(graphs: Sequence[Tuple[object, str]], leaf_names: Dict[int, str], topological_order: Callable):
    """course_lib backward graphs, the nodes stacked top to bottom in the learner's topological order.

    Args:
        graphs: ``(root node, title)`` pairs, one panel each.
        leaf_names: ``id(leaf tensor) -> name`` for the ``AccumulateGrad`` labels.
        topological_order: ``(roots) -> nodes`` (the learner's, exercise 2.1).

    Returns:
        The figure: one panel per graph (green: a leaf's ``AccumulateGrad``); arrows that skip boxes bend.
    """
    figure, axes = _figure(1, len(graphs), (11, 6))
    for ax, (root, title) in zip(axes.flat, graphs):
        _draw_graph(ax, root, leaf_names, title, topological_order)
    return figure


def _draw_matrix(ax, values: np.ndarray, title: str, limit: float) -> None:
    """A matrix as a heat map (red positive, blue negative, ``+-limit`` saturated) with its values."""
    ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(values):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def vector_jacobian(jacobian: np.ndarray, v: np.ndarray, grad: np.ndarray, title: str):
    """The vector-Jacobian product ``v @ J = grad`` as heat maps: ``v`` beside ``J``, ``grad`` below ``J``.

    Args:
        jacobian: the ``(outputs, inputs)`` Jacobian.
        v: the ``(outputs,)`` vector given to ``backward``.
        grad: the ``(inputs,)`` gradient that ``backward`` computed.
        title: the Jacobian's panel title.

    Returns:
        The figure, all three on one colour scale.
    """
    limit = float(np.abs(np.concatenate([jacobian.ravel(), v, grad])).max())
    figure, axes = _figure(2, 2, (8, 4.5), gridspec_kw={"width_ratios": [1, 6], "height_ratios": [4, 1]})
    _draw_matrix(axes[0, 0], v[:, None], "v", limit)
    _draw_matrix(axes[0, 1], jacobian, title, limit)
    _draw_matrix(axes[1, 1], grad[None, :], "x.grad = v @ J  (one backward pass)", limit)
    axes[1, 0].axis("off")
    figure.tight_layout()
    return figure


# Chapter 03's pictures live in a module of their own; the notebooks call them as pictures.<name> like the rest.
from .network_pictures import im2col, layer_statistics, losses, optimizer_race  # noqa: E402,F401
from .training_pictures import confusion, digits, label_counts, loss_curves  # noqa: E402,F401  (chapter 04)
from .gpu_pictures import gpu_hierarchy, program_blocks, roofline, tile_order  # noqa: E402,F401  (chapter 05)
from .parallel_pictures import (parallel_strategies, pipeline_timeline, schedule_comparison,  # noqa: E402,F401
                                worker_timeline)  # (chapter 06)
