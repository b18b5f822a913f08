"""Every kernel of the cuda backend compiles for an NVIDIA GPU, here too: Triton compiles to the GPU's code
(PTX, then ptxas, which Triton's Linux wheels carry) without needing the GPU itself.

The interpreter runs kernels as Python and accepts code the compiler refuses (a loop variable changing type,
a method the compiler lacks); this test compiles what the simulated tests run, so a machine without a GPU
still catches that. It runs in a fresh interpreter, because in this one the kernels were made for the
interpreter.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from course_lib.backends.base import BINARY_FUNCTIONS, UNARY_FUNCTIONS
from helpers import REPO

pytestmark = [pytest.mark.triton, pytest.mark.slow]

COMPILE = r'''
import os, sys, types, json
os.environ.pop("TRITON_INTERPRET", None)
import course_lib.backends
package = types.ModuleType("course_lib.backends.triton")
package.__path__ = [os.path.join(os.path.dirname(course_lib.backends.__file__), "triton")]
sys.modules["course_lib.backends.triton"] = package  # the kernel modules, without runtime.py's switch
from course_lib.backends.triton import elementwise, matmul, reduction
import triton, triton.language as tl
from triton.compiler import ASTSource
from triton.backends.compiler import GPUTarget

def compiled(kernel, pointers, scalars, constants):
    signature = {**pointers, **scalars, **{name: "constexpr" for name in constants}}
    try:
        triton.compile(ASTSource(kernel, signature, constants), target=GPUTarget("cuda", 80, 32))
        return "ok"
    except Exception as error:  # the compiler's message, for the assertion
        return f"{type(error).__name__}: {str(error)[-600:]}"

results = {}
for name, dtype, in_dtype in json.loads(sys.argv[1]):
    results[f"unary {name} {dtype}"] = compiled(elementwise.unary_kernel, {"x_ptr": "*" + in_dtype,
        "out_ptr": "*" + dtype, "layout_ptr": "*i64"}, {"n": "i64"}, {"FN": name, "NDIM": 2, "BLOCK": 1024})
for name, dtype, out in json.loads(sys.argv[2]):
    results[f"binary {name} {dtype}"] = compiled(elementwise.binary_kernel, {"a_ptr": "*" + dtype, "b_ptr": "*" + dtype,
        "out_ptr": "*" + out, "layout_ptr": "*i64"}, {"n": "i64"}, {"FN": name, "NDIM": 2, "BLOCK": 1024})
results["where"] = compiled(elementwise.where_kernel, {"condition_ptr": "*i1", "a_ptr": "*fp32", "b_ptr": "*fp32",
    "out_ptr": "*fp32", "layout_ptr": "*i64"}, {"n": "i64"}, {"NDIM": 1, "BLOCK": 1024})
results["take"] = compiled(elementwise.take_kernel, {"x_ptr": "*fp32", "positions_ptr": "*i64", "out_ptr": "*fp32",
    "layout_ptr": "*i64"}, {"n": "i64"}, {"NDIM": 1, "BLOCK": 1024})
for accumulate in (True, False):
    results[f"put {accumulate}"] = compiled(elementwise.put_kernel, {"x_ptr": "*fp32", "positions_ptr": "*i64",
        "values_ptr": "*fp32", "layout_ptr": "*i64"}, {"n": "i64"},
        {"ACCUMULATE": accumulate, "NDIM": 1, "BLOCK": 1024})
blocks = {"BLOCK_R": 16, "BLOCK_C": 128}
scalars = {"rows": "i64", "columns": "i64"}
for name, identity, dtype, accumulator, out in [("sum", 0, "fp32", tl.float32, "fp32"), ("prod", 1, "i64", tl.int64, "i64"),
        ("max", float("-inf"), "fp16", tl.float32, "fp16"), ("min", 127, "i8", tl.int64, "i8"),
        ("all", 1, "i1", tl.int32, "i1"), ("any", 0, "fp64", tl.int32, "i1")]:
    results[f"reduce {name} {dtype}"] = compiled(reduction.reduce_kernel, {"x_ptr": "*" + dtype, "out_ptr": "*" + out,
        "layout_ptr": "*i64"}, scalars, {"FN": name, "IDENTITY": identity, "ACC": accumulator, "KEPT": 1,
        "REDUCED": 2, **blocks})
for maximum, worst, dtype, accumulator in [(True, float("-inf"), "fp32", tl.float32), (False, 2**63 - 1, "i64", tl.int64)]:
    results[f"arg_reduce {maximum} {dtype}"] = compiled(reduction.arg_reduce_kernel, {"x_ptr": "*" + dtype,
        "out_ptr": "*i64", "layout_ptr": "*i64"}, scalars, {"MAXIMUM": maximum, "WORST": worst, "ACC": accumulator,
        "KEPT": 1, "REDUCED": 1, **blocks})
for product, dtype, accumulator in [(False, "fp32", tl.float32), (True, "i64", tl.int64)]:
    results[f"scan {product} {dtype}"] = compiled(reduction.scan_kernel, {"x_ptr": "*" + dtype, "out_ptr": "*" + dtype,
        "layout_ptr": "*i64"}, scalars, {"PRODUCT": product, "ACC": accumulator, "KEPT": 1, "REDUCED": 1, **blocks})
matmul_scalars = {name: "i64" for name in ("n", "m", "k", "a_rows", "a_inner", "b_inner", "b_columns")}
for dtype, use_dot, precision, accumulator, sizes in [("fp32", True, "ieee", tl.float32, (64, 64, 32)),
        ("fp32", True, "tf32", tl.float32, (64, 64, 32)), ("fp16", True, "ieee", tl.float32, (64, 64, 32)),
        ("fp64", False, "ieee", tl.float64, (16, 16, 16)), ("i64", False, "ieee", tl.int64, (16, 16, 16))]:
    results[f"matmul {dtype} {precision}"] = compiled(matmul.matmul_kernel, {"a_ptr": "*" + dtype,
        "b_ptr": "*" + dtype, "out_ptr": "*" + dtype, "layout_ptr": "*i64"}, matmul_scalars,
        {"BATCH_NDIM": 1, "USE_DOT": use_dot, "PRECISION": precision, "ACC": accumulator, "BLOCK_N": sizes[0],
         "BLOCK_M": sizes[1], "BLOCK_K": sizes[2], "GROUP": 8})
for number, config in enumerate(matmul.TUNING_CONFIGS):  # the autotuner's candidates, with their warps and stages
    signature = {"a_ptr": "*fp16", "b_ptr": "*fp16", "out_ptr": "*fp16", "layout_ptr": "*i64", **matmul_scalars}
    constants = {"BATCH_NDIM": 1, "USE_DOT": True, "PRECISION": "ieee", "ACC": tl.float32, **config.kwargs}
    try:
        triton.compile(ASTSource(matmul.matmul_kernel, {**signature, **{c: "constexpr" for c in constants}},
                                 constants), target=GPUTarget("cuda", 80, 32),
                       options={"num_warps": config.num_warps, "num_stages": config.num_stages})
        results[f"matmul config {number}"] = "ok"
    except Exception as error:
        results[f"matmul config {number}"] = f"{type(error).__name__}: {str(error)[-600:]}"
for log in (False, True):
    results[f"softmax {log}"] = compiled(reduction.softmax_kernel, {"x_ptr": "*fp32", "out_ptr": "*fp32",
        "layout_ptr": "*i64"}, scalars, {"LOG": log, "ACC": tl.float32, "KEPT": 2, **blocks})
results["contiguous add"] = compiled(elementwise.contiguous_binary_kernel, {"a_ptr": "*fp16", "b_ptr": "*fp16",
    "out_ptr": "*fp16"}, {"a_offset": "i64", "b_offset": "i64", "out_offset": "i64", "n": "i64"},
    {"FN": "add", "BLOCK": 1024})
print(json.dumps(results))
'''

BOOL_RESULT = {"logical_not", "isnan", "isinf", "isfinite", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
               "logical_or", "logical_xor"}
INTEGER_TOO = {"identity", "neg", "abs", "square", "sign", "relu", "floor", "ceil", "round", "trunc", "logical_not",
               "bitwise_not", "isnan", "isinf", "isfinite"}


def test_every_kernel_compiles_for_an_nvidia_gpu():
    import json

    unary = [(name, "i1" if name in BOOL_RESULT else "fp32", "fp32") for name in sorted(UNARY_FUNCTIONS - {"bitwise_not"})]
    unary += [(name, "i1" if name in BOOL_RESULT else "i64", "i64") for name in sorted(INTEGER_TOO)]
    unary += [("truth", "i1", "fp32"), ("identity", "fp64", "fp16"), ("identity", "i8", "fp32")]
    binary = [(name, "fp32", "i1" if name in BOOL_RESULT else "fp32")
              for name in sorted(BINARY_FUNCTIONS) if not name.startswith("bitwise")]
    binary += [(name, "i64", "i1" if name in BOOL_RESULT else "i64")
               for name in sorted(BINARY_FUNCTIONS - {"div", "atan2"})]
    done = subprocess.run([sys.executable, "-c", COMPILE, json.dumps(unary), json.dumps(binary)], cwd=REPO,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    failed = {kernel: outcome for kernel, outcome in results.items() if outcome != "ok"}
    assert not failed, "\n".join(f"{kernel}: {outcome}" for kernel, outcome in failed.items())
    assert len(results) > 100
