"""[一.4.1] Collections reach the trust account on the 1st business day after receipt.

How it reads the log: every posting into the JD collection account is a receipt, every
posting out of it a transfer. A transfer that names the receipts it moves (the sweep's
``received_from`` / ``received_to``) drains those, and must equal them; otherwise
transfers drain receipts first in, first out. A receipt must be fully drained by the business day
``dates.sweep_after_business_days`` after the day it arrived. Money held longer is the
servicer's commingling exposure the contract forbids — unless the log shows the
contract's own remedy took over: trigger (c) (servicer fails to transfer) recognised by
the day of the late transfer, or a servicer event marked ``explanation_accepted``.
"""

from __future__ import annotations

import datetime as dt

from trustsim.audit.log import COLLECTION_ACCOUNT, AuditLog
from trustsim.audit.model import Check, Outcome


def _excuse_dates(log: AuditLog) -> list[tuple[dt.date, int]]:
    out = []
    for e in log.of("trigger_fired"):
        if e.get("clause") == "c" and e.get("kind", "acceleration") == "acceleration":
            out.append((log.day(e), e["seq"]))
    for e in log.events:
        if e["actor"] == "servicer" and e.get("explanation_accepted") is True:
            out.append((log.day(e), e["seq"]))
    return out


def _drain(log: AuditLog, p: dict, targets: list[list], amount: int,
           excuses: list[tuple[dt.date, int]], out: Outcome) -> int:
    """Drain ``amount`` from ``targets`` in order; record late ones; return what is left."""
    moved_on = log.day(p)
    for item in targets:
        if amount <= 0:
            break
        take = min(amount, item[3])
        item[3] -= take
        amount -= take
        if moved_on > item[2] and not item[4]:
            item[4] = True
            late = log.calendar.business_days_between(item[1], moved_on)
            excuse = next((s for d, s in excuses if d <= moved_on), None)
            if excuse is not None:
                out.notes.append(f"receipt seq {item[0]} transferred late at seq {p['seq']}; "
                                 f"the contract's remedy is logged at seq {excuse}")
            else:
                out.fail(p["seq"], p["date"],
                         f"collections received {item[1]} (seq {item[0]}) reach the trust "
                         f"account on {moved_on}, {late} business days after receipt; the "
                         f"deadline was {item[2]}", item[0])
    return amount


def sweep_by_next_business_day(log: AuditLog) -> Outcome:
    out = Outcome()
    cal = log.calendar
    lag = log.terms.sweep_after_bd
    excuses = _excuse_dates(log)
    held: list[list] = []          # [seq, date, deadline, remaining, flagged]
    for p in log.postings:
        if p["debit"] == COLLECTION_ACCOUNT:
            received = log.day(p)
            deadline = cal.add_business_days(received, lag)
            out.checked += 1
            stated = p.get("sweep_due")
            if stated is not None and dt.date.fromisoformat(stated) > deadline:
                out.fail(p["seq"], p["date"], f"the servicer schedules this receipt's sweep on "
                         f"{stated}, after the deadline {deadline}")
            held.append([p["seq"], received, deadline, int(p["amount_fen"]), False])
        elif p["credit"] == COLLECTION_ACCOUNT:
            amount = int(p["amount_fen"])
            first, last = p.get("received_from"), p.get("received_to")
            if first is not None and last is not None:
                named = [h for h in held if h[3] > 0 and first <= h[1].isoformat() <= last]
                owed = sum(h[3] for h in named)
                if owed != amount:
                    out.fail(p["seq"], p["date"], f"the transfer moves {amount} fen; the "
                             f"receipts it names ({first} to {last}) hold {owed} fen")
                amount = _drain(log, p, named, amount, excuses, out)
            left = _drain(log, p, [h for h in held if h[3] > 0], amount, excuses, out)
            if left > 0:
                out.fail(p["seq"], p["date"], f"{left} fen leave the collection account that "
                                              f"no logged receipt brought in")
            held = [h for h in held if h[3] > 0]
    last_date = log.events[-1]["date"] if log.events else "?"
    for seq, received, deadline, remaining, flagged in held:
        if remaining > 0 and not flagged:
            out.fail(seq, received.isoformat(), f"{remaining} fen received {received} never "
                     f"reach the trust account (deadline {deadline}; the log ends {last_date})")
    return out


CHECK = Check("sweep_by_next_business_day", "一.4.1",
              "every collection swept to the trust account by the next business day",
              sweep_by_next_business_day)
