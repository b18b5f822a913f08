"""Random number generators: ``course_lib.manual_seed``, ``course_lib.Generator``.

Taught in notebooks/01_tensors.ipynb, section "Creating tensors". course_lib draws its
random numbers from its own NumPy generator (PCG64), on the host, for every device. The
numbers differ from torch's for the same seed, but the same seed always gives the same
numbers, which is what reproducible experiments need.
"""

from __future__ import annotations

import struct

import numpy as np

DEFAULT_SEED = 67280421310721
"""The seed of the default generator at start-up (the same number torch uses)."""


class Generator:
    """A random number generator with its own state (like ``torch.Generator``)."""

    def __init__(self, device: str = "cpu"):
        self.device = device
        self._seed = DEFAULT_SEED
        self.numpy = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        """Reset the state from ``seed``; returns the generator."""
        seed = int(seed)
        self._seed = seed
        self.numpy = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def initial_seed(self) -> int:
        """The seed last set."""
        return self._seed

    def seed(self) -> int:
        """Re-seed from a non-deterministic source; returns the new seed."""
        new_seed = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(new_seed)
        return new_seed

    def get_state(self) -> dict:
        """A copy of the state, for :meth:`set_state`."""
        return dict(self.numpy.bit_generator.state)

    def set_state(self, state: dict) -> None:
        self.numpy.bit_generator.state = state

    # The state as bytes (what ``course_lib.get_rng_state`` puts in a uint8 tensor, as torch's is): PCG64's
    # 128-bit state and increment, its cached half-word (flag and value), and the seed.
    STATE_LAYOUT = "<16s16sBIQ"

    def state_bytes(self) -> bytes:
        """The state (and seed) as ``STATE_LAYOUT`` bytes, for :meth:`set_state_bytes`."""
        state = self.numpy.bit_generator.state
        return struct.pack(self.STATE_LAYOUT, state["state"]["state"].to_bytes(16, "little"),
                           state["state"]["inc"].to_bytes(16, "little"), state["has_uint32"], state["uinteger"],
                           self._seed & 0xFFFFFFFFFFFFFFFF)

    def set_state_bytes(self, data: bytes) -> None:
        """Restore a :meth:`state_bytes` state (``struct.error`` for bytes of another length)."""
        state, inc, has_uint32, uinteger, seed = struct.unpack(self.STATE_LAYOUT, data)
        self.set_state({"bit_generator": "PCG64", "state": {"state": int.from_bytes(state, "little"),
                                                            "inc": int.from_bytes(inc, "little")},
                        "has_uint32": has_uint32, "uinteger": uinteger})
        self._seed = seed

    def __repr__(self) -> str:
        return f"<course_lib.Generator seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (every ``rand``/``randn``/... without ``generator=``)."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def seed() -> int:
    """Seed the default generator non-deterministically."""
    return default_generator.seed()
