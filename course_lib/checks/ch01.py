"""Checks for chapter 01 (notebooks/01_tensors.ipynb): your tensor internals against torch.

What they cover:

- shape math (1.1–1.5, 1.11) is called directly and compared with torch's answer for the
  same shapes (``torch.empty(shape).stride()``, ``torch.broadcast_shapes`` ...);
- the python backend's loops (1.6, 1.7, 1.12, 1.13) are run *through the python backend*
  (``PythonBackend().map(...)``) on small tensors with every kind of layout — contiguous,
  transposed, sliced, expanded (stride 0), 0-d and empty — and compared with torch;
- view rules (1.8–1.10) are run through ``Tensor.permute`` / ``view`` / ``x[...]`` on each
  device, comparing the values, the strides and the offset with torch's, and checking
  that the result shares the input's storage; error cases must raise torch's error type.

Inputs are seeded random numbers. Non-contiguous course_lib inputs are built with exactly
torch's layout (same storage contents, shape, strides and offset), without using any of
your chapter-01 code, so each check tests one exercise.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Iterator, Tuple

from .. import shape
from ..backends.python_backend import PythonBackend
from .harness import Case, register_check
from ..ops.creation import tensor
from ..ops.views import as_view

# --------------------------------------------------------------------------- helpers


def _torch():
    import torch

    return torch


def _layout_text(t: Any) -> str:
    return f"shape {tuple(t.shape)} strides {tuple(t.stride())} offset {t.storage_offset()}"


def mirror(base: Any, make_view: Callable[[Any], Any], device: str = "cpu") -> Tuple[Any, Any]:
    """``(torch_view, course_lib_view)``: the same view of the same data in both frameworks.

    ``base`` is a contiguous torch tensor; ``make_view(base)`` a torch view of it. The
    course_lib view is built directly from torch's shape, strides and offset.
    """
    torch_view = make_view(base)
    ours = tensor(base.numpy(), device=device)
    return torch_view, as_view(ours, tuple(torch_view.shape), tuple(torch_view.stride()), torch_view.storage_offset())


def _base(base_shape: Tuple[int, ...], seed: int, kind: str = "float") -> Any:
    torch = _torch()
    generator = torch.Generator().manual_seed(seed)
    if kind == "int":
        return torch.randint(-5, 6, base_shape, generator=generator)
    if kind == "positive":
        return torch.rand(base_shape, generator=generator) + 0.5
    if kind == "bool":
        return torch.rand(base_shape, generator=generator) > 0.5
    return torch.randn(base_shape, generator=generator)


# Layouts every loop must read correctly: (description, base shape, view of the base).
LAYOUTS = [
    ("contiguous", (2, 3), lambda b: b),
    ("transposed", (3, 2), lambda b: b.t()),
    ("sliced", (3, 5), lambda b: b[1:, ::2]),
    ("expanded (stride 0)", (2, 1), lambda b: b.expand(2, 3)),
    ("permuted 3-d", (2, 3, 4), lambda b: b.permute(2, 0, 1)),
    ("0-d", (), lambda b: b),
    ("empty", (0, 3), lambda b: b),
]


# --------------------------------------------------------------------------- 1.1 - 1.5: shape math


@register_check("1.1")
def check_contiguous_strides() -> Iterator[Case]:
    """``shape.contiguous_strides`` against ``torch.empty(shape).stride()``."""
    torch = _torch()
    rng = random.Random(1)
    shapes = [(), (5,), (2, 3), (2, 3, 4), (2, 0, 3), (0,), (1, 1, 1), (4, 1, 2)]
    shapes += [tuple(rng.randint(1, 5) for _ in range(rng.randint(2, 5))) for _ in range(3)]
    for dims in shapes:
        yield Case(f"strides of {dims}", f"shape={dims}",
                   actual=lambda dims=dims: shape.contiguous_strides(dims),
                   expected=lambda dims=dims: torch.empty(dims).stride())


@register_check("1.2")
def check_index_to_position() -> Iterator[Case]:
    """``shape.index_to_position`` on views of ``arange``: the value at an index *is* its position."""
    torch = _torch()
    rng = random.Random(2)
    views = [
        ("contiguous", lambda b: b.reshape(2, 3, 4)),
        ("permuted", lambda b: b.reshape(2, 3, 4).permute(2, 0, 1)),
        ("sliced", lambda b: b.reshape(2, 3, 4)[1:, ::2, 1:3]),
        ("offset row", lambda b: b.reshape(4, 6)[2]),
        ("expanded", lambda b: b[:3].reshape(3, 1).expand(3, 4)),
        ("0-d", lambda b: b[7]),
    ]
    for name, make in views:
        view = make(torch.arange(24))
        for _ in range(2 if view.dim() else 1):
            index = tuple(rng.randrange(size) for size in view.shape)
            yield Case(f"{name}: index {index}", f"index={index}, {_layout_text(view)}",
                       actual=lambda index=index, view=view: shape.index_to_position(
                           index, tuple(view.stride()), view.storage_offset()),
                       expected=lambda index=index, view=view: int(view[index]))


@register_check("1.3")
def check_position_to_index() -> Iterator[Case]:
    """``shape.position_to_index`` against ``torch.unravel_index``."""
    torch = _torch()
    rng = random.Random(3)
    cases = [((5,), 3), ((2, 3), 4), ((2, 3, 4), 0), ((2, 3, 4), 23), ((4, 1, 3), 7), ((), 0)]
    for _ in range(4):
        dims = tuple(rng.randint(1, 5) for _ in range(rng.randint(1, 4)))
        cases.append((dims, rng.randrange(shape.numel(dims))))
    for dims, position in cases:
        def expected(dims=dims, position=position):
            if not dims:
                return ()
            return tuple(int(i) for i in torch.unravel_index(torch.tensor(position), dims))

        yield Case(f"position {position} in {dims}", f"position={position}, shape={dims}",
                   actual=lambda dims=dims, position=position: shape.position_to_index(position, dims),
                   expected=expected)


@register_check("1.4")
def check_broadcast_shape() -> Iterator[Case]:
    """``shape.broadcast_shape`` against ``torch.broadcast_shapes``, including the error."""
    torch = _torch()
    pairs = [((3, 1), (4,)), ((2, 3), (3,)), ((), (2, 2)), ((5, 1, 4), (3, 1)), ((0, 3), (1, 3)), ((1,), (0,)),
             ((2, 1, 3), (2, 4, 1)), ((2, 3), (2, 3)), ((4,), (3, 1, 1))]
    for a, b in pairs:
        yield Case(f"{a} with {b}", f"a={a}, b={b}",
                   actual=lambda a=a, b=b: shape.broadcast_shape(a, b),
                   expected=lambda a=a, b=b: tuple(torch.broadcast_shapes(a, b)))
    for a, b in [((2, 3), (2, 4)), ((3,), (2, 4)), ((2, 3, 4), (5, 1))]:
        yield Case(f"{a} with {b} raises RuntimeError", f"a={a}, b={b}",
                   actual=lambda a=a, b=b: shape.broadcast_shape(a, b),
                   expected=lambda a=a, b=b: torch.broadcast_shapes(a, b), expect_error=RuntimeError)


@register_check("1.5")
def check_broadcast_index() -> Iterator[Case]:
    """``shape.broadcast_index`` against reading ``small.expand(big)[big_index]`` in torch."""
    torch = _torch()
    rng = random.Random(5)
    pairs = [((3, 4), (4,)), ((3, 4), (3, 1)), ((3, 4), (1,)), ((2, 3, 4), (3, 1)), ((2, 3, 4), ()),
             ((2, 3, 4), (2, 1, 4)), ((5, 2), (5, 2))]
    for big, small in pairs:
        index = tuple(rng.randrange(size) for size in big)

        def expected(big=big, small=small, index=index):
            if not small:
                return ()
            value = torch.arange(shape.numel(small)).reshape(small).expand(big)[index]
            return tuple(int(i) for i in torch.unravel_index(value, small))

        yield Case(f"{index} of {big} into {small}", f"big_index={index}, big_shape={big}, shape={small}",
                   actual=lambda big=big, small=small, index=index: shape.broadcast_index(index, big, small),
                   expected=expected)


# --------------------------------------------------------------------------- 1.6, 1.7: elementwise loops


@register_check("1.6")
def check_map_loop() -> Iterator[Case]:
    """``PythonBackend().map`` (your ``map_loop``) on every layout, against torch."""
    torch = _torch()
    backend = PythonBackend()
    functions = [("neg", torch.neg), ("exp", torch.exp), ("sigmoid", torch.sigmoid), ("relu", torch.relu),
                 ("abs", torch.abs), ("tanh", torch.tanh), ("neg", torch.neg)]
    for seed, ((layout, base_shape, make), (fn_name, fn)) in enumerate(zip(LAYOUTS, functions)):
        torch_x, x = mirror(_base(base_shape, seed), make)
        yield Case(f"{fn_name} of {layout} {tuple(torch_x.shape)}", f"x: {_layout_text(torch_x)}",
                   actual=lambda x=x, fn_name=fn_name: backend.map(fn_name, x),
                   expected=lambda torch_x=torch_x, fn=fn: fn(torch_x))
    torch_x, x = mirror(_base((3, 2), 10, "int"), lambda b: b.t())
    yield Case("neg of transposed int64", f"x: {_layout_text(torch_x)}",
               actual=lambda: backend.map("neg", x), expected=lambda: torch.neg(torch_x))


@register_check("1.7")
def check_zip_loop() -> Iterator[Case]:
    """``PythonBackend().zip`` (your ``zip_loop``): broadcasting and strided inputs, against torch."""
    torch = _torch()
    backend = PythonBackend()
    cases = [
        ("add", torch.add, (3, 1), lambda b: b, (1, 4), lambda b: b),
        ("mul", torch.mul, (2, 3), lambda b: b, (3,), lambda b: b),
        ("sub", torch.sub, (), lambda b: b, (2, 2), lambda b: b),
        ("div", torch.div, (4, 3), lambda b: b.t(), (4,), lambda b: b),
        ("maximum", torch.maximum, (3, 5), lambda b: b[1:, ::2], (2, 1), lambda b: b.expand(2, 3)),
        ("lt", torch.lt, (2, 3, 4), lambda b: b.permute(2, 0, 1), (2, 1), lambda b: b),
        ("add", torch.add, (0, 3), lambda b: b, (1, 3), lambda b: b),
        ("mul", torch.mul, (5,), lambda b: b, (5,), lambda b: b),
    ]
    for seed, (fn_name, fn, a_shape, make_a, b_shape, make_b) in enumerate(cases):
        torch_a, a = mirror(_base(a_shape, 2 * seed), make_a)
        torch_b, b = mirror(_base(b_shape, 2 * seed + 1), make_b)
        yield Case(f"{fn_name} {tuple(torch_a.shape)} with {tuple(torch_b.shape)}",
                   f"a: {_layout_text(torch_a)}; b: {_layout_text(torch_b)}",
                   actual=lambda a=a, b=b, fn_name=fn_name: backend.zip(fn_name, a, b),
                   expected=lambda torch_a=torch_a, torch_b=torch_b, fn=fn: fn(torch_a, torch_b))
    torch_a, a = mirror(_base((2, 3), 40), lambda b: b.t())
    yield Case("mul transposed (3, 2) by the number 2.5", f"a: {_layout_text(torch_a)}, b=2.5",
               actual=lambda a=a: backend.zip("mul", a, 2.5), expected=lambda torch_a=torch_a: torch_a * 2.5)
    torch_a, a = mirror(_base((3, 1), 41, "int"), lambda b: b)
    torch_b, b = mirror(_base((4,), 42, "int"), lambda b: b)
    yield Case("add int64 (3, 1) with (4,)", f"a: {_layout_text(torch_a)}; b: {_layout_text(torch_b)}",
               actual=lambda a=a, b=b: backend.zip("add", a, b),
               expected=lambda torch_a=torch_a, torch_b=torch_b: torch_a + torch_b)


# --------------------------------------------------------------------------- 1.8 - 1.10: views


def _view_result(result: Any, source: Any) -> Tuple[Any, Tuple[int, ...], int, bool]:
    """What a view must get right: values, strides, offset, and sharing the source's storage."""
    if hasattr(result, "untyped_storage") and hasattr(source, "untyped_storage"):
        shares = result.untyped_storage().data_ptr() == source.untyped_storage().data_ptr()
    else:
        shares = False
    return result, tuple(result.stride()), result.storage_offset(), shares


@register_check("1.8", per_device=True)
def check_permute(device: str) -> Iterator[Case]:
    """``x.permute(dims)`` (your ``permute_shape_strides``): values, strides, offset and sharing."""
    torch = _torch()
    cases = [
        ("matrix", (2, 3), lambda b: b, (1, 0)),
        ("3-d", (2, 3, 4), lambda b: b, (2, 0, 1)),
        ("3-d, negative dims", (2, 3, 4), lambda b: b, (-1, -3, -2)),
        ("sliced input", (4, 5), lambda b: b[1:, 1::2], (1, 0)),
        ("expanded input", (3, 1), lambda b: b.expand(3, 4), (1, 0)),
        ("identity", (2, 3, 4), lambda b: b, (0, 1, 2)),
        ("0-d", (), lambda b: b, ()),
        ("empty", (0, 3, 2), lambda b: b, (2, 0, 1)),
    ]
    for seed, (name, base_shape, make, dims) in enumerate(cases):
        torch_x, x = mirror(_base(base_shape, seed), make, device)
        yield Case(f"permute{dims} of {name} {tuple(torch_x.shape)}", f"x: {_layout_text(torch_x)}, dims={dims}",
                   actual=lambda x=x, dims=dims: _view_result(x.permute(dims), x),
                   expected=lambda torch_x=torch_x, dims=dims: _view_result(torch_x.permute(dims), torch_x))
    torch_x, x = mirror(_base((2, 3), 20), lambda b: b, device)
    yield Case("transpose(0, 1) uses permute", f"x: {_layout_text(torch_x)}",
               actual=lambda: _view_result(x.transpose(0, 1), x),
               expected=lambda: _view_result(torch_x.transpose(0, 1), torch_x))
    yield Case("repeated dims raise RuntimeError", "x: (2, 3), dims=(0, 0)", actual=lambda: x.permute(0, 0),
               expected=lambda: torch_x.permute(0, 0), expect_error=RuntimeError)


@register_check("1.9", per_device=True)
def check_view(device: str) -> Iterator[Case]:
    """``x.view(shape)`` (your ``view_strides``): strides as torch's, or RuntimeError when torch refuses."""
    torch = _torch()
    cases = [
        ("contiguous", (2, 3, 4), lambda b: b, (6, 4)),
        ("contiguous, -1", (2, 3, 4), lambda b: b, (-1,)),
        ("contiguous, split dim", (2, 3, 4), lambda b: b, (2, 3, 2, 2)),
        ("transposed, add size-1 dims", (4, 3), lambda b: b.t(), (1, 3, 1, 4)),
        ("transposed, split a dim", (4, 6), lambda b: b.t(), (2, 3, 4)),
        ("sliced rows", (6, 4), lambda b: b[::2], (3, 2, 2)),
        ("expanded", (3, 1), lambda b: b.expand(3, 4), (3, 2, 2)),
        ("0-d", (), lambda b: b, (1, 1)),
        ("to 0-d", (1, 1), lambda b: b, ()),
        ("empty", (0, 3), lambda b: b, (3, 0)),
    ]
    for seed, (name, base_shape, make, new_shape) in enumerate(cases):
        torch_x, x = mirror(_base(base_shape, seed), make, device)
        yield Case(f"view({_args(new_shape)}) of {name} {tuple(torch_x.shape)}", f"x: {_layout_text(torch_x)}",
                   actual=lambda x=x, new_shape=new_shape: _view_result(x.view(new_shape), x),
                   expected=lambda torch_x=torch_x, new_shape=new_shape: _view_result(torch_x.view(new_shape),
                                                                                       torch_x))
    refused = [
        ("transposed", (3, 4), lambda b: b.t(), (12,)),
        ("sliced columns", (4, 3), lambda b: b[:, :2], (8,)),
        ("permuted 3-d", (2, 3, 4), lambda b: b.permute(1, 0, 2), (6, 4)),
    ]
    for seed, (name, base_shape, make, new_shape) in enumerate(refused, start=50):
        torch_x, x = mirror(_base(base_shape, seed), make, device)
        yield Case(f"view({_args(new_shape)}) of {name} raises RuntimeError", f"x: {_layout_text(torch_x)}",
                   actual=lambda x=x, new_shape=new_shape: x.view(new_shape),
                   expected=lambda torch_x=torch_x, new_shape=new_shape: torch_x.view(new_shape),
                   expect_error=RuntimeError)


@register_check("1.10", per_device=True)
def check_slicing(device: str) -> Iterator[Case]:
    """``x[...]`` with slices (your ``slice_layout``): a view with torch's strides and offset."""
    torch = _torch()
    every = slice(None)
    cases = [
        ("rows 1:3", (5, 3), lambda b: b, (slice(1, 3),)),
        ("every other", (7,), lambda b: b, (slice(None, None, 2),)),
        ("columns 1::2", (3, 6), lambda b: b, (every, slice(1, None, 2))),
        ("negative bounds", (6,), lambda b: b, (slice(-4, -1),)),
        ("start past the end", (4, 2), lambda b: b, (slice(5, None),)),
        ("slice, None, step 3", (4, 7), lambda b: b, (slice(1, None), None, slice(None, None, 3))),
        ("ellipsis then slice", (2, 3, 5), lambda b: b, (Ellipsis, slice(2, 4))),
        ("slice of a transposed tensor", (6, 4), lambda b: b.t(), (slice(1, 3), slice(None, None, 2))),
        ("int and slice", (4, 5), lambda b: b, (2, slice(1, 4))),
    ]
    for seed, (name, base_shape, make, key) in enumerate(cases):
        torch_x, x = mirror(_base(base_shape, seed), make, device)
        yield Case(f"x[{_key_text(key)}]: {name}", f"x: {_layout_text(torch_x)}",
                   actual=lambda x=x, key=key: _view_result(x[key], x),
                   expected=lambda torch_x=torch_x, key=key: _view_result(torch_x[key], torch_x))
    torch_x, x = mirror(_base((5,), 30), lambda b: b, device)
    yield Case("negative step raises ValueError", "x: (5,), key ::-1", actual=lambda: x[::-1],
               expected=lambda: torch_x[::-1], expect_error=ValueError)


def _args(values: Tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _key_text(key: Tuple[Any, ...]) -> str:
    def one(item: Any) -> str:
        if isinstance(item, slice):
            parts = ["" if v is None else str(v) for v in (item.start, item.stop)]
            return ":".join(parts) + ("" if item.step is None else f":{item.step}")
        return "..." if item is Ellipsis else str(item)

    return ", ".join(one(item) for item in key)


# --------------------------------------------------------------------------- 1.11, 1.12: reductions


@register_check("1.11")
def check_reduced_shape() -> Iterator[Case]:
    """``shape.reduced_shape`` against the shape of ``torch.empty(shape).sum(dims, keepdim)``."""
    torch = _torch()
    cases = [((2, 3, 4), (1,)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (0, 1, 2)), ((5,), (0,)), ((3, 0, 2), (1,)),
             ((4, 1, 3), (2,)), ((2, 3), ())]
    for dims_shape, dims in cases:
        for keepdim in (False, True):
            def expected(dims_shape=dims_shape, dims=dims, keepdim=keepdim):
                if not dims:
                    return dims_shape  # nothing reduced (torch would read an empty tuple as "all")
                return tuple(torch.empty(dims_shape).sum(dims, keepdim=keepdim).shape)

            yield Case(f"{dims_shape} over {dims}, keepdim={keepdim}", f"shape={dims_shape}, dims={dims}",
                       actual=lambda dims_shape=dims_shape, dims=dims, keepdim=keepdim: shape.reduced_shape(
                           dims_shape, dims, keepdim),
                       expected=expected)


@register_check("1.12")
def check_reduce_loop() -> Iterator[Case]:
    """``PythonBackend().reduce`` (your ``reduce_loop``) on strided inputs, against torch."""
    torch = _torch()
    backend = PythonBackend()

    def torch_reduce(fn_name: str, t: Any, dims: Tuple[int, ...], keepdim: bool) -> Any:
        if fn_name == "sum":
            return t.sum(dims, keepdim=keepdim)
        if fn_name == "max":
            return torch.amax(t, dims, keepdim=keepdim)
        if fn_name == "min":
            return torch.amin(t, dims, keepdim=keepdim)
        if fn_name == "prod":
            return t.prod(dims[0], keepdim=keepdim)
        return torch.any(t, dims[0], keepdim=keepdim) if fn_name == "any" else torch.all(t, dims[0], keepdim=keepdim)

    cases = [
        ("sum", (2, 3), lambda b: b, (1,), False, "float"),
        ("sum", (2, 3, 4), lambda b: b.permute(2, 0, 1), (0, 2), True, "float"),
        ("sum", (3, 5), lambda b: b[1:, ::2], (0, 1), False, "float"),
        ("max", (2, 1), lambda b: b.expand(2, 3), (1,), True, "float"),
        ("min", (4, 3), lambda b: b.t(), (0,), False, "float"),
        ("prod", (2, 3), lambda b: b, (0,), True, "positive"),
        ("sum", (2, 3), lambda b: b, (0,), False, "int"),
        ("sum", (0, 3), lambda b: b, (0,), False, "float"),
        ("any", (3, 4), lambda b: b, (1,), False, "bool"),
        ("all", (3, 4), lambda b: b, (0,), True, "bool"),
    ]
    for seed, (fn_name, base_shape, make, dims, keepdim, kind) in enumerate(cases):
        torch_x, x = mirror(_base(base_shape, seed, kind), make)
        yield Case(f"{fn_name} over {dims} of {tuple(torch_x.shape)}, keepdim={keepdim}",
                   f"x: {_layout_text(torch_x)} ({kind})",
                   actual=lambda x=x, fn_name=fn_name, dims=dims, keepdim=keepdim: backend.reduce(
                       fn_name, x, dims, keepdim),
                   expected=lambda torch_x=torch_x, fn_name=fn_name, dims=dims, keepdim=keepdim: torch_reduce(
                       fn_name, torch_x, dims, keepdim))


# --------------------------------------------------------------------------- 1.13: matmul


@register_check("1.13")
def check_matmul_loop() -> Iterator[Case]:
    """``PythonBackend().matmul`` (your ``matmul_loop``): batched, broadcast and strided, against torch."""
    torch = _torch()
    backend = PythonBackend()
    cases = [
        ((2, 3), lambda b: b, (3, 4), lambda b: b, "float"),
        ((3, 2), lambda b: b.t(), (3, 4), lambda b: b, "float"),
        ((2, 2, 3), lambda b: b, (3, 4), lambda b: b, "float"),
        ((2, 1, 2, 3), lambda b: b, (3, 3, 2), lambda b: b, "float"),
        ((2, 3), lambda b: b, (1, 3), lambda b: b.expand(4, 3).t(), "float"),
        ((2, 3), lambda b: b, (3, 2), lambda b: b, "int"),
        ((2, 0), lambda b: b, (0, 3), lambda b: b, "float"),
    ]
    for seed, (a_shape, make_a, b_shape, make_b, kind) in enumerate(cases):
        torch_a, a = mirror(_base(a_shape, 2 * seed, kind), make_a)
        torch_b, b = mirror(_base(b_shape, 2 * seed + 1, kind), make_b)
        yield Case(f"{tuple(torch_a.shape)} @ {tuple(torch_b.shape)} ({kind})",
                   f"a: {_layout_text(torch_a)}; b: {_layout_text(torch_b)}",
                   actual=lambda a=a, b=b: backend.matmul(a, b),
                   expected=lambda torch_a=torch_a, torch_b=torch_b: torch.matmul(torch_a, torch_b))
