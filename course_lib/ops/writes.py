"""Writing results into existing tensors: in-place operations and `out=`.

The checks torch makes before it writes (the tensor may not be a leaf that requires grad, an expanded
view, or too small for the result), the write itself (cast to the destination dtype, the version bumped
for autograd), and `out=` for the functions that accept it (`accepts_out`).
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable

from .. import dtypes as _dt
from ..shape import broadcast_shape
from .._tensor import Tensor
from .common import backend_for, cast, wrong_type


def check_writable(self: Tensor) -> None:
    """Called before every in-place write into ``self``: counts the write, refuses overlaps.

    The count (``self._version``, shared by every view of the storage) lets autograd detect
    that a tensor saved for backward was changed since (chapter 02).

    Raises:
        RuntimeError: when elements of ``self`` overlap in memory (an ``expand``-ed view).
    """
    self._storage.version += 1
    if 0 in self._strides:
        for size, stride in zip(self._shape, self._strides):
            if stride == 0 and size > 1:
                raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers "
                                   "to a single memory location. Please clone() the tensor before performing the "
                                   "operation.")


def check_fits(self: Tensor, shape: tuple) -> None:
    """Refuse, with torch's message, to write a value of ``shape`` into ``self``: it must broadcast to ``self``."""
    if shape != self._shape:
        broadcast = broadcast_shape(self._shape, shape)
        if broadcast != self._shape:
            raise RuntimeError(f"output with shape {list(self._shape)} doesn't match the broadcast shape "
                               f"{list(broadcast)}")


def write_result(self: Tensor, result: Any) -> Tensor:
    """Store ``result`` (a tensor or number) into ``self`` in place, with torch's in-place rules.

    Raises:
        RuntimeError: ``result type Float can't be cast to the desired output type Long``;
            ``output with shape [3] doesn't match the broadcast shape [2, 3]``.
    """
    if isinstance(result, Tensor):
        _dt.check_can_cast(result.dtype, self.dtype)
        check_fits(self, result._shape)
    check_writable(self)
    backend_for(self.device).copy_into(self, result)
    return self


def write_out(out: Any, result: Tensor) -> Tensor:
    """Store ``result`` into the ``out=`` tensor, as torch does, and return ``out``.

    ``out`` keeps its dtype (the result must cast to it); if its shape differs it is resized to the
    result's (with torch's warning when it already held elements).

    Raises:
        TypeError: ``out`` is not a course_lib Tensor.
        RuntimeError: ``result type Float can't be cast to the desired output type Long``.
    """
    if not isinstance(out, Tensor):
        raise wrong_type("argument 'out' must be course_lib.Tensor, not {}", out)
    _dt.check_can_cast(result.dtype, out.dtype)
    if out._shape != result._shape:
        if out.numel():
            warnings.warn(f"An output with one or more elements was resized since it had shape {list(out._shape)}, "
                          f"which does not match the required output shape {list(result._shape)}. This behavior is "
                          "deprecated, and in a future PyTorch release outputs will not be resized unless they have "
                          "zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          "elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._storage.version += 1
        out.data = cast(result, out.dtype)  # resized: out now views the result's storage
        return out
    return write_result(out, result)


def accepts_out(function: Callable) -> Callable:
    """Give ``function`` torch's ``out=`` keyword: the result is written into that tensor (:func:`write_out`)."""

    @functools.wraps(function)
    def with_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return result if out is None else write_out(out, result)

    return with_out
