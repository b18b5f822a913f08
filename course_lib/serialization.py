"""``save`` and ``load`` in torch's own file format: a checkpoint written here loads with
``torch.load(path, weights_only=True)``, and a ``torch.save`` file of tensors and containers loads here.

The format (torch >= 1.6): an uncompressed zip archive ``archive/`` holding

- ``data.pkl``: a pickle (protocol 2) of the object, in which each tensor is
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())`` and each
  storage a *persistent id* ``("storage", torch.FloatStorage, "0", "cpu", numel)``;
- ``data/0``, ``data/1``...: each storage's bytes, little-endian, aligned to 64 bytes in the file;
- ``byteorder``, ``version`` and torch's other small records.

This module writes that pickle opcode by opcode (it never imports torch), and reads it with an unpickler that
builds only tensors, dicts (``OrderedDict``, ``Counter``), lists, tuples, numbers, strings, bools and None:
any other global is refused (``pickle.UnpicklingError``), so loading a file never runs its code.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import zipfile
from collections import Counter, OrderedDict
from typing import Any, BinaryIO, Dict, List, Tuple, Union

import numpy as np

from . import dtypes as _dt
from ._atomic import atomic_write_bytes
from ._tensor import Tensor
from .nn.parameter import Parameter
from .ops.creation import from_numpy
from .ops.views import as_view

__all__ = ["save", "load"]

_STORAGE_NAMES = {dtype: f"{dtype.type_name}Storage" for dtype in (_dt.float16, _dt.float32, _dt.float64, _dt.uint8,
                                                                   _dt.int8, _dt.int16, _dt.int32, _dt.int64, _dt.bool)}
_DTYPE_OF_STORAGE = {name: dtype for dtype, name in _STORAGE_NAMES.items()}
_ALIGNMENT = 64


# ------------------------------------------------------------------------------------------------ saving


class _PickleWriter:
    """Protocol-2 opcodes for the objects a checkpoint holds; tensors become torch's rebuild calls."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.storages: Dict[int, Tuple[str, Any]] = {}  # id(storage) -> (key, storage)

    def write(self, obj: Any) -> bytes:
        self.out.write(b"\x80\x02")  # PROTO 2
        self.value(obj)
        self.out.write(b".")  # STOP
        return self.out.getvalue()

    def text(self, value: str) -> None:
        encoded = value.encode("utf-8")
        self.out.write(b"X" + struct.pack("<I", len(encoded)) + encoded)  # BINUNICODE

    def global_(self, module: str, name: str) -> None:
        self.out.write(f"c{module}\n{name}\n".encode("ascii"))  # GLOBAL

    def items(self, values: List[Any]) -> None:
        """Push ``values`` after a MARK (for TUPLE, APPENDS or SETITEMS)."""
        self.out.write(b"(")
        for value in values:
            self.value(value)

    def value(self, obj: Any) -> None:
        out = self.out
        if obj is None:
            out.write(b"N")
        elif obj is True or obj is False:
            out.write(b"\x88" if obj else b"\x89")
        elif isinstance(obj, int):
            if -2 ** 31 <= obj < 2 ** 31:
                out.write(b"J" + struct.pack("<i", obj))  # BININT
            else:
                encoded = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
                out.write(b"\x8a" + bytes([len(encoded)]) + encoded)  # LONG1
        elif isinstance(obj, float):
            out.write(b"G" + struct.pack(">d", obj))  # BINFLOAT
        elif isinstance(obj, str):
            self.text(obj)
        elif isinstance(obj, Tensor):
            self.tensor(obj)
        elif isinstance(obj, tuple):
            if obj:
                self.items(list(obj))
                out.write(b"t")  # TUPLE
            else:
                out.write(b")")
        elif isinstance(obj, list):
            out.write(b"]")  # EMPTY_LIST
            if obj:
                self.items(obj)
                out.write(b"e")  # APPENDS
        elif isinstance(obj, (OrderedDict, Counter)):
            self.global_("collections", type(obj).__name__)
            out.write(b")R")  # no arguments, REDUCE
            self.dict_items(obj)
            extra = getattr(obj, "__dict__", None)
            if extra:  # a state dict's _metadata: BUILD sets the attribute back
                self.value(dict(extra))
                out.write(b"b")  # BUILD
        elif type(obj) is dict:
            out.write(b"}")  # EMPTY_DICT
            self.dict_items(obj)
        else:
            raise pickle.PicklingError(f"course_lib.save writes tensors, dicts, lists, tuples, numbers, strings, bools "
                                       f"and None (what torch.load(weights_only=True) reads); got {type(obj).__name__}")

    def dict_items(self, mapping: Dict[Any, Any]) -> None:
        if mapping:
            self.items([part for pair in mapping.items() for part in pair])
            self.out.write(b"u")  # SETITEMS

    def tensor(self, t: Tensor) -> None:
        if t.dtype not in _STORAGE_NAMES:
            raise pickle.PicklingError(f"course_lib.save cannot write a {t.dtype} tensor")
        storage = t._storage
        key, _ = self.storages.setdefault(id(storage), (str(len(self.storages)), storage))
        self.global_("torch._utils", "_rebuild_tensor_v2")
        self.out.write(b"(")  # the arguments
        self.out.write(b"(")  # the storage's persistent id
        self.text("storage")
        self.global_("torch", _STORAGE_NAMES[t.dtype])
        self.text(key)
        self.text("cpu")
        self.value(len(storage))
        self.out.write(b"tQ")  # TUPLE, BINPERSID
        self.value(t._offset)
        self.value(tuple(t._shape))
        self.value(tuple(t._strides))
        self.value(bool(t.requires_grad))
        self.global_("collections", "OrderedDict")
        self.out.write(b")R")  # backward hooks: an empty OrderedDict
        self.out.write(b"tR")  # TUPLE, REDUCE


def _storage_bytes(storage: Any) -> bytes:
    """A storage's elements as little-endian bytes (torch's byte order on every machine)."""
    array = storage.buffers.to_host(storage.data)
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def _zip_entries(obj: Any) -> List[Tuple[str, bytes]]:
    writer = _PickleWriter()
    pickled = writer.write(obj)
    entries = [("archive/data.pkl", pickled), ("archive/byteorder", b"little")]
    for key, storage in writer.storages.values():
        entries.append((f"archive/data/{key}", _storage_bytes(storage)))
    entries.append(("archive/version", b"3\n"))
    return entries


def _archive(entries: List[Tuple[str, bytes]]) -> bytes:
    """An uncompressed zip of ``entries``, each record's bytes aligned to 64 in the file (as torch aligns them,
    with an extra field of padding in the local header)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            start = buffer.tell() + 30 + len(name.encode("utf-8"))
            padding = (-(start + 4)) % _ALIGNMENT
            info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
            archive.writestr(info, data)
    return buffer.getvalue()


def save(obj: Any, f: Union[str, os.PathLike, BinaryIO], pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Write ``obj`` (tensors inside dicts, lists, tuples, numbers...) to ``f`` in torch's format.

    A path is written atomically: a failure leaves any earlier file as it was. The other arguments are torch's,
    accepted and ignored (the format is always torch's zip format with a protocol-2 pickle).

    Raises:
        pickle.PicklingError: an object of another kind (a module, a function...), named.
    """
    data = _archive(_zip_entries(obj))
    if isinstance(f, (str, os.PathLike)):
        atomic_write_bytes(f, data)
    else:
        f.write(data)


# ------------------------------------------------------------------------------------------------ loading


class _StorageType:
    """What the pickle's ``torch.<Name>Storage`` global stands for: the dtype of a storage."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = dtype


def _rebuild_tensor(storage: np.ndarray, offset: int, size: Tuple[int, ...], stride: Tuple[int, ...],
                    requires_grad: bool, backward_hooks: Any, metadata: Any = None, device: Any = None) -> Tensor:
    result = as_view(from_numpy(storage), tuple(size), tuple(stride), offset)
    if device is not None and str(device) != "cpu":
        result = result.to(str(device))  # a copy on that device (tensors that shared a storage no longer do)
    return result.requires_grad_() if requires_grad else result


def _target_device(location: str, map_location: Any) -> Any:
    """Where a storage saved at ``location`` ("cpu", "cuda:0") loads: ``map_location`` (a device or its name)
    for every storage, or ``map_location[location]`` (a dict; unmapped locations keep theirs); the CPU without
    ``map_location``."""
    if map_location is None:
        return None
    if isinstance(map_location, dict):
        return map_location.get(location, location)
    if isinstance(map_location, str) or type(map_location).__name__ == "device":
        return map_location
    raise TypeError("course_lib.load: map_location must be a device, a device name or a dict of location names, "
                    f"but got {type(map_location).__name__}")


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Any:
    return Parameter(data, requires_grad)  # a Parameter saved as such (torch.save(model.weight))


_ALLOWED = {("collections", "OrderedDict"): OrderedDict, ("collections", "Counter"): Counter,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter}


class _RestrictedUnpickler(pickle.Unpickler):
    """Builds the allowed objects only; storages come from the archive's records."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, map_location: Any = None) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix, self.map_location = archive, prefix, map_location
        self.loaded: Dict[str, np.ndarray] = {}
        self.locations: Dict[int, str] = {}  # id of a loaded storage -> where it was saved from
        # the globals a file may name; rebuilding a tensor needs this file's storages' locations
        self.allowed = {**_ALLOWED, ("torch._utils", "_rebuild_tensor_v2"): self._rebuild_tensor}

    def _rebuild_tensor(self, storage: np.ndarray, *args: Any) -> Tensor:
        device = _target_device(self.locations.get(id(storage), "cpu"), self.map_location)
        return _rebuild_tensor(storage, *args, device=device)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.allowed:
            return self.allowed[(module, name)]
        if module == "torch" and name in _DTYPE_OF_STORAGE:
            return _StorageType(_DTYPE_OF_STORAGE[name])
        raise pickle.UnpicklingError(f"course_lib.load refused the global {module}.{name}: it builds only tensors, "
                                     "dicts, lists, tuples, numbers, strings, bools and None, and never runs code "
                                     "from a file")

    def persistent_load(self, pid: Any) -> np.ndarray:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"course_lib.load: unsupported persistent id {pid!r}")
        _, kind, key, location, count = pid
        if key not in self.loaded:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            dtype = kind.dtype.numpy.newbyteorder("<")
            if len(raw) != count * dtype.itemsize:
                raise pickle.UnpicklingError(f"storage {key}: {len(raw)} bytes for {count} elements of {kind.dtype}")
            self.loaded[key] = np.frombuffer(raw, dtype=dtype).astype(kind.dtype.numpy)  # a writable native copy
            self.locations[id(self.loaded[key])] = str(location)
        return self.loaded[key]


def load(f: Union[str, os.PathLike, BinaryIO], map_location: Any = None, pickle_module: Any = None, *,
         weights_only: Any = None, mmap: Any = None, **pickle_load_args: Any) -> Any:
    """Read a file written by :func:`save` or by ``torch.save`` (tensors and containers only).

    Tensors come back as course_lib CPU tensors, or where ``map_location`` sends them: a device (``"cpu"``,
    ``"cuda:0"``) for all of them, or a dict from the saved location to the one to load on (``{"cuda:0":
    "cpu"}``; others load where they were saved), as torch's. Tensors that shared a storage share memory again
    (on the CPU). Loading is always "weights only" (torch's safe mode); ``pickle_module`` and ``mmap`` are
    accepted for torch's signature and ignored.

    Raises:
        pickle.UnpicklingError: a global that is not a tensor or container (nothing is run), named.
        TypeError: a ``map_location`` of another kind (torch also takes a function: course_lib does not).
        RuntimeError: a file that is not a complete zip archive of this format (truncated or corrupt): nothing
            is returned in part.
    """
    try:
        archive = zipfile.ZipFile(f)
        names = archive.namelist()
        pickles = [name for name in names if name.endswith("data.pkl")]
        if not pickles:
            raise zipfile.BadZipFile("no data.pkl record")
        prefix = pickles[0][:-len("data.pkl")]
        return _RestrictedUnpickler(archive.read(pickles[0]), archive, prefix, map_location).load()
    except (zipfile.BadZipFile, EOFError, struct.error, KeyError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        where = f if isinstance(f, (str, os.PathLike)) else "the file object"
        raise RuntimeError(f"course_lib.load: {where} is not a complete checkpoint in torch's format (a zip archive "
                           f"with data.pkl): {error}. It may be truncated or corrupt; save it again.") from None
