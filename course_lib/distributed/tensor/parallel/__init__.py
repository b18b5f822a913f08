"""Megatron-style tensor parallelism on course_lib modules (``torch.distributed.tensor.parallel``'s names).

- ``regions.py``: the communication as autograd Functions, so gradients flow through it (Megatron's ``f``:
  identity forward, all-reduce backward; ``g``: all-reduce forward, identity backward; gather and scatter
  along the last dimension).
- ``layers.py``: ``ColumnParallelLinear`` (each rank holds some output features) and ``RowParallelLinear``
  (each rank holds some input features and the partial outputs are summed).
- ``style.py``: ``parallelize_module(module, device_mesh, plan)`` with ``ColwiseParallel``/``RowwiseParallel``,
  which swap a model's ``Linear`` layers for their split versions (cut from the full layer's weights).
"""

from .layers import ColumnParallelLinear, RowParallelLinear  # noqa: F401
from .regions import (copy_to_parallel_region, gather_from_parallel_region,  # noqa: F401
                      reduce_from_parallel_region, scatter_to_parallel_region, shard_range)
from .style import ColwiseParallel, RowwiseParallel, parallelize_module  # noqa: F401

__all__ = ["ColumnParallelLinear", "ColwiseParallel", "RowParallelLinear", "RowwiseParallel",
           "copy_to_parallel_region", "gather_from_parallel_region", "parallelize_module",
           "reduce_from_parallel_region", "scatter_to_parallel_region", "shard_range"]
