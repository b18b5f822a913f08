"""Which devices a check runs on: ``cpu`` always, ``cuda`` real or simulated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List
from ..backends import backend_available
from ..cuda import is_simulated
from ..device import simulation_told


@dataclass(frozen=True)
class Device:
    """A device as the check table shows it.

    Attributes:
        name: the course_lib device string passed to the check (``"cpu"`` or ``"cuda"``).
        label: what the table prints: ``"cpu"``, ``"cuda"`` or ``"cuda (simulated)"``.
        built: False while course_lib has no backend for this device yet.
        note: why the device is not built, shown under the table.
        needs: where its backend is built (``"chapter 05"``), shown in the status column.
    """

    name: str
    label: str
    built: bool
    note: str = ""
    needs: str = ""


def cuda_label() -> str:
    """``"cuda (simulated)"`` when Triton's interpreter stands in for a GPU, else ``"cuda"`` (a real GPU, or
    no cuda at all where Triton is missing)."""
    return "cuda (simulated)" if is_simulated() else "cuda"


def check_devices() -> List[Device]:
    """The devices every per-device check runs on, in table order."""
    devices = [Device("cpu", "cpu", backend_available("cpu"), "")]
    cuda_built = backend_available("cuda")
    if cuda_built and cuda_label() != "cuda":
        simulation_told()  # the rows say "cuda (simulated)": no notice on stderr (it would differ on a GPU)
    note = "" if cuda_built else ("triton is not installed here (it has Linux wheels only): the cuda rows run on "
                                  "Linux, in WSL or in a cloud notebook")
    devices.append(Device("cuda", cuda_label(), cuda_built, note, "" if cuda_built else "triton"))
    return devices
