"""[一.4.1] The money held at the servicer on every calendar day, recomputed from the postings.

Obligors pay every day but the servicer sweeps on business days, so collections wait at
the servicer over weekends and holidays, and what it holds when it fails is what the trust
loses (commingling). A run states that exposure in ``commingling.csv`` — one row per
calendar day: the balance at 24:00 and the day's intraday peak — and in ``summary.json``'s
``commingling``. This check recomputes both from the log:

* an account held outside the custodian (an internal account that is not trust-held: the
  JD collection account) moves only by postings, so replaying them gives its balance at
  any moment. Each calendar day from the run's first (``run_started``) to the day before
  ``trust_terminated`` has its balance at 24:00 and its intraday peak: the highest balance
  of the day — the night's balance, held until the first posting, or the balance after
  each posting into the account (:func:`daily`; the ``exposure_daily`` view).
* ``commingling.csv`` must list exactly those days, in order, each flagged a business day
  or not by the run's own calendar (``config.json``'s ``calendar``), with the recomputed
  balance and peak of each account it names (``<account>_fen``, ``<account>_peak_fen``);
  the servicer's collection account must be one. A difference is reported on the day it
  appears or changes, not on every later day.
* ``summary.json``'s ``commingling``: ``peak_fen`` and ``peak_date`` (the highest intraday
  peak, the first day it was reached), ``days``, ``days_held`` (days ending with a balance),
  ``non_business_day_peak_fen`` and ``_date`` (the same over the days that are not
  business days), and ``lost_fen``: what left the collection account for anywhere outside
  the trust (the servicer's estate), less what came back from there.

A log read without its run folder has no ``commingling.csv``: the summary alone is checked,
noted. A run folder written before calendar-day exposure (a business-day table, a summary
without ``days``) is compared on what it states, noted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustsim.audit.log import COLLECTION_ACCOUNT, AuditLog
from trustsim.audit.model import Check, Outcome

#: the first columns of ``commingling.csv``; then two per account held outside the custodian
LEADING = ["date", "business_day"]
#: the business-day table that runs wrote before calendar-day exposure
LEGACY = ["date", "collection_account_fen", "lost_if_servicer_failed_fen"]
SUMMARY_KEYS = ("peak_fen", "peak_date", "days", "days_held", "non_business_day_peak_fen",
                "non_business_day_peak_date", "lost_fen")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ExposureDay:
    """One account on one calendar day, as the log's postings give it."""

    date: dt.date
    business_day: bool
    account: str
    opening_fen: int      # at the day's start: the previous day's 24:00
    in_fen: int
    out_fen: int
    balance_fen: int      # at 24:00
    peak_fen: int         # the highest balance of the day
    postings: int
    last_seq: int | None  # the last posting that moved the account, on or before this day


def held_accounts(log: AuditLog) -> tuple[str, ...]:
    """Internal accounts not kept by the custodian: money there is exposed to its holder."""
    return tuple(a for a in log.internal_accounts if a not in log.trust_held)


def span(log: AuditLog) -> tuple[dt.date, dt.date] | None:
    """The calendar days a run measures: its first day to the day before ``trust_terminated``
    (a log without one: to its last day)."""
    if not log.events:
        return None
    ended = log.of("trust_terminated")
    last = log.day(ended[-1]) - _ONE_DAY if ended else log.day(log.events[-1])
    return log.day(log.events[0]), last


def daily(log: AuditLog, accounts: Iterable[str] | None = None) -> dict[str, list[ExposureDay]]:
    """Each account's calendar days (default: :func:`held_accounts`), replayed from the postings."""
    names = tuple(accounts) if accounts is not None else held_accounts(log)
    out: dict[str, list[ExposureDay]] = {a: [] for a in names}
    days = span(log)
    if days is None or not names:
        return out
    first, last = days
    moves: dict[str, list[tuple[dt.date, int, int]]] = {a: [] for a in names}  # (date, seq, delta)
    for p in log.postings:
        amount = int(p["amount_fen"]) if type(p.get("amount_fen")) is int else 0
        for account, sign in ((p["debit"], 1), (p["credit"], -1)):
            if account in moves:
                moves[account].append((log.day(p), int(p["seq"]), sign * amount))
    is_business_day = log.calendar.is_business_day
    for account in names:
        balance, i, last_seq = 0, 0, None
        todo = moves[account]
        while i < len(todo) and todo[i][0] < first:       # nothing should move before the run
            balance += todo[i][2]
            last_seq = todo[i][1]
            i += 1
        d = first
        while d <= last:
            opening = peak = balance
            got = paid = n = 0
            while i < len(todo) and todo[i][0] == d:
                _, seq, delta = todo[i]
                balance += delta
                if delta > 0:
                    got += delta
                    peak = max(peak, balance)
                else:
                    paid -= delta
                n += 1
                last_seq = seq
                i += 1
            out[account].append(ExposureDay(d, is_business_day(d), account, opening, got, paid,
                                            balance, peak, n, last_seq))
            d += _ONE_DAY
    return out


def lost_fen(log: AuditLog, account: str = COLLECTION_ACCOUNT) -> int:
    """What left ``account`` for a party outside the trust, less what came back from it."""
    internal = set(log.internal_accounts)
    out = {p["debit"]: 0 for p in log.postings if p["credit"] == account and p["debit"] not in internal}
    lost = 0
    for p in log.postings:
        amount = int(p["amount_fen"]) if type(p.get("amount_fen")) is int else 0
        if p["credit"] == account and p["debit"] in out:
            lost += amount
        elif p["credit"] in out and p["debit"] in internal:
            lost -= amount
    return lost


def summary_figures(log: AuditLog, days: list[ExposureDay]) -> dict[str, Any]:
    """``summary.json``'s ``commingling``, from the servicer's account's days."""
    def first_max(among: list[ExposureDay]) -> ExposureDay | None:
        best: ExposureDay | None = None
        for x in among:
            if x.peak_fen > 0 and (best is None or x.peak_fen > best.peak_fen):
                best = x
        return best

    top = first_max(days)
    off = first_max([x for x in days if not x.business_day])
    return {"peak_fen": top.peak_fen if top else 0,
            "peak_date": top.date.isoformat() if top else None,
            "days": len(days),
            "days_held": sum(1 for x in days if x.balance_fen > 0),
            "non_business_day_peak_fen": off.peak_fen if off else 0,
            "non_business_day_peak_date": off.date.isoformat() if off else None,
            "lost_fen": lost_fen(log)}


# ---------------------------------------------------------------- commingling.csv
def _int(cell: str) -> int | None:
    try:
        return int(cell)
    except ValueError:
        return None


def _compare_table(log: AuditLog, text: str, out: Outcome) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        out.fail(None, None, "commingling.csv is empty")
        return
    head, body = rows[0], rows[1:]
    if head == LEGACY:
        _compare_legacy(log, body, out)
        return
    pairs = head[len(LEADING):]
    accounts = [c.removesuffix("_fen") for c in pairs[0::2]]
    if head[:len(LEADING)] != LEADING or len(pairs) % 2 or not pairs \
            or any(not a.endswith("_fen") for a in pairs[0::2]) \
            or pairs[1::2] != [f"{a}_peak_fen" for a in accounts]:
        out.fail(None, None, f"commingling.csv: header {','.join(head)!r}; expected "
                             f"date,business_day then <account>_fen,<account>_peak_fen per account")
        return
    if COLLECTION_ACCOUNT not in accounts:
        out.fail(None, None, f"commingling.csv has no {COLLECTION_ACCOUNT}_fen column: the "
                             f"servicer's exposure is not stated")
    days = daily(log, accounts)
    expected = {x.date.isoformat(): i for i, x in enumerate(days[accounts[0]])}
    seen: set[str] = set()
    previous = ""
    drift: dict[str, tuple[int, int]] = dict.fromkeys(accounts, (0, 0))
    for n, row in enumerate(body, start=2):
        if len(row) != len(head):
            out.fail(None, None, f"commingling.csv line {n}: {len(row)} cells, the header has "
                                 f"{len(head)}")
            continue
        date, flag = row[0], row[1]
        if date in seen or date <= previous:
            out.fail(None, date, f"commingling.csv line {n}: {date} repeated or out of order")
            continue
        seen.add(date)
        previous = date
        if date not in expected:
            out.fail(None, date, f"commingling.csv line {n}: {date} is not a day of the run "
                                 f"({_span_text(log)})")
            continue
        i = expected[date]
        out.checked += 1
        first = days[accounts[0]][i]
        if flag not in ("true", "false") or (flag == "true") != first.business_day:
            out.fail(None, date, f"commingling.csv line {n}: business_day {flag!r}; the run's "
                                 f"calendar says {date} is {'' if first.business_day else 'not '}"
                                 f"a business day")
        for k, account in enumerate(accounts):
            x = days[account][i]
            balance, peak = _int(row[2 + 2 * k]), _int(row[3 + 2 * k])
            if balance is None or peak is None:
                out.fail(None, date, f"commingling.csv line {n}: {account}: not a whole number "
                                     f"of fen ({row[2 + 2 * k]!r}, {row[3 + 2 * k]!r})")
                continue
            diff = (balance - x.balance_fen, peak - x.peak_fen)
            if diff != (0, 0) and diff != drift[account]:
                out.fail(x.last_seq, date, f"commingling.csv states {account} at {balance} fen "
                         f"at 24:00, peak {peak} fen; its postings give {x.balance_fen} fen, "
                         f"peak {x.peak_fen} fen")
            drift[account] = diff
    missing = [d for d in expected if d not in seen]
    if missing:
        out.fail(None, missing[0], f"commingling.csv has no row for {len(missing)} of the run's "
                                   f"calendar days ({_span_text(log)}), the first {missing[0]}")


def _compare_legacy(log: AuditLog, body: list[list[str]], out: Outcome) -> None:
    """A business-day table of an earlier version: its rows against the 24:00 balances."""
    out.notes.append("commingling.csv is the business-day table of an earlier version: its "
                     "rows are compared with the 24:00 balances; weekends and holidays are "
                     "not stated")
    by_date = {x.date.isoformat(): x for x in daily(log, [COLLECTION_ACCOUNT])[COLLECTION_ACCOUNT]}
    for row in body:
        if len(row) != len(LEGACY) or row[0] not in by_date:
            out.fail(None, row[0] if row else None, f"commingling.csv: row {','.join(row)!r} is "
                                                    f"not a day of the run")
            continue
        out.checked += 1
        x = by_date[row[0]]
        if _int(row[1]) != x.balance_fen:
            out.fail(x.last_seq, row[0], f"commingling.csv states {row[1]} fen at the servicer; "
                                         f"the postings give {x.balance_fen} fen")


def _span_text(log: AuditLog) -> str:
    s = span(log)
    return f"{s[0]} to {s[1]}" if s else "none"


# ---------------------------------------------------------------- the check
def exposure_recomputed(log: AuditLog) -> Outcome:
    out = Outcome()
    stated = (log.summary or {}).get("commingling")
    if log.exposure_csv is None and not isinstance(stated, dict):
        out.skipped = "neither commingling.csv nor summary.json's commingling to compare"
        return out
    if log.exposure_csv is None:
        out.notes.append("no commingling.csv (a log read without its run folder): the "
                         "summary's figures alone are compared")
    else:
        _compare_table(log, log.exposure_csv, out)
    if isinstance(stated, dict):
        days = daily(log, [COLLECTION_ACCOUNT])[COLLECTION_ACCOUNT]
        figures = summary_figures(log, days)
        if "days" not in stated:
            out.notes.append("summary.json's commingling is an earlier version's (business days "
                             "only): its lost_fen alone is compared")
            figures = {"lost_fen": figures["lost_fen"]}
        for key, value in figures.items():
            if key not in stated:
                continue
            out.checked += 1
            if stated[key] != value:
                out.fail(_seq_on(days, value if key.endswith("date") else None), None,
                         f"summary.json commingling.{key} = {stated[key]!r}; the postings "
                         f"give {value!r}")
    return out


def _seq_on(days: list[ExposureDay], date: Any) -> int | None:
    return next((x.last_seq for x in days if x.date.isoformat() == date), None)


CHECK = Check("exposure_recomputed", "一.4.1 (commingling)",
              "the money held at the servicer on every calendar day, recomputed from the postings",
              exposure_recomputed)
