"""Backward rules, one module per op family (chapter 02, notebooks/02_autograd.ipynb).

Each rule is a :class:`~course_lib.autograd.function.Function` named like torch's
``grad_fn`` (``MulBackward0``), with its forward beside its backward:
``elementwise`` (arithmetic and math functions), ``reduce`` (sums, means, extremes,
softmax), ``views`` (view, reshape, permute, indexing, cat/stack) and ``linalg`` (matmul).
"""
