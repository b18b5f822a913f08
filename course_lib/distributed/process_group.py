"""The process group: which processes train together, and each one's rank, through ``torch.distributed``.

``init_process_group`` takes torch's arguments. Without them it reads what ``torchrun`` sets for each process
(``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``; ``LOCAL_RANK`` says which device of its machine a
process should use). The backend defaults to gloo, which runs on CPUs (and between any two machines); NCCL
needs NVIDIA GPUs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional


def is_available() -> bool:
    """True where torch was built with distributed support (every Linux and macOS wheel)."""
    import torch.distributed

    return torch.distributed.is_available()


def init_process_group(backend: Optional[str] = None, init_method: Optional[str] = None,
                       timeout: Optional[timedelta] = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", **options: Any) -> None:
    """Join the process group (as ``torch.distributed.init_process_group``; the backend defaults to "gloo").

    Raises:
        ValueError: torch's, for a missing rank, world size or address (``init_method="env://"`` reads them
            from the environment: ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``).
    """
    import torch.distributed as dist

    arguments = dict(backend=backend or "gloo", init_method=init_method, world_size=world_size, rank=rank,
                     store=store, group_name=group_name, **options)
    if timeout is not None:
        arguments["timeout"] = timeout
    dist.init_process_group(**arguments)


def is_initialized() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized()


def get_rank(group: Any = None) -> int:
    """This process's number in the group, ``0 .. world_size - 1`` (rank 0 usually logs and saves)."""
    import torch.distributed as dist

    return dist.get_rank(group)


def get_world_size(group: Any = None) -> int:
    """How many processes the group has."""
    import torch.distributed as dist

    return dist.get_world_size(group)


def get_backend(group: Any = None) -> str:
    import torch.distributed as dist

    return str(dist.get_backend(group))


def destroy_process_group(group: Any = None) -> None:
    """Leave the group (each process, at the end)."""
    import torch.distributed as dist

    dist.destroy_process_group(group)
