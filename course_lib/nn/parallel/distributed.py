"""``DistributedDataParallel``: the same model in every process, each on its own part of the batch, gradients
averaged across processes during backward, like ``torch.nn.parallel.DistributedDataParallel``.

Taught in notebooks/06_parallel_training.ipynb. On construction, rank 0's parameters and buffers are broadcast,
so every replica starts equal. The parameters are grouped into *buckets* of about ``bucket_cap_mb``, in reverse
order (backward reaches the last layers first). A hook after each parameter's gradient is accumulated
(``register_post_accumulate_grad_hook``) marks it ready; when a bucket's parameters are all ready, their
gradients are flattened into one tensor, averaged over the ranks with one ``all_reduce``, and written back,
while backward goes on with the earlier layers. After ``backward`` every replica holds the same averaged
gradient, so the same optimizer step keeps them equal. Inside ``no_sync()`` gradients only accumulate
locally (gradient accumulation); the next backward outside it averages the accumulated sum.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List, Optional, Set

from ...autograd.grad_mode import no_grad
from ...distributed.collectives import ReduceOp, all_reduce, broadcast
from ...distributed.process_group import get_world_size
from ...ops.join import cat
from ..modules.module import Module


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training (the process group must be initialised first).

    Args:
        module: the model; ``self.module`` afterwards (state dict keys start with ``module.``, as torch's).
        device_ids, output_device: accepted for torch's scripts; course_lib's tensors stay where the module is.
        broadcast_buffers: copy rank 0's buffers (batch norm's running statistics) at each forward.
        bucket_cap_mb: the size of a bucket of gradients reduced together.
        find_unused_parameters: not supported: every parameter must receive a gradient in each backward.
    """

    def __init__(self, module: Module, device_ids: Optional[List[Any]] = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float = 25.0, find_unused_parameters: bool = False, **options: Any) -> None:
        super().__init__()
        if find_unused_parameters:
            raise NotImplementedError("course_lib's DistributedDataParallel needs a gradient for every parameter "
                                      "in every backward (find_unused_parameters=True is not supported)")
        self.module = module
        self.process_group, self.broadcast_buffers, self.require_sync = process_group, broadcast_buffers, True
        self.world_size = get_world_size(process_group)
        with no_grad():
            for tensor in [*module.parameters(), *module.buffers()]:
                broadcast(tensor, src=0, group=process_group)  # every replica starts from rank 0's state
        trainable = [p for p in module.parameters() if p.requires_grad]
        self.buckets = _buckets(list(reversed(trainable)), int(bucket_cap_mb * 2**20))
        self._ready: Dict[int, Set[int]] = {index: set() for index in range(len(self.buckets))}
        for index, bucket in enumerate(self.buckets):
            for parameter in bucket:
                parameter.register_post_accumulate_grad_hook(
                    lambda p, index=index: self._gradient_ready(index, p))

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.require_sync and any(self._ready.values()):
            raise RuntimeError("Expected to have finished reduction in the prior iteration before starting a new "
                               "one: some parameters received no gradient in the last backward (course_lib's "
                               "DistributedDataParallel needs a gradient for every parameter)")
        if self.broadcast_buffers:
            with no_grad():
                for buffer in self.module.buffers():
                    broadcast(buffer, src=0, group=self.process_group)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside: backward accumulates gradients locally, without communicating."""
        previous, self.require_sync = self.require_sync, False
        try:
            yield
        finally:
            self.require_sync = previous

    def _gradient_ready(self, index: int, parameter: Any) -> None:
        if not self.require_sync:
            return
        ready = self._ready[index]
        ready.add(id(parameter))
        if len(ready) == len(self.buckets[index]):
            average_gradients(self.buckets[index], self.process_group)
            ready.clear()


def average_gradients(parameters: List[Any], group: Any = None) -> None:
    """Replace each parameter's ``.grad`` by its average over the ranks: one ``all_reduce`` of them all,
    flattened into one tensor (one message instead of one per parameter), then copied back piece by piece."""
    with no_grad():
        # BEGIN EXERCISE 6.6
        flat = cat([p.grad.reshape(-1) for p in parameters])
        all_reduce(flat, op=ReduceOp.AVG, group=group)
        start = 0
        for parameter in parameters:
            count = parameter.grad.numel()
            parameter.grad.copy_(flat[start:start + count].view(tuple(parameter.grad.shape)))
            start += count
        # END EXERCISE


def _buckets(parameters: List[Any], capacity: int) -> List[List[Any]]:
    """``parameters`` in consecutive groups of at most ``capacity`` bytes (at least one parameter each)."""
    buckets: List[List[Any]] = []
    size = capacity
    for parameter in parameters:
        nbytes = parameter.numel() * parameter.element_size()
        if size + nbytes > capacity and (not buckets or buckets[-1]):
            buckets.append([])
            size = 0
        buckets[-1].append(parameter)
        size += nbytes
    return buckets
