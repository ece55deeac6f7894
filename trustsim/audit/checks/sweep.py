"""[一.4.1, 一.4.4(1)(c)] Collections reach the trust account on the 1st business day after receipt.

How it reads the log: every posting into the JD collection account is a receipt, every
posting out of it a transfer. A transfer that names the receipts it moves (the sweep's
``received_from`` / ``received_to``) drains those, and must equal them; otherwise
transfers drain receipts first in, first out. A receipt must be fully in the trust
account by the business day ``dates.sweep_after_business_days`` after the day it arrived.

Money held longer is a breach unless the log shows what the contract allows instead:

* an accepted written explanation (``transfer_delay_explained``, or the servicer's
  ``reserve_delay_notified`` for a systems outage) covers a held transfer for at most
  ``revolving_purchase.reserve_delay_max_business_days`` business days from the day it
  was given (a static deal, without revolving_purchase: not at all), and no day from an
  insolvency's freeze on;
* a servicer termination event excuses nothing: a terminated servicer transfers until its
  successor takes over, and an insolvent servicer's frozen account
  (``collection_account_frozen``) is no explanation — what it holds past its sweep date is
  a failure to transfer, clause (c). (A log written before accounts were frozen, which has
  no such event, let an insolvent servicer's collections wait for the successor until
  ``successor_appointed``, clause (b) governing: such a log is still read so.)
* a sweep the trustee logged as a reconciliation break (the servicer moved less than it
  reported, or later) leaves collections at the servicer until corrected: excused while
  the break is within the deal's ``unresolved_break`` limit, or once that trigger has fired
  (:mod:`.reconciliation`);
* otherwise the deal's ``transfer_failure`` trigger (the report's automatic event (c)) —
  the servicer fails to transfer on time and in full — must be recognised at the close
  of the first business day a transfer is overdue, and the late transfer is then the
  event's consequence, not a further breach. A deal without that trigger excuses nothing.

Money that leaves the collection account for anything but the trust account (the
servicer's estate on its insolvency) is a commingling loss: listed in the notes.
:func:`replay` is shared with the trigger check, which recomputes (c) from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trustsim.audit.checks.reconciliation import sweep_break_excuse
from trustsim.audit.log import COLLECTION_ACCOUNT, TRUST_ACCOUNT, AuditLog, Event
from trustsim.audit.model import Check, Outcome

EXPLANATIONS = frozenset({"transfer_delay_explained", "reserve_delay_notified"})


@dataclass(slots=True)
class Receipt:
    seq: int
    received: dt.date
    deadline: dt.date
    remaining: int


@dataclass(slots=True)
class Late:
    """Part of a receipt moved after its deadline, by the transfer ``event``."""

    event: Event
    receipt: Receipt
    moved_on: dt.date


@dataclass(slots=True)
class Replay:
    late: list[Late] = field(default_factory=list)
    #: (day_closed event, receipts past their deadline still held at that close)
    overdue_at_close: list[tuple[Event, list[Receipt]]] = field(default_factory=list)
    unmatched: list[tuple[Event, str]] = field(default_factory=list)
    losses: list[Event] = field(default_factory=list)
    left: list[Receipt] = field(default_factory=list)
    receipts: int = 0


class Excuses:
    """What the log says excuses money held at the servicer on a given business day."""

    def __init__(self, log: AuditLog) -> None:
        self.cal = log.terms.calendars.of("collections")
        limit = log.terms.reserve_delay_max_bd
        self.limit = limit if limit is not None else -1     # -1: no explanation covers a day
        self.explained = [(log.day(e), e["seq"]) for e in log.events
                          if e["actor"] == "servicer" and (e["event"] in EXPLANATIONS
                                                           or e.get("explanation_accepted") is True)]
        self.successor_wait: list[tuple[dt.date, dt.date | None, int]] = []
        self.frozen = [log.day(e) for e in log.of("collection_account_frozen")]
        frozen = bool(self.frozen)
        for e in log.events:
            if e["event"] == "servicer_termination_event" and not frozen \
                    and e.get("cause") == "servicer_insolvency":
                self.successor_wait.append((log.day(e), None, e["seq"]))
            elif e["event"] == "successor_appointed" and e.get("role") == "servicer" \
                    and self.successor_wait and self.successor_wait[-1][1] is None:
                start, _, seq = self.successor_wait[-1]
                self.successor_wait[-1] = (start, log.day(e), seq)
        self._break = sweep_break_excuse(log)
        failure = {t.key for t in log.terms.triggers_of("transfer_failure")}
        self.transfer_failure = [(log.day(e), e["seq"]) for e in log.of("trigger_fired")
                                 if (e.get("kind"), e.get("clause")) in failure]

    def on(self, d: dt.date) -> int | None:
        """seq of what excuses an overdue transfer at the close of ``d``, if anything does
        (no explanation given before an insolvency covers a day from its freeze on)."""
        for start, seq in self.explained:
            if start <= d and self.cal.business_days_between(start, d) <= self.limit \
                    and not any(start <= f <= d for f in self.frozen):
                return seq
        for start, end, seq in self.successor_wait:
            if start <= d and (end is None or d < end):
                return seq
        return self._break(d)

    def remedy_by(self, d: dt.date) -> int | None:
        """seq of the transfer_failure trigger if it was recognised on or before ``d``."""
        return next((s for day, s in self.transfer_failure if day <= d), None)


def replay(log: AuditLog) -> Replay:
    """Replay the collection account: receipts, transfers, and what is overdue at each close."""
    cal, lag = log.terms.calendars.of("collections"), log.terms.sweep_after_bd
    r = Replay()
    held: list[Receipt] = []
    for e in log.events:
        if e["event"] == "day_closed":
            d = log.day(e)
            r.overdue_at_close.append((e, [h for h in held if h.deadline <= d]))
            continue
        if e.get("debit") is None:
            continue
        if e["debit"] == COLLECTION_ACCOUNT:
            received = log.day(e)
            held.append(Receipt(e["seq"], received, cal.add_business_days(received, lag),
                                int(e["amount_fen"])))
            r.receipts += 1
        elif e["credit"] == COLLECTION_ACCOUNT:
            amount = int(e["amount_fen"])
            if e["debit"] != TRUST_ACCOUNT:
                r.losses.append(e)
            first, last = e.get("received_from"), e.get("received_to")
            if first is not None and last is not None:
                named = [h for h in held if first <= h.received.isoformat() <= last]
                owed = sum(h.remaining for h in named)
                if owed != amount:
                    r.unmatched.append((e, f"the transfer moves {amount} fen; the receipts it "
                                           f"names ({first} to {last}) hold {owed} fen"))
                amount = _drain(e, named, amount, log.day(e), r)
            amount = _drain(e, held, amount, log.day(e), r)
            if amount > 0:
                r.unmatched.append((e, f"{amount} fen leave the collection account that no "
                                       f"logged receipt brought in"))
            held = [h for h in held if h.remaining > 0]
    r.left = held
    return r


def _drain(e: Event, targets: list[Receipt], amount: int, moved_on: dt.date, r: Replay) -> int:
    for h in targets:
        if amount <= 0:
            break
        take = min(amount, h.remaining)
        if take <= 0:
            continue
        h.remaining -= take
        amount -= take
        if moved_on > h.deadline and e["debit"] == TRUST_ACCOUNT:
            r.late.append(Late(e, h, moved_on))
    return amount


def sweep_by_next_business_day(log: AuditLog) -> Outcome:
    out = Outcome()
    cal = log.terms.calendars.of("collections")
    r = replay(log)
    out.checked = r.receipts
    excuses = Excuses(log)
    for p in log.postings:
        stated = p.get("sweep_due") if p["debit"] == COLLECTION_ACCOUNT else None
        deadline = cal.add_business_days(log.day(p), log.terms.sweep_after_bd)
        if stated is not None and dt.date.fromisoformat(stated) > deadline:
            out.fail(p["seq"], p["date"], f"the servicer schedules this receipt's sweep on "
                                          f"{stated}, after the deadline {deadline}")
    for e, why in r.unmatched:
        out.fail(e["seq"], e["date"], why)
    flagged: set[int] = set()
    for late in r.late:
        h, e = late.receipt, late.event
        if h.seq in flagged:
            continue
        flagged.add(h.seq)
        held_days = cal.business_days_in(h.deadline, cal.add_business_days(late.moved_on, -1))
        unexcused = [d for d in held_days if excuses.on(d) is None]
        remedy = excuses.remedy_by(late.moved_on)
        if not unexcused:
            out.notes.append(f"receipt seq {h.seq} transferred late at seq {e['seq']}, "
                             f"excused (seq {excuses.on(held_days[0]) if held_days else '?'})")
        elif remedy is not None:
            out.notes.append(f"receipt seq {h.seq} transferred late at seq {e['seq']}; "
                             f"the transfer_failure trigger recognised at seq {remedy}")
        else:
            days = cal.business_days_between(h.received, late.moved_on)
            out.fail(e["seq"], e["date"], f"collections received {h.received} (seq {h.seq}) "
                     f"reach the trust account on {late.moved_on}, {days} business days after "
                     f"receipt; the deadline was {h.deadline}", h.seq)
    for loss in r.losses:
        out.notes.append(f"{loss['amount_fen']} fen left the collection account for "
                         f"{loss['debit']} at seq {loss['seq']}: commingling loss")
    last_date = log.events[-1]["date"] if log.events else "?"
    for h in r.left:
        out.fail(h.seq, h.received.isoformat(), f"{h.remaining} fen received {h.received} never "
                 f"reach the trust account (deadline {h.deadline}; the log ends {last_date})")
    return out


CHECK = Check("sweep_by_next_business_day", "一.4.1",
              "every collection swept to the trust account by the next business day",
              sweep_by_next_business_day)
