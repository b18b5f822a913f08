"""The communication of a tensor-parallel pair of layers, as autograd Functions (Megatron-LM's f and g).

Inside a tensor-parallel region each rank holds a *part* of an activation; outside, every rank holds the
*whole* of it. Crossing the border needs communication forward, and the matching communication backward, so
each crossing is a Function with both:

================================  ===================================  ==================================
Function                          forward                              backward
================================  ===================================  ==================================
``copy_to_parallel_region`` (f)   identity (every rank uses the input)  all-reduce (sum the ranks' parts)
``reduce_from_parallel_region``   all-reduce (sum the partial outputs)  identity
(g)
``gather_from_parallel_region``   all-gather along the last dimension   keep this rank's slice
``scatter_to_parallel_region``    keep this rank's slice                all-gather along the last dimension
================================  ===================================  ==================================

Each is the adjoint of its partner: f and g swap their forward and backward, and so do gather and scatter.
"""

from __future__ import annotations

from typing import Any, Tuple

from ...._tensor import Tensor
from ....autograd.function import Function
from ....ops.join import cat
from ....ops.creation import empty_like
from ...collectives import all_gather, all_reduce
from ...process_group import get_rank, get_world_size


def _all_reduce_copy(tensor: Tensor, group: Any) -> Tensor:
    """The sum of ``tensor`` over every rank, as a new tensor (``tensor`` itself is left alone)."""
    total = tensor.contiguous().clone()
    all_reduce(total, group=group)
    return total


def shard_range(size: int, world_size: int, rank: int) -> slice:
    """Rank ``rank``'s equal share of ``size`` features (a weight's rows or columns, an activation's last
    dimension).

    Raises:
        ValueError: ``size`` is not divisible by ``world_size``.
    """
    if size % world_size:
        raise ValueError(f"tensor parallelism splits {size} features into {world_size} equal shares: {size} is not "
                         f"divisible by {world_size}")
    share = size // world_size
    return slice(rank * share, (rank + 1) * share)


def _last_dim_slice(tensor: Tensor, group: Any) -> Tensor:
    """This rank's equal share of ``tensor``'s last dimension (a copy)."""
    return tensor[..., shard_range(tensor.shape[-1], get_world_size(group), get_rank(group))].contiguous()


def _last_dim_gather(tensor: Tensor, group: Any) -> Tensor:
    """Every rank's ``tensor`` side by side along the last dimension, in rank order."""
    parts = [empty_like(tensor) for _ in range(get_world_size(group))]
    all_gather(parts, tensor.contiguous(), group=group)
    return cat(parts, dim=-1)


class CopyToParallelRegion(Function):
    """f: forward passes the input on; backward sums the gradient every rank computed for it."""

    @staticmethod
    def forward(ctx, input: Tensor, group: Any = None) -> Tensor:
        ctx.group = group
        return input

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Tensor, None]:
        return _all_reduce_copy(grad, ctx.group), None


class ReduceFromParallelRegion(Function):
    """g: forward sums the ranks' partial results; backward passes the gradient on (every rank needs all of it)."""

    @staticmethod
    def forward(ctx, input: Tensor, group: Any = None) -> Tensor:
        return _all_reduce_copy(input, group)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Tensor, None]:
        return grad, None


class GatherFromParallelRegion(Function):
    """Forward: the ranks' slices side by side (last dimension); backward: this rank's slice of the gradient."""

    @staticmethod
    def forward(ctx, input: Tensor, group: Any = None) -> Tensor:
        ctx.group = group
        return _last_dim_gather(input, group)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Tensor, None]:
        return _last_dim_slice(grad, ctx.group), None


class ScatterToParallelRegion(Function):
    """Forward: this rank's slice of the last dimension; backward: the ranks' gradient slices side by side."""

    @staticmethod
    def forward(ctx, input: Tensor, group: Any = None) -> Tensor:
        ctx.group = group
        return _last_dim_slice(input, group)

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tuple[Tensor, None]:
        return _last_dim_gather(grad, ctx.group), None


def copy_to_parallel_region(input: Tensor, group: Any = None) -> Tensor:
    """Megatron's f (see the module docstring): same values; the gradient is summed over the ranks."""
    return CopyToParallelRegion.apply(input, group)


def reduce_from_parallel_region(input: Tensor, group: Any = None) -> Tensor:
    """Megatron's g: the sum over the ranks; the gradient passes through unchanged."""
    return ReduceFromParallelRegion.apply(input, group)


def gather_from_parallel_region(input: Tensor, group: Any = None) -> Tensor:
    """``(..., n)`` on each rank -> ``(..., n * world_size)``, rank 0's slice first (a new tensor)."""
    return GatherFromParallelRegion.apply(input, group)


def scatter_to_parallel_region(input: Tensor, group: Any = None) -> Tensor:
    """``(..., n * world_size)`` -> this rank's ``(..., n)`` slice (a copy)."""
    return ScatterToParallelRegion.apply(input, group)
