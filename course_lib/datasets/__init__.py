"""Data sets for the course: fetching, verifying and reading MNIST.

``fetch_mnist()`` fills ``data/MNIST/raw`` with the four official IDX files (``make data`` runs
``python -m course_lib.datasets``); chapter 04 (notebooks/04_mnist_training.ipynb) reads them
with the learner's own IDX reader, and torchvision reads the same files.

Modules, one concern each:

* :mod:`.idx`: reading and writing the IDX file format.
* :mod:`.verify`: the official file table (names, sizes, MD5 sums), verification, the errors.
* :mod:`.sources`: where the files come from, tried in order.
* :mod:`.mnist`: :func:`fetch_mnist`, which ties the sources and the verification together.
* :mod:`.mnist_dataset`: :class:`MNIST`, the digits as a dataset; :mod:`.transforms`: ``ToTensor``,
  ``Normalize``, ``Compose``.
* ``__main__``: the command line.
"""

from __future__ import annotations

from . import transforms
from .idx import read_idx, write_idx
from .mnist import fetch_mnist
from .mnist_dataset import MNIST
from .verify import MNISTFetchError, MNISTWriteError, verify_mnist

__all__ = ["MNIST", "MNISTFetchError", "MNISTWriteError", "fetch_mnist", "read_idx", "transforms", "verify_mnist",
           "write_idx"]
