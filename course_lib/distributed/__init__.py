"""Parallel training, like ``torch.distributed``: process groups, ring all-reduce, pipelining.

Filled in chapter 06 (notebooks/06_parallel_training.ipynb); empty until then.
"""
