"""``parallelize_module`` with ``ColwiseParallel`` and ``RowwiseParallel``: torch's way to ask for a split model.

``parallelize_module(model, device_mesh, {"0": ColwiseParallel(), "2": RowwiseParallel()})`` replaces the
submodules named in the plan (``nn.Linear`` layers) by their split versions, cut from their weights, in place,
and returns the model. As in torch, ``ColwiseParallel`` leaves its output split along the last dimension and
``RowwiseParallel`` expects that split input and returns the whole, summed output: Megatron's pair.

torch builds these on ``DTensor`` and a ``DeviceMesh``; course_lib has neither. ``device_mesh`` may be None
(every rank), a process group, or anything with a ``get_group()`` method (torch's one-dimensional mesh).
"""

from __future__ import annotations

from typing import Any, Dict, Union

from ....nn.modules.module import Module
from .layers import ColumnParallelLinear, RowParallelLinear


class ColwiseParallel:
    """Split an ``nn.Linear`` by output features; its output stays split (torch's ``Shard(-1)`` layout)."""

    def apply_to(self, module: Module, group: Any) -> Module:
        return ColumnParallelLinear.from_linear(module, gather_output=False, process_group=group)


class RowwiseParallel:
    """Split an ``nn.Linear`` by input features; its input arrives split, its output is whole (``Replicate``)."""

    def apply_to(self, module: Module, group: Any) -> Module:
        return RowParallelLinear.from_linear(module, input_is_parallel=True, process_group=group)


Style = Union[ColwiseParallel, RowwiseParallel]


def parallelize_module(module: Module, device_mesh: Any = None,
                       parallelize_plan: Union[Style, Dict[str, Style], None] = None) -> Module:
    """Split the submodules ``parallelize_plan`` names (dotted paths), in place; returns ``module``.

    A single style (not a dict) splits ``module`` itself, and the split layer is returned.

    Raises:
        AttributeError: a name in the plan is not a submodule of ``module``.
        TypeError: a style is given something other than an ``nn.Linear``, or the plan is neither a style
            nor a dict of styles.
    """
    group = device_mesh.get_group() if hasattr(device_mesh, "get_group") else device_mesh
    if isinstance(parallelize_plan, (ColwiseParallel, RowwiseParallel)):
        return parallelize_plan.apply_to(module, group)
    if not isinstance(parallelize_plan, dict):
        raise TypeError("parallelize_module() expected a ColwiseParallel or RowwiseParallel style, or a dict of "
                        f"them keyed by submodule name, but got {type(parallelize_plan).__name__}")
    for name, style in parallelize_plan.items():
        parent_name, _, child_name = name.rpartition(".")
        parent = module.get_submodule(parent_name) if parent_name else module
        setattr(parent, child_name, style.apply_to(module.get_submodule(name), group))
    return module
