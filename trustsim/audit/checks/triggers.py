"""[一.4.4(1)] Each trigger fired on the first day its condition held, never otherwise.

The audit recomputes, from what the log records, the first day each clause's condition
held and compares with the ``trigger_fired`` events. An automatic event takes effect on
the day it occurs [一.4.4(1)]: a clause whose condition is a calendar day's fact — (a)
an insolvency, (b)/(d) N calendar days without a successor, (f) a rating action —
takes effect on that calendar day, a weekend or holiday included; the clauses counted
in business days ((c), (e), (g), defaults (a)/(b)) or falling on a roll date ((h)) at
the 24:00 close of a business day, on the day's figures:

* (a) originator insolvency — from the day the log records it (an ``incident_started``
  of kind ``originator_insolvency``, or any event with ``originator_insolvent: true``);
* (b) servicer termination event and no successor within ``successor_days`` days —
  ``servicer_termination_event`` to ``successor_appointed`` (role servicer);
* (c) the servicer fails to transfer on time and in full without an accepted
  explanation — from the collection account's replay (see :mod:`.sweep`);
* (d) the trustee must be replaced and no successor within ``successor_days`` days;
* (e) asset NPL ratio above the threshold on N consecutive business days — each
  ``day_closed``'s non-performing balance (plus ``pool_npl_fees_fen`` on the
  principal-plus-fees basis) over the initial cut-off balance, in ppm, floored;
* (f) originator rating below the floor — ``rating_changed`` (or ``originator_rating``);
* (g) in revolving, the pool below X% of outstanding note principal on a cumulative N
  business days — ``pool_outstanding_fen`` and ``notes_outstanding_fen`` of each close;
* (h) a series-i issuance termination event — the day of ``issuance_terminated``;
* declared events (D(h)-D(k), and events of default declared by a meeting) — the day of
  the ``noteholder_meeting_resolved`` that declared them; a D(h) failure (unless the
  trustee found it incurable) or a default (c) failure is an event only if not cured
  within ``triggers.declared_cure_days`` of the day it occurred (the trustee's notice):
  a meeting declaring it on or before that day, or a trigger after a
  ``declared_event_cured`` within it, is a finding;
* default (a) senior interest unpaid N business days after a payment date — from the
  senior-interest shortfalls of each payment date, less senior interest paid since;
* default (b) principal unpaid N business days after legal maturity.

Each fires at most once. Every acceleration event or event of default fired in
revolving must end revolving on its day.

Which period a close is in: the trustee evaluates triggers at 24:00 on the day's
figures, before any trigger that fires then ends revolving, so a close whose period
changed at that same close (no servicer or originator event between the change and the
snapshot) still counts as revolving.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trustsim.audit.checks.sweep import Excuses, replay
from trustsim.audit.log import AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.config.base import RATING_SCALE

PPM = 1_000_000
ENDING_KINDS = frozenset({"acceleration", "default"})
AUTOMATIC = (*(("acceleration", c) for c in "abcdefgh"), ("default", "a"), ("default", "b"))


@dataclass(frozen=True, slots=True)
class Expected:
    date: dt.date
    seq: int          # the event whose figures make the condition hold
    why: str


def _label(kind: str, clause: str) -> str:
    return f"acceleration ({clause})" if kind == "acceleration" else f"{kind} ({clause})"


def _close_time_changes(log: AuditLog) -> set[str]:
    """Dates whose revolving period ended at the trustee's 24:00 close."""
    out: set[str] = set()
    events = log.events
    for i, e in enumerate(events):
        if e["event"] != "period_changed" or e.get("period") == "revolving":
            continue
        for x in events[i + 1:]:
            if x["event"] == "day_closed":
                out.add(e["date"])
                break
            if x["actor"] in ("servicer", "originator") or x["date"] != e["date"]:
                break
    return out


def _windows(log: AuditLog, start: str, role: str, kind: str | None = None
             ) -> list[tuple[dt.date, dt.date | None, int]]:
    """(start, successor date or None, seq) of each period a party awaits its successor."""
    out: list[tuple[dt.date, dt.date | None, int]] = []
    for e in log.events:
        if e["event"] == start and (kind is None or e.get("kind") == kind):
            out.append((log.day(e), None, e["seq"]))
        elif e["event"] == "successor_appointed" and e.get("role") == role and out \
                and out[-1][1] is None:
            out[-1] = (out[-1][0], log.day(e), out[-1][2])
    return out


def recompute(log: AuditLog) -> tuple[dict[tuple[str, str], Expected], list[str]]:
    """When each clause's condition first held by the log; and what could not be checked."""
    t, cal = log.terms, log.terms.calendars.of("events_of_default")
    cutoff = log.initial_cutoff_fen
    expected: dict[tuple[str, str], Expected] = {}
    notes: list[str] = []

    def hold(key: tuple[str, str], date: dt.date, seq: int, why: str) -> None:
        if key not in expected:
            expected[key] = Expected(date, seq, why)

    closes = log.of("day_closed")
    fees_basis = t.npl_basis == "principal_plus_fees"
    npl_ok = not fees_basis or bool(closes and "pool_npl_fees_fen" in closes[0])
    if not npl_ok:
        notes.append("(e) not recomputed: the NPL basis counts fees and day_closed carries no "
                     "pool_npl_fees_fen")
    at_close = _close_time_changes(log)
    overdue = {e["seq"]: held for e, held in replay(log).overdue_at_close}
    excuses = Excuses(log)
    servicer_wait = _windows(log, "servicer_termination_event", "servicer")
    trustee_wait = _windows(log, "incident_started", "trustee", "trustee_replacement")
    declared = {e.get("clause"): e.get("effect") for e in log.of("declared_event_occurred")}
    ended = next(iter(log.of("trust_terminated")), None)
    last_day = log.day(ended) if ended is not None else log.day(log.events[-1])
    for key, wait, who in ((("acceleration", "b"), servicer_wait, "servicer"),
                           (("acceleration", "d"), trustee_wait, "trustee")):
        for start, end, wseq in wait:   # the Nth calendar day, whatever day of the week
            due = start + dt.timedelta(days=t.successor_days)
            if (end is None or end > due) and due <= last_day:
                hold(key, due, wseq, f"no successor {who} {t.successor_days} days after "
                                     f"{'the termination event' if who == 'servicer' else 'it had to be replaced'}")
    cured = {c for c, (_occurred, _deadline, cure) in cure_periods(log).items() if cure}
    run = count = 0
    rating: str | None = None
    insolvent_since: dt.date | None = None
    arrears_since: dt.date | None = None
    arrears_owed = 0
    dist_steps = {d.seq: d for d in log.distributions}
    outside = {p.seq: p for p in log.payments if p.distribution_seq is None
               and p.note_class == "senior" and p.kind == "interest"}
    for e in log.events:
        seq, name = e["seq"], e["event"]
        if "originator_rating" in e:
            rating = str(e["originator_rating"])
        if name == "rating_changed" and e["actor"] == "originator" and e.get("new"):
            rating = str(e["new"])
        if insolvent_since is None and (e.get("originator_insolvent") is True or (
                name == "incident_started" and e.get("kind") == "originator_insolvency")):
            insolvent_since = log.day(e)
            hold(("acceleration", "a"), insolvent_since, seq, "the originator is insolvent")
        if rating in RATING_SCALE and t.rating_floor in RATING_SCALE \
                and RATING_SCALE.index(rating) > RATING_SCALE.index(t.rating_floor):
            hold(("acceleration", "f"), log.day(e), seq, f"originator rated {rating}, below "
                                                         f"{t.rating_floor}")
        if name == "issuance_terminated":
            hold(("acceleration", "h"), log.day(e), seq,
                 f"series {e.get('series')} could not be issued")
        if name == "noteholder_meeting_resolved" and e.get("declared") is True \
                and str(e.get("clause")) not in cured:
            clause = str(e.get("clause"))
            hold((str(declared.get(clause, "acceleration")), clause), log.day(e), seq,
                 "the noteholder meeting declared it")
        if seq in dist_steps:
            for s in dist_steps[seq].steps:
                if s.pay != "senior_interest":
                    continue
                owed = sum(d - p for d, p in s.payees.values())
                if owed > 0:
                    arrears_since = arrears_since or log.day(e)
                    arrears_owed = owed
                else:
                    arrears_since, arrears_owed = None, 0
        if seq in outside and arrears_since is not None:
            arrears_owed -= outside[seq].amount_fen
            if arrears_owed <= 0:
                arrears_since, arrears_owed = None, 0
        if name != "day_closed":
            continue
        d = log.day(e)
        late = overdue.get(seq) or []
        if late and excuses.on(d) is None:
            hold(("acceleration", "c"), d, late[0].seq,
                 f"collections received {late[0].received} not transferred by "
                 f"{late[0].deadline}, no accepted explanation")
        if npl_ok and cutoff:
            npl = int(e.get("pool_non_performing_fen") or 0)
            if fees_basis:
                npl += int(e.get("pool_npl_fees_fen") or 0)
            ratio = npl * PPM // cutoff
            run = run + 1 if ratio > t.npl_threshold_ppm else 0
            if run >= t.npl_days:
                hold(("acceleration", "e"), d, seq, f"NPL ratio above {t.npl_threshold_ppm} ppm "
                                                    f"on {t.npl_days} consecutive business days")
        revolving = e.get("period") == "revolving" or e["date"] in at_close
        pool, notes_out = e.get("pool_outstanding_fen"), e.get("notes_outstanding_fen")
        if revolving and isinstance(pool, int) and isinstance(notes_out, int) \
                and pool * 100 < t.pool_vs_notes_pct * notes_out:
            count += 1
            if count >= t.pool_vs_notes_days:
                hold(("acceleration", "g"), d, seq, f"pool below {t.pool_vs_notes_pct}% of the "
                     f"notes on {t.pool_vs_notes_days} cumulative business days")
        if arrears_since is not None and cal.business_days_between(arrears_since, d) \
                >= t.senior_interest_grace_bd:
            hold(("default", "a"), d, seq, f"senior interest unpaid since {arrears_since}")
        legal = t.legal_maturity
        if d >= legal and isinstance(notes_out, int) and notes_out > 0 \
                and cal.business_days_between(legal, d) >= t.principal_grace_bd:
            hold(("default", "b"), d, seq, f"principal unpaid after legal maturity {legal}")
    return expected, notes


#: [一.4.4(1)] failures that are events only if not cured in time: D(h), default (c)
CURABLE = frozenset({"D(h)", "c"})


def cure_periods(log: AuditLog) -> dict[str, tuple[Event, dt.date, Event | None]]:
    """clause -> (its occurrence, the last day of its cure period, a cure within it)."""
    out: dict[str, tuple[Event, dt.date, Event | None]] = {}
    days = log.terms.declared_cure_days
    for e in log.of("declared_event_occurred"):
        clause = str(e.get("clause"))
        if clause not in CURABLE or e.get("incurable") is True:
            continue
        deadline = log.day(e) + dt.timedelta(days=days)
        cure = next((c for c in log.of("declared_event_cured") if c.get("clause") == clause
                     and c["seq"] > e["seq"]
                     and dt.date.fromisoformat(str(c.get("cured_on", c["date"]))) <= deadline),
                    None)
        out[clause] = (e, deadline, cure)
    return out


def _cure_periods_respected(log: AuditLog, out: Outcome) -> None:
    for clause, (occurred, deadline, cure) in cure_periods(log).items():
        for e in log.of("noteholder_meeting_resolved"):
            if e.get("clause") != clause or e.get("declared") is not True:
                continue
            out.checked += 1
            if cure is not None:
                out.fail(e["seq"], e["date"], f"{clause} declared although cured on "
                         f"{cure.get('cured_on', cure['date'])}, within its cure period",
                         cure["seq"])
            elif log.day(e) <= deadline:
                out.fail(e["seq"], e["date"], f"{clause} declared on {e['date']}, within its "
                         f"{log.terms.declared_cure_days}-day cure period (to {deadline}) "
                         f"from {occurred['date']}", occurred["seq"])


def recomputable(log: AuditLog) -> set[tuple[str, str]]:
    """Clauses whose condition the log lets the audit recompute."""
    keys = set(AUTOMATIC)
    closes = log.of("day_closed")
    if log.terms.npl_basis != "principal" and not (closes and "pool_npl_fees_fen" in closes[0]):
        keys.discard(("acceleration", "e"))
    for e in log.of("declared_event_occurred"):
        keys.add((str(e.get("effect", "acceleration")), str(e.get("clause"))))
    return keys


def triggers_on_first_day(log: AuditLog) -> Outcome:
    out = Outcome()
    expected, notes = recompute(log)
    out.notes.extend(notes)
    keys = recomputable(log)
    out.notes.append("recomputed: " + ", ".join(_label(*k) for k in sorted(keys)))
    fired: dict[tuple[str, str], list[Event]] = {}
    for e in log.of("trigger_fired"):
        fired.setdefault((str(e.get("kind")), str(e.get("clause"))), []).append(e)
    for key in sorted(keys | set(fired)):
        out.checked += 1
        got = fired.get(key, [])
        for dup in got[1:]:
            out.fail(dup["seq"], dup["date"], f"{_label(*key)} fired again (first at seq "
                                              f"{got[0]['seq']})", got[0]["seq"])
        if key not in keys:
            if got:
                out.notes.append(f"{_label(*key)} fired at seq {got[0]['seq']}: its condition "
                                 f"is not recomputable from the log")
            continue
        want = expected.get(key)
        if want is None and got:
            out.fail(got[0]["seq"], got[0]["date"], f"{_label(*key)} fired, but by the log "
                                                    f"its condition never held")
        elif want is not None and not got:
            first_end = next((e for e in log.of("trust_terminated")), None)
            if first_end is not None and first_end["seq"] < want.seq:
                continue
            out.fail(want.seq, want.date.isoformat(), f"{_label(*key)} should have fired on "
                     f"{want.date} ({want.why}); no trigger fired")
        elif want is not None and got[0]["date"] != want.date.isoformat():
            out.fail(got[0]["seq"], got[0]["date"], f"{_label(*key)} fired on {got[0]['date']}; "
                     f"its condition first held on {want.date} ({want.why})", want.seq)
        elif want is not None:
            out.notes.append(f"{_label(*key)} fired at seq {got[0]['seq']} on {want.date}, the "
                             f"first day its condition held ({want.why}; seq {want.seq}): "
                             f"confirmed")
    _cure_periods_respected(log, out)
    # an acceleration event or event of default ends revolving on its day
    changes = [e for e in log.of("period_changed") if e.get("period") != "revolving"]
    end = changes[0] if changes else None
    for e in log.of("trigger_fired"):
        if str(e.get("kind")) not in ENDING_KINDS or (end is not None and end["seq"] < e["seq"]):
            continue      # not an ending event, or revolving had already ended
        if end is None or end["date"] != e["date"]:
            out.fail(e["seq"], e["date"], f"{_label(e['kind'], e['clause'])} fired in revolving "
                     f"but revolving did not end that day"
                     + (f" (it ended {end['date']})" if end is not None else ""),
                     *((end["seq"],) if end is not None else ()))
    return out


CHECK = Check("triggers_on_first_day", "一.4.4(1)",
              "each trigger fired on the first day its condition held, never otherwise",
              triggers_on_first_day)
