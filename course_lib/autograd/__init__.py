"""Reverse-mode automatic differentiation (chapter 02, notebooks/02_autograd.ipynb).

- ``function.py``: graph nodes and :class:`Function` (forward and backward side by side);
- ``engine.py``: the backward pass (topological order, accumulation) and :func:`grad`;
- ``rules/``: the backward rule of every differentiable op, one module per op family;
- ``kernels.py``: the autograd kernels of the operations, registered into ``ops.dispatch.AUTOGRAD``;
- ``inplace.py``: in-place operations on tensors in a graph (rebasing, ``CopySlices``);
- ``grad_mode.py``: ``no_grad`` and friends; ``gradcheck.py``; ``functional.py`` (jacobian).
"""

from . import functional, kernels
from .engine import backward, grad, run_backward
from .function import Function, FunctionCtx
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck

__all__ = ["Function", "FunctionCtx", "GradcheckError", "backward", "enable_grad", "functional", "grad",
           "gradcheck", "inference_mode", "is_grad_enabled", "no_grad", "set_grad_enabled"]

kernels.register()  # from now on, operations on tensors that require grad record the graph
