"""Tensor (layer-wise) parallelism, like ``torch.distributed.tensor``: one layer's weights split across ranks.

Taught in notebooks/06_parallel_training.ipynb. ``parallel`` holds Megatron-LM's pair of layers (a Linear split
by output columns, then one split by input rows), the four communication steps they need as autograd
Functions, and torch's way of asking for them (``parallelize_module`` with ``ColwiseParallel`` and
``RowwiseParallel``). Imported as ``course_lib.distributed.tensor.parallel``.
"""
