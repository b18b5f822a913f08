"""``optim.Optimizer``: parameter groups, per-parameter state, ``zero_grad``, ``step`` and the state dict,
like torch's.

An optimizer holds ``param_groups``: a list of dicts, each with ``"params"`` (a list of tensors) and
its hyperparameters (``"lr"``...; the constructor's ``defaults`` fill in what a group does not set).
``state[p]`` keeps what a parameter's update remembers between steps (SGD's momentum buffer).
``state_dict()`` names each parameter by its position across the groups (torch's format), so a checkpoint
loads into an optimizer over a rebuilt model's parameters.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.module import _type_name


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()
"""A default that a group must set itself (SGD's ``lr`` in old torch)."""


class Optimizer:
    """Base class of the optimizers.

    Args:
        params: tensors to optimize (or ``(name, tensor)`` pairs, as ``named_parameters()`` gives), or dicts
            (parameter groups) with ``"params"`` and their own options.
        defaults: the options of a group that does not set them.

    Raises:
        TypeError: ``params`` is a single tensor (it must be an iterable of them).
        ValueError: no parameters; a parameter in two groups; a non-leaf tensor.
    """

    def __init__(self, params: Iterable[Any], defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: Dict[Any, Dict[str, Any]] = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_type_name(params)}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a group (e.g. layers unfrozen later), with the defaults for the options it does not set.

        The dict itself becomes the group (as in torch): its ``"params"`` is made a list (a single tensor
        is wrapped; ``(name, tensor)`` pairs are split into ``"params"`` and ``"param_names"``) and the
        options it lacks are filled in. A parameter listed twice in the group warns (UserWarning).

        Raises:
            TypeError: not a dict; ``params`` is a set (unordered) or holds something that is not a tensor.
            ValueError: a non-leaf tensor; names for some parameters only; a parameter already in a group.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = [params] if isinstance(params, Tensor) else list(params)
        names = [param[0] for param in params if isinstance(param, tuple)]
        params = [param[1] if isinstance(param, tuple) else param for param in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_type_name(param)}")
            if not self.defaults.get("differentiable") and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {'with' if names else 'without'} names to the optimizer")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    if param.grad.grad_fn is not None:
                        param.grad = param.grad.detach()
                    param.grad.zero_()

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        A subclass either overrides this or writes :meth:`_update`, which this calls once per parameter
        with a gradient, under ``no_grad``, after ``closure()`` (run with grad enabled: it usually calls
        ``backward``).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(group, param, param.grad)
        return loss

    def _update(self, group: Dict[str, Any], param: Tensor, grad: Tensor) -> None:
        """Update ``param`` in place from its ``grad`` with the options of its ``group`` (what it keeps between
        steps goes in ``self.state[param]``, a dict, empty at first)."""
        raise NotImplementedError

    def state_dict(self) -> Dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{options..., "params": [index, ...]}]}`` (torch's format).

        Each parameter is named by its position across the groups (0, 1, ...); the state's tensors are the
        optimizer's own (not copies), as in torch.
        """
        index: Dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            for param in group["params"]:
                index.setdefault(id(param), len(index))
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [index[id(param)] for param in group["params"]]
            groups.append(packed)
        state = {(index[id(key)] if isinstance(key, Tensor) else key): value for key, value in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Take the options and state of ``state_dict`` (from :meth:`state_dict`) for this optimizer's own
        parameters, matched by position. State tensors go to each parameter's device (and, for a floating
        point parameter, its dtype); a tensor already there is shared, not copied (as in torch).

        Raises:
            ValueError: a different number of groups, or a group of a different size.
        """
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(mine["params"]) != len(saved["params"]) for mine, saved in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        by_index = {index: param for mine, saved in zip(self.param_groups, saved_groups)
                    for index, param in zip(saved["params"], mine["params"])}
        state: Dict[Any, Dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                state[by_index[key]] = _cast_state(by_index[key], value)
            else:
                state[key] = value
        for mine, saved in zip(self.param_groups, saved_groups):
            saved["params"] = mine["params"]
            if "param_names" in mine and "param_names" not in saved:
                saved["param_names"] = mine["param_names"]
        self.state, self.param_groups = state, saved_groups

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"


def _cast_state(param: Tensor, value: Any, key: Optional[str] = None) -> Any:
    """A loaded state value for ``param``: tensors on its device (and in its dtype if it is floating
    point; a ``"step"`` count stays as it is), containers element by element."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        return value.to(device=param.device, dtype=param.dtype if param.dtype.is_floating_point else None)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def check_options(**options: Any) -> None:
    """torch's ValueError for a negative option (``Invalid learning rate: -1``), given as ``name=(label, value)``."""
    for label, value in options.values():
        if not 0.0 <= value:
            raise ValueError(f"Invalid {label}: {value}")
