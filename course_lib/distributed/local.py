"""Several processes of this machine as one process group: the stand-in for several GPUs or machines.

``run_on_local_processes(fn, world_size, *args)`` starts ``world_size`` processes, joins them into a gloo
process group over the loopback interface (``127.0.0.1``, a free port), runs ``fn(rank, world_size, *args)`` in
each and returns what each returned, in rank order. It forks where the platform can (fast: no new imports,
and ``fn`` may be defined anywhere); elsewhere it spawns, and ``fn`` must be importable from a file.

A forked rank must not run torch's own CPU kernels on large tensors: if this process already ran one in
parallel, torch's OpenMP thread pool does not survive the fork and the rank hangs (course_lib computes with
NumPy, and its collectives only move bytes through torch). Ask for ``start_method="spawn"`` for such work.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import socket
import time
from typing import Any, Callable, Dict, List, Optional

from ..multiprocessing.errors import ExceptionWrapper
from .process_group import destroy_process_group, init_process_group


def free_port() -> int:
    """A TCP port of the loopback interface that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def loopback_environment(port: int) -> Dict[str, str]:
    """The variables that make ``init_process_group`` (or ``torchrun``'s processes) meet on this machine's
    loopback interface at ``port``."""
    environment = {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)}
    names = {name for _, name in socket.if_nameindex()} if hasattr(socket, "if_nameindex") else set()
    for loopback in ("lo", "lo0"):
        if loopback in names:
            environment["GLOO_SOCKET_IFNAME"] = loopback  # gloo would otherwise pick the machine's network
            break
    return environment


def _rank_main(fn: Callable, rank: int, world_size: int, args: tuple, port: int, results: Any) -> None:
    try:
        os.environ.update(loopback_environment(port))
        os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank))
        init_process_group("gloo", rank=rank, world_size=world_size)
        try:
            results.put((rank, fn(rank, world_size, *args)))
        finally:
            destroy_process_group()
    except BaseException:
        results.put((rank, ExceptionWrapper(f"on rank {rank}")))


def run_on_local_processes(fn: Callable, world_size: int, *args: Any, timeout: float = 60.0,
                           start_method: Optional[str] = None) -> List[Any]:
    """``[fn(0, world_size, *args), ..., fn(world_size - 1, world_size, *args)]``, each run in its own process
    of one process group.

    Raises:
        the first error a rank raised, of its type, with the rank's traceback (the other ranks are stopped);
        RuntimeError: a rank did not finish within ``timeout`` seconds (a ``recv`` whose ``send`` never came).
    """
    import torch.distributed  # noqa: F401  (imported here, once: forked ranks inherit it instead of importing it)

    method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    context = multiprocessing.get_context(method)
    results, port = context.Queue(), free_port()
    processes = [context.Process(target=_rank_main, args=(fn, rank, world_size, args, port, results), daemon=True)
                 for rank in range(world_size)]
    for process in processes:
        process.start()
    returned: Dict[int, Any] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(returned) < world_size:
            try:
                rank, value = results.get(timeout=max(0.1, min(1.0, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() > deadline:
                    missing = sorted(set(range(world_size)) - set(returned))
                    raise RuntimeError(f"rank(s) {missing} did not finish within {timeout:g} s (a recv whose send "
                                       "never came? every rank must make the same collective calls)") from None
                continue
            if isinstance(value, ExceptionWrapper):
                value.reraise()
            returned[rank] = value
    finally:
        for process in processes:
            process.join(timeout=1 if len(returned) == world_size else 0.1)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
        results.cancel_join_thread()
        results.close()
    return [returned[rank] for rank in range(world_size)]
