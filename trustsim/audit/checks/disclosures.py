"""[disclosure] Every major-event notice the market's rules require was issued in time.

The deal's market is the business days its calendar counts (``calendar.business_days`` in
config.json: ``exchange`` or ``interbank``); its rules are ``trustsim/disclosure/markets/<market>.yaml``
(docs/disclosure.md). From the log alone the check recomputes which events the rules name —
triggers and events of default, interest left unpaid, a payment date's cash short of its
dues, cumulative defaults beyond the stated share, a party's downgrade or insolvency, a
replacement, a successor — and each notice's due date (so many business or calendar days
after the event, as the deal's calendar counts them). Each must have its
``disclosure_issued`` line (same rule, event date and subject) dated no later than the due
date and stating the due date recomputed here. A missing notice cites the event that made
it due; a late one, the notice. A notice that answers no event the rules name is a finding
too.
"""

from __future__ import annotations

from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome
from trustsim.calendar import CalendarRangeError
from trustsim.config.errors import ConfigError
from trustsim.disclosure.notices import review


def disclosures_issued_in_time(log: AuditLog) -> Outcome:
    out = Outcome()
    try:
        rv = review(log)
    except (ConfigError, CalendarRangeError) as exc:
        out.fail(None, None, f"the disclosures cannot be worked out: {exc}")
        return out
    if rv is None:
        out.skipped = "no disclosure rules for the deal's market (trustsim/disclosure/markets/<market>.yaml)"
        return out
    issued = {int(e["seq"]): e for e in log.of("disclosure_issued")}
    for n in rv.notices:
        out.checked += 1
        d = n.due
        what = f"{d.rule} ({d.subject}) of {d.event_date.isoformat()}"
        if n.status == "missing":
            out.fail(d.seq, d.event_date.isoformat(),
                     f"no notice issued for {what}: due by {d.due_date.isoformat()} "
                     f"({rv.market} rules)")
            continue
        assert n.issued_seq is not None and n.issued_on is not None
        line = issued[n.issued_seq]
        if n.status == "late":
            out.fail(n.issued_seq, n.issued_on.isoformat(),
                     f"notice of {what} issued {n.issued_on.isoformat()}, after its due date "
                     f"{d.due_date.isoformat()}", *((d.seq,) if d.seq else ()))
        if line.get("due_date") != d.due_date.isoformat():
            out.fail(n.issued_seq, n.issued_on.isoformat(),
                     f"notice of {what} states due date {line.get('due_date')}; the rules give "
                     f"{d.due_date.isoformat()}")
        if line.get("issue_date") != line.get("date"):
            out.fail(n.issued_seq, n.issued_on.isoformat(),
                     f"notice of {what} states issue date {line.get('issue_date')} on a line "
                     f"dated {line.get('date')}")
    for e in rv.stray:
        out.fail(int(e["seq"]), str(e.get("date")),
                 f"notice {e.get('rule')} ({e.get('subject')}) of {e.get('event_date')} answers "
                 f"no event the {rv.market} rules name")
    if not rv.notices and not rv.stray:
        out.notes.append(f"no event the {rv.market} rules name happened in this run")
    return out


CHECK = Check("disclosures_issued_in_time", "disclosure",
              "each major event the market's rules name is disclosed by its due date",
              disclosures_issued_in_time)
