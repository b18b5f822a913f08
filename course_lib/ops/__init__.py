"""Plain tensor operations (chapter 01, notebooks/01_tensors.ipynb), one family a module.

Each function does the Tensor-level bookkeeping (dtype promotion, devices, dims) and calls
one backend primitive; ``common.py`` holds that shared bookkeeping.

- ``creation``: ``tensor``, ``zeros``, ``arange``, random tensors, ``*_like``;
- ``conversion``: ``to``, ``float``, ``cpu``... (dtype and device changes);
- ``elementwise`` (binary, comparisons, ``where``, ``clamp``), ``unary`` (``exp``, ``relu``...),
  ``inplace`` (``add_``, ``x += y``);
- ``reduce``: ``sum``, ``mean``, ``max``, ``sort``...; ``activation``: ``softmax``, ``log_softmax``;
- ``views``: ``view``, ``reshape``, ``permute``, ``expand``, ``narrow``... (stride arithmetic, no copy);
- ``join`` (``cat``, ``stack``), ``linalg`` (``matmul``...), ``indexing`` (``x[key]``, ``gather``...);
- ``tensor_methods``: the table that makes them ``Tensor`` methods and operators
  (``x.sum(1)`` is ``reduce.sum(x, 1)``).
"""
