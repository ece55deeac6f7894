"""The audit log: one JSON line per business action, written as it happens.

Each run has its own writer, so several runs may share a process (tests, Monte Carlo) and
nothing is configured globally. Each line is stamped with ``seq`` (order in the run),
``day`` (calendar days since the trust effective date), ``date`` (the simulated business
date) — never wall-clock time, so the same seed gives the same bytes — then ``actor`` and
``event``. Money fields are integer fen named ``*_fen``. Every money movement is logged as
the event that caused it, carrying its ledger posting (``debit``, ``credit``,
``amount_fen``, ``reason``, ``instruction``), so the postings view is the subset of events
with a ``debit``. Each event's fields and their types are declared in
:mod:`trustsim.catalogue`; emitting checks only that the event is catalogued (cheap), and the
tests check every field of every line a run writes.

Why no logging library: the log is one processor (stamp, then render with orjson) and a
write. structlog did exactly that here, but ``import structlog`` loads its development
console, rich's tracebacks, pygments and asyncio: 35-95 ms in every process, a third of a
rep-line simulation and more, for a run that uses none of it (issue 17). The bytes are those
structlog wrote: the same stamp, the same key order, a newline after each line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

import orjson

from trustsim.catalogue import ACTORS, EVENTS

__all__ = ["ACTORS", "EVENTS", "EventLog"]

_NEWLINE = orjson.OPT_APPEND_NEWLINE


class EventLog:
    """Writes the run's events as JSON lines to ``stream``.

    ``stream=None`` is the no-op sink for runs whose log nobody reads (break-even searches,
    Monte Carlo paths): events are still checked to be catalogued and counted, but
    not formatted, which saves about a third of a rep-line run. Lines are written, not
    flushed one by one: the stream's owner closes it (a run folder is renamed into place
    only once the run has finished).
    """

    def __init__(self, stream: IO[bytes] | None, clock: Callable[[], tuple[int, dt.date]]) -> None:
        self._clock = clock
        self._seq = 0
        self._day, self._date = -1, ""  # the current day's ISO date, formatted once a day
        self.counts: dict[str, int] = {}
        self._write = None if stream is None else stream.write

    def emit(self, actor: str, event: str, **fields: Any) -> None:
        if event not in EVENTS:
            raise KeyError(f"event {event!r} is not in the catalogue (trustsim.catalogue.EVENTS)")
        self.counts[event] = self.counts.get(event, 0) + 1
        self._seq += 1
        if self._write is None:
            return
        # stamped from the simulation clock (never wall time) in a fixed key order, rendered
        # with orjson (compact, fast, deterministic)
        day, date = self._clock()
        if day != self._day:
            self._day, self._date = day, date.isoformat()
        self._write(orjson.dumps({"seq": self._seq, "day": day, "date": self._date, "actor": actor,
                                  "event": event, **fields}, option=_NEWLINE))
