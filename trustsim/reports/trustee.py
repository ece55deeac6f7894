"""What a trustee report states beyond the period's sums: the deal, its parties, each class
and series, the accounts, the pool's defaults, purchases' eligibility, every trigger clause
against its threshold, the parties' duties, the next payment date.

Why here and from the log: a trustee report (受托机构报告) is filed per payment date and
must be reproducible by anyone holding the run folder. Every amount is integer fen read
from the log's events; every rate is an exact quotient (:class:`~decimal.Decimal`),
rounded half up only when shown. Whether a trigger's condition held, and since when, is
the audit's own recomputation (:func:`trustsim.audit.checks.triggers.recompute`): the
report shows the same answer the audit checks, and adds today's figure and its distance
to the threshold.

:func:`enrich` adds these to the reports :func:`trustsim.reports.periodic.trustee_reports`
builds (one dict per payment date), in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trustsim.audit.checks.purchases import _loan_findings
from trustsim.audit.checks.sweep import Excuses, replay
from trustsim.audit.checks.triggers import DEFAULTED_FIELDS, PPM, not_checkable, recompute
from trustsim.audit.log import RESERVES_FIELD, AuditLog, Event
from trustsim.audit.terms import Trigger
from trustsim.calendar import add_months
from trustsim.config.base import RATING_SCALE

FEN_PER_WAN = 1_000_000
#: events that say a party did not perform, or that its role changed
INCIDENT_EVENTS = ("incident_started", "incident_ended", "servicer_termination_event",
                   "successor_appointed", "rating_changed", "collections_commingled",
                   "declared_event_occurred", "declared_event_cured", "transfer_delay_explained",
                   "reserve_delay_notified", "purchase_rejected", "trigger_fired")


def q(value: Decimal, places: int) -> str:
    """``value`` rounded half up to ``places`` decimals, as text (exact: no float)."""
    return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def pct(num: int, den: int, places: int = 4) -> str | None:
    """``num / den`` as a percentage with ``places`` decimals; None when ``den`` is 0."""
    return q(Decimal(num) * 100 / Decimal(den), places) if den else None


def per_100(amount_fen: int, face_fen: int) -> str | None:
    """CNY paid per 100 CNY of face (每百元面值), 4 decimals: ``amount / face * 100`` in CNY."""
    return q(Decimal(amount_fen) / 100 * 100 / (Decimal(face_fen) / 100), 4) if face_fen else None


def factor(balance_fen: int, face_fen: int) -> str | None:
    """The note factor: balance over original face, 6 decimals."""
    return q(Decimal(balance_fen) / Decimal(face_fen), 6) if face_fen else None


def prepayment_rates(start: Event | None, end: Event | None,
                     effective_date: dt.date) -> dict[str, Any]:
    """Prepayments of the period between two closes and its rates (docs/model.md, "Pool
    performance"): ``P = prepaid / (performing at the start + entered - scheduled)`` over the
    period's ``n`` days, the single-month mortality ``SMM = 1 - (1 - P) ** (365 / 12 / n)``
    and ``CPR = 1 - (1 - SMM) ** 12``. With no close before the period (the first), the start
    is the effective date and the initial pool counts as entered. A log without the figures,
    a period of no days or a base of nothing gives no rates."""
    none: dict[str, Any] = {"prepayments_fen": None, "scheduled_principal_fen": None,
                            "entered_fen": None, "prepayment_base_fen": None,
                            "period_days": None, "smm_pct": None, "cpr_pct": None}
    if end is None or "pool_prepaid_fen" not in end:
        return none

    def cum(e: Event | None, f: str) -> int:
        return int((e or {}).get(f) or 0)

    prepaid = cum(end, "pool_prepaid_fen") - cum(start, "pool_prepaid_fen")
    scheduled = (cum(end, "pool_scheduled_principal_fen")
                 - cum(start, "pool_scheduled_principal_fen"))
    entered = cum(end, "pool_bought_fen") - cum(start, "pool_bought_fen")
    base = cum(start, "pool_performing_fen") + entered - scheduled
    days = (dt.date.fromisoformat(end["date"])
            - (dt.date.fromisoformat(start["date"]) if start else effective_date)).days
    out = {**none, "prepayments_fen": prepaid, "scheduled_principal_fen": scheduled,
           "entered_fen": entered, "prepayment_base_fen": base, "period_days": days}
    if days <= 0 or base <= 0 or prepaid > base:
        return out
    survive = 1 - Decimal(prepaid) / Decimal(base)           # 1 - P over the period
    smm = 1 - survive ** (Decimal(365) / 12 / days)
    cpr = 1 - survive ** (Decimal(365) / days)                # = 1 - (1 - SMM) ** 12
    out["smm_pct"], out["cpr_pct"] = q(smm * 100, 4), q(cpr * 100, 4)
    return out


# ---------------------------------------------------------------- series of a rolling class
@dataclass
class _Series:
    cls: str
    number: int
    face_fen: int
    issued_on: str
    expected_maturity: str | None
    repaid: list[tuple[str, int]] = field(default_factory=list)      # (date, fen)
    interest: list[tuple[str, int]] = field(default_factory=list)    # (date, fen)

    def balance(self, through: str, inclusive: bool) -> int:
        if (self.issued_on > through) or (self.issued_on == through and not inclusive):
            return 0
        return self.face_fen - sum(a for d, a in self.repaid
                                   if d < through or (inclusive and d == through))


def _series(log: AuditLog, owner: dict[int, int]) -> dict[str, list[_Series]]:
    """Each rolling class's series, with the principal and interest paid to each.

    Principal repays the series first in, first out (a series is repaid before the one
    issued after it); interest paid on a date is the oldest series outstanding at the
    date's opening (a series' interest is paid at its maturity or on a payment date
    while it is outstanding). Amounts are the payments the report counts for the class."""
    rolling = {c.name for c in log.terms.classes if c.rolls}
    issued: dict[tuple[str, int], Event] = {}
    for e in log.of("series_issued"):
        if e.get("note_class") in rolling:
            issued[(str(e["note_class"]), int(e["series"]))] = e
    out: dict[str, list[_Series]] = {c: [] for c in rolling}
    for e in log.of("proceeds_received"):
        cls = e.get("note_class")
        if cls in rolling and e.get("series") is not None:
            meta = issued.get((str(cls), int(e["series"])), {})
            out[str(cls)].append(_Series(str(cls), int(e["series"]), int(e["amount_fen"]),
                                         str(e["date"]),
                                         meta.get("expected_maturity")))
    for series in out.values():
        series.sort(key=lambda s: (s.issued_on, s.number))
    for p in log.payments:
        if p.note_class not in out or p.seq not in owner:
            continue
        series = out[p.note_class]
        if p.kind == "principal":
            left = p.amount_fen
            for s in series:
                if s.issued_on > p.date or left == 0:
                    continue
                owed = s.face_fen - sum(a for _d, a in s.repaid)
                take = min(owed, left)
                if take > 0:
                    s.repaid.append((p.date, take))
                    left -= take
        else:
            open_ = [s for s in series if s.balance(p.date, inclusive=False) > 0]
            target = open_[0] if open_ else next((s for s in series if s.issued_on <= p.date),
                                                 None)
            if target is not None:
                target.interest.append((p.date, p.amount_fen))
    return out


# ---------------------------------------------------------------- trigger metrics
@dataclass
class _TriggerState:
    run: int = 0                 # npl_ratio: consecutive closes above
    count: int = 0               # pool_below_notes: cumulative closes below (in revolving)
    rating: str | None = None
    insolvent: bool = False
    waiting_since: dt.date | None = None     # successor_not_appointed
    issuance_failed: str | None = None
    arrears_since: dt.date | None = None
    arrears_owed: int = 0


def _metric_rows(log: AuditLog, t: Trigger, st: _TriggerState, close: Event,
                 overdue: int) -> dict[str, Any]:
    """Today's figure of one trigger's condition at ``close`` and its distance."""
    cutoff = log.initial_cutoff_fen
    day = log.day(close)
    if t.kind == "npl_ratio":
        npl = int(close.get("pool_non_performing_fen") or 0)
        if t.basis == "principal_plus_fees":
            npl += int(close.get("pool_npl_fees_fen") or 0)
        thr = Decimal(t.threshold_ppm or 0) / 10_000
        val = Decimal(npl) * 100 / Decimal(cutoff) if cutoff else Decimal(0)
        return {"metric": "npl_ratio", "threshold": f"> {q(thr, 4)}% x {t.days}",
                "value": f"{q(val, 4)}%", "count": st.run, "required": t.days,
                "distance": f"{q(thr - val, 4)} pp", "breached_today": val > thr,
                "value_fen": npl}
    if t.kind == "cumulative_default_rate":
        defaulted = sum(int(close.get(f) or 0) for f in DEFAULTED_FIELDS)
        thr = Decimal(t.threshold_ppm or 0) / 10_000
        val = Decimal(defaulted) * 100 / Decimal(cutoff) if cutoff else Decimal(0)
        return {"metric": "cumulative_default_rate", "threshold": f">= {q(thr, 4)}%",
                "value": f"{q(val, 4)}%", "distance": f"{q(thr - val, 4)} pp",
                "breached_today": val >= thr, "value_fen": defaulted}
    if t.kind == "pool_below_notes":
        pool, notes = int(close.get("pool_outstanding_fen") or 0), \
            int(close.get("notes_outstanding_fen") or 0)
        ratio = Decimal(pool) * 100 / Decimal(notes) if notes else None
        return {"metric": "pool_to_notes", "threshold": f"< {t.pct}% x {t.days}",
                "value": f"{q(ratio, 2)}%" if ratio is not None else "n/a",
                "count": st.count, "required": t.days,
                "distance": f"{q(ratio - Decimal(t.pct or 0), 2)} pp" if ratio is not None
                else "n/a", "breached_today": ratio is not None and ratio < (t.pct or 0)}
    if t.kind == "successor_not_appointed":
        waited = (day - st.waiting_since).days if st.waiting_since else None
        return {"metric": "days_without_successor", "party": t.party,
                "threshold": f">= {t.days} d", "value": "-" if waited is None else f"{waited} d",
                "distance": "-" if waited is None else f"{(t.days or 0) - waited} d",
                "breached_today": waited is not None and waited >= (t.days or 0)}
    if t.kind == "party_insolvent":
        return {"metric": "insolvent", "party": t.party, "threshold": "insolvent",
                "value": "yes" if st.insolvent else "no", "distance": "-",
                "breached_today": st.insolvent}
    if t.kind == "rating_below":
        r, floor = st.rating, t.floor
        notches = (RATING_SCALE.index(floor) - RATING_SCALE.index(r)) \
            if r in RATING_SCALE and floor in RATING_SCALE else None
        return {"metric": "rating", "party": t.party or "originator",
                "threshold": f"< {floor}", "value": r or "n/a",
                "distance": f"{notches} notch" if notches is not None else "n/a",
                "breached_today": notches is not None and notches < 0}
    if t.kind == "transfer_failure":
        return {"metric": "late_transfers", "threshold": "> 0", "value": str(overdue),
                "distance": "-", "breached_today": overdue > 0}
    if t.kind == "issuance_failure":
        return {"metric": "issuance_failed", "threshold": "failed",
                "value": st.issuance_failed or "no", "distance": "-",
                "breached_today": st.issuance_failed is not None}
    if t.kind == "interest_unpaid":
        cal = log.terms.calendars.of("events_of_default")
        bd = cal.business_days_between(st.arrears_since, day) if st.arrears_since else None
        return {"metric": "interest_arrears", "classes": list(t.classes),
                "threshold": f">= {t.grace_bd} bd", "value_fen": st.arrears_owed, "value": None,
                "since": st.arrears_since.isoformat() if st.arrears_since else None,
                "distance": "-" if bd is None else f"{(t.grace_bd or 0) - bd} bd",
                "breached_today": bd is not None and bd >= (t.grace_bd or 0)}
    if t.kind == "principal_unpaid_at_legal_maturity":
        legal = log.terms.legal_maturity
        notes = int(close.get("notes_outstanding_fen") or 0)
        return {"metric": "days_to_legal_maturity", "threshold": f"{legal} + {t.grace_bd} bd",
                "value_fen": notes, "value": None,
                "distance": f"{(legal - day).days} d",
                "breached_today": day >= legal and notes > 0}
    return {"metric": t.kind, "threshold": "-", "value": "n/a", "distance": "n/a",
            "breached_today": False}


def _trigger_tables(log: AuditLog, as_of: dict[int, Event | None]) -> dict[int, list[dict[str, Any]]]:
    """Payment date seq -> a row per trigger of the deal, at the close ``as_of`` it."""
    terms = log.terms
    expected, _notes = recompute(log)
    skip = not_checkable(log)
    fired: dict[tuple[str, str], Event] = {}
    for e in log.of("trigger_fired"):
        fired.setdefault((str(e.get("kind")), str(e.get("clause"))), e)
    overdue = {e["seq"]: len(held) for e, held in replay(log).overdue_at_close}
    excuses = Excuses(log)
    state = {t.name: _TriggerState(rating=(((log.config or {}).get("parties") or {})
                                           .get(t.party or "originator") or {})
                                   .get("long_term_rating"))
             for t in terms.triggers}
    wanted: dict[int, list[int]] = {}      # close seq -> the payment dates reported at it
    for seq, c in as_of.items():
        if c is not None:
            wanted.setdefault(c["seq"], []).append(seq)
    snap: dict[int, list[dict[str, Any]]] = {}
    dist_steps = {d.seq: d for d in log.distributions}
    outside = {p.seq: p for p in log.payments if p.distribution_seq is None
               and p.kind == "interest" and p.note_class is not None}
    waits = {"servicer": ("servicer_termination_event", None),
             "trustee": ("incident_started", "trustee_replacement")}
    for e in log.events:
        name = e["event"]
        for t in terms.triggers:
            st = state[t.name]
            if t.kind == "party_insolvent" and (e.get(f"{t.party}_insolvent") is True or (
                    name == "incident_started" and e.get("kind") == f"{t.party}_insolvency")):
                st.insolvent = True
            elif t.kind == "rating_below":
                party = t.party or "originator"
                if f"{party}_rating" in e:
                    st.rating = str(e[f"{party}_rating"])
                if name == "rating_changed" and e["actor"] == party and e.get("new"):
                    st.rating = str(e["new"])
            elif t.kind == "issuance_failure" and name == "issuance_terminated":
                st.issuance_failed = st.issuance_failed or f"series {e.get('series')}"
            elif t.kind == "successor_not_appointed" and t.party in waits:
                start, kind = waits[t.party]
                if name == start and (kind is None or e.get("kind") == kind) \
                        and st.waiting_since is None:
                    st.waiting_since = log.day(e)
                elif name == "successor_appointed" and e.get("role") == t.party:
                    st.waiting_since = None
            elif t.kind == "interest_unpaid":
                if e["seq"] in dist_steps:
                    owed = [o for s in dist_steps[e["seq"]].steps
                            if (o := log.interest_owed(s, t.classes)) is not None]
                    if owed and sum(owed) > 0:
                        st.arrears_since = st.arrears_since or log.day(e)
                        st.arrears_owed = sum(owed)
                    elif owed:
                        st.arrears_since, st.arrears_owed = None, 0
                if e["seq"] in outside and outside[e["seq"]].note_class in t.classes \
                        and st.arrears_since is not None:
                    st.arrears_owed -= outside[e["seq"]].amount_fen
                    if st.arrears_owed <= 0:
                        st.arrears_since, st.arrears_owed = None, 0
        if name != "day_closed":
            continue
        revolving = e.get("period") == "revolving"
        cutoff = log.initial_cutoff_fen
        for t in terms.triggers:
            st = state[t.name]
            if t.kind == "npl_ratio" and cutoff:
                npl = int(e.get("pool_non_performing_fen") or 0)
                if t.basis == "principal_plus_fees":
                    npl += int(e.get("pool_npl_fees_fen") or 0)
                st.run = st.run + 1 if npl * PPM > (t.threshold_ppm or 0) * cutoff else 0
            elif t.kind == "pool_below_notes":
                pool, notes = e.get("pool_outstanding_fen"), e.get("notes_outstanding_fen")
                if revolving and isinstance(pool, int) and isinstance(notes, int) \
                        and pool * 100 < (t.pct or 0) * notes:
                    st.count += 1
        if e["seq"] not in wanted:
            continue
        day = log.day(e)
        held = overdue.get(e["seq"], 0) if excuses.on(day) is None else 0
        rows = []
        for t in terms.triggers:
            key = t.key
            want = expected.get(key)
            got = fired.get(key)
            row = {"name": t.name, "kind": t.kind, "clause": t.clause, "effect": t.log_kind,
                   "use_waterfall": t.use_waterfall,
                   **_metric_rows(log, t, state[t.name], e, held),
                   "condition_held_on": want.date.isoformat()
                   if want is not None and want.date <= day else None,
                   "fired_on": got["date"] if got is not None and got["date"] <= day.isoformat()
                   else None,
                   "fired_seq": got["seq"] if got is not None and got["date"] <= day.isoformat()
                   else None,
                   "recomputed": t.name not in skip}
            row["status"] = "fired" if row["fired_on"] else (
                "held" if row["condition_held_on"] else "not_met")
            rows.append(row)
        for seq in wanted[e["seq"]]:
            snap[seq] = rows
    return snap


# ---------------------------------------------------------------- the enrichment
def _between(events: list[Event], start: str | None, end: str) -> list[Event]:
    return [e for e in events if (start is None or e["date"] > start) and e["date"] <= end]


def _balances(log: AuditLog, close: Event | None) -> dict[str, int]:
    if close is None:
        return {}
    out: dict[str, int] = {}
    reserves = close.get(RESERVES_FIELD) or {}
    for a in log.internal_accounts:
        if f"{a}_fen" in close:
            out[a] = int(close.get(f"{a}_fen") or 0)
        elif a in reserves:
            out[a] = int(reserves[a] or 0)
    return out


def _coupon(c: dict[str, Any], date: str) -> str | None:
    step = c.get("step_up") or None
    if isinstance(step, dict) and str(step.get("date")) <= date:
        return str(step.get("coupon_pct"))
    return None if c.get("coupon_pct") is None else str(c.get("coupon_pct"))


def _eligibility(log: AuditLog, requests: list[Event]) -> dict[str, Any]:
    """The revolving purchases' eligibility evidence over a period, where the log has it."""
    rules = log.terms.eligibility
    stats = [e["eligibility"] for e in requests if isinstance(e.get("eligibility"), dict)]
    effective = log.terms.effective_date
    if not stats or rules is None:
        return {"evidence": False, "purchases": len(requests)}
    findings = sum(1 for e in requests if isinstance(e.get("eligibility"), dict)
                   and _loan_findings(e["eligibility"], effective, rules))

    def most(key: str) -> Any:
        vals = [s[key] for s in stats if s.get(key) is not None]
        return max(vals) if vals else None

    ages = [s["min_days_since_use"] for s in stats if s.get("min_days_since_use") is not None]
    levels: dict[str, int] = {}
    for s in stats:
        for k, n in (s.get("credit_levels") or {}).items():
            levels[str(k)] = levels.get(str(k), 0) + int(n)
    return {
        "evidence": True, "purchases": len(requests), "with_findings": findings,
        "criteria": [
            {"criterion": "max_obligor_balance", "limit_fen": rules.max_obligor_balance_fen,
             "worst_fen": most("max_obligor_balance_fen")},
            {"criterion": "overdue_loans", "limit": 0, "worst": most("overdue_loans")},
            {"criterion": "max_worst_overdue_days", "limit": rules.max_worst_overdue_days,
             "worst": most("max_worst_overdue_days")},
            {"criterion": "min_days_since_use", "limit": rules.min_days_since_use,
             "worst": min(ages) if ages else None},
            {"criterion": "max_last_instalment",
             "limit": add_months(effective, rules.last_instalment_months).isoformat(),
             "worst": most("max_last_instalment")},
            {"criterion": "credit_levels",
             "limit": ", ".join(sorted(x.removeprefix("Level") for x in rules.credit_levels)),
             "worst": ", ".join(f"{k}: {n}" for k, n in sorted(levels.items()))},
        ],
    }


def _duties(log: AuditLog, prev: str | None, date: str, late_seqs: dict[int, str]) -> dict[str, Any]:
    """How the parties performed their duties over the period (prev, date]."""
    swept = _between(log.of("collections_swept"), prev, date)
    received = _between(log.of("collections_received"), prev, date)
    requests = _between(log.of("purchase_requested"), prev, date)
    issued = _between(log.of("instruction_issued"), prev, date)
    executed = _between(log.of("instruction_executed"), prev, date)
    late_exec = 0
    for e in executed:
        ins = log.instructions.get(str(e.get("instruction")))
        if ins is not None and str(ins.get("value_date") or ins["date"]) < e["date"]:
            late_exec += 1
    incidents = [{"date": e["date"], "seq": e["seq"], "event": e["event"],
                  "what": str(e.get("kind") or e.get("cause") or e.get("clause")
                              or e.get("role") or e.get("request") or e.get("new") or "")}
                 for e in _between(log.of(*INCIDENT_EVENTS), prev, date)]
    return {
        "servicer": {"collections": len(received),
                     "collections_fen": sum(int(e.get("amount_fen") or 0) for e in received),
                     "sweeps": len(swept),
                     "swept_fen": sum(int(e.get("amount_fen") or 0) for e in swept),
                     "late_sweeps": sum(1 for d in late_seqs.values()
                                        if (prev is None or d > prev) and d <= date),
                     "available_funds_notices": len(_between(
                         log.of("available_funds_notified"), prev, date))},
        "originator": {"purchase_requests": len(requests),
                       "late_requests": sum(1 for e in requests if e.get("late") is True),
                       "rejected": len(_between(log.of("purchase_rejected"), prev, date)),
                       "transfers": len(_between(log.of("receivables_transferred"), prev, date))},
        "trustee": {"instructions_issued": len(issued)},
        "custodian": {"instructions_executed": len(executed),
                      "executed_after_value_date": late_exec},
        "incidents": incidents,
    }


def enrich(log: AuditLog, reports: list[dict[str, Any]], owner: dict[int, int]) -> None:
    """Add the deal, parties, classes and series, accounts, defaults, eligibility, the
    trigger table, the parties' duties and the next payment date to each report."""
    cfg = log.config or {}
    terms = log.terms
    closes = log.of("day_closed")
    by_class = {str(c.get("name")): c for c in cfg.get("classes") or [] if isinstance(c, dict)}
    series = _series(log, owner)
    cutoff = log.initial_cutoff_fen
    late_seqs = {x.event["seq"]: str(x.event["date"]) for x in replay(log).late}

    def close_before(date: str, inclusive: bool) -> Event | None:
        found = None
        for c in closes:
            if c["date"] > date or (c["date"] == date and not inclusive):
                break
            found = c
        return found

    as_of = {r["seq"]: close_before(r["payment_date"], True) for r in reports}
    triggers = _trigger_tables(log, as_of)
    requested = log.of("purchase_requested")
    lag = int(((cfg.get("dates") or {}).get("payment_lag_business_days")) or 0)
    cal = terms.calendar
    for i, r in enumerate(reports):
        date, prev = r["payment_date"], r["period_from"]
        day = dt.date.fromisoformat(date)
        calc = day
        for _ in range(lag):
            calc = cal.preceding(calc - dt.timedelta(days=1))
        before = close_before(calc.isoformat(), False)
        after = close_before(date, True)
        r["deal"] = {"name": cfg.get("name"), "source": cfg.get("source"),
                     "trust_effective_date": terms.effective_date.isoformat(),
                     "scheduled_revolving_end": terms.scheduled_revolving_end.isoformat()
                     if terms.revolves else None,
                     "legal_maturity": terms.legal_maturity.isoformat(),
                     "pool_kind": (cfg.get("pool") or {}).get("kind"),
                     "period": (after or {}).get("period")}
        r["parties"] = {role: dict(p) for role, p in (cfg.get("parties") or {}).items()
                        if isinstance(p, dict)}
        r["calculation_date"] = calc.isoformat()
        r["next_payment_date"] = reports[i + 1]["payment_date"] if i + 1 < len(reports) else None
        r["accounts"] = {"before_date": before["date"] if before else None,
                         "before": _balances(log, before),
                         "after_date": after["date"] if after else None,
                         "after": _balances(log, after)}
        classes = []
        for t in r["tranches"]:
            c = by_class.get(t["class"], {})
            cterms = next((x for x in terms.classes if x.name == t["class"]), None)
            face = cterms.size_fen if cterms else 0
            row: dict[str, Any] = {
                **t, "face_fen": face, "rating": c.get("rating"),
                "coupon_pct": _coupon(c, date),
                "period_income_cap_pct": (c.get("period_income") or {}).get("cap_pct")
                if isinstance(c.get("period_income"), dict) else None,
                "day_count": c.get("day_count"),
                "expected_maturity": str(c.get("expected_maturity"))
                if c.get("expected_maturity") else None,
                "rolling": t["class"] in series,
                "principal_per_100_cny": per_100(t["principal_paid_fen"], face),
                "interest_per_100_cny": per_100(t["interest_paid_fen"], face),
                "note_factor": factor(t["closing_fen"], face),
                "series": []}
            for s in series.get(t["class"], []):
                opening, closing = s.balance(date, False), s.balance(date, True)
                principal = sum(a for d, a in s.repaid if d == date)
                interest = sum(a for d, a in s.interest if d == date)
                new = s.face_fen if s.issued_on == date else 0
                if not (opening or closing or principal or interest or new):
                    continue
                row["series"].append({
                    "series": s.number, "face_fen": s.face_fen, "issued_on": s.issued_on,
                    "expected_maturity": s.expected_maturity, "opening_fen": opening,
                    "issued_fen": new, "principal_paid_fen": principal,
                    "interest_paid_fen": interest, "closing_fen": closing,
                    "principal_per_100_cny": per_100(principal, s.face_fen),
                    "interest_per_100_cny": per_100(interest, s.face_fen),
                    "note_factor": factor(closing, s.face_fen)})
            if row["rolling"] and row["series"]:
                row["expected_maturity"] = row["series"][-1]["expected_maturity"]
            classes.append(row)
        r["classes"] = classes
        p = r["pool_performance"]
        prev_close = close_before(prev, True) if prev else None
        defaulted = sum(int((after or {}).get(f) or 0) for f in DEFAULTED_FIELDS)
        defaulted_before = sum(int((prev_close or {}).get(f) or 0) for f in DEFAULTED_FIELDS)
        p["cumulative_defaulted_fen"] = defaulted
        p["defaulted_in_period_fen"] = defaulted - defaulted_before
        p["cumulative_default_rate_pct"] = pct(defaulted, cutoff)
        p["initial_pool_fen"] = cutoff
        p.update(prepayment_rates(prev_close, after, terms.effective_date))
        r["eligibility"] = _eligibility(log, _between(requested, prev, date))
        r["trigger_table"] = triggers.get(r["seq"], [])
        r["duties"] = _duties(log, prev, date, late_seqs)
