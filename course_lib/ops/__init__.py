"""Plain tensor operations (chapter 01, notebooks/01_tensors.ipynb), one family a module.

Each function does the Tensor-level bookkeeping (dtype promotion, devices, dims) and calls
one backend primitive; ``common.py`` holds that shared bookkeeping.

- ``creation``: ``tensor``, ``zeros``, ``arange``, random tensors, ``*_like``;
- ``conversion``: ``to``, ``float``, ``cpu``... (dtype and device changes);
- ``elementwise`` (binary, comparisons, ``where``, ``clamp``), ``unary`` (``exp``, ``relu``...),
  ``inplace`` (``add_``, ``x += y``);
- ``reduce``: ``sum``, ``mean``, ``max``, ``sort``, ``unique``...; ``activation``: ``softmax``, ``log_softmax``;
- ``views``: ``view``, ``reshape``, ``permute``, ``expand``, ``narrow``... (stride arithmetic, no copy);
- ``join`` (``cat``, ``stack``, ``meshgrid``), ``linalg`` (``matmul``, ``tril``, ``einsum``...),
  ``indexing`` (``x[key]``, ``gather``, ``scatter``, ``index_add``, ``roll``, ``diag``...);
- ``dispatch``: the declarations (``@differentiable``, ``@public``, ``alias``) that make each operation a
  ``Tensor`` method and a name of the torch-like namespace, and the dispatch to autograd kernels;
- ``tensor_methods``: the operators and the few methods that differ from their function.
"""
