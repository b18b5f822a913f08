"""``repr(tensor)``: the same text torch prints, e.g. ``tensor([[1., 2.]])``.

Follows ``torch/_tensor_str.py`` with its default print options: 4 digits after the
point, scientific notation when the magnitudes span more than 1000x (or exceed 1e8, or go
below 1e-4), integer-valued floats printed as ``1.``, lines of at most 80 characters,
and ``...`` summaries for tensors of more than 1000 elements. Suffixes such as
``dtype=course_lib.float64``, ``requires_grad=True`` or ``grad_fn=<MulBackward0>`` are
added where torch adds them.
"""

from __future__ import annotations

import math
from typing import List

import numpy as np

from . import dtypes as _dt
from .device import cuda_simulated

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """Chooses one number format (and width) for all elements, as torch does."""

    def __init__(self, values: np.ndarray, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:  # only zeros, infs and nans: int mode, no padding (as torch)
            return
        magnitudes = np.abs(finite)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        for value in finite.tolist():
            if self.sci_mode:
                text = f"{value:.{PRECISION}e}"
            elif self.int_mode:
                text = f"{value:.0f}."
            else:
                text = f"{value:.{PRECISION}f}"
            self.max_width = max(self.max_width, len(text))

    @staticmethod
    def _int_text(value: float) -> str:
        text = f"{value:.0f}"
        return text if math.isinf(value) or math.isnan(value) else text + "."

    def format(self, value) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{PRECISION}e}"
            elif self.int_mode:
                text = self._int_text(value)
            else:
                text = f"{value:.{PRECISION}f}"
        else:
            text = str(value)
        return " " * (self.max_width - len(text)) + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """Only the edge items of each dimension (what a summarized print shows)."""
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * EDGEITEMS:
        values = np.concatenate([values[:EDGEITEMS], values[-EDGEITEMS:]])
    if values.ndim == 1:
        return values
    return np.stack([_summarized(row) for row in values])


def _vector(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    element_length = formatter.max_width + 2
    per_line = max(1, math.floor((LINEWIDTH - indent) / element_length))
    items = values.tolist()
    if summarize and len(items) > 2 * EDGEITEMS:
        data = [formatter.format(v) for v in items[:EDGEITEMS]] + [" ..."] + \
               [formatter.format(v) for v in items[-EDGEITEMS:]]
    else:
        data = [formatter.format(v) for v in items]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector(values, indent, summarize, formatter)
    count = values.shape[0]
    if summarize and count > 2 * EDGEITEMS:
        rows: List[str] = [_nested(values[i], indent + 1, summarize, formatter) for i in range(EDGEITEMS)]
        rows += ["..."] + [_nested(values[i], indent + 1, summarize, formatter) for i in range(count - EDGEITEMS, count)]
    else:
        rows = [_nested(values[i], indent + 1, summarize, formatter) for i in range(count)]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def tensor_str(values: np.ndarray, dtype: _dt.dtype, indent: int) -> str:
    """The bracketed body of a tensor's repr (without ``tensor(`` and suffixes)."""
    if values.size == 0:
        return "[]"
    summarize = values.size > THRESHOLD
    floating = dtype.is_floating_point
    shown = _summarized(values) if summarize else values
    if dtype is _dt.float16:
        values, shown = values.astype(np.float32), shown.astype(np.float32)
    formatter = _Formatter(shown, floating)
    return _nested(values, indent, summarize, formatter)


def _add_suffixes(text: str, suffixes: List[str], indent: int) -> str:
    parts = [text]
    last_line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_length + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_length += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    """``repr`` of a course_lib tensor, formatted like torch's."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes: List[str] = []
    if t.device.type != "cpu":
        simulated = " (simulated)" if t.device.type == "cuda" and cuda_simulated() else ""
        suffixes.append(f"device='{t.device}{simulated}'")  # torch: device='cuda:0'
    values = np.asarray(t.detach().cpu().numpy(force=True))
    default = _dt.get_default_dtype()
    if values.size == 0:
        if t.ndim != 1:
            suffixes.append(f"size={tuple(t.shape)}")
        if t.dtype is not default:
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if t.dtype not in (default, _dt.int64, _dt.bool):
            suffixes.append(f"dtype={t.dtype!r}")
        body = tensor_str(values, t.dtype, indent)
    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        name = getattr(grad_fn, "name", None)
        name = name() if callable(name) else type(grad_fn).__name__
        suffixes.append(f"grad_fn=<{name}>")
    elif getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
