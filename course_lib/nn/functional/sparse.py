"""Functions of class indices: ``one_hot`` and ``embedding`` (a table lookup), like torch's
``nn.functional`` (torch keeps them in its ``sparse`` family, for their sparse gradients).

``embedding`` is one node, ``EmbeddingBackward0``: its backward adds each output row's gradient into the
row of ``weight`` it was read from (rows read twice get both), and the ``padding_idx`` row gets none.
"""

from __future__ import annotations

from typing import Optional

from ... import dtypes as _dt
from ..._tensor import Tensor
from ...autograd.function import Function, backward_of
from ...autograd.grad_mode import no_grad
from ...ops.common import backend_for
from ...ops.dispatch import differentiable


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``(*, num_classes)`` int64 zeros with a 1 at each index of ``tensor`` (a new tensor).

    Args:
        tensor: int64 class indices, any shape.
        num_classes: the length of the last dimension; -1 takes ``tensor.max() + 1``.

    Raises:
        RuntimeError: torch's, for another dtype, a negative index, an index ``>= num_classes``, or an
            empty ``tensor`` with ``num_classes=-1``.
    """
    if tensor.dtype != _dt.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel():
        if int(tensor.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        largest = int(tensor.max())
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return backend_for(tensor.device).one_hot(tensor, num_classes, _dt.int64)


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of ``weight`` at the indices ``input``: ``(*input.shape, embedding_dim)``, a new tensor.

    Args:
        input: int64 or int32 indices into the rows of ``weight``, any shape.
        weight: ``(num_embeddings, embedding_dim)``.
        padding_idx: a row that gets no gradient (negative counts from the end).
        max_norm: if given, the rows that ``input`` reads and whose ``norm_type``-norm exceeds it are
            scaled down to it, in ``weight`` itself (in place, outside the graph), as torch does.
        scale_grad_by_freq: divide each row's gradient by how often ``input`` reads it.
        sparse: torch's sparse gradients; course_lib has no sparse tensors (NotImplementedError).

    Raises:
        RuntimeError: indices that are not integers, a ``weight`` that is not 2-d.
        IndexError: an index outside ``[0, num_embeddings)``.
        AssertionError: ``padding_idx`` outside the table (torch's type).
    """
    if input.dtype not in (_dt.int64, _dt.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.dtype.type_name} instead (while checking arguments for "
                           "embedding)")
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D, got a {weight.dim()}-d tensor")
    rows = weight.shape[0]
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= rows
    if sparse:
        raise NotImplementedError("embedding(sparse=True): course_lib has no sparse tensors; use sparse=False")
    if input.numel() and (int(input.min()) < 0 or int(input.max()) >= rows):
        raise IndexError(f"index out of range in self (indices must be in [0, {rows}))")
    if max_norm is not None:
        _renormalize_rows(weight, input, max_norm, norm_type)
    return embedding_lookup(input, weight, -1 if padding_idx is None else padding_idx, scale_grad_by_freq)


def _renormalize_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale the rows ``input`` reads whose norm exceeds ``max_norm`` down to it (torch's ``1e-7`` margin)."""
    with no_grad():
        used = input.reshape(-1).unique()
        norms = weight[used].norm(p=norm_type, dim=1, keepdim=True)
        scale = (max_norm / (norms + 1e-7)).where(norms > max_norm, norms.new_ones(()))
        weight[used] = weight[used] * scale


@differentiable("embedding_lookup", method=False, export=False)
def embedding_lookup(input: Tensor, weight: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False) -> Tensor:
    """The rows of ``weight`` at ``input`` (checked by :func:`embedding`); ``padding_idx`` -1 is none."""
    flat = input.reshape(-1).to(_dt.int64)
    return weight.index_select(0, flat).reshape(*input.shape, weight.shape[1])


@backward_of("embedding_lookup")
class EmbeddingBackward0(Function):
    """``grad_weight[i] = sum of grad rows whose index is i`` (none for ``padding_idx``)."""

    @staticmethod
    def forward(ctx, input, weight, padding_idx=-1, scale_grad_by_freq=False):
        ctx.save_for_backward(input)
        ctx.rows, ctx.padding_idx, ctx.scale_grad_by_freq = weight.shape[0], padding_idx, scale_grad_by_freq
        return embedding_lookup(input, weight, padding_idx, scale_grad_by_freq)

    @staticmethod
    def backward(ctx, grad):
        (input,) = ctx.saved_tensors
        flat = input.reshape(-1).to(_dt.int64)
        grad_rows = grad.reshape(-1, grad.shape[-1])
        if ctx.padding_idx >= 0:
            grad_rows = grad_rows * flat.ne(ctx.padding_idx).unsqueeze(1).to(grad.dtype)
        grad_weight = grad.new_zeros((ctx.rows, grad.shape[-1])).index_add(0, flat, grad_rows)
        if ctx.scale_grad_by_freq:
            counts = grad.new_zeros((ctx.rows,)).index_add(0, flat, grad.new_ones((flat.shape[0],)))
            grad_weight = grad_weight / counts.clamp_min(1).unsqueeze(1)
        return None, grad_weight
