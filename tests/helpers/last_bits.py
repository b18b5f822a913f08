"""Move computed floats by their last bits, to prove that what the course prints does not depend on them.

Another CPU, BLAS or thread count changes a float result by a unit or two in the last place (another
order of additions in a matmul or a sum, a vectorised ``exp``). Stored notebook outputs are compared
by nbval on every learner's machine, so nothing they show may change when the last bits do. Two
probes move values by ``NUDGE`` (relative; about one float32 unit in the last place) both ways:

- :func:`nudge` moves torch's expected results in a check (exact zeros move to ``ZERO_NUDGE``);
  ``tests/course/test_portable_outputs.py`` re-renders every check table with them.
- :func:`install_printing_probe` (run in a notebook kernel at start-up) makes every printed torch
  or course_lib float tensor print itself moved both ways too, and appends a warning to the text
  when the digits change, so nbval's comparison with the stored output fails on that cell.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

NUDGE = 1e-7
ZERO_NUDGE = 1e-9
UNSTABLE = "  <-- these printed digits change with the last bits of the values"


def nudge(value: Any, direction: int) -> Any:
    """``value`` with every float moved by ``direction * NUDGE`` relative (zeros to ``direction * ZERO_NUDGE``).

    Tensors of floats and Python floats move; integer and bool tensors, ints, shapes and strings
    are returned unchanged; tuples and lists are moved element by element.
    """
    import torch

    if isinstance(value, torch.Tensor):
        if not (value.is_floating_point() or value.is_complex()):
            return value
        moved = value.detach() * (1 + direction * NUDGE)
        return torch.where(value.detach() == 0, torch.full_like(moved, direction * ZERO_NUDGE), moved)
    if isinstance(value, float):
        return value * (1 + direction * NUDGE) if value != 0 else direction * ZERO_NUDGE
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        return type(value)(nudge(v, direction) for v in value)
    return value


def moved_for_printing(values: np.ndarray, direction: int) -> np.ndarray:
    """A float64 copy of ``values`` with every non-integral finite value moved by ``direction * NUDGE``.

    Zeros and integral values stay: torch prints a tensor of whole numbers as ``3.`` and would print a
    moved one as ``3.0000``, and such values come from exact arithmetic (small integers, copies) that
    gives the same bits everywhere.
    """
    moved = np.array(values, dtype=np.float64, copy=True)
    inexact = np.isfinite(moved) & (moved != np.round(moved))
    moved[inexact] *= 1 + direction * NUDGE
    return moved


def probed(format_values: Callable[[np.ndarray], str], values: np.ndarray) -> str:
    """``format_values(values)``, with :data:`UNSTABLE` and the moved texts appended when moving changes it."""
    text = format_values(values)
    others = [format_values(moved_for_printing(values, d)) for d in (1, -1)]
    changed = [other for other in others if other != text]
    return text if not changed else f"{text}{UNSTABLE}: {' / '.join(changed)}"


def _probe_torch() -> None:
    import torch
    import torch._tensor_str as tensor_str_module

    original = tensor_str_module._tensor_str

    def probed_tensor_str(self, indent):
        if not self.is_floating_point() or self.numel() == 0 or self.layout != torch.strided or self.is_meta:
            return original(self, indent)
        values = self.detach().cpu().to(torch.float64).numpy()
        return probed(lambda v: original(torch.from_numpy(np.array(v, copy=True)), indent), values)

    tensor_str_module._tensor_str = probed_tensor_str


def _probe_course_lib_modules() -> None:
    """Probe the ``formatting`` module of every course_lib loaded so far (the reference or a workspace)."""
    # sys.modules.copy() copies in one step: building a list item by item can run the garbage collector, whose
    # finalizers may import a module and change sys.modules mid-iteration (RuntimeError seen in notebook 06)
    for name, module in sys.modules.copy().items():
        if not name.endswith("course_lib.formatting") or getattr(module, "_last_bits_probe", False):
            continue
        original = module.tensor_str

        def probed_tensor_str(values, dtype, indent, _original=original):
            if not dtype.is_floating_point or values.size == 0:
                return _original(values, dtype, indent)
            return probed(lambda v: _original(v, dtype, indent), values)

        module.tensor_str = probed_tensor_str
        module._last_bits_probe = True


def install_printing_probe() -> None:
    """Probe torch's tensor printing now and course_lib's as soon as a cell has imported it.

    Meant for an IPython start-up file of the kernel that nbval runs (``IPYTHONDIR``).
    """
    _probe_torch()
    shell = sys.modules["IPython"].get_ipython()
    shell.events.register("pre_run_cell", lambda *args: _probe_course_lib_modules())
    shell.events.register("post_run_cell", lambda *args: _probe_course_lib_modules())
