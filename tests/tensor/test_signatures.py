"""Every public function and Tensor method takes torch's parameter names, so a keyword call that works
in torch (``reshape(input=x, shape=(3, 2))``, ``x.transpose(dim0=0, dim1=1)``) works here.

torch's names come from the callable's own signature where it is a Python function, else from the first
line of its docstring (``reshape(input, shape) -> Tensor``), else from
``torch.overrides.get_testing_overrides()`` (whose lambdas are sometimes less exact than the docstring).
"""

from __future__ import annotations

import inspect
import re
from typing import List, Optional, Tuple

import pytest
import torch

import course_lib

# Deliberate differences, each with its reason.
EXCEPTIONS = {
    "Tensor.to": "torch documents three overloads (dtype / device / other) that Python cannot spell as one signature",
    "Tensor.type": "torch's first parameter is dtype; course_lib takes the same positional argument",
    "Tensor.uniform_": "torch names its bounds from and to, which are Python keywords: course_lib's are a and b "
                       "(the same positions)",
    "Tensor.random_": "torch names its lower bound from, a Python keyword: course_lib's is from_ (the same position; "
                      "to is the same)",
}

# Where torch's docstring names a parameter other than the one torch's argument parser accepts, course_lib
# follows the parser. Each entry calls torch with course_lib's names, so a wrong entry fails its test.
_X, _V, _M = (lambda: torch.ones(2, 3)), (lambda: torch.ones(3)), (lambda: torch.ones(2, 3, 3))
TORCH_ACCEPTS_OUR_NAMES = {
    "concatenate": lambda: torch.concatenate([_X(), _X()], dim=0),
    "broadcast_to": lambda: torch.broadcast_to(input=_V(), size=(2, 3)),
    "Tensor.broadcast_to": lambda: _V().broadcast_to(size=(2, 3)),
    "true_divide": lambda: torch.true_divide(input=_X(), other=_X()),
    "Tensor.bmm": lambda: _M().bmm(mat2=_M()),
    "Tensor.div": lambda: _X().div(other=2),
    "Tensor.div_": lambda: _X().div_(other=2),
    "Tensor.divide": lambda: _X().divide(other=2),
    "Tensor.dot": lambda: _V().dot(tensor=_V()),
    "Tensor.floor_divide": lambda: _X().floor_divide(other=2),
    "Tensor.fmod": lambda: _X().fmod(other=2),
    "Tensor.matmul": lambda: _X().matmul(other=_V()),
    "Tensor.mul": lambda: _X().mul(other=2),
    "Tensor.mul_": lambda: _X().mul_(other=2),
    "Tensor.multiply": lambda: _X().multiply(other=2),
    "Tensor.narrow": lambda: _X().narrow(dim=0, start=0, length=1),
    "Tensor.remainder": lambda: _X().remainder(other=2),
    "Tensor.sort": lambda: _X().sort(dim=0, descending=False, stable=True),
    "Tensor.true_divide": lambda: _X().true_divide(other=2),
    "Tensor.where": lambda: _X().where(condition=_X() > 0, other=0.0),
}

_OVERRIDES = torch.overrides.get_testing_overrides()
Parameters = Tuple[List[str], List[str]]  # (positional-or-keyword names in order, keyword-only names)


def _split_top_level(text: str) -> List[str]:
    items, depth, current = [], 0, ""
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return [item.strip() for item in items + [current] if item.strip()]


def _from_docstring(function, name: str, method: bool) -> List[Parameters]:
    """Every overload the docstring spells out: its first line, and each ``.. function:: name(...)`` line."""
    overloads = []
    for line in (inspect.getdoc(function) or "").splitlines():
        match = re.match(rf"^(?:\.\. function:: )?{re.escape(name)}\((.*)\)\s*(->.*)?$", line.strip())
        if match is None:
            continue
        positional, keyword, after_star = [], [], False
        for item in _split_top_level(match.group(1)):
            if item in ("*", "/"):
                after_star = after_star or item == "*"
                continue
            if item.startswith("*"):  # *shape, *tensors: nothing positional after it is named
                after_star = True
                continue
            parameter = re.split(r"[:=]", item, maxsplit=1)[0].strip()
            (keyword if after_star else positional).append(parameter)
        if method and positional[:1] in (["self"], ["input"]):
            positional = positional[1:]
        overloads.append((positional, keyword))
    return overloads


def _from_signature(function, method: bool) -> Optional[Parameters]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    positional, keyword, stop = [], [], False
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            stop = True
        elif parameter.kind == parameter.KEYWORD_ONLY:
            keyword.append(parameter.name)
        elif parameter.kind != parameter.VAR_KEYWORD and not stop:
            positional.append(parameter.name)
    if method and positional:
        positional = positional[1:]
    return positional, keyword


def torch_parameters(function, name: str, method: bool) -> List[Parameters]:
    """torch's overloads for ``function`` (a ``torch.*`` function or ``torch.Tensor`` method), as parameter names."""
    if inspect.isfunction(function):
        return [_from_signature(function, method)]
    found = _from_docstring(function, name, method)
    if not found and function in _OVERRIDES:
        found = [_from_signature(_OVERRIDES[function], method)]
    return found


def _public_pairs():
    for name in sorted(set(course_lib._api.__all__)):
        ours, theirs = getattr(course_lib, name), getattr(torch, name, None)
        if callable(ours) and not isinstance(ours, type) and callable(theirs) and not isinstance(theirs, type):
            yield pytest.param(ours, theirs, name, False, id=name)
    for name in sorted(dir(course_lib.Tensor)):
        if name.startswith("_"):
            continue
        ours, theirs = inspect.getattr_static(course_lib.Tensor, name), getattr(torch.Tensor, name, None)
        if inspect.isfunction(ours) and callable(theirs):
            yield pytest.param(ours, theirs, name, True, id=f"Tensor.{name}")


PAIRS = list(_public_pairs())


@pytest.mark.parametrize("ours, theirs, name, method", PAIRS)
def test_parameter_names_are_torchs(ours, theirs, name, method):
    label = f"Tensor.{name}" if method else name
    if label in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[label])
    if label in TORCH_ACCEPTS_OUR_NAMES:
        TORCH_ACCEPTS_OUR_NAMES[label]()  # raises TypeError if torch does not take course_lib's names
        return
    overloads = torch_parameters(theirs, name, method)
    if not overloads:
        pytest.skip("torch states no parameter names for it")
    positional, keyword = _from_signature(ours, method)

    def fits(overload: Parameters) -> bool:
        torch_positional = overload[0]
        shared = min(len(positional), len(torch_positional))
        return positional[:shared] == torch_positional[:shared]

    assert any(fits(o) for o in overloads), (
        f"{label}: course_lib's parameters {positional} where torch has {[o[0] for o in overloads]}")


def test_the_comparison_covers_the_api():
    assert len(PAIRS) > 150
    assert torch_parameters(torch.reshape, "reshape", False) == [(["input", "shape"], [])]
    assert torch_parameters(torch.Tensor.transpose, "transpose", True) == [(["dim0", "dim1"], [])]
    assert (["input", "dim", "keepdim"], ["dtype"]) in torch_parameters(torch.sum, "sum", False)


@pytest.mark.parametrize("label", sorted(TORCH_ACCEPTS_OUR_NAMES))
def test_torch_takes_the_names_its_docstring_does_not_show(label):
    TORCH_ACCEPTS_OUR_NAMES[label]()


def test_keyword_calls_that_work_in_torch_work_here():
    for library in (torch, course_lib):
        x = library.arange(6.0)
        assert library.reshape(input=x, shape=(3, 2)).shape == (3, 2)
        assert library.transpose(input=x.reshape(2, 3), dim0=0, dim1=1).shape == (3, 2)
        assert x.reshape(2, 3).sum(dim=1, keepdim=True).shape == (2, 1)
        assert len(library.split(tensor=x, split_size_or_sections=2)) == len(x.split(split_size=4)) + 1
        assert library.swapaxes(x.reshape(2, 3), axis0=0, axis1=1).shape == (3, 2)
        assert library.promote_types(type1=library.int64, type2=library.float32) == library.float32
        m = x.reshape(shape=(2, 3))
        assert m.view(size=(3, 2)).shape == m.permute(dims=(1, 0)).shape == (3, 2)
        assert m[:1].expand(size=(4, 3)).shape == library.broadcast_to(input=m[:1], size=(4, 3)).shape == (4, 3)
        assert m.repeat(repeats=(2, 1)).shape == (4, 3)


def test_tensors_given_by_keyword_get_their_gradients():
    grads = []
    for library in (torch, course_lib):
        a = library.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = library.tensor([4.0, 5.0, 6.0], requires_grad=True)
        out = library.mul(input=a, other=b).reshape(shape=(3, 1)).sum(dim=0, keepdim=True)
        out.sum().backward()
        grads.append((a.grad.tolist(), b.grad.tolist(), out.grad_fn.name()))
    assert grads[0] == grads[1]
