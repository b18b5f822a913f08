"""Collectives and point-to-point messages on course_lib tensors, through ``torch.distributed``.

Each call copies the course_lib tensor's values into a torch tensor (the wire buffer: on the CPU for gloo, on
this process's GPU for NCCL), lets torch's process group do the communication, and writes what arrived back into the course_lib tensor in place (under
``no_grad``, as torch's collectives write into their tensor). Every process of the group must make the same
collective calls in the same order; a ``send`` needs its ``recv`` on the other side.
"""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor as make_tensor


class ReduceOp:
    """How ``all_reduce`` combines the ranks' values (torch's names)."""

    SUM = "SUM"
    PRODUCT = "PRODUCT"
    MIN = "MIN"
    MAX = "MAX"
    AVG = "AVG"  # gloo has no AVG: a SUM divided by the world size


def _on_backend(wire: Any, group: Any = None) -> Any:
    """``wire`` where the group's backend reads it: NCCL moves GPU memory only, so there it goes to this
    process's current GPU (staged through host memory: a copy each way, not zero-copy); gloo reads the CPU."""
    import torch
    import torch.distributed as dist

    if dist.get_backend(group) == "nccl":
        return wire.to(torch.device("cuda", torch.cuda.current_device()))
    return wire


def _wire(tensor: Any, group: Any = None) -> Any:
    """A torch tensor holding a copy of ``tensor``'s values (contiguous, its own memory), on the CPU for gloo
    and on this process's GPU for NCCL."""
    import torch

    return _on_backend(torch.from_numpy(np.array(tensor.detach().cpu().numpy(), copy=True, order="C")), group)


def _write_back(tensor: Any, wire: Any, divisor: int = 1) -> None:
    """Put the values of the torch tensor ``wire`` (divided by ``divisor``) into the course_lib ``tensor``, in place.

    The division is NumPy's: no torch kernel runs on the wire buffers. A rank forked from a process whose
    torch already ran a parallel (OpenMP) kernel would hang in torch's next parallel kernel.
    """
    values = wire.cpu().numpy()
    values = values if divisor == 1 else values / divisor
    with no_grad():
        tensor.copy_(make_tensor(values, dtype=tensor.dtype, device=tensor.device))


class Work:
    """What an ``async_op=True`` call or ``isend``/``irecv`` returns: ``wait()`` blocks until it is done (and,
    for a receive, writes what arrived into the course_lib tensor)."""

    def __init__(self, work: Any, tensor: Any = None, wire: Any = None) -> None:
        self._work, self._tensor, self._wire, self._done = work, tensor, wire, False

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            if self._work is not None:
                self._work.wait()
            if self._tensor is not None:
                _write_back(self._tensor, self._wire)
            self._done = True
        return True

    def is_completed(self) -> bool:
        return self._done


def _finished(async_op: bool) -> Optional[Work]:
    return Work(None) if async_op else None


def _torch_op(op: str) -> Any:
    import torch.distributed as dist

    return getattr(dist.ReduceOp, "SUM" if op == ReduceOp.AVG else op)


def all_reduce(tensor: Any, op: str = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Optional[Work]:
    """Combine ``tensor`` over every rank with ``op``; every rank's ``tensor`` then holds the result."""
    import torch.distributed as dist

    wire = _wire(tensor, group)
    dist.all_reduce(wire, op=_torch_op(op), group=group)
    _write_back(tensor, wire, dist.get_world_size(group) if op == ReduceOp.AVG else 1)
    return _finished(async_op)


def broadcast(tensor: Any, src: int, group: Any = None, async_op: bool = False) -> Optional[Work]:
    """Every rank's ``tensor`` becomes rank ``src``'s."""
    import torch.distributed as dist

    wire = _wire(tensor, group)
    dist.broadcast(wire, src=src, group=group)
    _write_back(tensor, wire)
    return _finished(async_op)


def all_gather(tensor_list: List[Any], tensor: Any, group: Any = None, async_op: bool = False) -> Optional[Work]:
    """``tensor_list[i]`` becomes rank ``i``'s ``tensor``, on every rank."""
    import torch.distributed as dist

    wires = [_wire(t, group) for t in tensor_list]
    dist.all_gather(wires, _wire(tensor, group), group=group)
    for target, wire in zip(tensor_list, wires):
        _write_back(target, wire)
    return _finished(async_op)


def reduce_scatter(output: Any, input_list: List[Any], op: str = ReduceOp.SUM, group: Any = None,
                   async_op: bool = False) -> Optional[Work]:
    """Rank ``i``'s ``output`` becomes ``input_list[i]`` combined over every rank.

    NOTE: gloo has no reduce-scatter: this all-reduces the whole list and keeps this rank's part (the same
    result, with ``world_size`` times the traffic of a real one).
    """
    import torch
    import torch.distributed as dist

    flat = np.concatenate([np.asarray(t.detach().cpu().numpy()).reshape(-1) for t in input_list])
    wire = _on_backend(torch.from_numpy(flat), group)
    dist.all_reduce(wire, op=_torch_op(op), group=group)
    sizes = [int(np.prod(t.shape)) for t in input_list]
    rank = dist.get_rank(group)
    start = sum(sizes[:rank])
    _write_back(output, wire[start:start + sizes[rank]].reshape(tuple(output.shape)),
                dist.get_world_size(group) if op == ReduceOp.AVG else 1)
    return _finished(async_op)


def send(tensor: Any, dst: int, group: Any = None, tag: int = 0) -> None:
    """Send ``tensor``'s values to rank ``dst`` (which must ``recv`` them)."""
    import torch.distributed as dist

    dist.send(_wire(tensor, group), dst=dst, group=group, tag=tag)


def recv(tensor: Any, src: Optional[int] = None, group: Any = None, tag: int = 0) -> int:
    """Receive values from rank ``src`` (any rank if None) into ``tensor``; returns the sender's rank."""
    import torch.distributed as dist

    wire = _wire(tensor, group)
    sender = dist.recv(wire, src=src, group=group, tag=tag)
    _write_back(tensor, wire)
    return sender


def isend(tensor: Any, dst: int, group: Any = None, tag: int = 0) -> Work:
    """Start sending ``tensor``'s values (as they are now) to ``dst``; ``wait()`` on the result."""
    import torch.distributed as dist

    return Work(dist.isend(_wire(tensor, group), dst=dst, group=group, tag=tag))


def irecv(tensor: Any, src: Optional[int] = None, group: Any = None, tag: int = 0) -> Work:
    """Start receiving into ``tensor`` from ``src``; the values are in ``tensor`` after ``wait()``."""
    import torch.distributed as dist

    wire = _wire(tensor, group)
    return Work(dist.irecv(wire, src=src, group=group, tag=tag), tensor, wire)


def barrier(group: Any = None) -> None:
    """Wait until every rank has reached its barrier (rank 0 saves a checkpoint; the others wait for it)."""
    import torch.distributed as dist

    dist.barrier(group=group)
