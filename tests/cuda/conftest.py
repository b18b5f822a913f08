"""The cuda tests: on a GPU, the summary says how many kernels Triton compiled and how long that took."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from course_lib.backends import backend_available

    if not backend_available("cuda"):
        return
    from course_lib.backends.triton import runtime

    if runtime.SIMULATED:
        terminalreporter.write_line("cuda ran simulated (Triton's interpreter on the CPU): nothing was compiled")
    else:
        terminalreporter.write_line(f"triton: {runtime.COMPILED['kernels']} kernels compiled (or loaded from the "
                                    f"cache) in {runtime.COMPILED['seconds']:.1f} s")
