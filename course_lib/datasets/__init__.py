"""Data sets for the course: fetching and verifying MNIST (DESIGN.md §7).

``fetch_mnist()`` fills ``data/MNIST/raw`` with the four official IDX files (``make data`` calls it);
notebooks/04 reads them with the learner's own IDX reader, and torchvision reads the same files.
"""

from .mnist_fetch import MNISTFetchError, fetch_mnist, verify_mnist

__all__ = ["MNISTFetchError", "fetch_mnist", "verify_mnist"]
