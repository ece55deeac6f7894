"""The trust's holdings on chosen dates, written during a run (``trustsim run --tape-at``).

Why: the trustee must be able to say which receivables the trust holds on any day and
why each entered or left. On each requested date, at 24:00, two Parquet files go into
the run folder (before it is renamed into place, so a failed run leaves none):

* ``holdings_<date>.parquet`` — every receivable held, as a tape (docs/pool.md) with
  ``entered_on`` and ``entry_reason`` (initial, revolving_purchase, replacement);
* ``movements_<date>.parquet`` — every receivable that has entered the trust so far, with
  when and why it entered and, if it left, ``left_on`` and ``exit_reason`` (prepaid,
  repaid, written_off, lost, repurchased, sold_to_servicer, released); written batch by
  batch in the order receivables left, those still held last.

A date the run does not reach (after the trust terminated) is written at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from trustsim.atomic import atomic_file
from trustsim.pool.errors import TapeAtError
from trustsim.pool.tape import write_table


class TapeAt:
    """A run's ``on_day`` hook writing the loan-level pool's holdings on given dates."""

    def __init__(self, dates: Sequence[dt.date], folder: Path,
                 then: Callable[[int], None] | None = None) -> None:
        self.pending = sorted(set(dates))
        self.folder = Path(folder)
        self.then = then
        self.env: Any = None  # the run's TrustEnvironment, once bound
        self.written: list[Path] = []

    def bind(self, env) -> None:
        """Called with the run's environment before it starts; checks the pool can tell."""
        if not hasattr(env.pool, "holdings"):
            raise TapeAtError(f"--tape-at needs a loan-level pool (pool.kind: loan_level), "
                             f"not {env.pool.kind!r}")
        last = env.calendar.end
        for d in self.pending:
            if not env.origin <= d <= last:
                raise TapeAtError(f"--tape-at {d.isoformat()} is outside the deal's life "
                                 f"({env.origin.isoformat()} to {last.isoformat()})")
        self.env = env

    def __call__(self, day: int) -> None:
        """``day`` has just begun: every requested date before it is complete."""
        while self.pending and self.env.day_of(self.pending[0]) < day:
            self._write(self.pending.pop(0))
        if self.then is not None:
            self.then(day)

    def finish(self) -> None:
        while self.pending:
            self._write(self.pending.pop(0))

    def _write(self, d: dt.date) -> None:
        pool = self.env.pool
        stamp = d.isoformat()
        self.written.append(write_table(pool.holdings(), self.folder / f"holdings_{stamp}.parquet"))
        path = self.folder / f"movements_{stamp}.parquet"
        with atomic_file(path) as tmp:
            writer = None
            try:  # batch by batch: the movements of a whole deal need not fit in memory twice
                for batch in pool.movement_batches():
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, batch.schema, compression="zstd")
                    writer.write_batch(batch)
            finally:
                if writer is not None:
                    writer.close()
        self.written.append(path)
