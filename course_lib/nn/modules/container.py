"""Containers of modules: ``Sequential`` (a pipeline), ``ModuleList`` and ``ModuleDict`` (registered
collections), like torch's. Their submodules are named ``"0"``, ``"1"``... (or by key), which is where
``state_dict()`` keys such as ``"0.weight"`` come from.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, Iterator, List, Optional, Tuple, Union

from .module import Module, _addindent, _type_name


def _index(index: Any, length: int) -> int:
    """``index`` as a position in ``0 .. length-1`` (negative counts from the end), or torch's IndexError."""
    index = operator.index(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range")
    return index % length


def _check_sequential(other: Any) -> None:
    if not isinstance(other, Sequential):
        raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")


def _renumber(container: Module, modules: List[Optional[Module]]) -> None:
    """Make ``modules`` the container's items, named ``"0"``, ``"1"``... (after a deletion or insertion)."""
    container._modules.clear()
    for position, module in enumerate(modules):
        container._modules[str(position)] = module


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(Linear(784, 256), ReLU(), Linear(256, 10))``.

    Also ``Sequential(OrderedDict([("fc1", Linear(...)), ...]))`` for named steps. Indexing gives a
    module, slicing a new Sequential of the same modules (shared, not copied).
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for position, module in enumerate(args):
                self.add_module(str(position), module)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index: Union[int, slice]) -> Union[Module, "Sequential"]:
        if isinstance(index, slice):
            return type(self)(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_index(index, len(self))]

    def __setitem__(self, index: int, module: Module) -> None:
        key = list(self._modules)[_index(index, len(self))]
        self.add_module(key, module)

    def __delitem__(self, index: Union[int, slice]) -> None:
        keys = list(self._modules)
        doomed = keys[index] if isinstance(index, slice) else [keys[_index(index, len(self))]]
        for key in doomed:
            del self._modules[key]
        _renumber(self, list(self._modules.values()))  # torch renumbers even named steps

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: "Sequential") -> "Sequential":
        """A new Sequential of this one's modules then ``other``'s (shared, renumbered from 0)."""
        _check_sequential(other)
        return Sequential(*self, *other)

    def __iadd__(self, other: "Sequential") -> "Sequential":
        _check_sequential(other)
        return self.extend(list(other))

    def pop(self, index: Union[int, slice]) -> Union[Module, "Sequential"]:
        """Remove and return the module at ``index`` (the rest are renumbered)."""
        module = self[index]
        del self[index]
        return module

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "Sequential":
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> "Sequential":
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        modules = list(self._modules.values())
        if not -len(modules) <= index <= len(modules):
            raise IndexError(f"Index out of range: {index}")
        modules.insert(index if index >= 0 else index + len(modules), module)
        _renumber(self, modules)
        return self


class ModuleList(Module):
    """A list of modules, registered (so their parameters are the container's): ``ModuleList([...])``."""

    def __init__(self, modules: Optional[Iterable[Module]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: Union[int, slice]) -> Union[Module, "ModuleList"]:
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return self._modules[str(_index(index, len(self)))]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_index(index, len(self))), module)

    def __delitem__(self, index: Union[int, slice]) -> None:
        modules = list(self._modules.values())
        del modules[index if isinstance(index, slice) else _index(index, len(self))]
        _renumber(self, modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> "ModuleList":
        """A new ModuleList of this one's modules then ``other``'s (shared, not copied)."""
        return ModuleList([*self, *other])

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        """Append each module of ``modules`` (any iterable: a list, another ModuleList, a Sequential)."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got " + type(modules).__name__)
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``, as ``list.insert`` does (negative counts from the end)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        modules = list(self._modules.values())
        modules.insert(index, module)
        _renumber(self, modules)

    def pop(self, index: Union[int, slice]) -> Union[Module, "ModuleList"]:
        """Remove and return the module at ``index`` (the rest are renumbered)."""
        module = self[index]
        del self[index]
        return module

    def __repr__(self) -> str:
        """Like Module's, but a run of equal reprs is written once: ``(0-2): 3 x Linear(...)``."""
        if not len(self):
            return self._get_name() + "()"
        runs: List[List[Any]] = []  # [first index, last index, repr]
        for position, module in enumerate(self):
            text = repr(module)
            if runs and runs[-1][2] == text:
                runs[-1][1] = position
            else:
                runs.append([position, position, text])
        lines = [_addindent(f"({first}): {text}" if first == last else f"({first}-{last}): {last - first + 1} x {text}", 2)
                 for first, last, text in runs]
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules, registered under their keys: ``ModuleDict({"conv": Conv2d(...), ...})``."""

    def __init__(self, modules: Optional[Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]) -> None:
        """Add or replace modules from a mapping (in its order) or from ``(key, module)`` pairs.

        Raises:
            TypeError: ``modules`` is not iterable, or a pair is not.
            ValueError: a pair does not have two elements.
        """
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value pairs, but got "
                            + type(modules).__name__)
        if isinstance(modules, (Mapping, ModuleDict)):
            for key, module in modules.items():
                self[key] = module
            return
        for position, pair in enumerate(modules):
            if not isinstance(pair, Iterable):
                raise TypeError(f"ModuleDict update sequence element #{position} should be Iterable; "
                                f"is {type(pair).__name__}")
            if len(pair) != 2:
                raise ValueError(f"ModuleDict update sequence element #{position} has length {len(pair)}; "
                                 "2 is required")
            self[pair[0]] = pair[1]
