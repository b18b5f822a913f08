"""Run nbval on every notebook under numeric conditions other than the ones that stored the outputs
(``make test-portable``).

The stored outputs must be the same on every learner's machine. A CI runner may not reproduce these
conditions (it may lack AVX-512, say), so this is a maintainer's command, not part of ``make test``;
``make test`` holds the same property with a deterministic test (``tests/course/test_portable_outputs.py``).
Each condition is one nbval run with a few environment variables set for it alone:

- ``ATEN_CPU_CAPABILITY=default``: torch's scalar kernels instead of its AVX2/AVX-512 ones;
- ``NPY_DISABLE_CPU_FEATURES``: NumPy without its AVX-512 loops (where this CPU has them);
- ``OPENBLAS_CORETYPE``: NumPy's OpenBLAS with older cores' kernels (Haswell, Nehalem);
- ``MKL_CBWR``: torch's MKL on another code path (COMPATIBLE, AVX2);
- ``OMP_NUM_THREADS=1`` and ``2``;
- triton hidden (as on macOS or with a CPU-only torch): every cell must run, but outputs are not compared
  (``--nbval-lax``): without Triton the check tables' cuda rows say ``○ needs triton`` instead of running;
- all of these at once (one thread), triton present.

Usage: python tools/test_portable.py [CONDITION ...]   (default: all; ``--list`` names them)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
NBVAL = ["--nbval", "--nbval-current-env", "--nbval-sanitize-with", "notebooks/nbval_sanitize.cfg"]
HIDDEN_TRITON = 'raise ImportError("triton is hidden by make test-portable")\n'


def numpy_avx512_features() -> Optional[str]:
    """The NumPy dispatch targets that use AVX-512 on this CPU (None when it has none)."""
    probe = ("from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f\n"
             "print(' '.join(x for x in d if (x.startswith('AVX512') or x == 'X86_V4') and f.get(x)))")
    try:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    except subprocess.CalledProcessError:  # NumPy 1.x keeps the table in numpy.core
        probe = probe.replace("numpy._core", "numpy.core")
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return out.strip() or None


def conditions(hidden_triton: Path) -> Dict[str, Tuple[Dict[str, str], str]]:
    """Each condition's name, its environment variables, and why it is skipped ('' when it runs)."""
    avx512 = numpy_avx512_features()
    no_triton = {"PYTHONPATH": os.pathsep.join(filter(None, [str(hidden_triton), os.environ.get("PYTHONPATH")]))}
    table = {
        "aten-default": ({"ATEN_CPU_CAPABILITY": "default"}, ""),
        "numpy-no-avx512": ({"NPY_DISABLE_CPU_FEATURES": avx512 or ""},
                            "" if avx512 else "this CPU has no AVX-512 for NumPy to switch off"),
        "openblas-haswell": ({"OPENBLAS_CORETYPE": "Haswell"}, ""),
        "openblas-nehalem": ({"OPENBLAS_CORETYPE": "Nehalem"}, ""),
        "mkl-compatible": ({"MKL_CBWR": "COMPATIBLE"}, ""),
        "mkl-avx2": ({"MKL_CBWR": "AVX2"}, ""),
        "threads-1": ({"OMP_NUM_THREADS": "1"}, ""),
        "threads-2": ({"OMP_NUM_THREADS": "2"}, ""),
        "no-triton": (no_triton, ""),
    }
    everything: Dict[str, str] = {}
    for name, (variables, skipped) in table.items():
        if not skipped and name not in ("openblas-nehalem", "mkl-avx2", "threads-2", "no-triton"):
            everything.update(variables)
    table["all-at-once"] = (everything, "")
    return table


def run(name: str, variables: Dict[str, str]) -> Tuple[bool, float, str]:
    """One nbval run of every notebook with ``variables`` set; returns (passed, seconds, pytest's last lines)."""
    env = {**os.environ, **variables, "TQDM_DISABLE": "1"}
    lax = ["--nbval-lax"] if name == "no-triton" else []  # the cuda rows of check tables need Triton
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "notebooks", *NBVAL, *lax, "-q", "-p", "no:cacheprovider"],
                            cwd=REPO, env=env, capture_output=True, text=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    failures = [line for line in lines if line.startswith("FAILED")]
    return result.returncode == 0, time.perf_counter() - start, "\n".join(failures + lines[-1:])


def main(argv: List[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        hidden = Path(folder)
        (hidden / "triton").mkdir()
        (hidden / "triton" / "__init__.py").write_text(HIDDEN_TRITON, encoding="utf-8")
        table = conditions(hidden)
        if argv == ["--list"]:
            for name, (variables, skipped) in table.items():
                print(f"{name:18s} {skipped or ' '.join(f'{k}={v}' for k, v in variables.items())}")
            return 0
        unknown = [name for name in argv if name not in table]
        if unknown:
            print(f"unknown condition(s) {', '.join(unknown)}; known: {', '.join(table)}", file=sys.stderr)
            return 2
        failed, passed_count, skipped_count = [], 0, 0
        for name in argv or list(table):
            variables, skipped = table[name]
            if skipped:
                print(f"- skip {name:18s} {skipped}")
                skipped_count += 1
                continue
            passed, seconds, summary = run(name, variables)
            shown = " ".join(f"{k}={v}" for k, v in variables.items() if k != "PYTHONPATH") or "triton hidden"
            print(f"{'✓ pass' if passed else '✗ FAIL'} {name:18s} {seconds:5.1f} s  {shown}", flush=True)
            if passed:
                passed_count += 1
            else:
                failed.append(name)
                print("   " + summary.replace("\n", "\n   "))
    print(f"{passed_count} passed, {len(failed)} failed, {skipped_count} skipped")
    if failed:
        print(f"failed under: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
