"""Checks for chapter 04 (notebooks/04_mnist_training.ipynb): reading MNIST and normalising it, against
torchvision's reader and transforms.

What they cover: ``read_idx`` on the real MNIST files (against torchvision's MNIST, which reads the same
bytes) and on small IDX files of every type the format has (against the bytes NumPy wrote, big-endian), and
refusing a bad magic number or a truncated file with ValueError; ``Normalize`` against torchvision's on one and
on three channels.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .. import _api
from .harness import Case, register_check
from ..datasets.idx import read_idx
from ..datasets.transforms import Normalize
from ..datasets.verify import raw_dir

DATA = Path(__file__).resolve().parents[2] / "data"


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file's bytes written here, independently of the course's own writer."""
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _read_bytes(content: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file-idx"
        path.write_bytes(content)
        return read_idx(path)


@register_check("4.1")
def check_read_idx() -> Iterator[Case]:
    """Your IDX reader: every type code, several ranks, the real files, and the errors."""
    rng = np.random.default_rng(400)
    samples = [("uint8 (3, 4, 5)", rng.integers(0, 256, (3, 4, 5)).astype(np.uint8), 0x08),
               ("int8 (7,)", rng.integers(-128, 128, 7).astype(np.int8), 0x09),
               ("int16 (2, 3)", rng.integers(-30000, 30000, (2, 3)).astype(np.int16), 0x0B),
               ("int32 (4, 1)", rng.integers(-2**31, 2**31 - 1, (4, 1)).astype(np.int32), 0x0C),
               ("float32 (2, 2, 2)", rng.standard_normal((2, 2, 2)).astype(np.float32), 0x0D),
               ("float64 (3,)", rng.standard_normal(3), 0x0E)]
    for name, array, code in samples:
        yield Case(name, f"an IDX file of type code 0x{code:02X} holding an array of shape {array.shape}: the "
                   "array, its shape and dtype (native byte order)",
                   actual=lambda a=array, c=code: _as_tensor(_read_bytes(_idx_bytes(a, c))),
                   expected=lambda a=array: _torch_of(a))
    good = _idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), 0x08)
    yield Case("a wrong magic number", "the bytes of a (2, 3) uint8 file with its first byte set to 1",
               actual=lambda: _read_bytes(b"\x01" + good[1:]), expect_error=ValueError)
    yield Case("a truncated file", "the bytes of a (2, 3) uint8 file without its last byte",
               actual=lambda: _read_bytes(good[:-1]), expect_error=ValueError)
    if (raw_dir(DATA) / "t10k-labels-idx1-ubyte").is_file():
        yield Case("MNIST's test labels", "data/MNIST/raw/t10k-labels-idx1-ubyte against torchvision's MNIST(train="
                   "False).targets", actual=lambda: _as_tensor(read_idx(raw_dir(DATA) / "t10k-labels-idx1-ubyte"))
                   .long(), expected=lambda: _torchvision_mnist().targets)
        yield Case("MNIST's test images", "data/MNIST/raw/t10k-images-idx3-ubyte against torchvision's MNIST(train="
                   "False).data", actual=lambda: _as_tensor(read_idx(raw_dir(DATA) / "t10k-images-idx3-ubyte")),
                   expected=lambda: _torchvision_mnist().data)


def _as_tensor(array: np.ndarray) -> Any:
    return _api.tensor(array)


def _torch_of(array: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.ascontiguousarray(array))


@functools.lru_cache(maxsize=1)
def _torchvision_mnist() -> Any:
    import torchvision

    return torchvision.datasets.MNIST(str(DATA), train=False)


@register_check("4.2")
def check_normalize() -> Iterator[Case]:
    """Your ``Normalize`` against torchvision's, on MNIST's statistics and on three channels."""
    import torch
    from torchvision import transforms

    rng = np.random.default_rng(410)
    for name, shape, mean, std in [("one channel, MNIST's statistics", (1, 28, 28), (0.1307,), (0.3081,)),
                                   ("three channels", (3, 4, 5), (0.5, 0.25, -1.0), (0.2, 2.0, 0.5)),
                                   ("float64 image", (2, 3, 3), (1.0, 2.0), (3.0, 4.0))]:
        image = rng.random(shape).astype(np.float64 if "float64" in name else np.float32)
        yield Case(name, f"Normalize({mean}, {std}) of a random {image.dtype} image of shape {shape}",
                   actual=lambda i=image, m=mean, s=std: Normalize(m, s)(_api.tensor(i)),
                   expected=lambda i=image, m=mean, s=std: transforms.Normalize(m, s)(torch.tensor(i)))
