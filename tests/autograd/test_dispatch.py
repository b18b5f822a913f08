"""The dispatch table: every differentiable operation reaches its autograd kernel by every path.

An operation is defined once with ``@differentiable(name)`` (``course_lib/ops/dispatch.py``);
``course_lib.autograd`` registers its kernel in ``AUTOGRAD``. Nothing rebinds names, so a
function imported by any path, at any time, records the graph.
"""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import numpy as np
import pytest
import torch

import course_lib
from course_lib.ops import dispatch
from helpers import REPO
from helpers.autograd import grad_fn_name


def all_modules():
    """Every module of course_lib except the course tooling (checks, exercises, datasets' CLI)."""
    names = [info.name for info in pkgutil.walk_packages(course_lib.__path__, "course_lib.")
             if not info.name.endswith("__main__")]
    return [course_lib] + [importlib.import_module(name) for name in sorted(names)]


def test_every_dispatched_operation_has_a_kernel_and_every_kernel_an_operation():
    assert set(dispatch.OPS) == set(dispatch.AUTOGRAD)
    for name, operation in dispatch.OPS.items():
        assert operation.plain is not operation and callable(operation.plain), name


def test_no_name_in_course_lib_is_bound_to_an_undispatched_kernel():
    plain = {id(operation.plain): name for name, operation in dispatch.OPS.items()}
    offenders = [f"{module.__name__}.{attribute}" for module in all_modules()
                 for attribute, value in vars(module).items() if id(value) in plain]
    offenders += [f"Tensor.{attribute}" for attribute, value in vars(course_lib.Tensor).items() if id(value) in plain]
    assert not offenders, f"bound to a plain kernel (no autograd): {offenders}"


def test_every_import_path_of_an_operation_is_the_same_function():
    for module in all_modules():
        for attribute, value in vars(module).items():
            name = getattr(value, "op_name", None)
            if name is not None and callable(value):
                assert value is dispatch.OPS[name], f"{module.__name__}.{attribute} is another {name}"
    for name in ("add", "mul", "exp", "sum", "relu", "matmul", "softmax", "reshape"):
        assert getattr(course_lib, name) is dispatch.OPS[name]
        assert getattr(course_lib.Tensor, name) is dispatch.OPS[name]


EXPRESSIONS = {  # (operation, how to call it given a module or Tensor method, torch's grad_fn)
    "add": lambda f, x: f(x, x),
    "mul": lambda f, x: f(x, x),
    "exp": lambda f, x: f(x),
    "sum": lambda f, x: f(x),
    "relu": lambda f, x: f(x),
    "softmax": lambda f, x: f(x, 0),
}
HOMES = {"add": "elementwise", "mul": "elementwise", "exp": "unary", "sum": "reduce", "relu": "unary",
         "softmax": "activation"}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_each_import_path_records_torchs_grad_fn(name):
    call = EXPRESSIONS[name]
    expected = type(call(getattr(torch, name), torch.ones(3, requires_grad=True)).grad_fn).__name__
    home = importlib.import_module(f"course_lib.ops.{HOMES[name]}")
    paths = [getattr(course_lib, name), getattr(home, name), getattr(course_lib.Tensor, name)]
    if name in ("softmax",):
        paths.append(course_lib.nn.functional.softmax)
    for function in paths:
        x = course_lib.ones(3, requires_grad=True)
        assert grad_fn_name(call(function, x)) == expected, function


# The names are bound from the operations modules *before* autograd is imported: the package body
# (which imports autograd) is kept from running by a bare package module. With kernels bound by
# rebinding module names when autograd is imported (the old design), these names would stay plain.
BOUND_BEFORE_AUTOGRAD = """
import sys, types
package = types.ModuleType("course_lib")
package.__path__ = ["course_lib"]
sys.modules["course_lib"] = package
from course_lib.ops.elementwise import add, mul
from course_lib.ops.unary import exp, relu
from course_lib.ops.reduce import sum
assert "course_lib.autograd" not in sys.modules
import course_lib.ops.tensor_methods
{rebind}
import course_lib.autograd
from course_lib.ops.creation import ones
x = ones(3, requires_grad=True)
print(*(type(f(x).grad_fn).__name__ for f in (lambda v: add(v, v), lambda v: mul(v, v), exp, relu, sum)))
"""


def _grad_fns_of_names_bound_before_autograd(rebind: str = "") -> list:
    code = BOUND_BEFORE_AUTOGRAD.format(rebind=rebind)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_module_imported_first_records_the_graph():
    assert _grad_fns_of_names_bound_before_autograd() == [
        "AddBackward0", "MulBackward0", "ExpBackward0", "ReluBackward0", "SumBackward0"]


def test_the_import_order_test_sees_names_that_stay_plain():
    """The test above can fail: bound to the plain kernels (what the old import bug left), nothing records."""
    plain = ("add, mul, exp, relu, sum = add.plain, mul.plain, exp.plain, relu.plain, sum.plain")
    assert _grad_fns_of_names_bound_before_autograd(plain) == ["NoneType"] * 5


def test_operations_work_with_no_autograd_kernel_registered():
    """Chapter 01 on its own: with an empty table, operations compute and record nothing."""
    saved = dict(dispatch.AUTOGRAD)
    dispatch.AUTOGRAD.clear()
    try:
        x = course_lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x + 1).exp().sum()
        assert y.grad_fn is None
        np.testing.assert_allclose(y.item(), np.exp(np.array([2.0, 5.0, 10.0])).sum(), rtol=1e-6)
    finally:
        dispatch.AUTOGRAD.update(saved)
    assert (x * x).grad_fn is not None


def test_the_fast_path_does_not_call_a_kernel(monkeypatch):
    calls = []
    monkeypatch.setitem(dispatch.AUTOGRAD, "mul", lambda *args, **kwargs: calls.append(args))
    x = course_lib.ones(2)
    course_lib.mul(x, x)  # nothing requires grad
    with course_lib.no_grad():
        course_lib.mul(x.requires_grad_(), x)  # grad mode off
    assert calls == []
    course_lib.mul(x, x)
    assert len(calls) == 1
