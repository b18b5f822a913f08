"""Megatron-LM's pair of split Linear layers: ``ColumnParallelLinear`` then ``RowParallelLinear``.

``y = x W^T + b`` with ``W`` of shape ``(out, in)``. Split ``W`` by rows (output features) and each rank
computes some of ``y``'s columns from the whole ``x``: the **column-parallel** layer. Split ``W`` by columns
(input features) and each rank computes a partial ``y`` from its slice of ``x``; the partial results add up
to ``y``: the **row-parallel** layer. Put one after the other (with an elementwise activation between) and
the first layer's split output is exactly the second one's split input: the pair needs only one all-reduce
forward (``g``, after the second layer) and one backward (``f``, before the first).

A layer built with ``manual_seed(s)`` holds this rank's slice of the ``nn.Linear`` built with
``manual_seed(s)``: its constructor builds the whole layer (every rank draws the same numbers) and keeps a
slice, so the split model starts equal to the unsplit one. ``from_linear`` cuts an existing layer instead.
"""

from __future__ import annotations

from typing import Any, Optional

from ...._tensor import Tensor
from ....autograd.grad_mode import no_grad
from ....nn.functional.linear import linear
from ....nn.modules.linear import Linear
from ....nn.modules.module import Module
from ....nn.parameter import Parameter
from ...process_group import get_rank, get_world_size
from .regions import (copy_to_parallel_region, gather_from_parallel_region, reduce_from_parallel_region,
                      scatter_to_parallel_region, shard_range)


def _parameter(values: Tensor) -> Parameter:
    with no_grad():
        return Parameter(values.detach().contiguous().clone())


class _SplitLinear(Module):
    """What both layers share: the sizes, the process group, and construction from a whole ``nn.Linear``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, process_group: Any = None,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self._cut(Linear(in_features, out_features, bias, device=device, dtype=dtype), process_group)

    @classmethod
    def _from(cls, whole: Linear, process_group: Any) -> "_SplitLinear":
        if not isinstance(whole, Linear):
            raise TypeError(f"{cls.__name__}.from_linear() expected an nn.Linear, but got {type(whole).__name__}")
        layer = cls.__new__(cls)
        Module.__init__(layer)
        layer._cut(whole, process_group)
        return layer

    def _cut(self, whole: Linear, process_group: Any) -> None:
        self.in_features, self.out_features = whole.in_features, whole.out_features
        self.process_group = process_group
        self.world_size, self.rank = get_world_size(process_group), get_rank(process_group)
        self._keep_slice(whole)

    def _keep_slice(self, whole: Linear) -> None:
        raise NotImplementedError


class ColumnParallelLinear(_SplitLinear):
    """``nn.Linear`` with the output features split across ranks.

    This rank holds ``weight[rows]`` (shape ``(out_features / world_size, in_features)``) and ``bias[rows]``,
    where ``rows = shard_range(out_features, world_size, rank)``. The input is the whole ``(..., in_features)``
    on every rank.

    Args:
        in_features, out_features, bias, device, dtype: as ``nn.Linear`` (``out_features`` divisible by the
            number of ranks).
        gather_output: return the whole ``(..., out_features)`` output on every rank (all-gather); if False,
            this rank's ``(..., out_features / world_size)`` slice, ready for a ``RowParallelLinear``.
        process_group: the ranks sharing the layer (default: all of them).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, gather_output: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_features, out_features, bias, process_group, device, dtype)
        self.gather_output = gather_output

    @classmethod
    def from_linear(cls, whole: Linear, gather_output: bool = True, process_group: Any = None) -> "ColumnParallelLinear":
        """This rank's slice of ``whole`` (copied: training it leaves ``whole`` alone)."""
        layer = cls._from(whole, process_group)
        layer.gather_output = gather_output
        return layer

    def _keep_slice(self, whole: Linear) -> None:
        rows = shard_range(self.out_features, self.world_size, self.rank)
        self.weight = _parameter(whole.weight[rows])
        self.bias: Optional[Parameter] = _parameter(whole.bias[rows]) if whole.bias is not None else None

    def forward(self, input: Tensor) -> Tensor:
        # BEGIN EXERCISE 6.8
        output = linear(copy_to_parallel_region(input, self.process_group), self.weight, self.bias)
        if self.gather_output:
            output = gather_from_parallel_region(output, self.process_group)
        return output
        # END EXERCISE

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, "
                f"gather_output={self.gather_output}, rank={self.rank} of {self.world_size}")


class RowParallelLinear(_SplitLinear):
    """``nn.Linear`` with the input features split across ranks.

    This rank holds ``weight[:, columns]`` (shape ``(out_features, in_features / world_size)``), where
    ``columns = shard_range(in_features, world_size, rank)``, and the whole ``bias``, added once, after the
    partial outputs are summed. The output is the whole ``(..., out_features)`` on every rank.

    Args:
        in_features, out_features, bias, device, dtype: as ``nn.Linear`` (``in_features`` divisible by the
            number of ranks).
        input_is_parallel: the input is already this rank's ``(..., in_features / world_size)`` slice (what a
            ``ColumnParallelLinear`` with ``gather_output=False`` returns); if False, it is the whole input,
            and the layer takes its slice.
        process_group: the ranks sharing the layer (default: all of them).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, input_is_parallel: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_features, out_features, bias, process_group, device, dtype)
        self.input_is_parallel = input_is_parallel

    @classmethod
    def from_linear(cls, whole: Linear, input_is_parallel: bool = True, process_group: Any = None) -> "RowParallelLinear":
        """This rank's slice of ``whole`` (copied: training it leaves ``whole`` alone)."""
        layer = cls._from(whole, process_group)
        layer.input_is_parallel = input_is_parallel
        return layer

    def _keep_slice(self, whole: Linear) -> None:
        columns = shard_range(self.in_features, self.world_size, self.rank)
        self.weight = _parameter(whole.weight[:, columns])
        self.bias = _parameter(whole.bias) if whole.bias is not None else None

    def forward(self, input: Tensor) -> Tensor:
        if not self.input_is_parallel:
            input = scatter_to_parallel_region(input, self.process_group)
        output = reduce_from_parallel_region(linear(input, self.weight), self.process_group)
        return output + self.bias if self.bias is not None else output

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}, "
                f"input_is_parallel={self.input_is_parallel}, rank={self.rank} of {self.world_size}")
