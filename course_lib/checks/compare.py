"""Comparing course_lib with torch: the helpers that both the checks and the test suite use.

- :func:`to_torch` / :func:`to_numpy`: a course_lib result in a form torch or NumPy understands;
- :func:`assert_same`: shape, dtype (optionally strides and offset) and values equal torch's;
- :func:`random_arrays` and :func:`forward_backward`: micrograd's test, generalised. One
  expression ``expression(library, *inputs)`` is run with ``library = course_lib`` and with
  ``library = torch`` on the same float64 data and back-propagated with the same *random*
  output gradient (a gradient of ones would hide rules that are only right for it).

torch is imported inside the functions: importing ``course_lib`` does not import torch.
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence, Tuple

import numpy as np

from .._tensor import Tensor

Expression = Callable[..., Any]  # (library, *inputs) -> tensor or tuple of tensors


def to_torch(value: Any) -> Any:
    """Convert a course_lib result to something ``torch.testing.assert_close`` understands.

    course_lib tensors are copied to CPU torch tensors (via NumPy); tuples and lists are
    converted element by element; numbers and torch values pass through unchanged.
    """
    import torch

    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        return type(value)(to_torch(v) for v in value)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if hasattr(value, "numpy") and hasattr(value, "shape"):
        return torch.from_numpy(to_numpy(value))
    return value


def to_numpy(value: Any) -> Any:
    """A NumPy copy of a torch or course_lib tensor (on any device); other values pass through."""
    if isinstance(value, Tensor):
        return np.array(value.numpy(force=True), copy=True)
    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    if hasattr(value, "numpy") and hasattr(value, "shape") and not isinstance(value, np.ndarray):
        # a tensor of another course_lib copy (a learner's workspace loaded beside this one)
        return np.array((value.cpu() if hasattr(value, "cpu") else value).numpy(), copy=True)
    return value


def assert_same(ours: Any, theirs: Any, *, check_layout: bool = False, rtol: Any = None, atol: Any = None) -> None:
    """A course_lib result equals torch's: shape, dtype, values (NaN equals NaN), and with
    ``check_layout`` also strides and storage offset. Tuples and lists compare element-wise.

    Raises:
        AssertionError: naming what differs.
    """
    import torch

    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b, check_layout=check_layout, rtol=rtol, atol=atol)
        return
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, Tensor), f"expected a Tensor, got {type(ours).__name__}"
        assert tuple(ours.shape) == tuple(theirs.shape), (tuple(ours.shape), tuple(theirs.shape))
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", ""), (ours.dtype, theirs.dtype)
        if check_layout:
            assert ours.stride() == theirs.stride(), (ours.stride(), theirs.stride())
            assert ours.storage_offset() == theirs.storage_offset()
        torch.testing.assert_close(to_torch(ours), theirs.detach().cpu(), rtol=rtol, atol=atol, equal_nan=True)
        return
    assert ours == theirs or (isinstance(ours, float) and np.isnan(ours) and np.isnan(theirs)), (ours, theirs)


def random_arrays(shapes: Sequence[Tuple[int, ...]], seed: int, positive: bool = False) -> List[np.ndarray]:
    """Standard normal float64 arrays of ``shapes`` from one seeded generator (``|x| + 0.5``
    when ``positive``, for functions such as ``log`` and ``sqrt``)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    return [np.abs(a) + 0.5 for a in arrays] if positive else arrays


def forward_backward(library: Any, expression: Expression, inputs: Sequence[Any], seed: int) -> Tuple[list, list]:
    """Run ``expression(library, *inputs)`` and back-propagate a random gradient from every output.

    Args:
        library: ``course_lib`` or ``torch``.
        inputs: tensors of that library (leaves; some may require grad) or numbers.
        seed: seeds the output gradients, so both libraries get the same ones.

    Returns:
        ``(outputs, grads)``: the detached outputs, and each input's ``.grad`` (None for a
        number or an input without gradient).
    """
    result = expression(library, *inputs)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    rng = np.random.default_rng(seed + 10_000)
    gradients = [library.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype, device=o.device)
                 for o in outputs]
    library.autograd.backward(outputs, gradients)
    grads = [getattr(x, "grad", None) if hasattr(x, "requires_grad") else None for x in inputs]
    return [o.detach() for o in outputs], grads
