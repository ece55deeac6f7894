"""The loan book's event queue (trustsim.pool.event_queue): a day's events come out on that
day, all of them, in the order they were queued, however many chunks and growths they
span; and taking a day out gives its room back."""

from __future__ import annotations

import numpy as np
import pytest

from trustsim.pool.event_queue import CHUNK, EventQueue


def _push(q: EventQueue, days: list[int], first_tag: int) -> None:
    n = len(days)
    tags = np.arange(first_tag, first_tag + n, dtype=np.int64)
    q.push((tags % 6).astype(np.int8), tags * 10, np.array(days, np.int64), tags * 100, tags, n)


def _pop(q: EventQueue, day: int) -> list[int]:
    n = q.waiting(day)
    kind, row, extra, tag = (np.empty(n, np.int8), np.empty(n, np.int64), np.empty(n, np.int64),
                             np.empty(n, np.int64))
    assert q.pop(day, kind, row, extra, tag) == n
    assert (kind == tag % 6).all() and (row == tag * 10).all() and (extra == tag * 100).all()
    return tag.tolist()


def test_a_days_events_come_out_in_the_order_queued_across_chunks_and_growths():
    q = EventQueue(first_day=100, chunks=1, horizon=4)  # tiny: every push grows something
    rng = np.random.default_rng(5)
    want: dict[int, list[int]] = {}
    tag = 0
    for _ in range(40):  # batches of events for days 101..160, interleaved
        days = rng.integers(101, 161, int(rng.integers(1, 3 * CHUNK))).tolist()
        _push(q, days, tag)
        for d in days:
            want.setdefault(d, []).append(tag)
            tag += 1
    assert len(q) == tag
    for d in range(100, 165):
        assert _pop(q, d) == want.get(d, [])
    assert len(q) == 0


def test_the_chunks_of_a_day_taken_out_are_used_again():
    q = EventQueue(first_day=0, chunks=8)
    for day in range(1, 200):  # a day's events queued, then taken out: the queue never grows
        _push(q, [day] * (3 * CHUNK), 0)
        _pop(q, day)
    assert len(q.next) == 8 and q.top == 3  # three chunks, used again every day


def test_an_event_for_a_day_before_the_queue_starts_is_refused():
    q = EventQueue(first_day=50)
    with pytest.raises(ValueError, match="before the queue's first day"):
        _push(q, [49], 0)
