"""The ``triton`` backend (device ``cuda``): every primitive of ``backends/base.py`` as Triton kernels.

Taught in notebooks/05_gpus_and_kernels.ipynb. One module per kernel family: ``layout`` (the ``@triton.jit``
counterparts of shape.py's index helpers), ``functions`` (the operation vocabulary), ``elementwise``, ``reduction``,
``matmul``; ``runtime`` decides where they run (a GPU, or Triton's interpreter on the CPU: *simulated*) and
owns device memory; ``backend`` is the primitive table that launches them.

Importing this package imports torch and Triton (``import course_lib`` does not: ``backends.get_backend``
imports it when "cuda" is first used).
"""

from . import runtime  # first: it sets TRITON_INTERPRET before Triton defines any kernel (noqa: I001)
from .backend import TritonBackend
from .runtime import SIMULATED

__all__ = ["SIMULATED", "TritonBackend"]
