"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``mv``, ``dot``, ``outer``.

Taught in notebooks/01_tensors.ipynb, section "Matrix multiplication". The backend has one
primitive, a batched product of ``(..., n, k)`` by ``(..., k, m)`` with broadcast batch
dimensions; this module checks shapes and dtypes with torch's messages and turns the 1-d
cases into it (a vector is a one-row or one-column matrix, whose extra dimension is
removed from the result).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes as _dt
from ..shape import broadcast_shape, numel
from .._tensor import Tensor, check_same_device
from .common import FROM_TORCH, backend_for, describe, is_torch_tensor
from .writes import accepts_out
from .dispatch import differentiable, public
from .creation import arange, zeros
from .elementwise import where
from .views import permute, reshape, squeeze, unsqueeze


def _check_dtypes(a: Tensor, b: Tensor) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.cpp_name} != "
                           f"{b.dtype.cpp_name}")


def _product(a: Tensor, b: Tensor, kernel: str) -> Tensor:
    """The backend's batched matrix product of ``a`` and ``b`` (same dtype, already checked).

    Args:
        kernel: torch's name for the kernel, which its error for bool tensors names (``"addmm_impl_cpu_"``).

    Raises:
        NotImplementedError: for bool tensors, as torch has no bool matrix product.
    """
    if a.dtype is _dt.bool:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\': matrix products need numbers, got '
                                  "two bool tensors; convert them first (a.long() @ b.long(), or .float())")
    check_same_device(a, b)
    return backend_for(a.device).matmul(a, b)


def _shape_text(shape) -> str:
    return "x".join(str(s) for s in shape)


@differentiable("mm")
@accepts_out
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-d tensors.

    Raises:
        RuntimeError: ``mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)``.
    """
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input._shape[1] != mat2._shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_text(input._shape)} and "
                           f"{_shape_text(mat2._shape)})")
    _check_dtypes(input, mat2)
    return _product(input, mat2, "addmm_impl_cpu_")


@differentiable("bmm")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batch of matrix products: ``(b, n, k) @ (b, k, m) -> (b, n, m)`` (no broadcasting)."""
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    expected = [input._shape[0], input._shape[2]]
    if list(mat2._shape[:2]) != expected:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: {expected} but got: "
                           f"{list(mat2._shape[:2])}.")
    _check_dtypes(input, mat2)
    return _product(input, mat2, "bmm")


@differentiable("mv")
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix-vector product: ``(n, k) @ (k,) -> (n,)``.

    Raises:
        RuntimeError: ``size mismatch, got input (2), mat (2x3), vec (4)``.
    """
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input._shape[1] != vec._shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._shape[0]}), mat ({_shape_text(input._shape)}), "
                           f"vec ({vec._shape[0]})")
    _check_dtypes(input, vec)
    return squeeze(_product(input, unsqueeze(vec, 1), "addmv_impl_cpu"), -1)


@differentiable("dot")
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Dot product of two 1-d tensors (a 0-d tensor).

    Raises:
        RuntimeError: ``1D tensors expected, but got 2D and 2D tensors``; ``inconsistent
            tensor size, expected tensor [3] and src [4] to have the same number of elements,
            but got 3 and 4 elements respectively``.
    """
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input._shape[0] != tensor._shape[0]:
        n, m = input._shape[0], tensor._shape[0]
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                           f"of elements, but got {n} and {m} elements respectively")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {input.dtype.type_name} and "
                           f"{tensor.dtype.type_name}")
    return reshape(_product(unsqueeze(input, 0), unsqueeze(tensor, 1), "dot"), ())


vdot = dot


@public()
def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum of products over the last dimension: shape ``input.shape[:-1] + other.shape[:-1]`` (``dot`` for
    vectors; a number operand multiplies). Composed of differentiable operations.

    Raises:
        RuntimeError: ``inner() the last dimension must match on both input tensors but got shapes [2, 3]
            and [4]``.
    """
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input._shape[-1] != other._shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input._shape)} and {list(other._shape)}")
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other)
    size = input._shape[-1]
    flat = matmul(reshape(input, (-1, size)), reshape(other, (-1, size)).t())
    return reshape(flat, input._shape[:-1] + other._shape[:-1])


@public()
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors: ``(n,), (m,) -> (n, m)``."""
    return unsqueeze(input, 1) * unsqueeze(vec2, 0)


ger = outer


@differentiable("matmul")
@accepts_out
def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with torch's rules for every number of dimensions (the ``@`` operator).

    1-d @ 1-d is a dot product; a 1-d operand is a row (left) or column (right) vector whose
    dimension is removed from the result; more dimensions are batches that broadcast.

    Raises:
        RuntimeError: for 0-d operands, mismatched inner sizes (naming both shapes), batch
            dimensions that do not broadcast, or different dtypes.
    """
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        fix = f"; {FROM_TORCH}" if is_torch_tensor(input) or is_torch_tensor(other) else ""
        raise TypeError(f"matmul(): both arguments must be course_lib tensors, got {describe(input)} and "
                        f"{describe(other)}{fix}")
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other)
    if input.ndim == 2 and other.ndim == 1:
        return mv(input, other)
    if input.ndim <= 2 and other.ndim == 2:
        if input.ndim == 1:
            row = unsqueeze(input, 0)
            if row._shape[1] != other._shape[0]:
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_text(row._shape)} and "
                                   f"{_shape_text(other._shape)})")
            return squeeze(mm(row, other), 0)
        return mm(input, other)
    # Batched: make both at least 2-d, broadcast the batch dimensions.
    a = unsqueeze(input, 0) if input.ndim == 1 else input
    b = unsqueeze(other, 1) if other.ndim == 1 else other
    if a._shape[-1] != b._shape[-2]:
        if b.ndim == 2:  # torch folds the batch into the rows of a single matrix product
            rows = numel(a._shape[:-1])
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a._shape[-1]} and "
                               f"{_shape_text(b._shape)})")
        batch = numel(broadcast_shape(a._shape[:-2], b._shape[:-2]))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {a._shape[-1]}] "
                           f"but got: [{batch}, {b._shape[-2]}].")
    broadcast_shape(a._shape[:-2], b._shape[:-2])  # raises torch's message if the batches do not broadcast
    _check_dtypes(a, b)
    result = _product(a, b, "bmm")
    if input.ndim == 1:
        result = squeeze(result, -2)
    if other.ndim == 1:
        result = squeeze(result, -1)
    return result


def _triangle_mask(x: Tensor, diagonal: int, lower: bool) -> Tensor:
    if x.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
    rows, cols = x._shape[-2], x._shape[-1]
    offset = unsqueeze(arange(cols, device=x.device), 0) - unsqueeze(arange(rows, device=x.device), 1)
    return offset <= diagonal if lower else offset >= diagonal


@public()
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (elements with ``col - row <= diagonal``), zeros elsewhere."""
    return where(_triangle_mask(input, diagonal, True), input, zeros((), dtype=input.dtype, device=input.device))


@public()
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (elements with ``col - row >= diagonal``), zeros elsewhere."""
    return where(_triangle_mask(input, diagonal, False), input, zeros((), dtype=input.dtype, device=input.device))


@public(method=False)
def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation for the common cases: ``"ij,jk->ik"``, ``"bij,bjk->bik"``, ``"i,j->ij"``,
    ``"i,i->"``, ``"ij->ji"``, ``"ij->"``... (each letter once per operand; no ``...``).

    Every operand is broadcast over all the letters, they are multiplied, and the letters missing from
    the output are summed (a teaching version: memory grows with the product of all the sizes).

    Raises:
        NotImplementedError: for ``...`` or a letter repeated within one operand (a diagonal).
        RuntimeError: when the number of subscripts and of operands differ, or sizes disagree.
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = equation.replace(" ", "")
    inputs, _, output = equation.partition("->")
    subscripts = inputs.split(",")
    if "..." in equation:
        raise NotImplementedError("einsum with '...' is not part of course_lib")
    if len(subscripts) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(subscripts) else
                           "einsum(): fewer operands were provided than specified in the equation")
    if not _:  # implicit output: the letters used once, in alphabetical order
        letters = "".join(subscripts)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    order = sorted(set("".join(subscripts)), key=lambda c: (c not in output, output.find(c), c))
    sizes = {}
    expanded = []
    for letters, operand in zip(subscripts, operands):
        if len(set(letters)) != len(letters):
            raise NotImplementedError(f"einsum: a letter repeated within one operand ({letters!r}) is not part of "
                                      "course_lib")
        if len(letters) != operand.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({operand.ndim}) for operand {len(expanded)}")
        for letter, size in zip(letters, operand._shape):
            if sizes.setdefault(letter, size) != size and size != 1 and sizes[letter] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                                   f"subscript {letter} has sizes {sizes[letter]} and {size}")
            sizes[letter] = max(sizes[letter], size)
        view = permute(operand, [letters.index(c) for c in order if c in letters])
        expanded.append(reshape(view, tuple(operand._shape[letters.index(c)] if c in letters else 1 for c in order)))
    product = expanded[0]
    for operand in expanded[1:]:
        product = product * operand
    summed = [i for i, c in enumerate(order) if c not in output]
    if summed:
        product = product.sum(dim=tuple(summed))
    kept = [c for c in order if c in output]
    return permute(product, [kept.index(c) for c in output]) if kept else product
