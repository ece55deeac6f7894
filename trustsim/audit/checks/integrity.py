"""The log itself: complete, in order, and in the shape the catalogue promises.

Why first: every other check trusts ``seq`` to cite an event and the order of lines to
be the order things happened. A gap in ``seq``, a date running backwards, a money field
that is not whole fen, or a summary whose event counts disagree with the log means the
log was cut, edited or written by something else.
"""

from __future__ import annotations

import datetime as dt

from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome

#: run_finished is written after the summary, so the summary cannot count it
NOT_IN_SUMMARY = frozenset({"run_finished"})


def _whole_fen(value: object) -> bool:
    """An amount (or a mapping / list of amounts, e.g. per note class) in integer fen."""
    if value is None or type(value) is int:
        return True
    if isinstance(value, dict):
        return all(_whole_fen(v) for v in value.values())
    if isinstance(value, list):
        return all(_whole_fen(v) for v in value)
    return False


def log_integrity(log: AuditLog) -> Outcome:
    out = Outcome()
    prev_date: dt.date | None = None
    origin = log.terms.effective_date
    for i, e in enumerate(log.events, start=1):
        out.checked += 1
        seq, date = e["seq"], e["date"]
        if seq != i:
            out.fail(seq, date, f"line {i} carries seq {seq}: the log is not numbered 1, 2, 3...")
        try:
            d = dt.date.fromisoformat(date)
        except ValueError:
            out.fail(seq, date, f"date {date!r} is not an ISO date")
            continue
        if prev_date is not None and d < prev_date:
            out.fail(seq, date, f"date {date} runs backwards (previous line: {prev_date})")
        prev_date = d
        if e["day"] != (d - origin).days:
            out.fail(seq, date, f"day {e['day']} disagrees with date {date} "
                                f"({(d - origin).days} days after {origin})")
        for key, value in e.items():
            if key.endswith("_fen") and not _whole_fen(value):
                out.fail(seq, date, f"{key} = {value!r} is not a whole number of fen")
        if e.get("debit") is not None:
            amount = e.get("amount_fen")
            if type(amount) is not int or amount <= 0:
                out.fail(seq, date, f"posting amount {amount!r} is not a positive number of fen")
            if e.get("debit") == e.get("credit"):
                out.fail(seq, date, f"posting from {e['credit']} to itself")
    events = log.events
    if events and events[0]["event"] != "run_started":
        out.fail(events[0]["seq"], events[0]["date"], "the log does not start with run_started")
    if events and events[-1]["event"] != "run_finished":
        out.fail(events[-1]["seq"], events[-1]["date"],
                 "the log does not end with run_finished: it is cut short")
    if log.summary is not None and isinstance(log.summary.get("events"), dict):
        logged = {k: v for k, v in log.counts.items() if k not in NOT_IN_SUMMARY}
        stated = log.summary["events"]
        for name in sorted(set(logged) | set(stated)):
            if logged.get(name, 0) != stated.get(name, 0):
                out.fail(None, None, f"summary.json counts {stated.get(name, 0)} {name} "
                                     f"events, the log holds {logged.get(name, 0)}")
    return out


CHECK = Check("log_integrity", "event log",
              "the log is complete, numbered in order, dated forward, money in whole fen",
              log_integrity)
