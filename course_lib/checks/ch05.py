"""Checks for chapter 05 (notebooks/05_gpus_and_kernels.ipynb): your Triton kernels against torch.

They run on the cuda device only: a GPU, or Triton's interpreter where there is none ("cuda (simulated)").
Each case goes through course_lib itself (``a + b``, ``softmax``, ``sum``, ``@`` on cuda tensors), so it judges
the kernel the framework runs, and compares the result with torch's on the CPU. Most cases run with small
blocks (``runtime.block_limit``): even a small tensor then takes many programs, a partial last block and
several chunks of columns, the places where a kernel goes wrong. A simulated kernel cannot fault on an
out-of-bounds write, so 5.1 puts a canary after the last element and checks that it survives; 5.5 also
launches the matrix product with small tiles, so that the grouped tile order covers many tiles and a last,
shorter group.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Tuple

from .. import _api
from ..backends import get_backend
from .ch01 import _base, _layout_text, mirror
from .harness import Case, register_check

SMALL_BLOCKS = 16
"""The block limit of most cases: a few dozen elements take several programs."""


def _torch():
    import torch

    return torch


def _with_blocks(limit: int, compute: Callable[[], Any]) -> Callable[[], Any]:
    """``compute`` run with every block of the cuda backend at most ``limit`` elements along each dimension."""
    def run() -> Any:
        from ..backends.triton import runtime

        with runtime.block_limit(limit):
            return compute()

    return run


def _pair(base_shape: Tuple[int, ...], seed: int, make_view: Callable[[Any], Any] = lambda b: b,
          kind: str = "float", device: str = "cuda", dtype: str = "") -> Tuple[Any, Any]:
    """``(torch view, course_lib view on device)`` of the same random data (see ``ch01.mirror``), in ``dtype``
    (a torch dtype's name; default: float32, int64 or bool as ``kind`` says)."""
    base = _base(base_shape, seed, kind)
    return mirror(base.to(getattr(base, dtype)()) if dtype else base, make_view, device)


def _inputs(**tensors: Any) -> str:
    return "; ".join(f"{name}: {_layout_text(t)} {str(t.dtype).replace('torch.', '')}" for name, t in tensors.items())


# --------------------------------------------------------------------------- 5.1: vector add

CANARY = 7777.0
"""What fills the memory around the output of 5.1's canary cases: a kernel writing past ``n`` changes it."""


@register_check("5.1", devices=("cuda",))
def check_vector_add(device: str) -> Iterator[Case]:
    """``contiguous_binary_kernel``: contiguous operands of one shape, blocks of 64, and a canary after the end."""
    torch = _torch()
    functions = [("add", (1000,), "float"), ("mul", (37, 29), "float"), ("sub", (513,), "int"),
                 ("maximum", (300,), "float16")]
    for seed, (fn_name, shape, kind) in enumerate(functions):
        dtype = "half" if kind == "float16" else ""
        torch_a, a = _pair(shape, 2 * seed, kind="int" if kind == "int" else "float", dtype=dtype)
        torch_b, b = _pair(shape, 2 * seed + 1, kind="int" if kind == "int" else "float", dtype=dtype)
        yield Case(f"{fn_name} {kind} {shape}, blocks of 64", _inputs(a=torch_a, b=torch_b),
                   actual=_with_blocks(64, lambda a=a, b=b, fn=fn_name: getattr(_api, fn)(a, b)),
                   expected=lambda ta=torch_a, tb=torch_b, fn=fn_name: getattr(torch, fn)(ta, tb))

    # The operands are views into longer buffers (offsets 3 and 8), so that a kernel reading past n reads
    # memory that exists; the output's buffer holds the canary before and after it.
    n, block, after = 1000, 64, 123
    torch_a, a = _pair((n + 3 + block,), 20, lambda t: t[3:3 + n], device=device)
    torch_b, b = _pair((n + 8 + block,), 21, lambda t: t[8:8 + n], device=device)

    def add_into_buffer() -> Any:
        buffer = _api.full((5 + n + after,), CANARY, device=device)
        get_backend(device).zip("add", a, b, out=buffer[5:5 + n])  # the fast path: all three contiguous
        return buffer

    def expected_buffer() -> Any:
        buffer = torch.full((5 + n + after,), CANARY)
        buffer[5:5 + n] = torch_a + torch_b
        return buffer

    text = (f"a, b: {n} float32 (views at offsets 3 and 8); out: elements 5..{4 + n} of a buffer of {5 + n + after} "
            f"filled with {CANARY:g}; blocks of {block} (the last one is partial)")
    yield Case("add into the middle of a buffer: the sums", text,
               actual=_with_blocks(block, lambda: add_into_buffer()[5:5 + n]),
               expected=lambda: expected_buffer()[5:5 + n])
    yield Case(f"the {after} elements after out's last keep their canary", text,
               actual=_with_blocks(block, lambda: add_into_buffer()[5 + n:]),
               expected=lambda: expected_buffer()[5 + n:])


# --------------------------------------------------------------------------- 5.2: strided zip


@register_check("5.2", devices=("cuda",))
def check_strided_zip(device: str) -> Iterator[Case]:
    """``binary_kernel``: broadcast, transposed, sliced and permuted operands, against torch."""
    torch = _torch()
    cases = [
        ("add", (3, 1), lambda t: t, (1, 4), lambda t: t, "float"),
        ("mul", (2, 3), lambda t: t, (3,), lambda t: t, "float"),
        ("sub", (), lambda t: t, (5, 7), lambda t: t, "float"),
        ("div", (9, 6), lambda t: t.t(), (9,), lambda t: t, "float"),
        ("maximum", (7, 11), lambda t: t[1:, ::2], (6, 1), lambda t: t.expand(6, 6), "float"),
        ("lt", (4, 5, 6), lambda t: t.permute(2, 0, 1), (4, 1), lambda t: t, "float"),
        ("add", (8, 9), lambda t: t.t(), (9, 8), lambda t: t, "int"),
        ("mul", (3, 4, 5), lambda t: t.transpose(0, 2), (3, 4, 5), lambda t: t.permute(2, 1, 0), "float"),
    ]
    for seed, (fn_name, a_shape, make_a, b_shape, make_b, kind) in enumerate(cases):
        torch_a, a = _pair(a_shape, 2 * seed, make_a, kind, device)
        torch_b, b = _pair(b_shape, 2 * seed + 1, make_b, kind, device)
        shape = tuple(torch.broadcast_shapes(torch_a.shape, torch_b.shape))
        yield Case(f"{fn_name} {tuple(torch_a.shape)} with {tuple(torch_b.shape)} -> {shape}",
                   _inputs(a=torch_a, b=torch_b),
                   actual=_with_blocks(SMALL_BLOCKS, lambda a=a, b=b, fn=fn_name: getattr(_api, fn)(a, b)),
                   expected=lambda ta=torch_a, tb=torch_b, fn=fn_name: getattr(torch, fn)(ta, tb))


# --------------------------------------------------------------------------- 5.3: fused softmax


@register_check("5.3", devices=("cuda",))
def check_softmax(device: str) -> Iterator[Case]:
    """``softmax_kernel``: along any dimension, in chunks of 8 columns (the online max is rescaled), large
    values, -inf entries; softmax and log-softmax."""
    torch = _torch()

    def large(t: Any) -> Any:
        return t * 300  # exp(300) overflows float32: only x - max keeps it finite

    def with_minus_infinity(t: Any) -> Any:
        t = t.clone()
        t[0, 5:] = float("-inf")  # a row that ends in -inf
        t[2, :11] = float("-inf")  # and one whose first chunk is -inf only (-inf - -inf is NaN)
        return t

    def same(t: Any) -> Any:
        return t

    cases = [  # (function, base shape, dim, values, view, dtype)
        ("softmax", (5, 37), 1, same, same, "float"),
        ("softmax", (37, 5), 0, same, same, "float"),
        ("log_softmax", (6, 50), 1, large, same, "float"),
        ("softmax", (6, 50), 1, large, same, "float"),
        ("softmax", (4, 21), 1, with_minus_infinity, same, "float"),
        ("log_softmax", (3, 20, 4), 1, same, lambda t: t.permute(2, 1, 0), "float"),
        ("softmax", (6, 19), -1, same, same, "double"),
    ]
    for seed, (fn_name, shape, dim, values, view, dtype) in enumerate(cases):
        base = values(getattr(_base(shape, 50 + seed), dtype)())
        torch_x, x = mirror(base, view, device)
        yield Case(f"{fn_name} of {tuple(torch_x.shape)} {str(torch_x.dtype)[6:]} along dim {dim}",
                   _inputs(x=torch_x),
                   actual=_with_blocks(8, lambda x=x, fn=fn_name, dim=dim: getattr(_api, fn)(x, dim)),
                   expected=lambda tx=torch_x, fn=fn_name, dim=dim: getattr(torch, fn)(tx, dim))


# --------------------------------------------------------------------------- 5.4: reductions


@register_check("5.4", devices=("cuda",))
def check_reduction(device: str) -> Iterator[Case]:
    """``reduce_kernel``: sums, products, max, min, all and any along one or more dimensions of strided
    tensors, with more rows and columns than a block holds."""
    torch = _torch()

    def with_nan(t: Any) -> Any:
        t = t.clone()
        t[3, 17] = float("nan")
        return t

    cases = [
        ("sum", (6, 45), lambda t: t, "float", (1,)),
        ("sum", (4, 5, 6), lambda t: t.permute(2, 0, 1), "float", (0, 2)),
        ("amax", (9, 20), lambda t: t, "float", (1,)),
        ("amin", (20, 9), lambda t: t.t(), "int", (0,)),
        ("prod", (5, 7), lambda t: t, "int", (0,)),
        ("all", (7, 30), lambda t: t, "bool", (1,)),
        ("any", (30, 7), lambda t: t, "bool", (0,)),
        ("sum", (33, 17), lambda t: t[::2], "float", (0, 1)),
        ("mean", (6, 40), lambda t: t, "float", (1,)),
    ]
    for seed, (fn_name, shape, make, kind, dims) in enumerate(cases):
        torch_x, x = _pair(shape, 70 + seed, make, kind, device)
        yield Case(f"{fn_name} of {tuple(torch_x.shape)} over dims {dims}", _inputs(x=torch_x),
                   actual=_with_blocks(8, lambda x=x, fn=fn_name, dims=dims: _reduce(_api, fn, x, dims)),
                   expected=lambda tx=torch_x, fn=fn_name, dims=dims: _reduce(torch, fn, tx, dims))
    torch_x, x = mirror(with_nan(_base((9, 20), 90)), lambda t: t, device)
    yield Case("amax of (9, 20) with a NaN: its row is NaN", _inputs(x=torch_x),
               actual=_with_blocks(8, lambda: _api.amax(x, 1)), expected=lambda: torch.amax(torch_x, 1))

    rows, after = 6, 10
    torch_x, x = _pair((rows, 45), 91, device=device)

    def sum_into_buffer() -> Any:
        buffer = _api.full((rows + after,), CANARY, device=device)
        get_backend(device).reduce_into("sum", x, (1,), buffer[:rows])
        return buffer[rows:]

    yield Case(f"sum over dim 1 in blocks of 4 rows: the {after} elements after out keep their canary",
               f"{_inputs(x=torch_x)}; out: the first {rows} elements of a buffer of "
               f"{rows + after} filled with {CANARY:g}", actual=_with_blocks(4, sum_into_buffer),
               expected=lambda: torch.full((after,), CANARY))


def _reduce(library: Any, fn_name: str, x: Any, dims: Tuple[int, ...]) -> Any:
    """``library.fn_name(x, dims)``; all/any/prod take one dimension at a time in torch."""
    if fn_name in ("all", "any", "prod"):
        (dim,) = dims
        return getattr(library, fn_name)(x, dim)
    return getattr(library, fn_name)(x, dims)


# --------------------------------------------------------------------------- 5.5: matrix product


@register_check("5.5", devices=("cuda",))
def check_matmul(device: str) -> Iterator[Case]:
    """``matmul_kernel``: as ``@`` runs it, then with small tiles in groups (many tiles, a shorter last group),
    batched and broadcast, transposed, float64 and int64 (no ``tl.dot``), float16."""
    backend = get_backend(device)
    tolerances = {"float": (1e-5, 1e-4), "double": (1e-7, 1e-7), "half": (1e-3, 1e-3), "long": (0, 0)}
    cases = [
        ((70, 50), lambda t: t, (50, 90), lambda t: t, "float", None),
        ((70, 50), lambda t: t, (50, 90), lambda t: t, "float", (16, 16, 16, 3)),
        ((2, 1, 20, 30), lambda t: t, (3, 30, 10), lambda t: t, "float", (8, 8, 8, 2)),
        ((33, 40), lambda t: t, (17, 40), lambda t: t.t(), "double", (16, 16, 8, 2)),
        ((30, 12), lambda t: t.t(), (30, 25), lambda t: t, "long", (8, 8, 8, 4)),
        ((33, 40), lambda t: t, (40, 17), lambda t: t, "half", (16, 16, 16, 2)),
    ]
    # a (20, 30) and b (30, 25) cut out of larger matrices whose extra columns (of a) and rows (of b) are NaN:
    # a kernel that reads past k, even masked by the other operand's zeros, gets NaN (0 * NaN is NaN)
    cases.append(((20, 46), lambda t: _nan_after(t, 1, 30)[:, :30], (46, 25), lambda t: _nan_after(t, 0, 30)[:30],
                  "float", (8, 8, 8, 2)))
    for seed, (a_shape, make_a, b_shape, make_b, dtype, blocks) in enumerate(cases):
        kind = "int" if dtype == "long" else "float"
        torch_a, a = _pair(a_shape, 100 + 2 * seed, make_a, kind, device, dtype)
        torch_b, b = _pair(b_shape, 101 + 2 * seed, make_b, kind, device, dtype)
        how = "as @ runs it" if blocks is None else f"tiles {blocks[0]}x{blocks[1]}x{blocks[2]}, groups of {blocks[3]}"
        if torch_a.stride(0) != torch_a.shape[1] and torch_a.stride(1) == 1:
            how += ", NaN past k"
        rtol, atol = tolerances[dtype]
        if blocks is None:
            actual = lambda a=a, b=b: a @ b  # noqa: E731
        else:
            actual = lambda a=a, b=b, blocks=blocks: backend.matmul_in_tiles(a, b, blocks)  # noqa: E731
        yield Case(f"{str(torch_a.dtype)[6:]} {tuple(torch_a.shape)} @ {tuple(torch_b.shape)}, {how}",
                   _inputs(a=torch_a, b=torch_b), actual=actual, expected=lambda ta=torch_a, tb=torch_b: ta @ tb,
                   rtol=rtol, atol=atol)


def _nan_after(t: Any, dim: int, size: int) -> Any:
    """``t`` (contiguous) with its elements from index ``size`` on along ``dim`` set to NaN, in place."""
    t.narrow(dim, size, t.shape[dim] - size).fill_(float("nan"))
    return t
