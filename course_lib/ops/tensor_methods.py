"""The Tensor methods and operators that are not one operation under its own name.

Every operation is already a method by its declaration (``@differentiable("sum")``, ``@public()``,
``alias(...)`` in ``ops/dispatch.py``): ``x.sum(1)`` is ``reduce.sum(x, 1)``, one implementation
reachable both ways, as in torch. What is left is here: the operators (``x + y``, ``x == y``...),
methods whose arguments differ from the function's (``x.where(condition, y)``, ``x.split(split_size)``),
names that clash with Python builtins (``x.float()``), ``T``/``mT``, indexing, construction and
pickling. Importing this module (``_api.py`` does) imports every operation module first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Every operation module, imported here: each declares its own methods (and names) when imported.
from . import (activation, conversion, creation, elementwise, indexing, inplace, join, linalg,  # noqa: F401
               random, reduce, unary, views)
from .. import dtypes
from .._tensor import Size, Tensor, _become
from .common import FROM_TORCH, binary, check_bool_arithmetic, is_torch_tensor
from .dispatch import operator


def _construct(self: Tensor, *sizes: Any, dtype: Any = None, device: Any = None) -> None:
    """``Tensor()``, ``Tensor(2, 3)`` / ``Tensor(x.shape)`` (zeros here) and ``Tensor(data)``, as torch."""
    if not sizes:  # Tensor() is an empty 1-d tensor
        source = creation.tensor([], dtype=dtype, device=device)
    elif len(sizes) == 1 and not isinstance(sizes[0], (int, Size)):  # Tensor(data)
        source = creation.tensor(sizes[0], dtype=dtype or dtypes.get_default_dtype(), device=device)
    else:  # Tensor(2, 3) or Tensor(x.shape)
        source = creation.zeros(*sizes, dtype=dtype, device=device)
    _become(self, source)


def _iterate(self: Tensor):
    """Iterate over the first dimension: ``x[0], x[1], ...`` (views)."""
    if not self._shape:
        raise TypeError("iteration over a 0-d tensor")
    return (views.select(self, 0, i) for i in range(self._shape[0]))


def _reduce_ex(self: Tensor, protocol: int):
    """Pickle a copy of the elements (not the storage): ``rebuild`` makes a new tensor from it."""
    host = np.array(self._host_array(), copy=True)
    return (rebuild, (host, self.dtype.name, str(self.device), self.requires_grad))


def rebuild(array: np.ndarray, dtype_name: str, device_name: str, requires_grad: bool) -> Tensor:
    """The tensor a pickle holds (see ``Tensor.__reduce_ex__``)."""
    return creation.tensor(array, dtype=getattr(dtypes, dtype_name), device=device_name, requires_grad=requires_grad)


Tensor.__init__, Tensor.__iter__, Tensor.__reduce_ex__ = _construct, _iterate, _reduce_ex

# Names that clash with Python builtins inside conversion.py.
Tensor.float = conversion.float_
Tensor.int = conversion.int_
Tensor.bool = conversion.bool_
Tensor.type = conversion.type_

Tensor.split = views.split_method  # torch's method names its size split_size
Tensor.T = property(views.T, doc="All dimensions reversed (a view).")
Tensor.mT = property(views.mT, doc="The last two dimensions swapped (a view).")
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem


def _where(self: Tensor, condition: Tensor, other: Any) -> Tensor:
    """``x.where(condition, y)`` is ``where(condition, x, y)``."""
    return elementwise.where(condition, self, other)


Tensor.where = _where


# --------------------------------------------------------------------------- operators
# Small dedicated functions (not lambdas over the public ones) keep ``x + y`` cheap; the arithmetic
# ones are dispatched to their own autograd kernels (``@operator``).


@operator("__add__")
def _add(self, other):
    return binary("add", self, other)


@operator("__radd__")
def _radd(self, other):
    return binary("add", other, self)


@operator("__sub__")
def _sub(self, other):
    check_bool_arithmetic("sub", self, other)
    return binary("sub", self, other)


@operator("__rsub__")
def _rsub(self, other):
    check_bool_arithmetic("sub", other, self)
    return binary("sub", other, self)


@operator("__mul__")
def _mul(self, other):
    return binary("mul", self, other)


@operator("__rmul__")
def _rmul(self, other):
    return binary("mul", other, self)


def _truediv(self, other):
    return elementwise.div(self, other)


def _rtruediv(self, other):
    return elementwise.div(other, self)


def _floordiv(self, other):
    return elementwise.floor_divide(self, other)


def _rfloordiv(self, other):
    return elementwise.floor_divide(other, self)


def _mod(self, other):
    return elementwise.remainder(self, other)


def _rmod(self, other):
    return elementwise.remainder(other, self)


def _pow(self, other):
    return elementwise.pow(self, other)


def _rpow(self, other):
    return elementwise.pow(other, self)


def _rmatmul(self, other):
    return linalg.matmul(other, self)


def _comparison(fn_name: str):
    def compare(self, other):
        if is_torch_tensor(other):  # NOTE: NotImplemented would make Python answer False, silently
            raise TypeError(f"cannot compare a course_lib.Tensor with a torch.Tensor ({fn_name}); {FROM_TORCH}")
        try:
            return binary(fn_name, self, other)
        except TypeError:
            return NotImplemented

    compare.__name__ = f"__{fn_name}__"
    return compare


def _bitwise(fn_name: str, reflected: bool = False):
    function = getattr(elementwise, fn_name)

    def method(self, other):
        return function(other, self) if reflected else function(self, other)

    return method


def _invert(self):
    """``~x``: bool and integer tensors only (torch's TypeError for the operator; bitwise_not raises its own)."""
    if self.dtype.is_floating_point:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return unary.bitwise_not(self)


# The arithmetic operators have their own fast path (``binary``) and so their own autograd kernels.
Tensor.__add__, Tensor.__radd__ = _add, _radd
Tensor.__sub__, Tensor.__rsub__ = _sub, _rsub
Tensor.__mul__, Tensor.__rmul__ = _mul, _rmul
Tensor.__iadd__, Tensor.__isub__, Tensor.__imul__ = inplace.add_, inplace.sub_, inplace.mul_
Tensor.__truediv__, Tensor.__rtruediv__, Tensor.__itruediv__ = _truediv, _rtruediv, inplace.div_
Tensor.__floordiv__, Tensor.__rfloordiv__ = _floordiv, _rfloordiv
Tensor.__mod__, Tensor.__rmod__ = _mod, _rmod
Tensor.__pow__, Tensor.__rpow__, Tensor.__ipow__ = _pow, _rpow, inplace.pow_
Tensor.__matmul__, Tensor.__rmatmul__ = linalg.matmul, _rmatmul
Tensor.__neg__ = unary.neg
Tensor.__pos__ = unary.positive
Tensor.__abs__ = unary.abs
Tensor.__invert__ = _invert
for _op in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, f"__{_op}__", _comparison(_op))
Tensor.__and__, Tensor.__rand__ = _bitwise("bitwise_and"), _bitwise("bitwise_and", True)
Tensor.__or__, Tensor.__ror__ = _bitwise("bitwise_or"), _bitwise("bitwise_or", True)
Tensor.__xor__, Tensor.__rxor__ = _bitwise("bitwise_xor"), _bitwise("bitwise_xor", True)
