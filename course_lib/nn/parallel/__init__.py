"""Data parallelism, like ``torch.nn.parallel``: ``DistributedDataParallel`` (chapter 06,
notebooks/06_parallel_training.ipynb)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
