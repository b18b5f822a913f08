"""``PipelineStage``: this rank's piece of a pipelined model, and the messages to and from its neighbours.

Stage ``i`` of ``n`` runs on rank ``i``. Forward, a stage receives its input from stage ``i - 1`` (the first
stage is given the batch), runs its module and sends the output to stage ``i + 1``. Backward, it receives the
gradient of that output from stage ``i + 1`` (the last stage starts from the loss), back-propagates through
its module (accumulating its parameters' gradients) and sends the gradient of its input to stage ``i - 1``.
A stage keeps each micro-batch's input and output until that micro-batch's backward: the memory a schedule
trades against the bubble.

Activations travel with a small header (dtype and shape) first, so a stage need not know its input's shape in
advance (torch's ``PipelineStage`` works it out with a first metadata exchange instead).
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

from ..._tensor import Tensor
from ... import dtypes
from ...autograd.grad_mode import no_grad
from ...nn.modules.module import Module
from ...ops.creation import empty, tensor as make_tensor
from ..collectives import isend, recv
from ..process_group import get_rank, get_world_size

_DTYPES = (dtypes.float32, dtypes.float64, dtypes.float16, dtypes.int64)
_MAX_DIMS = 8


def send_activation(value: Tensor, dst: int, group: Any = None) -> List[Any]:
    """Start sending ``value`` (header, then values) to rank ``dst``; ``wait()`` on the returned works."""
    if value.dtype not in _DTYPES or value.dim() > _MAX_DIMS:
        raise TypeError(f"a pipeline stage can send tensors of {len(_DTYPES)} dtypes ({', '.join(d.name for d in _DTYPES)}) "
                        f"and at most {_MAX_DIMS} dimensions, but got {value.dtype.name} with {value.dim()}")
    shape = list(value.shape)
    header = make_tensor([_DTYPES.index(value.dtype), len(shape), *shape, *[0] * (_MAX_DIMS - len(shape))],
                         dtype=dtypes.int64)
    return [isend(header, dst, group), isend(value.detach().contiguous(), dst, group)]


def recv_activation(src: int, group: Any = None, device: Any = None) -> Tensor:
    """Receive one tensor that rank ``src`` sent with :func:`send_activation` (a new tensor)."""
    header = empty(2 + _MAX_DIMS, dtype=dtypes.int64)
    recv(header, src, group)
    code, ndim, *dims = header.tolist()
    value = empty(*dims[:ndim], dtype=_DTYPES[code], device=device)
    recv(value, src, group)
    return value


class PipelineStage:
    """Stage ``stage_index`` of ``num_stages``, run by the rank of the same number.

    Args:
        submodule: this stage's piece of the model (e.g. ``model[2:4]`` of an ``nn.Sequential``).
        stage_index, num_stages: where this piece sits in the pipeline.
        device: where received activations are placed (default: the CPU).
        group: the process group (default: every rank; its size must be ``num_stages``).

    Attributes:
        timeline: ``(kind, chunk, start, end)`` for each forward (``"F"``) and backward (``"B"``) this stage
            ran in the last ``step``, in seconds from its start; the times cover the computation only (not
            the waiting for a neighbour), so the gaps are the pipeline's bubble.
    """

    def __init__(self, submodule: Module, stage_index: int, num_stages: int, device: Any = None,
                 group: Any = None, **options: Any) -> None:
        world_size, rank = get_world_size(group), get_rank(group)
        if num_stages != world_size or stage_index != rank:
            raise ValueError(f"each rank runs one stage: expected stage_index == rank ({rank}) and num_stages == "
                             f"world size ({world_size}), but got stage_index={stage_index}, num_stages={num_stages}")
        self.submodule, self.stage_index, self.num_stages = submodule, stage_index, num_stages
        self.device, self.group = device, group
        self.is_first, self.is_last = stage_index == 0, stage_index == num_stages - 1
        self.timeline: List[Tuple[str, int, float, float]] = []
        self._chunks: Dict[int, Tuple[Tuple[Any, ...], Tensor]] = {}
        self._sending: List[Any] = []
        self._clock = time.perf_counter()

    def begin_step(self) -> None:
        """Start a new batch: clear the timeline and restart its clock."""
        self.timeline, self._chunks, self._clock = [], {}, time.perf_counter()

    def finish_step(self) -> None:
        """Wait until every message this stage started sending has left."""
        for work in self._sending:
            work.wait()
        self._sending = []

    def _log(self, kind: str, chunk: int, start: float) -> None:
        self.timeline.append((kind, chunk, start - self._clock, time.perf_counter() - self._clock))

    def forward_one_chunk(self, chunk: int, *args: Any) -> Tensor:
        """Run micro-batch ``chunk`` forward: ``args`` on the first stage, the previous stage's output on the
        others. Sends the output on (except from the last stage) and returns it."""
        if not self.is_first:
            args = (recv_activation(self.stage_index - 1, self.group, self.device).requires_grad_(),)
        start = time.perf_counter()
        output = self.submodule(*args)
        self._log("F", chunk, start)
        self._chunks[chunk] = (args, output)
        if not self.is_last:
            self._sending += send_activation(output, self.stage_index + 1, self.group)
        return output

    def backward_one_chunk(self, chunk: int, loss: Optional[Tensor] = None) -> None:
        """Run micro-batch ``chunk`` backward: from ``loss`` on the last stage, from the gradient the next stage
        sends on the others. Sends the gradient of this stage's input back (except from the first stage)."""
        args, output = self._chunks.pop(chunk)
        if self.is_last:
            if loss is None:
                raise RuntimeError("the last pipeline stage needs the micro-batch's loss to start backward")
            start = time.perf_counter()
            loss.backward()
        else:
            grad = recv_activation(self.stage_index + 1, self.group, self.device)
            start = time.perf_counter()
            output.backward(grad)
        self._log("B", chunk, start)
        if not self.is_first:
            self._sending += send_activation(args[0].grad, self.stage_index - 1, self.group)

    def forward_only(self, chunk: int, *args: Any) -> Tensor:
        """Forward without keeping anything for backward (inference)."""
        with no_grad():
            output = self.forward_one_chunk(chunk, *args)
        self._chunks.pop(chunk)
        return output
