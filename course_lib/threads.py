"""``set_num_threads`` and ``get_num_threads``: how many threads the math libraries under the cpu backend use.

Taught in notebooks/06_parallel_training.ipynb. NumPy hands matrix products to a BLAS (OpenBLAS, MKL...) that
runs them on several threads, one per core by default, as torch's own kernels do. Several processes that each
do so (DataLoader workers, data-parallel ranks) run more threads than there are cores, and the threads then
slow each other down ("oversubscription"): torch gives each DataLoader worker one thread, and so does
course_lib. The limit is applied through ``threadpoolctl``, which knows every BLAS and OpenMP runtime; the
environment variable ``OMP_NUM_THREADS`` sets the same limit for a whole process before it starts.
"""

from __future__ import annotations

import builtins
import os
from typing import Any, Optional

_LIMIT: Optional[Any] = None  # threadpoolctl's limiter, kept so the limit stays applied


def set_num_threads(int: builtins.int) -> None:  # (torch names its parameter "int")
    """Use ``int`` threads in the math libraries of this process (as ``torch.set_num_threads``).

    Raises:
        RuntimeError: ``int`` is not a positive integer (torch's message).
    """
    global _LIMIT
    count = int
    if isinstance(count, bool) or not isinstance(count, builtins.int) or count < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    from threadpoolctl import threadpool_limits

    _LIMIT = threadpool_limits(limits=count)


def get_num_threads() -> int:
    """The threads the math libraries use (the largest of their pools; the cores when none reports one)."""
    from threadpoolctl import threadpool_info

    counts = [pool["num_threads"] for pool in threadpool_info()]
    return max(counts) if counts else (os.cpu_count() or 1)
