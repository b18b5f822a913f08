"""``course_lib.multiprocessing``: Python's ``multiprocessing`` and ``spawn``, as ``torch.multiprocessing`` offers them.

Taught in notebooks/06_parallel_training.ipynb. A course_lib tensor crosses to another process by pickling
(its storage is copied, as a NumPy array's would be); torch instead moves a CPU tensor's storage into shared
memory, so both processes see the same numbers. ``spawn(fn, args, nprocs)`` starts ``nprocs`` processes
running ``fn(i, *args)`` for ``i = 0 .. nprocs-1``, waits for them, and re-raises the first failure with the
child's traceback: the way data-parallel training starts one process per device.
"""

from __future__ import annotations

import multiprocessing as _multiprocessing
import traceback
from multiprocessing import (Event, Lock, Pipe, Process, Queue, SimpleQueue, cpu_count, current_process,  # noqa: F401
                             get_all_start_methods, get_context, get_start_method, set_start_method)
from typing import Any, Callable, List, Optional, Sequence

__all__ = ["Event", "Lock", "Pipe", "Process", "ProcessContext", "ProcessExitedException", "ProcessRaisedException",
           "Queue", "SimpleQueue", "cpu_count", "current_process", "get_all_start_methods", "get_context",
           "get_start_method", "set_start_method", "spawn", "start_processes"]


class ProcessException(Exception):
    """A spawned process failed: ``error_index`` is its number, ``pid`` its process id."""

    def __init__(self, msg: str, error_index: int, pid: Optional[int]) -> None:
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A spawned process raised an exception; the message holds its traceback."""


class ProcessExitedException(ProcessException):
    """A spawned process exited with a non-zero code without raising (killed, or ``os._exit``)."""

    def __init__(self, msg: str, error_index: int, error_pid: Optional[int], exit_code: int) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code)


def _run(fn: Callable, index: int, args: Sequence[Any], errors: Any) -> None:
    """A spawned process's body: ``fn(index, *args)``, a failure's traceback sent home."""
    try:
        fn(index, *args)
    except KeyboardInterrupt:
        pass  # the parent was interrupted too
    except BaseException:
        errors.put((index, traceback.format_exc()))
        raise SystemExit(1)


class ProcessContext:
    """The processes :func:`spawn` started; :meth:`join` waits for them."""

    def __init__(self, processes: List[Any], errors: Any) -> None:
        self.processes, self.errors = processes, errors

    def pids(self) -> List[Optional[int]]:
        return [process.pid for process in self.processes]

    def join(self, timeout: Optional[float] = None) -> bool:
        """Wait for every process (at most ``timeout`` seconds each); True when all have exited.

        Raises:
            ProcessRaisedException: a process raised (the others are terminated first).
            ProcessExitedException: a process exited with a non-zero code without raising.
        """
        for process in self.processes:
            process.join(timeout)
        failed = [(i, p) for i, p in enumerate(self.processes) if p.exitcode not in (None, 0)]
        if failed:
            for process in self.processes:
                if process.is_alive():
                    process.terminate()
                    process.join()
            reported = {}
            while not self.errors.empty():
                index, text = self.errors.get()
                reported[index] = text
            index, process = next(((i, p) for i, p in failed if i in reported), failed[0])
            if index in reported:
                raise ProcessRaisedException(f"\n\n-- Process {index} terminated with the following error:\n"
                                             f"{reported[index]}", index, process.pid)
            raise ProcessExitedException(f"process {index} terminated with exit code {process.exitcode}", index,
                                         process.pid, process.exitcode)
        return all(not p.is_alive() for p in self.processes)


def start_processes(fn: Callable, args: Sequence[Any] = (), nprocs: int = 1, join: bool = True,
                    daemon: bool = False, start_method: str = "spawn") -> Optional[ProcessContext]:
    """Start ``nprocs`` processes running ``fn(i, *args)``; with ``join``, wait for them (else return the
    :class:`ProcessContext`). ``fn`` must be importable by the children: a module's function, not a notebook's."""
    context = _multiprocessing.get_context(start_method)
    errors = context.SimpleQueue()
    processes = []
    for index in range(nprocs):
        process = context.Process(target=_run, args=(fn, index, tuple(args), errors), daemon=daemon)
        process.start()
        processes.append(process)
    started = ProcessContext(processes, errors)
    if not join:
        return started
    while not started.join():
        pass
    return None


def spawn(fn: Callable, args: Sequence[Any] = (), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn") -> Optional[ProcessContext]:
    """:func:`start_processes` with the spawn method (as ``torch.multiprocessing.spawn``)."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
