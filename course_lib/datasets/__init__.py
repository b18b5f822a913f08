"""Data sets for the course: fetching and verifying MNIST (DESIGN.md §7).

``fetch_mnist()`` fills ``data/MNIST/raw`` with the four official IDX files (``make data`` calls it);
notebooks/04 reads them with the learner's own IDX reader, and torchvision reads the same files.
"""

from __future__ import annotations

__all__ = ["MNISTFetchError", "fetch_mnist", "verify_mnist"]


def __getattr__(name: str) -> object:
    # Imported on first use, so that `python -m course_lib.datasets.mnist_fetch` does not find
    # the module already imported by its package (runpy warns about that).
    if name in __all__:
        from . import mnist_fetch

        return getattr(mnist_fetch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
