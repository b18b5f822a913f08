"""The primitive table every backend implements.

Taught in notebooks/01_tensors.ipynb, section "Devices and backends".

A backend computes on one kind of memory. It implements this short list of primitives;
every Tensor operation (and later softmax, convolutions, losses...) is composed from them,
so a new backend gets the whole framework. The Tensor layer does the bookkeeping *before*
calling a primitive: it checks shapes and devices, promotes dtypes (a primitive's tensor
operands already have the dtype to compute in), normalizes dims and handles empty inputs.

Operands are course_lib Tensors, read only as a storage and a layout (``_storage``,
``_shape``, ``_strides``, ``_offset``, ``dtype``, ``device``); ``zip`` and ``where`` also take
Python numbers. A result is new storage and its layout, handed to :func:`tensor_from_storage`:
the tensor layer (above the backends) registers that constructor when it is imported, so a
backend never imports it. Results are new tensors unless the primitive writes in place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from ..shape import slice_layout
from ..storage import Storage

Shape = Tuple[int, ...]
NUMBERS = (bool, int, float)  # a primitive's operand is one of these or a tensor

# The operation vocabulary: the function names that map, zip and reduce accept. Every backend computes
# each of them (the NumPy tables are in numpy_functions.py); tests/tensor/test_backends.py holds each
# backend's table equal to these names.
UNARY_FUNCTIONS = frozenset({
    "identity", "neg", "abs", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "square",
    "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "trunc",
    "logical_not", "bitwise_not", "isnan", "isinf", "isfinite",
})
BINARY_FUNCTIONS = frozenset({
    "add", "sub", "mul", "div", "floor_divide", "remainder", "fmod", "pow", "maximum", "minimum", "atan2",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
    "bitwise_xor",
})
REDUCTIONS = frozenset({"sum", "prod", "max", "min", "all", "any"})
BOOL_RESULT = frozenset({"logical_not", "isnan", "isinf", "isfinite", "eq", "ne", "lt", "le", "gt", "ge",
                         "logical_and", "logical_or", "logical_xor", "all", "any"})
"""Functions whose result is ``bool`` whatever the input dtype."""

_constructor: Optional[Callable[..., Any]] = None


def register_tensor_constructor(constructor: Callable[..., Any]) -> None:
    """Called by the tensor layer with its ``wrap_storage(storage, shape, strides, offset, dtype, device, cache)``."""
    global _constructor
    _constructor = constructor


def tensor_from_storage(storage: Storage, shape: Shape, strides: Tuple[int, ...], offset: int, dtype, device,
                        cache: Any = None) -> Any:
    """The tensor layer's tensor over ``storage`` with this layout (no copy). ``cache`` is the backend's
    own per-tensor value (its ``_backend_cache``: for the NumPy backend, a ready view of exactly these
    elements), or None."""
    return _constructor(storage, shape, strides, offset, dtype, device, cache)


class Backend(ABC):
    """Abstract base of backends: the primitive table.

    Attributes:
        name: ``"numpy"``, ``"python"``, ``"triton"``.
        device_type: the device type whose storage this backend reads (``"cpu"``, ``"cuda"``).
    """

    name: str = "abstract"
    device_type: str = "cpu"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} backend for device '{self.device_type}'>"

    # ------------------------------------------------------------------ memory

    @abstractmethod
    def empty(self, shape: Shape, dtype, device) -> Any:
        """A new contiguous tensor with unspecified contents."""

    @abstractmethod
    def full(self, shape: Shape, value: Any, dtype, device) -> Any:
        """A new contiguous tensor with every element equal to ``value`` (cast to ``dtype``)."""

    @abstractmethod
    def from_host(self, array: np.ndarray, dtype, device, owned: bool = False) -> Any:
        """A new tensor holding a copy of the host ``array`` (no copy on the CPU when ``owned``)."""

    @abstractmethod
    def to_host(self, x) -> np.ndarray:
        """The elements of ``x`` as a NumPy array (a view on the CPU, a copy from a GPU)."""

    @abstractmethod
    def copy(self, x) -> Any:
        """A new contiguous tensor with the elements of (possibly strided) ``x``."""

    @abstractmethod
    def copy_into(self, dst, src) -> None:
        """Write ``src`` (a tensor broadcastable to ``dst``'s shape, any dtype) into the view ``dst``."""

    @abstractmethod
    def cast(self, x, dtype) -> Any:
        """A new contiguous tensor with the elements of ``x`` converted to ``dtype``."""

    @abstractmethod
    def fill(self, x, value: Any) -> None:
        """Set every element of the view ``x`` to ``value``, in place."""

    @abstractmethod
    def arange(self, start: Any, end: Any, step: Any, count: int, dtype, device) -> Any:
        """``[start, start + step, ...]`` with ``count`` elements (computed in float64, then cast)."""

    # ------------------------------------------------------------------ compute

    @abstractmethod
    def map(self, fn_name: str, x) -> Any:
        """Apply the unary function ``fn_name`` (a key of ``functions.UNARY``) to every element."""

    @abstractmethod
    def zip(self, fn_name: str, a: Any, b: Any, out: Any = None) -> Any:
        """Apply the binary function ``fn_name`` elementwise, broadcasting ``a`` with ``b``.

        ``a`` and ``b`` are tensors of the same dtype, or one of them a Python number. The
        result has that dtype, or ``bool`` for comparisons and logical functions. With
        ``out`` (a view of the broadcast shape and the result's dtype), the result is written
        there, in place, and ``out`` is returned: this is how ``x += y`` avoids a copy.
        """

    @abstractmethod
    def where(self, condition, a: Any, b: Any) -> Any:
        """``a`` where ``condition`` (bool) is true else ``b``, all three broadcast together."""

    @abstractmethod
    def reduce(self, fn_name: str, x, dims: Sequence[int], keepdim: bool) -> Any:
        """Reduce ``x`` over the (normalized, non-empty) ``dims`` with ``fn_name`` (``functions.REDUCE``)."""

    def log_softmax(self, x, dim: int) -> Any:
        """``x - max - log(sum(exp(x - max)))`` along ``dim`` (normalized; ``x`` floating point, not 0-d).

        Composed here of this backend's own primitives; a backend may compute it in one pass (a training
        step calls it twice: cross-entropy's forward, and softmax in its backward).
        """
        shifted = self.zip("sub", x, self.reduce("max", x, (dim,), True))
        return self.zip("sub", shifted, self.map("log", self.reduce("sum", self.map("exp", shifted), (dim,), True)))

    def softmax(self, x, dim: int) -> Any:
        """``exp(x - max) / sum(exp(x - max))`` along ``dim`` (as :meth:`log_softmax`)."""
        exps = self.map("exp", self.zip("sub", x, self.reduce("max", x, (dim,), True)))
        return self.zip("div", exps, self.reduce("sum", exps, (dim,), True))

    @abstractmethod
    def arg_reduce(self, fn_name: str, x, dim: Optional[int], keepdim: bool) -> Any:
        """int64 position of the ``"max"``/``"min"`` along ``dim`` (of the flattened ``x`` if None)."""

    @abstractmethod
    def scan(self, fn_name: str, x, dim: int) -> Any:
        """Running ``"sum"``/``"prod"`` along ``dim`` (``cumsum``/``cumprod``)."""

    @abstractmethod
    def matmul(self, a, b) -> Any:
        """Batched matrix product: ``a`` is ``(..., n, k)``, ``b`` is ``(..., k, m)``, batch dims broadcast."""

    def linear(self, x, weight, bias=None) -> Any:
        """``x @ weight.T + bias``: ``x`` is ``(..., k)``, ``weight`` ``(m, k)``, ``bias`` ``(m,)`` or None; one dtype.

        Composed here of :meth:`matmul` (with the transposed view of ``weight``) and an in-place ``add``; a
        backend may fuse them (a layer's forward in every training step).
        """
        rows, columns = weight._shape
        transposed = tensor_from_storage(weight._storage, (columns, rows), weight._strides[::-1], weight._offset,
                                         weight.dtype, weight.device)
        out = self.matmul(x, transposed)
        return out if bias is None else self.zip("add", out, bias, out=out)

    def cross_entropy(self, logits, target, reduction: str) -> Tuple[Any, Any]:
        """Cross-entropy of ``(N, C)`` logits and ``(N,)`` int64 class indices, all in ``[0, C)`` (the caller
        checks), reduced by ``"mean"``, ``"sum"`` or ``"none"`` (per row); returns ``(loss, log_softmax(logits))``.

        Composed here of :meth:`log_softmax`, :meth:`one_hot`, a product and sums; a backend may fuse it
        (every training step of a classifier runs it once, and :meth:`cross_entropy_backward`).
        """
        log_p = self.log_softmax(logits, 1)
        chosen = self.zip("mul", log_p, self.one_hot(target, logits._shape[1], logits.dtype))
        if reduction == "none":
            return self.zip("mul", self.reduce("sum", chosen, (1,), False), -1), log_p
        total = self.reduce("sum", chosen, (0, 1), False)
        return (self.zip("div", total, -logits._shape[0]) if reduction == "mean" else self.zip("mul", total, -1)), log_p

    def cross_entropy_backward(self, grad, log_p, target, reduction: str) -> Any:
        """The gradient of :meth:`cross_entropy` with respect to the logits, ``(softmax - one_hot(target)) *
        scale``, from the loss's gradient ``grad`` (0-d, or ``(N,)`` for ``"none"``) and the saved ``log_p``."""
        rows, classes = log_p._shape
        probabilities = self.map("exp", log_p)
        self.zip("sub", probabilities, self.one_hot(target, classes, log_p.dtype), out=probabilities)
        if reduction == "none":  # one scale per row: grad seen as a column
            scale = tensor_from_storage(grad._storage, (rows, 1), (grad._strides[0], 1), grad._offset, grad.dtype,
                                        grad.device)
        else:
            scale = self.zip("div", grad, rows) if reduction == "mean" else grad
        return self.zip("mul", probabilities, scale, out=probabilities)

    def add_scaled(self, out, x, alpha: Any) -> Any:
        """``out += alpha * x`` in place (``x`` of ``out``'s shape and dtype); returns ``out``: an optimizer's
        update of a parameter by its gradient. Composed here of a ``mul`` and an in-place ``add``."""
        return self.zip("add", out, self.zip("mul", x, alpha), out=out)

    def threshold_backward(self, grad, result, threshold: Any = 0) -> Any:
        """``grad`` where ``result > threshold`` or ``result`` is NaN, else 0 (relu's backward; both of one
        shape and dtype). Composed here of a comparison, its negation (so NaN passes) and a product
        (cheaper than ``where`` in NumPy)."""
        keep = self.cast(self.map("logical_not", self.zip("le", result, threshold)), grad.dtype)
        return self.zip("mul", grad, keep, out=keep)

    def one_hot(self, index, classes: int, dtype) -> Any:
        """``index.shape + (classes,)`` of ``dtype``: 1 where the last coordinate is that element's index, else 0.

        ``index`` is int64 with every value in ``[0, classes)`` (the caller checks). Composed here of an
        ``arange``, a broadcast ``eq`` against ``index`` seen with a trailing dimension of 1, and a cast.
        """
        column = tensor_from_storage(index._storage, index._shape + (1,), index._strides + (1,), index._offset,
                                     index.dtype, index.device)
        classes_row = self.arange(0, classes, 1, classes, index.dtype, index.device)
        return self.cast(self.zip("eq", column, classes_row), dtype)

    @abstractmethod
    def take(self, x, positions) -> Any:
        """A new tensor of ``positions``' shape: the storage elements of ``x`` at those int64 positions."""

    def gather(self, x, dim: int, index) -> Any:
        """``out[..., i, ...] = x[..., index[..., i, ...], ...]`` along ``dim``: ``index`` is int64, of ``x``'s
        rank, no larger than ``x`` in the other dimensions, its values in range (the caller checks).

        Composed here of this backend's primitives: each element's storage position (``x``'s offset plus
        each coordinate times its stride, the ``dim`` coordinate read from ``index``), then :meth:`take`.
        """
        positions = self.zip("add", self.zip("mul", index, x._strides[dim]), x._offset)
        for axis, size in enumerate(index._shape):
            if axis == dim or size == 1:
                continue
            coordinates = self.arange(0, size, 1, size, index.dtype, index.device)
            shape, strides = [1] * len(index._shape), [0] * len(index._shape)
            shape[axis], strides[axis] = size, 1
            along = tensor_from_storage(coordinates._storage, tuple(shape), tuple(strides), 0, index.dtype,
                                        index.device)
            positions = self.zip("add", positions, self.zip("mul", along, x._strides[axis]))
        return self.take(x, positions)

    @abstractmethod
    def put(self, x, positions, values, accumulate: bool = False) -> None:
        """Write ``values`` (same shape as ``positions``) into ``x``'s storage at ``positions``, in place.

        With ``accumulate`` the values are *added*, and a position listed several times gets
        every one of its values (the scatter-add that backward of ``x[index]`` needs).
        """

    @abstractmethod
    def nonzero(self, x) -> Any:
        """int64 tensor ``(count, ndim)``: the indices of the non-zero elements, in row-major order."""

    @abstractmethod
    def sort(self, x, dim: int, descending: bool) -> Tuple[Any, Any]:
        """``(values, int64 indices)`` sorted along ``dim``; NaN counts as the largest value."""

    # ------------------------------------------------------------------ composed (override to go faster)

    def cat(self, tensors: Sequence[Any], dim: int, dtype) -> Any:
        """Join same-rank ``tensors`` along ``dim`` into a new ``dtype`` tensor (shapes already checked).

        Composed from ``empty`` and ``copy_into``: each input is copied into its slice of
        the output.
        """
        shape = list(tensors[0].shape)
        shape[dim] = sum(t.shape[dim] for t in tensors)
        out = self.empty(tuple(shape), dtype, tensors[0].device)
        start = 0
        for t in tensors:
            self.copy_into(_narrowed(out, dim, start, t.shape[dim]), t)
            start += t.shape[dim]
        return out

    # ------------------------------------------------------------------ random numbers
    # Random numbers come from course_lib's own generator, on the host; a device backend
    # only copies them over, so every backend draws the same numbers for the same seed.

    def rand(self, shape: Shape, dtype, device, generator) -> Any:
        """Uniform on ``[0, 1)``."""
        return self.from_host(generator.numpy.random(shape, dtype=_float_kind(dtype)), dtype, device, owned=True)

    def randn(self, shape: Shape, dtype, device, generator) -> Any:
        """Standard normal."""
        values = generator.numpy.standard_normal(shape, dtype=_float_kind(dtype))
        return self.from_host(values, dtype, device, owned=True)

    def randint(self, low: int, high: int, shape: Shape, dtype, device, generator) -> Any:
        """Uniform integers in ``[low, high)``."""
        return self.from_host(generator.numpy.integers(low, high, shape, dtype=np.int64), dtype, device, owned=True)

    def randperm(self, n: int, dtype, device, generator) -> Any:
        """A random permutation of ``0 .. n-1``."""
        return self.from_host(generator.numpy.permutation(n).astype(np.int64), dtype, device, owned=True)


def _narrowed(x: Any, dim: int, start: int, length: int) -> Any:
    """The view of elements ``start .. start + length - 1`` of ``x`` along ``dim``."""
    shape, strides, offset = slice_layout(x._shape, x._strides, x._offset, dim, slice(start, start + length))
    return tensor_from_storage(x._storage, shape, strides, offset, x.dtype, x.device)


def _float_kind(dtype) -> Any:
    """NumPy's random functions draw float32 or float64; other float types are cast afterwards."""
    return np.float32 if dtype.name == "float32" else np.float64
