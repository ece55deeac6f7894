"""[ledger, 一.4.1, issue 13] Reconciliation breaks: found, corrected or escalated, and costed.

A cash error — a sweep that brings more or less than the servicer collected, or lands on a
later day; a custodian payment late, deferred past its cut-off, for another amount or to
another payee; money arriving with no reference — is a difference between the trust's
accounts and what the trustee was told or instructed. The trustee must find each on the
first statement that shows it, log it (``reconciliation_break``), have it corrected, and a
break left open beyond the deal's limit fires the deal's ``unresolved_break`` trigger.

How it reads the log (and config.json):

* **what the log shows went wrong**, recomputed from the postings alone:
  an instruction executed for another amount (``instruction_overpaid`` / ``_underpaid``,
  the difference) or to another payee (``instruction_misdirected``, the instruction's
  amount) — found the day the custodian executed it (its advice); an instruction executed
  after its value date — ``instruction_not_executed``, found at the first morning statement
  after the value date's settlement (the value date itself if it was instructed earlier,
  else the next business day); one the custodian deferred (``instruction_deferred``) —
  ``missed_cutoff`` that day; money credited from ``unidentified`` — ``unidentified_receipt``
  that day; a business day's sweep that moved less than the collections then due
  (``sweep_short``, the difference) or more (``sweep_overpaid``: ``sweep_excess``) — that
  day; and, after a ``sweep_wrong_day`` incident, the first business day collections were
  due and none reached the trust account (``sweep_short``, all of them). Every such error
  must be a break of that cause and amount logged that day, and every break logged must be
  one of them;
* **its correction**: a resolved break was reversed in full by the postings that name it —
  the servicer's ``sweep_corrected``, the custodian's ``payment_corrected``, the trustee's
  instruction returning what it held apart (``ref``: the break), or the late execution —
  and ``reconciliation_break_resolved`` states the days it stayed open;
* **its escalation**: recomputed with the other triggers (``unresolved_break``, see
  :mod:`.triggers`); listed here.

What each break cost (in the notes, one line a break): the days it stayed open, the
interest the trust's money out of its accounts would have earned at the deal's
``accounts.eligible_investment_rate_pct`` (ACT/365), the carried shortfalls of the
payment dates while it was open (fees, interest, period income; at most its amount), and,
left open at the end, its amount as a loss — for the breaks that left the trust short
(``sweep_short``, ``instruction_overpaid``, ``instruction_misdirected``,
``unexplained_debit``); the others held money that was not the trust's, or made a payee wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from trustsim.audit.log import TRUST_ACCOUNT, AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.money import accrue

#: breaks that leave the trust short of its money while open
SHORT_CAUSES = frozenset({"sweep_short", "instruction_overpaid", "instruction_misdirected",
                          "unexplained_debit"})
#: breaks resolved by the instruction they name executing at last
LATE_CAUSES = frozenset({"instruction_not_executed", "missed_cutoff"})
#: the trustee returns what it held apart for these
RETURNED_CAUSES = frozenset({"sweep_excess", "unidentified_receipt"})
CORRECTIONS = ("sweep_corrected", "payment_corrected")
#: waterfall actions whose shortfall is a debt the payment date did not pay
COSTLY_ACTIONS = frozenset({"pay_fees", "pay_fees_above_cap", "pay_interest", "pay_period_income"})
SERVICER_OWN_FUNDS = "servicer"
#: incident kinds that make the servicer's next sweep wrong, and those that hold its sweeps
SWEEP_ERRORS = frozenset({"sweep_wrong_amount", "partial_sweep", "sweep_wrong_day"})
HOLDS = frozenset({"servicer_outage", "servicer_transfer_failure", "servicer_insolvency"})


@dataclass
class LoggedBreak:
    """A ``reconciliation_break`` and what the log says happened to it."""

    event: Event
    resolved: Event | None = None
    returned_by: Event | None = None            # the trustee's return instruction
    corrections: list[Event] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.event.get("break_id"))

    @property
    def cause(self) -> str:
        return str(self.event.get("cause"))

    @property
    def party(self) -> str:
        return str(self.event.get("party"))

    @property
    def amount(self) -> int:
        return int(self.event.get("amount_fen") or 0)

    @property
    def held_apart(self) -> int:
        return int(self.event.get("held_apart_fen") or 0)

    @property
    def account(self) -> str:
        return str(self.event.get("account"))

    @property
    def instruction(self) -> str | None:
        ins = self.event.get("instruction")
        return str(ins) if ins else None

    @property
    def opened(self) -> dt.date:
        return dt.date.fromisoformat(str(self.event["date"]))

    @property
    def closed(self) -> dt.date | None:
        return dt.date.fromisoformat(str(self.resolved["date"])) if self.resolved else None


def logged_breaks(log: AuditLog) -> list[LoggedBreak]:
    """Every break the trustee logged, with its correction, return and resolution."""
    out = {str(e.get("break_id")): LoggedBreak(e) for e in log.of("reconciliation_break")}
    if not out:
        return []
    for e in log.of("reconciliation_break_resolved"):
        b = out.get(str(e.get("break_id")))
        if b is not None and b.resolved is None:
            b.resolved = e
    for e in log.of(*CORRECTIONS):
        b = out.get(str(e.get("break_id")))
        if b is not None:
            b.corrections.append(e)
    for e in log.of("instruction_issued"):
        b = out.get(str(e.get("ref")))
        if b is not None and b.returned_by is None:
            b.returned_by = e
    return list(out.values())


def covered_instructions(log: AuditLog) -> dict[str, LoggedBreak]:
    """instruction id -> the break that names it (its deviations are this check's business)."""
    return {b.instruction: b for b in logged_breaks(log) if b.instruction}


def correction_seqs(log: AuditLog) -> set[int]:
    """seq of every correcting posting (a second posting under an instruction, a recall)."""
    return {int(e["seq"]) for e in log.of(*CORRECTIONS)}


def held_apart_changes(log: AuditLog, account: str = TRUST_ACCOUNT) -> dict[int, int]:
    """seq -> change of what the trustee holds apart from its book of ``account``: a break's
    ``held_apart_fen`` from its event, until its return is instructed or it is resolved."""
    out: dict[int, int] = {}
    for b in logged_breaks(log):
        if b.held_apart <= 0 or b.account != account:
            continue
        out[int(b.event["seq"])] = out.get(int(b.event["seq"]), 0) + b.held_apart
        end = b.returned_by or b.resolved
        if end is not None:
            out[int(end["seq"])] = out.get(int(end["seq"]), 0) - b.held_apart
    return out


def _limit(log: AuditLog, party: str) -> tuple[int | None, set[tuple[str, str]]]:
    """The fewest business days the deal's unresolved_break triggers leave ``party``'s break
    open, and the (kind, clause) of those triggers."""
    ts = [t for t in log.terms.triggers_of("unresolved_break") if not t.parties or party in t.parties]
    days = [t.days for t in ts if t.days is not None]
    return (min(days) if days else None), {t.key for t in ts}


def sweep_break_excuse(log: AuditLog) -> Callable[[dt.date], int | None]:
    """For :mod:`.sweep`: seq of a servicer's break that excuses collections held at the close
    of a day — open that day, and within the deal's limit or after its trigger fired."""
    cal = log.terms.calendars.default
    limit, keys = _limit(log, "servicer")
    fired = sorted(log.day(e) for e in log.of("trigger_fired")
                   if (str(e.get("kind")), str(e.get("clause"))) in keys)
    windows = [(b.opened, b.closed, int(b.event["seq"])) for b in logged_breaks(log)
               if b.party == "servicer" and b.cause in ("sweep_short", "sweep_excess")]

    def excuse(d: dt.date) -> int | None:
        for opened, closed, seq in windows:
            if opened <= d and (closed is None or d < closed) and (
                    limit is None or cal.business_days_between(opened, d) < limit
                    or (fired and fired[0] <= d)):
                return seq
        return None

    return excuse


def open_at_close(log: AuditLog) -> list[tuple[Event, list[tuple[LoggedBreak, int]]]]:
    """For :mod:`.triggers`: each ``day_closed`` with the breaks open at it and the business
    days each has been open."""
    breaks = logged_breaks(log)
    if not breaks:
        return []
    cal = log.terms.calendars.default
    out = []
    for e in log.of("day_closed"):
        d, seq = log.day(e), int(e["seq"])
        now = [(b, cal.business_days_between(b.opened, d)) for b in breaks
               if int(b.event["seq"]) < seq and (b.resolved is None or int(b.resolved["seq"]) > seq)]
        if now:
            out.append((e, now))
    return out


# ---------------------------------------------------------------- what the log shows went wrong
@dataclass(frozen=True, slots=True)
class Error:
    """A cash error the postings show: the break the trustee should log for it."""

    date: dt.date
    cause: str
    amount: int
    seq: int                      # the event that shows it
    instruction: str | None = None


def _first_statement(log: AuditLog, issued: Event, value: dt.date) -> dt.date:
    """The first morning statement after an instruction should have settled."""
    cal = log.terms.calendars.default
    issued_on = log.day(issued)
    return cal.following(value) if issued_on < value else cal.add_business_days(value, 1)


def instruction_errors(log: AuditLog) -> list[Error]:
    out: list[Error] = []
    corrections = correction_seqs(log)
    deferred = {str(e.get("instruction")): e for e in log.of("instruction_deferred")}
    for e in deferred.values():
        ins = log.instructions.get(str(e.get("instruction")))
        out.append(Error(log.day(e), "missed_cutoff", int(ins.get("amount_fen", 0)) if ins else 0,
                         int(e["seq"]), str(e.get("instruction"))))
    for ins_id, posts in log.executions.items():
        ins = log.instructions.get(ins_id)
        first = next((p for p in posts if int(p["seq"]) not in corrections), None)
        if ins is None or first is None:
            continue
        amount, paid = int(ins.get("amount_fen", 0)), int(first["amount_fen"])
        value = dt.date.fromisoformat(str(ins.get("value_date") or ins["date"]))
        if first["debit"] != ins.get("to_account"):
            out.append(Error(log.day(first), "instruction_misdirected", amount, int(first["seq"]), ins_id))
        elif paid > amount:
            out.append(Error(log.day(first), "instruction_overpaid", paid - amount, int(first["seq"]), ins_id))
        elif paid < amount:
            out.append(Error(log.day(first), "instruction_underpaid", amount - paid, int(first["seq"]), ins_id))
        if log.day(first) > value and ins_id not in deferred:
            out.append(Error(_first_statement(log, ins, value), "instruction_not_executed", amount,
                             int(first["seq"]), ins_id))
    return out


@dataclass
class _Receipt:
    received: dt.date
    deadline: dt.date
    remaining: int


def sweep_errors(log: AuditLog) -> list[Error]:
    """Each business day, the collections then due against what the servicer's sweep moved.

    The servicer's own view is replayed: a sweep on a day takes every receipt due by then (it
    believes it moved them all, whatever reached the trust account); an insolvency takes the
    whole account; corrections move what a wrong sweep left, not due receipts."""
    cal, lag = log.terms.calendars.of("collections"), log.terms.sweep_after_bd
    # a sweep error is made on the servicer's first sweep on or after its start: a day it
    # sweeps nothing though collections are due (and it holds none back) is that sweep too
    armed = sorted(log.day(e) for e in log.of("incident_started") if e.get("kind") in SWEEP_ERRORS)
    holds = _holds(log)
    out: list[Error] = []
    queue: list[_Receipt] = []
    day: dt.date | None = None
    moved, excess, first_seq = 0, 0, 0

    def due(d: dt.date) -> int:
        return sum(r.remaining for r in queue if r.deadline <= d)

    def take(amount: int) -> None:
        for r in queue:
            t = min(amount, r.remaining)
            r.remaining -= t
            amount -= t
        queue[:] = [r for r in queue if r.remaining > 0]

    def close_day(d: dt.date, last_seq: int) -> None:
        owed = due(d)
        erring = owed > 0 and armed and armed[0] <= d and cal.is_business_day(d) \
            and not any(a <= d and (b is None or d < b) for a, b in holds)
        if erring:
            armed.pop(0)
        if moved or excess or erring:
            if moved < owed:
                out.append(Error(d, "sweep_short", owed - moved, first_seq or last_seq))
            take(max(owed, moved))

    last_seq = 0
    for e in log.events:
        d = log.day(e)
        if day is not None and d != day:
            close_day(day, last_seq)
            moved, excess, first_seq = 0, 0, 0
        day = d
        name = e["event"]
        if name == "collections_received":
            queue.append(_Receipt(d, cal.add_business_days(d, lag), int(e["amount_fen"])))
        elif name == "collections_swept":
            moved += int(e["amount_fen"])
            first_seq = first_seq or int(e["seq"])
        elif name == "sweep_overpaid":
            excess += int(e["amount_fen"])
            first_seq = first_seq or int(e["seq"])
            out.append(Error(d, "sweep_excess", int(e["amount_fen"]), int(e["seq"])))
        elif name == "collections_commingled":
            take(int(e["amount_fen"]))
        elif name == "trust_terminated":
            break
        last_seq = int(e["seq"])
    if day is not None:
        close_day(day, last_seq)
    return out


def _holds(log: AuditLog) -> list[tuple[dt.date, dt.date | None]]:
    """When the servicer holds its sweeps: from an incident that makes it (an outage, a
    transfer withheld, an insolvency) to its end."""
    out: list[tuple[dt.date, dt.date | None]] = []
    open_: dict[Any, int] = {}
    for e in log.of("incident_started", "incident_ended"):
        if e.get("kind") not in HOLDS:
            continue
        if e["event"] == "incident_started":
            open_[e.get("incident")] = len(out)
            out.append((log.day(e), None))
        elif e.get("incident") in open_:
            i = open_.pop(e.get("incident"))
            out[i] = (out[i][0], log.day(e))
    return out


def unidentified_errors(log: AuditLog) -> list[Error]:
    return [Error(log.day(e), "unidentified_receipt", int(e["amount_fen"]), int(e["seq"]))
            for e in log.of("transfer_received") if e.get("payer") == "unidentified"]


# ---------------------------------------------------------------- corrections and cost
def _reversed(log: AuditLog, b: LoggedBreak) -> tuple[int, str]:
    """What the postings naming the break moved to reverse it, and what that should be."""
    c = b.corrections
    if b.cause in LATE_CAUSES:
        ex = [p for p in log.executions.get(b.instruction or "", ())
              if b.resolved is not None and int(p["seq"]) < int(b.resolved["seq"])]
        return (b.amount if ex else 0), "the instruction executed"
    if b.cause in RETURNED_CAUSES:   # the return's own error, if any, is a break of its own
        r = b.returned_by
        ex = log.executions.get(str(r.get("instruction")), []) if r is not None else []
        return (int(r.get("amount_fen") or 0) if r is not None and ex else 0,
                "returned by the trustee's instruction")
    if b.cause == "instruction_misdirected":
        back = sum(int(p["amount_fen"]) for p in c if p["credit"] == b.event.get("counterparty"))
        paid = sum(int(p["amount_fen"]) for p in c if p.get("instruction") == b.instruction)
        return min(back, paid), "recovered and paid to the payee"
    return sum(int(p["amount_fen"]) for p in c), "corrected"


def cost(log: AuditLog, b: LoggedBreak, rate_pct: Decimal) -> dict[str, int]:
    """What a break cost the trust: see the module docstring."""
    end = b.closed or log.day(log.events[-1])
    days = (end - b.opened).days
    out = {"days_open": days, "interest_fen": 0, "shortfall_fen": 0,
           "loss_fen": 0 if b.resolved else (b.amount if b.cause in SHORT_CAUSES else 0)}
    if b.cause not in SHORT_CAUSES:
        return out
    out["interest_fen"] = accrue(b.amount, rate_pct, days, 365)
    start, stop = int(b.event["seq"]), int(b.resolved["seq"]) if b.resolved else 1 << 62
    short = 0
    for dist in log.distributions:
        if start < dist.seq < stop:
            for s in dist.steps:
                action = log.terms.step(s.pay)
                if action is not None and action.action in COSTLY_ACTIONS:
                    short += int(s.event.get("shortfall_fen") or 0)
    out["shortfall_fen"] = min(short, b.amount)
    return out


def _rate(log: AuditLog) -> Decimal:
    accounts = log.config.get("accounts") if isinstance(log.config, dict) else None
    rate = accounts.get("eligible_investment_rate_pct") if isinstance(accounts, dict) else None
    try:
        return Decimal(str(rate)) if rate is not None else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def break_table(log: AuditLog) -> list[dict[str, Any]]:
    """Every break: what, whose, how much, how long it stayed open, what it cost."""
    rate = _rate(log)
    rows = []
    for b in logged_breaks(log):
        rows.append({"break": b.id, "cause": b.cause, "party": b.party, "account": b.account,
                     "counterparty": b.event.get("counterparty"), "amount_fen": b.amount,
                     "opened": b.opened.isoformat(),
                     "resolved": b.closed.isoformat() if b.closed else None,
                     "business_days_open": b.resolved.get("business_days_open") if b.resolved else None,
                     **cost(log, b, rate)})
    return rows


# ---------------------------------------------------------------- the check
def breaks_found_and_corrected(log: AuditLog) -> Outcome:
    out = Outcome()
    breaks = logged_breaks(log)
    errors = instruction_errors(log) + sweep_errors(log) + unidentified_errors(log)
    if not breaks and not errors:
        out.skipped = "no cash error in the log and no break logged"
        return out
    unmatched = list(breaks)
    for err in errors:
        out.checked += 1
        match = next((b for b in unmatched if b.cause == err.cause and b.opened == err.date
                      and b.amount == err.amount and b.instruction == err.instruction), None)
        if match is None:
            near = next((b for b in unmatched if b.cause == err.cause
                         and b.instruction == err.instruction), None)
            what = f"instruction {err.instruction}: " if err.instruction else ""
            out.fail(err.seq, err.date.isoformat(),
                     f"{what}{err.cause} of {err.amount} fen shown by the statement of "
                     f"{err.date}; " + (f"the trustee logged {near.id} on {near.opened} for "
                                        f"{near.amount} fen" if near else "no break logged"),
                     *((int(near.event["seq"]),) if near else ()))
            continue
        unmatched.remove(match)
    for b in unmatched:
        out.checked += 1
        out.fail(int(b.event["seq"]), b.opened.isoformat(),
                 f"{b.id} ({b.cause}, {b.amount} fen): no statement in the log shows it")
    rate = _rate(log)
    cal = log.terms.calendars.default
    for b in breaks:
        out.checked += 1
        seq = int(b.event["seq"])
        c = cost(log, b, rate)
        if b.resolved is not None:
            moved, how = _reversed(log, b)
            want = b.held_apart if b.cause in RETURNED_CAUSES else b.amount
            if moved != want:
                out.fail(int(b.resolved["seq"]), b.resolved["date"],
                         f"{b.id} ({b.cause}) resolved, but {how}: {moved} fen of its {want} fen",
                         seq)
            stated = (b.resolved.get("days_open"), b.resolved.get("business_days_open"))
            closed = b.closed or b.opened
            if stated != ((closed - b.opened).days, cal.business_days_between(b.opened, closed)):
                out.fail(int(b.resolved["seq"]), b.resolved["date"],
                         f"{b.id} states {stated[0]} days ({stated[1]} business days) open; "
                         f"{b.opened} to {closed}", seq)
        limit, _keys = _limit(log, b.party)
        status = (f"resolved {b.closed} (seq {b.resolved['seq']})" if b.resolved
                  else "still open at the end of the log")
        out.notes.append(
            f"{b.id} {b.cause} ({b.party}): {b.amount} fen, {b.account} / "
            f"{b.event.get('counterparty')}, opened {b.opened} (seq {seq}), {status}; open "
            f"{c['days_open']} days; cost: interest {c['interest_fen']} fen, shortfall "
            f"{c['shortfall_fen']} fen, loss {c['loss_fen']} fen"
            + (f"; the deal's limit {limit} business days" if limit is not None else
               "; the deal names no unresolved_break trigger for it"))
    return out


CHECK = Check("reconciliation_breaks", "ledger / 一.4.1",
              "every cash error found as a break on the first statement that shows it, "
              "corrected in full or escalated; what each cost", breaks_found_and_corrected)
