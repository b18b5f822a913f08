"""Storage: the flat block of memory that tensors view.

Taught in notebooks/01_tensors.ipynb, section "Storage, shape and strides". A storage is a
one-dimensional array of elements of one dtype on one device. Tensors never own memory
directly: each holds a storage plus a layout (shape, strides, offset), so several tensors
(views) can share one storage.
"""

from __future__ import annotations

from typing import Any

from .device import device


class Storage:
    """A flat array of elements on a device.

    Attributes:
        data: the backing buffer. On the CPU a one-dimensional, contiguous NumPy array; other
            backends keep their own buffer type (chapter 05: a flat CUDA buffer).
        device: where the buffer lives.
        version: how many in-place writes the storage has seen (shared by all its views).
    """

    __slots__ = ("data", "device", "version", "__weakref__")

    def __init__(self, data: Any, device: device):
        self.data = data
        self.device = device
        # Bumped by every in-place write (chapter 02): autograd compares it with the version
        # a tensor had when it was saved for backward, to refuse gradients of stale values.
        self.version = 0

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def size(self) -> int:
        """Number of elements (``len(storage)``)."""
        return len(self)

    def element_size(self) -> int:
        """Bytes per element."""
        return int(self.data.itemsize) if hasattr(self.data, "itemsize") else int(self.data.element_size())

    def nbytes(self) -> int:
        """Size of the buffer in bytes."""
        return len(self) * self.element_size()

    def data_ptr(self) -> int:
        """Address of the first element: two tensors share memory iff their storages' ``data_ptr`` match."""
        if hasattr(self.data, "ctypes"):
            return int(self.data.ctypes.data)
        return int(self.data.data_ptr())

    def __getitem__(self, position: int) -> Any:
        return self.data[position].item()

    def __setitem__(self, position: int, value: Any) -> None:
        self.data[position] = value

    def tolist(self) -> list:
        """The elements as Python numbers (copies to the host)."""
        data = self.data
        if hasattr(data, "cpu") and not hasattr(data, "ctypes"):
            data = data.cpu().numpy()
        return data.tolist()

    def __repr__(self) -> str:
        items = self.tolist()
        shown = " ".join(str(v) for v in items[:20]) + (" ..." if len(items) > 20 else "")
        return f"course_lib.Storage([{shown}], device={self.device}, size={len(items)})"
