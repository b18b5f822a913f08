"""The IDX file format: reading and writing the arrays that MNIST is stored in.

An IDX file is a header followed by the data. The header is a 4-byte magic number (two zero
bytes, a type code, the number of dimensions) and then each dimension's size as a big-endian
uint32; the data follows in C order, big-endian. Chapter 04 (notebooks/04_mnist_training.ipynb)
has learners write :func:`read_idx` themselves.

This module knows nothing about MNIST: fetching and verifying the files works on their bytes
and MD5 sums alone and never parses them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np

from .._atomic import atomic_write_chunks

__all__ = ["idx_chunks", "read_idx", "write_idx"]

# IDX type codes (third byte of the magic number) and the dtypes they stand for, stored big-endian.
_IDX_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: "i2", 0x0C: "i4", 0x0D: "f4", 0x0E: "f8"}

_CHUNK = 1 << 20


def idx_chunks(array: np.ndarray) -> Iterator[bytes]:
    """The bytes of ``array`` as an IDX file: header, then the data in 1 MiB pieces.

    Raises:
        ValueError: the dtype or the number of dimensions cannot be stored in IDX (raised when
            the first piece is asked for).
    """
    array = np.asarray(array)
    codes = {kind: code for code, kind in _IDX_TYPES.items()}
    kind = f"{array.dtype.kind}{array.dtype.itemsize}"
    if kind not in codes:
        raise ValueError(f"IDX cannot store dtype {array.dtype}; expected one of uint8, int8, "
                         "int16, int32, float32, float64")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got an array of shape {array.shape}")
    # Magic number: two zero bytes, the type code, the number of dimensions; then each size.
    header = bytes([0, 0, codes[kind], array.ndim])
    header += np.asarray(array.shape, dtype=">u4").tobytes()
    yield header
    data = memoryview(np.ascontiguousarray(array, dtype=f">{kind}")).cast("B")
    for start in range(0, len(data), _CHUNK):
        yield bytes(data[start:start + _CHUNK])


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` as an IDX file, atomically.

    Args:
        path: the file to write; a file already there is replaced only once the new one is complete.
        array: 1 to 255 dimensions of uint8, int8, int16, int32, float32 or float64 (stored big-endian).

    Raises:
        ValueError: the dtype or the number of dimensions cannot be stored in IDX.
    """
    atomic_write_chunks(Path(path), idx_chunks(array))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file into a NumPy array (chapter 04 has learners write their own version).

    Returns:
        An array with the file's shape and dtype (multi-byte types converted to native order).

    Raises:
        ValueError: the magic number is wrong, or the data is shorter or longer than the header says.
    """
    # BEGIN EXERCISE 4.1
    data = Path(path).read_bytes()
    if len(data) < 4 or data[0:2] != b"\0\0" or data[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (magic number {data[:4].hex() or 'missing'})")
    ndim = data[3]
    header_size = 4 + 4 * ndim
    shape = tuple(int(n) for n in np.frombuffer(data[4:header_size], dtype=">u4"))
    dtype = np.dtype(f">{_IDX_TYPES[data[2]]}")
    expected = header_size + int(np.prod(shape)) * dtype.itemsize
    if len(shape) != ndim or len(data) != expected:
        raise ValueError(f"{path} holds {len(data):,} bytes but its header {shape} needs "
                         f"{expected:,}: the file is truncated or corrupted")
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable copy in native byte order
    # END EXERCISE
