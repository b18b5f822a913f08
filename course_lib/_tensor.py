"""The Tensor: a view of a flat storage through a shape, strides and an offset.

Taught in notebooks/01_tensors.ipynb, sections "Storage, shape and strides", "Views: transpose
and permute" and "Views: view and reshape". This file holds the core of the class: its layout, its attributes and the
conversions to Python and NumPy. The operations live one concept per module
in ``course_lib/ops/`` (``elementwise``, ``unary``, ``inplace``, ``reduce``, ``views``,
``join``, ``linalg``, ``indexing``, ``creation``, ``conversion``) as plain functions
such as ``reduce.sum(input, dim)``; ``ops/tensor_methods.py`` attaches them to the class, so
``x.sum(1)`` and ``course_lib.sum(x, 1)`` are the same code.

The element at index ``(i, j, ...)`` lives at storage position
``offset + i * strides[0] + j * strides[1] + ...``. Views (``view``, ``transpose``,
``expand``, basic indexing...) build a new Tensor over the *same* storage with a new layout.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any, Dict, Optional, Tuple

import numpy as np

from . import backends as _backends
from .backends.base import register_tensor_constructor
from .device import CPU, device
from .formatting import tensor_repr
from .shape import normalize_dim, row_major_strides
from .shape import is_contiguous as _is_contiguous_loose  # torch's rule: size-1 strides do not matter
from .storage import Storage


class AutogradMeta:
    """A tensor's autograd state, in one declared record (torch's ``AutogradMeta``).

    A tensor gets one the first time it needs it (a ``grad``, a ``grad_fn``...); until then
    its ``_autograd`` is None, so plain chapter-01 tensors carry nothing. ``requires_grad``
    stays a plain slot of the tensor (``_requires_grad``): every dispatched call reads it (the fast path).
    The version counter is the storage's (``Tensor._version``), shared by all its views, as
    torch shares it.

    Attributes:
        grad: the accumulated gradient (leaves, and non-leaves that ``retain_grad()``).
        grad_fn: the node that computed this tensor (None for a leaf).
        view_of: ``(base, steps)`` for a view recorded by a rule: the tensor whose memory it
            shares and the view functions that lead from it (see ``autograd/function.py``).
        accumulator: weak reference to the leaf's ``AccumulateGrad`` node (one per leaf).
        retains_grad: ``retain_grad()`` was called on this non-leaf.
        hooks: functions called with the gradient during backward (``register_hook``).
        post_accumulate_hooks: functions called with the leaf once backward has added into its ``.grad``
            (``register_post_accumulate_grad_hook``; DistributedDataParallel averages gradients there).
    """

    __slots__ = ("grad", "grad_fn", "view_of", "accumulator", "retains_grad", "hooks", "post_accumulate_hooks")

    def __init__(self) -> None:
        self.grad: Optional["Tensor"] = None
        self.grad_fn: Any = None
        self.view_of: Optional[Tuple["Tensor", tuple]] = None
        self.accumulator: Any = None
        self.retains_grad = False
        self.hooks: list = []
        self.post_accumulate_hooks: list = []


AUTOGRAD_METHODS: Dict[str, Any] = {}
"""Tensor methods whose code lives in a higher layer (``backward``: ``autograd/engine.py``), which
fills this table when it is imported; the tensor layer never imports it."""


class Size(tuple):
    """The shape of a tensor: a tuple of ints (``course_lib.Size([2, 3])``), like ``torch.Size``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"course_lib.Size({list(self)})"

    def __getitem__(self, item):
        result = tuple.__getitem__(self, item)
        return Size(result) if isinstance(item, slice) else result

    def numel(self) -> int:
        """Number of elements of a tensor with this shape."""
        count = 1
        for size in self:
            count *= size
        return count


class Tensor:
    """An n-dimensional array of one dtype on one device (a view of a :class:`Storage`).

    Construct tensors with :func:`course_lib.tensor`, :func:`course_lib.zeros`... As in torch,
    ``Tensor(2, 3)`` makes a float32 tensor of shape ``(2, 3)`` (filled with zeros here) and
    ``Tensor([1, 2])`` a float32 tensor from data.

    This file holds what the tensor layer knows by itself: the layout, the attributes and the
    conversions. Everything built from operations (``__init__`` from the creation functions,
    iteration, pickling, every math method and operator) is attached by ``ops/tensor_methods.py``;
    ``backward`` by the autograd layer (``AUTOGRAD_METHODS``).

    Attributes:
        dtype: element type (``course_lib.float32``...).
        device: where the storage lives.
        requires_grad: whether operations on this tensor record the graph (chapter 02 on);
            ``grad``, ``grad_fn`` and the rest of the autograd state are in ``autograd_meta``.
    """

    __slots__ = ("_storage", "_shape", "_strides", "_offset", "dtype", "device", "_backend_cache",
                 "_requires_grad", "_autograd", "__weakref__")

    # Make NumPy defer to our reflected operators (``np.float32(2) * t`` calls ``t.__rmul__``).
    __array_ufunc__ = None

    # ------------------------------------------------------------------ layout

    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, as a :class:`Size`."""
        return Size(self._shape)

    def size(self, dim: Optional[int] = None):
        """The shape (a :class:`Size`), or the size of dimension ``dim``."""
        if dim is None:
            return Size(self._shape)
        return self._shape[normalize_dim(dim, len(self._shape))]

    def stride(self, dim: Optional[int] = None):
        """The strides (in elements), or the stride of dimension ``dim``."""
        if dim is None:
            return self._strides
        return self._strides[normalize_dim(dim, len(self._shape))]

    def storage_offset(self) -> int:
        """Storage position of the first element."""
        return self._offset

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._shape)

    def dim(self) -> int:
        """Number of dimensions."""
        return len(self._shape)

    ndimension = dim

    def numel(self) -> int:
        """Number of elements."""
        count = 1
        for size in self._shape:
            count *= size
        return count

    nelement = numel

    def is_contiguous(self) -> bool:
        """True when the elements are laid out row-major without gaps (views may not be)."""
        return self._strides == row_major_strides(self._shape) or _is_contiguous_loose(self._shape, self._strides)

    def element_size(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.numel() * self.dtype.itemsize

    def untyped_storage(self) -> Storage:
        """The shared storage (``x.untyped_storage().data_ptr()`` identifies it)."""
        return self._storage

    def data_ptr(self) -> int:
        """Address of the first element: storage address + offset * element size."""
        return self._storage.data_ptr() + self._offset * self.dtype.itemsize

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_leaf(self) -> bool:
        """True for tensors not computed by a recorded operation (``grad_fn is None``)."""
        return self.grad_fn is None

    @property
    def _version(self) -> int:
        """In-place writes so far into this tensor's storage (see ``ops.writes.check_writable``)."""
        return self._storage.version

    def backward(self, gradient: Optional["Tensor"] = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves it depends on.

        Args:
            gradient: the vector of the vector-Jacobian product, same shape as this tensor;
                required unless this tensor has one element.
            retain_graph: keep the graph for another backward (default: ``create_graph``).
            create_graph: record the backward pass too, for higher-order gradients.
            inputs: accumulate only into these tensors' ``.grad``.

        Taught in notebooks/02_autograd.ipynb.
        """
        run = AUTOGRAD_METHODS.get("backward")
        if run is None:
            raise RuntimeError("backward() needs course_lib.autograd (chapter 02): import course_lib, not only "
                               "course_lib.ops")
        run(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever backward computes this tensor's gradient; it may return a
        replacement. Returns a handle whose ``remove()`` unregisters it. Taught in notebooks/02_autograd.ipynb."""
        run = AUTOGRAD_METHODS.get("register_hook")
        if run is None:
            raise RuntimeError("register_hook() needs course_lib.autograd (chapter 02)")
        return run(self, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(tensor)`` each time backward has accumulated into this leaf's ``.grad`` (as torch).
        Returns a handle whose ``remove()`` unregisters it."""
        run = AUTOGRAD_METHODS.get("register_post_accumulate_grad_hook")
        if run is None:
            raise RuntimeError("register_post_accumulate_grad_hook() needs course_lib.autograd (chapter 02)")
        return run(self, hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.autograd_meta.retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._autograd is not None and self._autograd.retains_grad

    @property
    def autograd_meta(self) -> AutogradMeta:
        """This tensor's autograd record, made on first use."""
        meta = self._autograd
        if meta is None:
            meta = self._autograd = AutogradMeta()
        return meta

    @property
    def grad(self) -> Optional["Tensor"]:
        """The gradient accumulated by ``backward`` (None until then).

        Reading it on a non-leaf that did not ``retain_grad()`` warns, as torch does: backward
        never fills it.
        """
        meta = self._autograd
        if meta is None:
            return None
        if meta.grad_fn is not None and not meta.retains_grad and meta.grad is None:
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                          UserWarning, stacklevel=2)
        return meta.grad

    @grad.setter
    def grad(self, value: Optional["Tensor"]) -> None:
        """Assign a gradient: None, or a tensor of this tensor's shape, dtype and device (as torch checks)."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._shape != self._shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._shape)}' to a tensor of "
                                   f"size '{list(self._shape)}'. Please ensure that the gradient and the tensor are "
                                   "the same size")
            if value.dtype is not self.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{value.dtype.name}' to a tensor "
                                   f"with dtype '{self.dtype.name}'. The gradient must match the tensor's dtype")
            if value.device != self.device:
                raise RuntimeError(f"attempting to assign a gradient on device '{value.device}' to a tensor on "
                                   f"device '{self.device}'")
        self.autograd_meta.grad = value

    @property
    def grad_fn(self) -> Any:
        """The backward node of the operation that made this tensor (None for a leaf)."""
        meta = self._autograd
        return None if meta is None else meta.grad_fn

    @grad_fn.setter
    def grad_fn(self, node: Any) -> None:
        self.autograd_meta.grad_fn = node

    # ------------------------------------------------------------------ autograd state

    def _set_requires_grad(self, requires_grad: bool) -> None:
        """``x.requires_grad = flag``, checked as torch checks it (a bool, on a leaf, of a floating-point dtype).

        The flag is read through a C-level getter (``operator.attrgetter``); the dispatcher's fast path
        reads the slot ``_requires_grad`` itself.

        Raises:
            RuntimeError: ``requires_grad must be a bool``; ``you can only change requires_grad flags of leaf
                variables.``; ``only Tensors of floating point and complex dtype can require gradients``.
        """
        if requires_grad is not True and requires_grad is not False:
            raise RuntimeError(f"requires_grad must be a bool, but got {type(requires_grad).__name__} "
                               f"({requires_grad!r})")
        if self.grad_fn is not None:
            detach = (" If you want to use a computed variable in a subgraph that doesn't require "
                      "differentiation use var_no_grad = var.detach()." if not requires_grad else "")
            raise RuntimeError("you can only change requires_grad flags of leaf variables." + detach)
        if requires_grad:
            _check_can_require_grad(self)
        self._requires_grad = requires_grad

    requires_grad = property(operator.attrgetter("_requires_grad"), _set_requires_grad,
                             doc="Whether operations on this tensor record the graph (chapter 02 on).")

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place (floating-point tensors only) and return self."""
        if requires_grad is not True and requires_grad is not False:
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad:
            _check_can_require_grad(self, "floating point dtype")
        elif self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        self._requires_grad = requires_grad
        return self

    def detach(self) -> "Tensor":
        """A view of the same storage that does not require grad."""
        return wrap_storage(self._storage, self._shape, self._strides, self._offset, self.dtype, self.device,
                            self._backend_cache)

    @property
    def data(self) -> "Tensor":
        """The tensor's data without autograd history (shares storage)."""
        return self.detach()

    @data.setter
    def data(self, other: "Tensor") -> None:
        self._storage, self._shape, self._strides = other._storage, other._shape, other._strides
        self._offset, self.dtype, self.device = other._offset, other.dtype, other.device
        self._backend_cache = other._backend_cache

    # ------------------------------------------------------------------ conversions

    def _host_array(self) -> np.ndarray:
        """A NumPy array of this tensor's elements (a view on the CPU, a copy elsewhere), from its backend."""
        return _backends.get_backend(self.device.type).to_host(self)

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A NumPy array that *shares memory* with this CPU tensor (writes show in both).

        Raises:
            TypeError: for a tensor on another device (use ``.cpu()`` first), as torch does.
            RuntimeError: for a tensor that requires grad (use ``.detach()``), unless ``force``.
        """
        if self.device.type != "cpu" and not force:
            raise TypeError(f"can't convert {self.device.type}:{self.device.index or 0} device type tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        self._storage.exposed = True  # the array aliases the storage
        return self._host_array()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        self._storage.exposed = True
        array = self._host_array()
        return array if dtype is None else array.astype(dtype)

    def tolist(self) -> Any:
        """The elements as (nested lists of) Python numbers; a 0-d tensor gives a number."""
        return self._host_array().tolist()

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number.

        Raises:
            RuntimeError: ``a Tensor with 2 elements cannot be converted to Scalar``.
        """
        count = self.numel()
        if count != 1:
            raise RuntimeError(f"a Tensor with {count} elements cannot be converted to Scalar")
        return self._host_array().reshape(()).item()

    def _scalar(self, kind: type) -> Any:
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self._host_array().reshape(()).item())

    def __float__(self) -> float:
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._host_array().reshape(()).item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._host_array().reshape(()).item())

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return repr(self)

    def __deepcopy__(self, memo: dict) -> "Tensor":
        result = self.clone()
        result.requires_grad = self.requires_grad
        memo[id(self)] = result
        return result


_new = object.__new__


def _check_can_require_grad(t: Tensor, kinds: str = "floating point and complex dtype") -> None:
    """Raise torch's RuntimeError unless ``t``'s dtype can have gradients (floating point).

    Args:
        kinds: the dtypes torch's message names (``requires_grad_()`` says only "floating point dtype").
    """
    if not t.dtype.is_floating_point:
        raise RuntimeError(f"only Tensors of {kinds} can require gradients\n(got a tensor of dtype "
                           f"{t.dtype.name}; convert it first, e.g. x = x.float())")


def wrap_storage(storage: Storage, shape: Tuple[int, ...], strides: Tuple[int, ...], offset: int, dtype, device: device,
                 cache: Any = None) -> Tensor:
    """A Tensor over ``storage`` with the given layout (no copy, no checks).

    ``cache`` goes to the tensor's ``_backend_cache`` slot, which belongs to the backend of its
    device: the tensor layer never reads it (the NumPy backend keeps its array view of exactly these
    elements there; None: built on first use).
    """
    t = _new(Tensor)
    t._storage = storage
    t._shape = shape
    t._strides = strides
    t._offset = offset
    t.dtype = dtype
    t.device = device
    t._backend_cache = cache
    t._requires_grad = False
    t._autograd = None
    return t


def _become(target: Tensor, source: Tensor) -> None:
    """Make ``target`` an alias of ``source`` (used by ``Tensor.__init__``)."""
    target._storage, target._shape, target._strides = source._storage, source._shape, source._strides
    target._offset, target.dtype, target.device = source._offset, source.dtype, source.device
    target._backend_cache = source._backend_cache
    target._requires_grad, target._autograd = False, None


FROM_TORCH = "convert it with course_lib.interop.from_torch(t), a copy (or course_lib.tensor(t.numpy()))"


def is_torch_tensor(value: Any) -> bool:
    """True for a torch tensor (told by its type's module: this never imports torch)."""
    return type(value).__module__.partition(".")[0] == "torch" and hasattr(value, "detach")


def check_same_device(*tensors: Tensor) -> device:
    """The common device of ``tensors``.

    Raises:
        RuntimeError: torch's ``Expected all tensors to be on the same device, but found at
            least two devices, cuda:0 and cpu!``.
    """
    first = tensors[0].device
    for t in tensors[1:]:
        if t.device is not first and t.device != first:
            raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                               f"{first} and {t.device}!")
    return first


__all__ = ["Size", "Tensor", "CPU", "check_same_device"]


register_tensor_constructor(wrap_storage)  # backends hand their results (storage + layout) to it
