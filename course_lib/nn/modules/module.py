"""``nn.Module``: the base class of every layer and model.

A Module keeps three ordered tables, filled by plain attribute assignment (``__setattr__``):
``_parameters`` (:class:`Parameter` values), ``_buffers`` (tensors that are state but not learned, such as
BatchNorm's running statistics) and ``_modules`` (submodules). Everything else (``parameters()``,
``state_dict()``, ``to()``, ``train()``, ``repr``) walks those tables, in the order things were assigned,
and uses torch's names: ``state_dict()`` keys are the dotted attribute paths (``"0.weight"``).
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from ..._tensor import Tensor, is_torch_tensor
from ...autograd.grad_mode import no_grad
from ...device import as_device
from ...dtypes import dtype as DType
from ...ops.creation import tensor
from ..parameter import Parameter


class _IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` returns: the keys it did not find and the ones it did not use."""

    missing_keys: List[str]
    unexpected_keys: List[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


class RemovableHandle:
    """What ``register_forward_hook`` returns: ``handle.remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, table: Dict[int, Callable]):
        self._table, self.id = table, next(RemovableHandle._ids)

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (a child's repr inside its parent's)."""
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


class Module:
    """Base class for all neural network modules; subclasses define ``forward``.

    Assign parameters, buffers (:meth:`register_buffer`) and submodules as attributes after calling
    ``super().__init__()``; calling the module (``model(x)``) runs the forward pre-hooks, ``forward`` and
    the forward hooks.
    """

    _version: int = 1  # saved in state_dict()'s _metadata, as torch does
    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    # ------------------------------------------------------------------ calling

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_pre_hooks or self._forward_hooks):  # the usual call: no hooks to copy and walk
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            changed = hook(self, args)
            if changed is not None:
                args = changed if isinstance(changed, tuple) else (changed,)
        result = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            changed = hook(self, args, result)
            if changed is not None:
                result = changed
        return result

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a non-None result replaces the output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a non-None result replaces the arguments."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        # A name lives in one place: assigning a Parameter or a Module removes the name from the other
        # tables (and the instance dict); re-assigning within the same table keeps its position in the order.
        # BEGIN EXERCISE 3.1
        tables = self.__dict__
        parameters, modules, buffers = tables.get("_parameters"), tables.get("_modules"), tables.get("_buffers")
        if isinstance(value, Parameter):
            if parameters is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_from(name, "__dict__", "_buffers", "_modules")
            self.register_parameter(name, value)
        elif parameters is not None and name in parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, None)
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._remove_from(name, "__dict__", "_parameters", "_buffers")
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)
        # END EXERCISE

    def _remove_from(self, name: str, *tables: str) -> None:
        """Drop ``name`` from the given tables (``"__dict__"``: the plain attributes)."""
        for table in tables:
            self.__dict__.pop(name, None) if table == "__dict__" else self.__dict__[table].pop(name, None)
        if "_buffers" in tables:
            self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: the registered names live in the tables.
        tables = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in tables and name in tables[table]:
                return tables[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__.get(table, {}):
                del self.__dict__[table][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> List[str]:
        names = set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        return sorted(name for name in names if not name[:1].isdigit())  # "0", "1": a container's items

    def _check_new_name(self, name: Any, kind: str, table: str) -> None:
        """torch's checks of a name about to be registered in ``table`` (``kind``: parameter, buffer, module)."""
        if table not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_type_name(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."' + (f", got: {name}" if kind == "module" else ""))
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in self.__dict__[table]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Register ``param`` (a :class:`Parameter`, or None for an absent one such as ``bias=False``).

        Raises:
            AttributeError: before ``Module.__init__()``.
            KeyError: an empty or dotted name, or one that is already another kind of attribute.
            TypeError: ``param`` is a plain tensor or something else.
        """
        self._check_new_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor], persistent: bool = True) -> None:
        """Register ``tensor`` as a buffer: moved by ``to()``, saved by ``state_dict()`` if ``persistent``.

        Raises: like :meth:`register_parameter` (TypeError for a value that is not a tensor or None).
        """
        self._check_new_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Register ``module`` as the submodule ``name`` (what assigning ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        self._check_new_name(name, "module", "_modules")
        self._modules[name] = module

    register_module = add_module

    # ------------------------------------------------------------------ walking the tree

    def named_modules(self, memo: Optional[Set["Module"]] = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """``(dotted name, module)`` for this module and every submodule, depth first (each once, unless
        ``remove_duplicate`` is False); ``memo`` holds the modules already listed."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        seen: Set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[Tuple[str, Any]]:
        seen: Set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[Tuple[str, Parameter]]:
        """``(dotted name, parameter)``; a parameter shared by two modules is listed once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> "Module":
        """The submodule at dotted path ``target`` (``""``: this module).

        Raises:
            AttributeError: a part of the path is missing, or names something that is not a Module.
        """
        module = self
        for part in target.split(".") if target else []:
            if not hasattr(module, part):
                raise AttributeError(f"{module._get_name()} has no attribute `{part}`")
            module = getattr(module, part)
            if not isinstance(module, Module):
                raise AttributeError(f"`{part}` is not an nn.Module")
        return module

    def _get_member(self, target: str, kind: type, kind_name: str) -> Any:
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        member = getattr(module, name)
        if not isinstance(member, kind) or kind is Tensor and name not in module._buffers:
            raise AttributeError(f"`{name}` is not {kind_name}")
        return member

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (``"0.weight"``); AttributeError if there is none."""
        return self._get_member(target, Parameter, "an nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target``; AttributeError if there is none."""
        return self._get_member(target, Tensor, "a buffer")

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on this module; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients

    def train(self, mode: bool = True) -> "Module":
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and in every submodule."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` of every parameter (freezing a part of a model: ``requires_grad_(False)``)."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: to None (default) or to zeros in place."""
        for parameter in self.parameters():
            if parameter.grad is None:
                continue
            if set_to_none:
                parameter.grad = None
            else:
                grad = parameter.grad
                parameter.grad = grad.detach() if grad.grad_fn is not None else grad
                parameter.grad.zero_()

    # ------------------------------------------------------------------ devices and dtypes

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> "Module":
        """Replace the data of every parameter (and its gradient) and buffer by ``fn`` of it, in place: the
        Parameter objects stay the same, so an optimizer made before ``to()`` still holds them."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for name, parameter in self._parameters.items():
                if parameter is None:
                    continue
                parameter.data = fn(parameter)
                if parameter.grad is not None:
                    parameter.grad.data = fn(parameter.grad)
            for name, buffer in self._buffers.items():
                if buffer is not None:
                    self._buffers[name] = fn(buffer)
        return self

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Move and/or cast parameters and buffers: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)`` (its device and dtype). Only floating-point tensors change dtype; returns self."""
        device, dtype = _to_arguments(args, kwargs)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype={dtype}")

        def convert(t: Tensor) -> Tensor:
            return t.to(device=device, dtype=dtype if t.dtype.is_floating_point else None)

        return self._apply(convert)

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Module":
        """Move to the GPU (chapter 05 builds course_lib's cuda backend)."""
        return self.to(as_device("cuda" if device is None else device if not isinstance(device, int)
                                 else f"cuda:{device}"))

    def float(self) -> "Module":
        return self._apply(lambda t: t.float() if t.dtype.is_floating_point else t)

    def double(self) -> "Module":
        return self._apply(lambda t: t.double() if t.dtype.is_floating_point else t)

    def half(self) -> "Module":
        return self._apply(lambda t: t.half() if t.dtype.is_floating_point else t)

    # ------------------------------------------------------------------ state dict

    def state_dict(self, *args: Any, destination: Optional[Dict] = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Parameters and persistent buffers by dotted name, detached (``keep_vars=True``: as they are).

        Like torch's, the dict has a ``_metadata`` attribute: each module's version by its dotted prefix.
        """
        if args:  # torch's old positional form state_dict(destination, prefix, keep_vars)
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
                          " for details.", FutureWarning, stacklevel=2)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()  # type: ignore[attr-defined]
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = {"version": self._version}
        # BEGIN EXERCISE 3.12
        for name, parameter in self._parameters.items():
            if parameter is not None:
                destination[prefix + name] = parameter if keep_vars else parameter.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        # END EXERCISE
        return destination

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and persistent buffers, in place.

        Each module, from this one down, takes its own keys (``prefix + name``); a key under its prefix is
        unexpected when it is dotted and its first part names no submodule, or bare and names none of the
        module's own tensors.

        Args:
            strict: raise when a key is missing or unexpected (else report them in the result).
            assign: make the parameters the given tensors (as Parameters, keeping each one's
                ``requires_grad``) and buffers the given tensors, instead of copying into them.

        Returns:
            ``_IncompatibleKeys(missing_keys, unexpected_keys)``, a named tuple.

        Raises:
            TypeError: ``state_dict`` is not a mapping.
            RuntimeError: torch's "Error(s) in loading state_dict for <Class>:" listing missing and
                unexpected keys (with ``strict``) and size mismatches and values that are not tensors
                (always).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: List[str] = []
        unexpected: List[str] = []
        errors: List[str] = []

        def load(module: "Module", state: Mapping, prefix: str) -> None:
            module._load_own_tensors(state, prefix, assign, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in state.items() if k.startswith(child_prefix)}, child_prefix)

        with no_grad():
            load(self, state_dict, "")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
                              + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)

    def _load_own_tensors(self, state: Mapping, prefix: str, assign: bool, missing: List[str],
                          unexpected: List[str], errors: List[str]) -> None:
        """Load this module's own parameters and persistent buffers from ``state`` (keys ``prefix + name``),
        appending to the lists of missing keys, unexpected keys and errors."""
        own = {name: value for name, value in itertools.chain(
            self._parameters.items(),
            ((n, b) for n, b in self._buffers.items() if n not in self._non_persistent_buffers_set))
            if value is not None}
        for name, target in own.items():
            key = prefix + name
            if key not in state:
                missing.append(key)
                continue
            value = state[key]
            if is_torch_tensor(value):  # torch's weights, read through NumPy (model.load_state_dict(torch_sd))
                value = tensor(value.detach().cpu().numpy())
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                              f"Tensor-like object from checkpoint but received {type(value)}")
            elif tuple(value.shape) != tuple(target.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape {_size(value)} from "
                              f"checkpoint, the shape in current model is {_size(target)}.")
            elif assign:
                if isinstance(target, Parameter):
                    value = Parameter(value, target.requires_grad) if not isinstance(value, Parameter) \
                        else value.requires_grad_(target.requires_grad)
                setattr(self, name, value)
            else:
                target.copy_(value)
        for key in state:
            if key.startswith(prefix):
                first, dot, _ = key[len(prefix):].partition(".")
                # a dotted rest belongs to a submodule; a bare name to one of this module's tensors
                if (first not in self._modules) if dot else (first not in own):
                    unexpected.append(key)

    # ------------------------------------------------------------------ repr

    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (``in_features=3, ...``); override it."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, module in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(module), 2))
        if not lines:
            return self._get_name() + "()"
        if len(lines) == 1 and not self._modules:
            return f"{self._get_name()}({lines[0]})"
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def _type_name(value: Any) -> str:
    """torch's name for a value in assignment errors (``torch.typename``): ``torch.FloatTensor`` for a float32
    tensor, ``torch.cuda.FloatTensor`` on the GPU, ``module.Class`` for other objects, ``int`` for builtins."""
    if isinstance(value, Tensor):
        where = "torch.cuda." if value.device.type == "cuda" else "torch."
        return where + _TENSOR_TYPES.get(value.dtype.name, "Tensor")
    kind = type(value)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def _size(t: Tensor) -> str:
    return f"torch.Size({list(t.shape)})"


def _to_arguments(args: tuple, kwargs: dict) -> Tuple[Any, Optional[DType]]:
    """``(device or None, dtype or None)`` from ``to()``'s forms."""
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: unexpected {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, DType):
            dtype = arg
        elif arg is not None:
            device = as_device(arg)
    return (as_device(device) if device is not None else None), dtype
