"""Storage: the flat block of memory that tensors view.

Taught in notebooks/01_tensors.ipynb, section "Storage, shape and strides". A storage is a
one-dimensional array of elements of one dtype on one device. Tensors never own memory
directly: each holds a storage plus a layout (shape, strides, offset), so several tensors
(views) can share one storage.
"""

from __future__ import annotations

from typing import Any

from .device import device


class Buffers:
    """What a :class:`Storage` asks the backend that made its buffer; the core never looks inside one.

    Each backend gives its storages one of these: the NumPy backend's answers for flat NumPy
    arrays (``numpy_backend.HOST_BUFFERS``); chapter 05's Triton backend answers for flat CUDA buffers.
    """

    def length(self, data: Any) -> int:
        """Number of elements of the flat buffer ``data``."""
        raise NotImplementedError

    def element_size(self, data: Any) -> int:
        """Bytes per element."""
        raise NotImplementedError

    def data_ptr(self, data: Any) -> int:
        """Address of the first element."""
        raise NotImplementedError

    def to_host(self, data: Any) -> Any:
        """The elements as a one-dimensional NumPy array (a view of host memory, a copy of device memory)."""
        raise NotImplementedError

    def write(self, data: Any, position: int, value: Any) -> None:
        """Set the element at ``position`` to ``value``."""
        raise NotImplementedError


class Storage:
    """A flat array of elements on a device.

    Attributes:
        data: the backing buffer, of the type its backend chose (a flat NumPy array on the CPU;
            chapter 05: a flat CUDA buffer). Only that backend reads it.
        device: where the buffer lives.
        buffers: the backend's :class:`Buffers`: what the storage asks about ``data``.
        version: how many in-place writes the storage has seen (shared by all its views).
        exposed: True once memory outside course_lib may alias the buffer (``from_numpy``, ``numpy()``):
            backward then never hands it to a leaf's ``.grad`` without a copy.
    """

    __slots__ = ("data", "device", "buffers", "version", "exposed", "__weakref__")

    def __init__(self, data: Any, device: device, buffers: Buffers):
        self.data = data
        self.device = device
        self.buffers = buffers
        # Bumped by every in-place write (chapter 02): autograd compares it with the version
        # a tensor had when it was saved for backward, to refuse gradients of stale values.
        self.version = 0
        self.exposed = False

    def __len__(self) -> int:
        return self.buffers.length(self.data)

    def size(self) -> int:
        """Number of elements (``len(storage)``)."""
        return len(self)

    def element_size(self) -> int:
        """Bytes per element."""
        return self.buffers.element_size(self.data)

    def nbytes(self) -> int:
        """Size of the buffer in bytes."""
        return len(self) * self.element_size()

    def data_ptr(self) -> int:
        """Address of the first element: two tensors share memory iff their storages' ``data_ptr`` match."""
        return self.buffers.data_ptr(self.data)

    def __getitem__(self, position: int) -> Any:
        return self.buffers.to_host(self.data)[position].item()

    def __setitem__(self, position: int, value: Any) -> None:
        self.buffers.write(self.data, position, value)

    def tolist(self) -> list:
        """The elements as Python numbers (copies to the host)."""
        return self.buffers.to_host(self.data).tolist()

    def __repr__(self) -> str:
        items = self.tolist()
        shown = " ".join(str(v) for v in items[:20]) + (" ..." if len(items) > 20 else "")
        return f"course_lib.Storage([{shown}], device={self.device}, size={len(items)})"
