"""The dispatch table: how a differentiable operation reaches its autograd kernel.

Taught in notebooks/02_autograd.ipynb, section "Writing a Function".

torch's dispatcher sends a call to the *autograd kernel* of an operation when grad mode is on
and an input requires grad, and straight to the plain kernel otherwise. Here every public
operation that has a backward rule is defined with :func:`differentiable`::

    @differentiable("mul")
    def mul(input, other): ...        # the plain kernel: chapter-01 code, no graph

The decorated function is what every import path sees (``ops.elementwise.mul``,
``course_lib.mul``, ``Tensor.mul``, aliases such as ``multiply = mul``). Its fast path is one
flag test and a scan of the arguments; only when an argument requires grad does it look up
:data:`AUTOGRAD` — filled by ``course_lib.autograd`` (chapter 02) — and call the kernel there,
which records the graph. With no kernel registered (chapter 01 on its own) the plain kernel
runs, so the operations work before autograd exists.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Dict

from .._tensor import FROM_TORCH, Tensor, is_torch_tensor


class GradMode(threading.local):
    """Whether operations record the graph (``no_grad`` switches it off; see ``autograd.grad_mode``).

    Per thread, as torch's grad mode is: a ``no_grad`` block in one thread (a pipeline stage, a data
    loader) does not switch recording off in another, and every new thread starts with it on.
    """

    enabled = True  # the default each thread sees until it sets its own


grad_mode = GradMode()
"""The one grad-mode flag, read on every dispatched call (a ``threading.local``: one value per thread)."""

AUTOGRAD: Dict[str, Callable[..., Any]] = {}
"""Operation name -> its autograd kernel, called with the operation's own arguments."""

OPS: Dict[str, Callable[..., Any]] = {}
"""Operation name -> the public (dispatching) function; ``OPS[name].plain`` is the plain kernel."""

PUBLIC: Dict[str, Callable[..., Any]] = {}
"""Name -> function of the torch-like namespace (``course_lib.add``...): ``_api.py`` exports these."""


def declare(name: str, function: Callable, method: bool, export: bool) -> Callable:
    """Make ``function`` the Tensor method ``name`` and/or the namespace's ``course_lib.<name>``."""
    if method:
        setattr(Tensor, name, function)
    if export:
        PUBLIC[name] = function
    return function


def public(name: str = "", *, method: bool = True, export: bool = True) -> Callable[[Callable], Callable]:
    """Declare an operation that has no autograd kernel (``argmax``, ``zeros``...): by default a Tensor
    method and a name of the torch-like namespace, under ``name`` (default: the function's name)."""
    return lambda function: declare(name or function.__name__, function, method, export)


def alias(name: str, function: Callable, *, method: bool = True, export: bool = True) -> Callable:
    """``function`` under another of torch's names (``multiply`` for ``mul``): the same object."""
    return declare(name, function, method, export)


def mixed_libraries(name: str) -> TypeError:
    """The error for a torch tensor given to a course_lib operation (with the conversion)."""
    return TypeError(f"{name}(): got a torch.Tensor where a course_lib.Tensor is expected: course_lib and torch "
                     f"tensors do not mix; {FROM_TORCH}")


def any_requires_grad(args: tuple, kwargs: dict) -> bool:
    """True when a Tensor among a call's arguments (or inside a list/tuple argument) requires grad."""
    for value in args:
        if isinstance(value, Tensor):
            if value._requires_grad:  # the slot itself: the property costs a call on this hot path
                return True
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, Tensor) and item._requires_grad:
                    return True
    for value in kwargs.values():
        if isinstance(value, Tensor) and value._requires_grad:
            return True
    return False


def positional_names(function: Callable) -> tuple:
    """The names of ``function``'s parameters that may be given by position or by keyword, in order."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in inspect.signature(function).parameters.values() if p.kind in kinds)


def keywords_to_positions(names: tuple, args: tuple, kwargs: dict) -> tuple:
    """``args`` extended with the parameters that follow them and came by keyword (taken out of ``kwargs``).

    ``add(input=x, other=y)`` becomes ``add(x, y)``, so an autograd kernel sees every tensor input at
    its position (a Function records gradients for positional tensors) whatever way it was passed.
    """
    for name in names[len(args):]:
        if name not in kwargs:
            break
        args += (kwargs.pop(name),)
    return args


def differentiable(name: str, *, method: bool = True, export: bool = True,
                   sizes_keyword: str = "") -> Callable[[Callable], Callable]:
    """Make the decorated plain kernel the operation ``name``, dispatched through :data:`AUTOGRAD`.

    The returned function keeps the plain kernel's name, signature and docstring; the plain
    kernel itself stays reachable as ``.plain`` (autograd kernels call it to compute). This one
    declaration also makes it the Tensor method ``name`` and ``course_lib.<name>`` (see :func:`declare`).

    Args:
        method: attach it to :class:`Tensor` (``x.mul(y)``); False for ``cat``, ``stack``...
        export: put it into the torch-like namespace (``course_lib.mul``); False for ``view``, ``add_``...
        sizes_keyword: for an operation taking ``*sizes`` (``reshape(input, *shape)``), the keyword
            torch also accepts for them (``reshape(x, shape=(3, 2))``): it becomes the sizes argument.
    """

    def decorate(plain: Callable) -> Callable:
        positional = positional_names(plain)

        @functools.wraps(plain)
        def operation(*args: Any, **kwargs: Any) -> Any:
            if kwargs:  # reshape(input=x, shape=...): the kernels get torch's arguments by position
                args = keywords_to_positions(positional, args, kwargs)
                if sizes_keyword in kwargs and len(args) == len(positional):
                    args += (kwargs.pop(sizes_keyword),)
            if args and not isinstance(args[0], Tensor) and is_torch_tensor(args[0]):
                raise mixed_libraries(name)
            try:
                if grad_mode.enabled and any_requires_grad(args, kwargs):
                    kernel = AUTOGRAD.get(name)
                    if kernel is not None:
                        if kwargs.pop("out", None) is not None:
                            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                                               "differentiation, but one of the arguments requires grad.")
                        return kernel(*args, **kwargs)
                return plain(*args, **kwargs)
            except AttributeError:  # a torch tensor in another argument reached code that reads course_lib's fields
                if not any(is_torch_tensor(v) for v in (*args, *kwargs.values())):
                    raise
                raise mixed_libraries(name) from None

        operation.plain = plain
        operation.op_name = name
        OPS[name] = operation
        return declare(name, operation, method, export)

    return decorate


def operator(name: str) -> Callable[[Callable], Callable]:
    """Like :func:`differentiable`, for a Tensor operator (``x + y``...) with its own fast path.

    ``self`` is a Tensor and only the first other operand can be one, so the test is shorter.
    The arithmetic operators skip the module functions' argument handling on their fast path,
    so they get their own kernels (``"__add__"``...), registered like any other.
    """

    def decorate(fast: Callable) -> Callable:
        def method(self: Tensor, *args: Any) -> Any:
            if grad_mode.enabled and (self._requires_grad or (args and isinstance(args[0], Tensor)
                                                              and args[0]._requires_grad)):
                kernel = AUTOGRAD.get(name)
                if kernel is not None:
                    return kernel(self, *args)
            return fast(self, *args)

        method.__name__ = method.__qualname__ = name
        method.plain = fast
        method.op_name = name
        OPS[name] = method
        return method

    return decorate
