"""[一.4.4(1)] Each trigger fired on the first day its condition held, never otherwise.

The deal's triggers are its ``triggers`` list in config.json: each has a ``kind`` (the
condition), a ``clause`` (what the log cites) and an ``effect`` — ``end_revolving``
(logged as kind acceleration), ``event_of_default`` (default) or ``{use_waterfall: NAME}``
(waterfall_switch). The audit recomputes, from what the log records, the first day each
trigger's condition held and compares with the ``trigger_fired`` events, keyed by
(kind, clause). A trigger takes effect on the day it occurs [一.4.4(1)]: a condition
that is a calendar day's fact — an insolvency, N calendar days without a successor, a
rating action — on that calendar day, a weekend or holiday included; the conditions
counted in business days or falling on a roll date at the 24:00 close of a business
day, on the day's figures. By kind:

* ``party_insolvent`` — from the day the log records it (an ``incident_started`` of
  kind ``<party>_insolvency``, or any event with ``<party>_insolvent: true``);
* ``successor_not_appointed`` — a servicer termination event (``servicer_termination_event``)
  or a trustee to replace (``incident_started`` of kind ``trustee_replacement``) and no
  ``successor_appointed`` of that role within ``days`` calendar days;
* ``transfer_failure`` — the servicer fails to transfer on time and in full without an
  accepted explanation: from the collection account's replay (see :mod:`.sweep`);
* ``npl_ratio`` — each ``day_closed``'s non-performing balance (plus ``pool_npl_fees_fen``
  on the principal-plus-fees basis) over the initial cut-off balance above
  ``threshold_pct`` (exactly: the threshold itself is not above it) on
  ``consecutive_business_days`` consecutive closes;
* ``rating_below`` — ``rating_changed`` (or ``originator_rating``) below ``floor``;
* ``pool_below_notes`` — in revolving, ``pool_outstanding_fen`` below ``pct``% of
  ``notes_outstanding_fen`` on a cumulative ``cumulative_business_days`` closes;
* ``issuance_failure`` — the day of ``issuance_terminated``;
* ``cumulative_default_rate`` — principal defaulted since the effective date (a
  ``day_closed``'s non-performing balance plus the principal charged off so far,
  ``pool_non_performing_fen`` + ``pool_charged_off_fen``) over the initial cut-off
  balance at or above ``threshold_pct`` at a close; a log without those figures leaves it
  not checkable (said in the notes);
* ``interest_unpaid`` — interest due to ``classes`` left unpaid by a payment date, less
  what was paid to them since, still owed ``grace_business_days`` business days later;
* ``principal_unpaid_at_legal_maturity`` — notes outstanding ``grace_business_days``
  business days after legal maturity;
* ``unresolved_break`` — a reconciliation break of one of ``parties`` (every party's if
  none) logged ``business_days`` business days before a close and not resolved by it
  (:mod:`.reconciliation`);
* declared events (events a noteholder meeting declares) — the day of the
  ``noteholder_meeting_resolved`` that declared them; a failure under a clause of
  ``declared_events.curable_clauses`` (unless the trustee found it incurable) is an event
  only if not cured within ``declared_events.cure_days`` of the day it occurred (the
  trustee's notice): a meeting declaring it on or before that day, or a trigger after a
  ``declared_event_cured`` within it, is a finding.

Each fires at most once. A trigger the deal does not have must never fire; a waterfall
switch names the waterfall its trigger's effect gives. Every
acceleration event or event of default fired in revolving must end revolving on its day
(a waterfall switch does not; :mod:`.waterfall` checks the waterfall it switches to).

Which period a close is in: the trustee evaluates triggers at 24:00 on the day's
figures, before any trigger that fires then ends revolving, so a close whose period
changed at that same close (no servicer or originator event between the change and the
snapshot) still counts as revolving.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from trustsim.audit.checks.reconciliation import open_at_close
from trustsim.audit.checks.sweep import Excuses, Receipt, replay
from trustsim.audit.log import AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.audit.terms import Trigger
from trustsim.calendar import BusinessCalendar
from trustsim.config.base import RATING_SCALE

PPM = 1_000_000
ENDING_KINDS = frozenset({"acceleration", "default"})
#: the kinds the audit recomputes; a deal's trigger of another kind is noted, not checked
KINDS = frozenset({"party_insolvent", "successor_not_appointed", "transfer_failure",
                   "npl_ratio", "rating_below", "pool_below_notes", "issuance_failure",
                   "cumulative_default_rate", "interest_unpaid",
                   "principal_unpaid_at_legal_maturity", "unresolved_break"})
#: successor_not_appointed: party -> (the event that starts the wait, its kind if an incident)
SUCCESSOR_WAIT = {"servicer": ("servicer_termination_event", None),
                  "trustee": ("incident_started", "trustee_replacement")}
WAIT_FROM = {"servicer": "the termination event", "trustee": "it had to be replaced"}
#: principal defaulted since the effective date: non-performing now plus charged off so far
DEFAULTED_FIELDS = ("pool_non_performing_fen", "pool_charged_off_fen")
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Expected:
    date: dt.date
    seq: int          # the event whose figures make the condition hold
    why: str


def _label(kind: str, clause: str) -> str:
    return f"{kind} ({clause})"


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


def not_checkable(log: AuditLog) -> dict[str, str]:
    """Trigger name -> why the log does not let the audit recompute its condition."""
    out: dict[str, str] = {}
    closes = log.of("day_closed")
    first = closes[0] if closes else {}
    for t in log.terms.triggers:
        if t.kind not in KINDS:
            out[t.name] = f"kind {t.kind} is unknown to this audit"
        elif t.kind == "npl_ratio" and t.basis != "principal" and "pool_npl_fees_fen" not in first:
            out[t.name] = "the NPL basis counts fees and day_closed carries no pool_npl_fees_fen"
        elif t.kind == "cumulative_default_rate" and not set(DEFAULTED_FIELDS) <= first.keys():
            out[t.name] = (f"day_closed carries no {' and '.join(DEFAULTED_FIELDS)} (principal "
                           f"defaulted since the effective date)")
        elif t.kind == "successor_not_appointed" and t.party not in SUCCESSOR_WAIT:
            out[t.name] = f"no log event says when a {t.party} must be replaced"
    return out


@dataclass
class _State:
    """What one trigger's condition has accumulated over the closes so far."""

    run: int = 0                        # npl_ratio: consecutive closes above
    count: int = 0                      # pool_below_notes: cumulative closes below
    arrears_since: dt.date | None = None    # interest_unpaid
    arrears_owed: int = 0
    rating: str | None = None           # rating_below


def recompute(log: AuditLog) -> tuple[dict[Key, Expected], list[str]]:
    """When each trigger's condition first held by the log; and what could not be checked."""
    terms, cal = log.terms, log.terms.calendars.of("events_of_default")
    cutoff = log.initial_cutoff_fen
    expected: dict[Key, Expected] = {}
    skip = not_checkable(log)
    notes = [f"{t.label} ({t.name}) not recomputed: {skip[t.name]}"
             for t in terms.triggers if t.name in skip]
    triggers = [t for t in terms.triggers if t.name not in skip]

    def hold(key: Key, date: dt.date, seq: int, why: str) -> None:
        if key not in expected:
            expected[key] = Expected(date, seq, why)

    def of(*kinds: str) -> list[Trigger]:
        return [t for t in triggers if t.kind in kinds]

    at_close = _close_time_changes(log)
    overdue = {e["seq"]: held for e, held in replay(log).overdue_at_close} \
        if of("transfer_failure") else {}
    excuses = Excuses(log)
    declared = {e.get("clause"): e.get("effect") for e in log.of("declared_event_occurred")}
    ended = next(iter(log.of("trust_terminated")), None)
    last_day = log.day(ended) if ended is not None else log.day(log.events[-1])
    for t in of("successor_not_appointed"):
        assert t.party is not None and t.days is not None
        start, kind = SUCCESSOR_WAIT[t.party]
        for begin, end, wseq in _windows(log, start, t.party, kind):
            due = begin + dt.timedelta(days=t.days)   # the Nth calendar day, whatever day
            if (end is None or end > due) and due <= last_day:
                hold(t.key, due, wseq, f"no successor {t.party} {t.days} days after "
                                       f"{WAIT_FROM[t.party]}")
    cured = {c for c, (_occurred, _deadline, cure) in cure_periods(log).items() if cure}
    state = {t.name: _State() for t in triggers}
    insolvent = {t.name: False for t in of("party_insolvent")}
    dist_steps = {d.seq: d for d in log.distributions}
    interest = of("interest_unpaid")
    outside = {p.seq: p for p in log.payments if p.distribution_seq is None
               and p.kind == "interest" and p.note_class is not None}
    open_breaks = {int(e["seq"]): now for e, now in open_at_close(log)} \
        if of("unresolved_break") else {}
    for e in log.events:
        seq, name = e["seq"], e["event"]
        for t in of("party_insolvent"):
            if not insolvent[t.name] and (e.get(f"{t.party}_insolvent") is True or (
                    name == "incident_started" and e.get("kind") == f"{t.party}_insolvency")):
                insolvent[t.name] = True
                hold(t.key, log.day(e), seq, f"the {t.party} is insolvent")
        for t in of("rating_below"):
            st, party = state[t.name], t.party or "originator"
            if f"{party}_rating" in e:
                st.rating = str(e[f"{party}_rating"])
            if name == "rating_changed" and e["actor"] == party and e.get("new"):
                st.rating = str(e["new"])
            if st.rating in RATING_SCALE and t.floor in RATING_SCALE \
                    and RATING_SCALE.index(st.rating) > RATING_SCALE.index(t.floor):
                hold(t.key, log.day(e), seq, f"{party} rated {st.rating}, below {t.floor}")
        if name == "issuance_terminated":
            for t in of("issuance_failure"):
                hold(t.key, log.day(e), seq, f"series {e.get('series')} could not be issued")
        if name == "noteholder_meeting_resolved" and e.get("declared") is True \
                and str(e.get("clause")) not in cured:
            clause = str(e.get("clause"))
            hold((str(declared.get(clause, "acceleration")), clause), log.day(e), seq,
                 "the noteholder meeting declared it")
        if seq in dist_steps:
            for t in interest:
                owed = [o for s in dist_steps[seq].steps
                        if (o := log.interest_owed(s, t.classes)) is not None]
                if not owed:
                    continue          # this payment date presents none of their interest
                st = state[t.name]
                if sum(owed) > 0:
                    st.arrears_since = st.arrears_since or log.day(e)
                    st.arrears_owed = sum(owed)
                else:
                    st.arrears_since, st.arrears_owed = None, 0
        if seq in outside:
            for t in interest:
                st = state[t.name]
                if outside[seq].note_class in t.classes and st.arrears_since is not None:
                    st.arrears_owed -= outside[seq].amount_fen
                    if st.arrears_owed <= 0:
                        st.arrears_since, st.arrears_owed = None, 0
        if name == "day_closed" and seq in open_breaks:
            for t in of("unresolved_break"):
                for b, bd in open_breaks[seq]:
                    if (not t.parties or b.party in t.parties) and bd >= (t.days or 0):
                        hold(t.key, log.day(e), int(b.event["seq"]),
                             f"break {b.id} of the {b.party} open {bd} business days")
                        break
        if name != "day_closed":
            continue
        _at_close(log, e, triggers, state, hold, cutoff, cal,
                  overdue.get(seq) or [], excuses,
                  e.get("period") == "revolving" or e["date"] in at_close)
    return expected, notes


def _at_close(log: AuditLog, e: Event, triggers: list[Trigger], state: dict[str, _State],
              hold: Callable[[Key, dt.date, int, str], None], cutoff: int,
              cal: BusinessCalendar, late: list[Receipt], excuses: Excuses,
              revolving: bool) -> None:
    """The conditions read at a business day's 24:00 close (``day_closed``)."""
    seq, d = e["seq"], log.day(e)
    pool, notes_out = e.get("pool_outstanding_fen"), e.get("notes_outstanding_fen")
    for t in triggers:
        st = state[t.name]
        if t.kind == "transfer_failure":
            if late and excuses.on(d) is None:
                hold(t.key, d, late[0].seq, f"collections received {late[0].received} not "
                     f"transferred by {late[0].deadline}, no accepted explanation")
        elif t.kind == "npl_ratio" and cutoff:
            assert t.threshold_ppm is not None and t.days is not None
            npl = int(e.get("pool_non_performing_fen") or 0)
            if t.basis == "principal_plus_fees":
                npl += int(e.get("pool_npl_fees_fen") or 0)
            # above the threshold, exactly: npl / cutoff > threshold (the ppm figure is floored)
            st.run = st.run + 1 if npl * PPM > t.threshold_ppm * cutoff else 0
            if st.run >= t.days:
                hold(t.key, d, seq, f"NPL ratio above {t.threshold_ppm} ppm on {t.days} "
                                    f"consecutive business days")
        elif t.kind == "cumulative_default_rate" and cutoff:
            assert t.threshold_ppm is not None
            defaulted = sum(int(e.get(f) or 0) for f in DEFAULTED_FIELDS)
            if defaulted * PPM >= t.threshold_ppm * cutoff:
                hold(t.key, d, seq, f"principal defaulted since the effective date "
                     f"{defaulted} fen, at or above {t.threshold_ppm} ppm of the initial "
                     f"{cutoff} fen")
        elif t.kind == "pool_below_notes":
            assert t.pct is not None and t.days is not None
            if revolving and isinstance(pool, int) and isinstance(notes_out, int) \
                    and pool * 100 < t.pct * notes_out:
                st.count += 1
                if st.count >= t.days:
                    hold(t.key, d, seq, f"pool below {t.pct}% of the notes on {t.days} "
                                        f"cumulative business days")
        elif t.kind == "interest_unpaid":
            if st.arrears_since is not None and cal.business_days_between(
                    st.arrears_since, d) >= (t.grace_bd or 0):
                hold(t.key, d, seq, f"{', '.join(t.classes)} interest unpaid since "
                                    f"{st.arrears_since}")
        elif t.kind == "principal_unpaid_at_legal_maturity":
            legal = log.terms.legal_maturity
            if d >= legal and isinstance(notes_out, int) and notes_out > 0 \
                    and cal.business_days_between(legal, d) >= (t.grace_bd or 0):
                hold(t.key, d, seq, f"principal unpaid after legal maturity {legal}")


def cure_periods(log: AuditLog) -> dict[str, tuple[Event, dt.date, Event | None]]:
    """clause -> (its occurrence, the last day of its cure period, a cure within it)."""
    out: dict[str, tuple[Event, dt.date, Event | None]] = {}
    days = log.terms.declared_cure_days
    for e in log.of("declared_event_occurred"):
        clause = str(e.get("clause"))
        if clause not in log.terms.curable_clauses or e.get("incurable") is True:
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


def recomputable(log: AuditLog) -> set[Key]:
    """(kind, clause) of the deal's triggers whose condition the log lets the audit
    recompute, and of the declared events the log records."""
    skip = not_checkable(log)
    keys = {t.key for t in log.terms.triggers if t.name not in skip}
    for e in log.of("declared_event_occurred"):
        keys.add((str(e.get("effect", "acceleration")), str(e.get("clause"))))
    return keys


def triggers_on_first_day(log: AuditLog) -> Outcome:
    out = Outcome()
    expected, notes = recompute(log)
    out.notes.extend(notes)
    keys = recomputable(log)
    in_deal = {t.key for t in log.terms.triggers}
    out.notes.append("recomputed: " + (", ".join(_label(*k) for k in sorted(keys)) or "none"))
    fired: dict[Key, list[Event]] = {}
    for e in log.of("trigger_fired"):
        fired.setdefault((str(e.get("kind")), str(e.get("clause"))), []).append(e)
    for key in sorted(keys | set(fired)):
        out.checked += 1
        got = fired.get(key, [])
        for dup in got[1:]:
            out.fail(dup["seq"], dup["date"], f"{_label(*key)} fired again (first at seq "
                                              f"{got[0]['seq']})", got[0]["seq"])
        if key not in keys:
            if got and key in in_deal:
                out.notes.append(f"{_label(*key)} fired at seq {got[0]['seq']}: its condition "
                                 f"is not recomputable from the log")
            elif got:
                out.fail(got[0]["seq"], got[0]["date"], f"{_label(*key)} fired, but the deal "
                         f"has no such trigger (triggers: "
                         f"{', '.join(sorted(_label(*k) for k in in_deal)) or 'none'})")
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
    switches = {t.key: t.use_waterfall for t in log.terms.triggers if t.use_waterfall}
    for e in log.of("trigger_fired"):
        named = switches.get((str(e.get("kind")), str(e.get("clause"))))
        if named is not None and e.get("waterfall") not in (None, named):
            out.fail(e["seq"], e["date"], f"{_label(e['kind'], e['clause'])} switches to the "
                     f"{e.get('waterfall')} waterfall; the deal's trigger switches to {named}")
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
