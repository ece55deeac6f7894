"""The loan book's queue of future events (an early repayment, a cure, a charge-off...), by day.

Why chunks of slots chained by day: the compiled passes draw thousands of events a day,
each for some day in the next months, and a day's events are wanted all together, in the
order they were queued (the order the book applies them in). Each day has a chain of
chunks of :data:`CHUNK` slots; an event goes in the next slot of its day's last chunk, so
queueing is a constant step inside the kernels' loop
(:func:`trustsim.pool.kernels.book.queue_push`), a day's events come out as a few runs of
memory, and the chunks of a day taken out are used again: the arrays grow to the most
events ever waiting at once, not with the deal's life. (A chain of single slots was
tried: reading a day's events back then costs a cache miss each, 130 ns an event.)
"""

from __future__ import annotations

import numpy as np

from trustsim.pool.kernels import book as kern

CHUNK = 256  # slots per chunk


class EventQueue:
    """Events (kind, row, extra, tag) waiting for their day; days from ``first_day`` on."""

    def __init__(self, first_day: int, chunks: int = 256, horizon: int = 1 << 11) -> None:
        self.first_day = first_day
        self.head = np.full(horizon, -1, np.int64)   # first chunk of each day's chain, or -1
        self.tail = np.full(horizon, -1, np.int64)   # last chunk of each day's chain
        self.fill = np.zeros(horizon, np.int64)      # slots used in each day's last chunk
        self.count = np.zeros(horizon, np.int64)     # events waiting for each day
        self.kind = np.empty(chunks * CHUNK, np.int8)
        self.row = np.empty(chunks * CHUNK, np.int64)
        self.extra = np.empty(chunks * CHUNK, np.int64)
        self.tag = np.empty(chunks * CHUNK, np.int64)
        self.next = np.empty(chunks, np.int64)       # the next chunk of the same day, or -1
        self.spare = np.empty(chunks, np.int64)      # chunks given back (a stack)
        self.n_spare = 0
        self.top = 0                                 # chunks [0, top) have been used

    def __len__(self) -> int:
        return int(self.count.sum())

    def waiting(self, day: int) -> int:
        """How many events wait for ``day``."""
        d = day - self.first_day
        return int(self.count[d]) if 0 <= d < len(self.count) else 0

    def push(self, kind: np.ndarray, row: np.ndarray, day: np.ndarray, extra: np.ndarray,
             tag: np.ndarray, n: int) -> None:
        """Queue the first ``n`` events, each behind those already waiting for its day."""
        if not n:
            return
        lo, hi = int(day[:n].min()), int(day[:n].max())
        if lo < self.first_day:
            raise ValueError(f"an event for day {lo}, before the queue's first day {self.first_day}")
        self._room(n // CHUNK + min(n, hi - lo + 1) + 1, hi - self.first_day + 1)
        self.n_spare, self.top = kern.queue_push(
            self.head, self.tail, self.fill, self.count, self.first_day, self.kind, self.row,
            self.extra, self.tag, self.next, self.spare, self.n_spare, self.top, kind, row, day,
            extra, tag, n)

    def pop(self, day: int, kind: np.ndarray, row: np.ndarray, extra: np.ndarray,
            tag: np.ndarray) -> int:
        """Take out the events of ``day`` into the given buffers (room for
        :meth:`waiting` of them), in the order queued; returns how many."""
        n = self.waiting(day)
        if n:
            self.n_spare = kern.queue_pop(
                self.head, self.tail, self.fill, self.count, day - self.first_day, self.kind,
                self.row, self.extra, self.tag, self.next, self.spare, self.n_spare, kind, row,
                extra, tag)
        return n

    def _room(self, chunks: int, days: int) -> None:
        """Room for ``chunks`` more chunks and chains for ``days`` days."""
        if days > len(self.head):
            size = max(days, 2 * len(self.head))
            for name, fill in (("head", -1), ("tail", -1), ("fill", 0), ("count", 0)):
                old = getattr(self, name)
                grown = np.full(size, fill, np.int64)
                grown[: len(old)] = old
                setattr(self, name, grown)
        cap = len(self.next)
        if self.n_spare + cap - self.top < chunks:
            size = max(2 * cap, self.top + chunks)
            for name, per in (("kind", CHUNK), ("row", CHUNK), ("extra", CHUNK), ("tag", CHUNK),
                              ("next", 1), ("spare", 1)):
                old = getattr(self, name)
                grown = np.empty(size * per, old.dtype)
                grown[: cap * per] = old
                setattr(self, name, grown)
