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

Why structlog, configured per run: it is the project's logging library (the user's stack),
used here as a bound logger with one processor (stamp from the simulation clock, render with
orjson) over a ``BytesLogger``. Importing it costs 35-95 ms a process (its package loads its
development console, and rich where installed); docs/performance.md counts that against the
CLI's start-up. Lines are written, not flushed one by one: ``BytesLogger`` flushes after each
line, so it writes to a view of the stream whose ``flush`` is left to the stream's owner, who
closes it (a run folder is renamed into place only once the run has finished).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, MutableMapping
from typing import IO, Any, BinaryIO, cast

import orjson
import structlog

from trustsim.catalogue import ACTORS, EVENTS

__all__ = ["ACTORS", "EVENTS", "EventLog"]


class _Unflushed:
    """The stream as ``BytesLogger`` sees it: writes go through, per-line flushes do not."""

    __slots__ = ("__weakref__", "write")   # BytesLogger keeps a lock per file, by weak key

    def __init__(self, stream: IO[bytes]) -> None:
        self.write = stream.write

    def flush(self) -> None:
        pass


class EventLog:
    """Writes the run's events as JSON lines to ``stream`` via a run-local structlog logger.

    ``stream=None`` is the no-op sink for runs whose log nobody reads (break-even searches,
    Monte Carlo paths): events are still checked to be catalogued and counted, but
    not formatted, which saves about a third of a rep-line run.
    """

    def __init__(self, stream: IO[bytes] | None, clock: Callable[[], tuple[int, dt.date]]) -> None:
        self._clock = clock
        self._seq = 0
        self._day, self._date = -1, ""  # the current day's ISO date, formatted once a day
        self.counts: dict[str, int] = {}
        self._logger = None if stream is None else structlog.wrap_logger(
            structlog.BytesLogger(cast(BinaryIO, _Unflushed(stream))),
            # one processor: stamp seq/day/date from the simulation clock (never wall time)
            # in a fixed key order, and render with orjson (compact, fast, deterministic)
            processors=[self._stamp_and_render],
            context_class=dict,
            cache_logger_on_first_use=True,
        )

    def _stamp_and_render(self, _logger: Any, _name: str, ed: MutableMapping[str, Any]) -> bytes:
        day, date = self._clock()
        if day != self._day:
            self._day, self._date = day, date.isoformat()
        actor = ed.pop("actor")
        event = ed.pop("event")
        return orjson.dumps({"seq": self._seq, "day": day, "date": self._date, "actor": actor,
                             "event": event, **ed})

    def emit(self, actor: str, event: str, **fields: Any) -> None:
        if event not in EVENTS:
            raise KeyError(f"event {event!r} is not in the catalogue (trustsim.catalogue.EVENTS)")
        self.counts[event] = self.counts.get(event, 0) + 1
        self._seq += 1
        if self._logger is not None:
            self._logger.msg(event, actor=actor, **fields)
