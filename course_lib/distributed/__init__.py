"""Parallel training, like ``torch.distributed``: process groups and collectives on course_lib tensors.

Taught in notebooks/06_parallel_training.ipynb. course_lib does not build its own communication engine: a
process group is torch's (gloo between CPU processes, NCCL between GPUs), started the way torch's is
(``init_process_group``, from ``torchrun``'s environment variables or explicit arguments), and a collective
sends a course_lib tensor's values through a torch CPU tensor used as the wire buffer, then writes the
result back into the course_lib tensor, in place, as torch's collectives do. ``local.run_on_local_processes``
runs a function on a few processes of this machine over loopback: what the notebook, the checks and the
tests use in place of several machines. ``ring.ring_all_reduce`` is the all-reduce written from ``isend`` and
``irecv`` (exercise 6.5).
"""

from .collectives import (ReduceOp, all_gather, all_reduce, barrier, broadcast, irecv, isend, recv,  # noqa: F401
                          reduce_scatter, send)
from .process_group import (destroy_process_group, get_backend, get_rank, get_world_size,  # noqa: F401
                            init_process_group, is_available, is_initialized)
from .ring import ring_all_reduce  # noqa: F401

__all__ = ["ReduceOp", "all_gather", "all_reduce", "barrier", "broadcast", "destroy_process_group", "get_backend",
           "get_rank", "get_world_size", "init_process_group", "irecv", "is_available", "is_initialized", "isend",
           "recv", "reduce_scatter", "ring_all_reduce", "send"]
