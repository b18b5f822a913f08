"""Operations tutorials reach for that rearrange or pick elements: triangles and diagonals, ``roll``,
``meshgrid``, ``repeat_interleave``, ``unique``, ``scatter``, ``index_add``, ``einsum``.

Each is composed of differentiable operations (``where``, indexing, ``matmul``, ``sum``...), so
gradients flow through them with no backward rule of their own (their ``grad_fn`` is the last
composed operation's, not torch's name). ``unique`` is not differentiable, as in torch.
"""

from __future__ import annotations

import warnings
from typing import Any, List, Optional, Tuple

import numpy as np

from .. import dtypes as _dt
from ..shape import normalize_dim
from .._tensor import Tensor
from .creation import arange, tensor, zeros
from .dispatch import public
from .elementwise import where
from .indexing import index_select, setitem
from .linalg import matmul
from .views import expand, movedim, permute, reshape, unsqueeze

# --------------------------------------------------------------------------- triangles and diagonals


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


@public()
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d input becomes a square matrix with it on the ``diagonal``-th diagonal; a 2-d input gives that
    diagonal as a 1-d tensor.

    Raises:
        RuntimeError: ``diag(): Supports 1D or 2D tensors. Got 3D`` (torch's words).
    """
    if input.ndim == 1:
        n = input._shape[0] + abs(diagonal)
        result = zeros((n, n), dtype=input.dtype, device=input.device)
        positions = arange(input._shape[0], device=input.device)
        rows, cols = (positions, positions + diagonal) if diagonal >= 0 else (positions - diagonal, positions)
        setitem(result, (rows, cols), input)
        return result
    if input.ndim == 2:
        rows, cols = input._shape
        count = max(0, min(rows, cols - diagonal) if diagonal >= 0 else min(rows + diagonal, cols))
        positions = arange(count, device=input.device)
        if diagonal >= 0:
            return input[positions, positions + diagonal]
        return input[positions - diagonal, positions]
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


# --------------------------------------------------------------------------- rearranging


@public()
def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Elements shifted along ``dims`` (the flattened tensor when None), wrapping around (a copy)."""
    if dims is None:
        return reshape(roll(reshape(input, (-1,)), shifts, 0), input._shape)
    shifts = list(shifts) if isinstance(shifts, (tuple, list)) else [shifts]
    dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    result = input
    for shift, dim in zip(shifts, dims):
        d = normalize_dim(dim, input.ndim)
        size = input._shape[d]
        if size:
            order = tensor((np.arange(size) - shift) % size, device=input.device)
            result = index_select(result, d, order)
    return result


@public(method=False)
def meshgrid(*tensors: Any, indexing: Optional[str] = None) -> Tuple[Tensor, ...]:
    """Coordinate grids from 1-d tensors: ``indexing="ij"`` (matrix, torch's default) or ``"xy"`` (Cartesian).

    Views of the inputs (expanded), as in torch. Like torch, warns when ``indexing`` is not given.
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    vectors = [reshape(t, (-1,)) for t in tensors]
    swap = indexing == "xy" and len(vectors) >= 2
    if swap:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = tuple(v._shape[0] for v in vectors)
    grids = []
    for i, v in enumerate(vectors):
        view = reshape(v, tuple(-1 if j == i else 1 for j in range(len(vectors))))
        grids.append(expand(view, shape))
    if swap:  # "xy": the grids of the first two inputs swapped back (shape: len(y), len(x), ...)
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


@public()
def repeat_interleave(input: Tensor, repeats: Any = None, dim: Optional[int] = None, *,
                      output_size: Optional[int] = None) -> Tensor:
    """Each element repeated ``repeats`` times (an int, or one count per element along ``dim``), a copy;
    the flattened tensor when ``dim`` is None."""
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = normalize_dim(dim, input.ndim)
    counts = repeats.numpy() if isinstance(repeats, Tensor) else repeats
    order = np.repeat(np.arange(input._shape[d]), counts)
    return index_select(input, d, tensor(order.astype(np.int64), device=input.device))


@public()
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: Optional[int] = None) -> Any:
    """The distinct elements, sorted (torch sorts them too); optionally the inverse indices and the counts.
    Not differentiable."""
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not part of course_lib")
    values, inverse, counts = np.unique(input.numpy(force=True), return_inverse=True, return_counts=True)
    result: List[Tensor] = [tensor(values, dtype=input.dtype, device=input.device)]
    if return_inverse:
        result.append(tensor(inverse.reshape(input._shape).astype(np.int64), device=input.device))
    if return_counts:
        result.append(tensor(counts.astype(np.int64), device=input.device))
    return result[0] if len(result) == 1 else tuple(result)


# --------------------------------------------------------------------------- writing at indices


def _scatter_key(index: Tensor, dim: int) -> tuple:
    """The advanced-indexing key that addresses, for every element of ``index``, the output element in its
    row along ``dim`` (torch's scatter rule: ``out[i][index[i][j]][k]`` for dim 1)."""
    key = []
    for d in range(index.ndim):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = index._shape[d]
            key.append(expand(reshape(arange(index._shape[d], device=index.device), tuple(shape)), index._shape))
    return tuple(key)


@public()
def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    """A copy of ``input`` where ``src`` (or the number ``value``) is written at ``index`` along ``dim``.

    Raises:
        RuntimeError: ``scatter(): Expected dtype int64 for index`` for another index dtype.
    """
    if index.dtype is not _dt.int64:
        raise RuntimeError("scatter(): Expected dtype int64 for index")
    d = normalize_dim(dim, input.ndim)
    source = src if src is not None else value
    if isinstance(source, Tensor):
        source = source[tuple(slice(0, size) for size in index._shape)]  # only the part index addresses
    result = input.clone()
    setitem(result, _scatter_key(index, d), source)
    return result


@public(export=False)
def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    """In-place :func:`scatter`; returns ``self``."""
    return self.copy_(scatter(self, dim, index, src, value=value))


@public()
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """``input`` with ``alpha * source`` added along ``dim`` at the positions ``index`` (1-d), duplicates
    adding up. Composed as a matrix product with the one-hot matrix of ``index``, so it is differentiable."""
    d = normalize_dim(dim, input.ndim)
    if index.ndim != 1 or source._shape[d] != index._shape[0]:
        raise RuntimeError("index_add_(): Number of indices should be equal to source.size(dim)")
    one_hot = (unsqueeze(index, 1) == unsqueeze(arange(input._shape[d], device=input.device), 0)).to(source.dtype)
    moved = movedim(source, d, 0)
    added = matmul(one_hot.t(), reshape(moved, (moved._shape[0], -1)))
    added = movedim(reshape(added, (input._shape[d],) + moved._shape[1:]), 0, d)
    return input + added * alpha if alpha != 1 else input + added


@public(export=False)
def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """In-place :func:`index_add`; returns ``self``."""
    return self.copy_(index_add(self, dim, index, source, alpha=alpha))


# --------------------------------------------------------------------------- einsum


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


__all__ = ["diag", "einsum", "index_add", "index_add_", "meshgrid", "repeat_interleave", "roll", "scatter",
           "scatter_", "tril", "triu", "unique"]
