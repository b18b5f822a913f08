"""The ``cuda`` device, like ``torch.cuda``: ``is_available``, ``device_count``, ``is_simulated``,
``synchronize``.

Filled in chapter 05 (notebooks/05_gpus_and_kernels.ipynb), together with the Triton backend
in ``backends/``; empty until then.
"""
