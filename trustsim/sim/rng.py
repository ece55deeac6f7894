"""Named random streams spawned from one seed.

Why named: each source of randomness (credit, prepayment, returns, incidents...) gets
its own generator spawned from the run's ``SeedSequence`` by a fixed key, so adding a
stream or drawing more from one never shifts the numbers another stream gives.
"""

from __future__ import annotations

import hashlib

import numpy as np


class RngStreams:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
            gen = np.random.default_rng(np.random.SeedSequence(entropy=self.seed, spawn_key=(key,)))
            self._streams[name] = gen
        return gen
