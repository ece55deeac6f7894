"""Named random streams spawned from one seed.

Why named: each source of randomness (credit, prepayment, returns, incidents...) gets
its own generator spawned from the run's ``SeedSequence`` by a fixed key, so adding a
stream or drawing more from one never shifts the numbers another stream gives.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


class RngStreams:
    """The run's streams; numpy loads when the first stream is drawn (a rep-line run, which
    draws none, never pays its import)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            import numpy as np

            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
            gen = np.random.default_rng(np.random.SeedSequence(entropy=self.seed, spawn_key=(key,)))
            self._streams[name] = gen
        return gen
