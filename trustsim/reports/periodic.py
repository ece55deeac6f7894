"""The documents a trust publishes: a trustee report per payment date, a servicer report a month.

Why from the log: a trustee report states, for one payment date, what each class owed and
was paid, how the pool performed since the last date, which revolving purchases were
made and where each trigger stands; a servicer report states a month's collections,
transfers and pool movements. Both are sums over the log's events between two dates,
so anyone holding the log can reproduce them — which is what makes them auditable.
"""

from __future__ import annotations

from typing import Any

from trustsim.audit.checks.exposure import daily
from trustsim.audit.checks.sweep import replay
from trustsim.audit.log import COLLECTION_ACCOUNT, AuditLog, Event
from trustsim.reports.data import class_names, npl_trigger
from trustsim.reports.trustee import enrich

#: a close's pool by status and days past due (docs/model.md, "Pool performance"), in order
BUCKETS = {"pool_performing_fen": "current",
           "pool_overdue_1_30_fen": "1-30 days past due",
           "pool_overdue_31_60_fen": "31-60 days past due",
           "pool_overdue_61_90_fen": "61-90 days past due",
           "pool_non_performing_fen": "90+ days past due (non-performing)",
           "pool_charged_off_fen": "charged off (cumulative)",
           "pool_npl_fees_fen": "npl fees"}
#: a log written before the pool reported days past due: its overdue balance in one bucket
OVERDUE_ONLY = {"pool_overdue_fen": "1-90 days past due"}


def _buckets(close: Event | None) -> dict[str, int]:
    """Delinquency buckets of a day_closed snapshot: current, 1-30, 31-60, 61-90 and 90+ days
    past due (non-performing), charged off; fees on non-performing receivables if logged."""
    if close is None:
        return {}
    out: dict[str, int] = {}
    for key, label in BUCKETS.items():
        if key == "pool_overdue_1_30_fen" and key not in close:
            out.update({lab: int(close.get(k) or 0) for k, lab in OVERDUE_ONLY.items()})
        if key in close or key in ("pool_performing_fen", "pool_non_performing_fen",
                                   "pool_charged_off_fen"):
            out[label] = int(close.get(key) or 0)
    return out


class _Timeline:
    """Note balances and pool closes by date, for opening/closing figures."""

    def __init__(self, log: AuditLog) -> None:
        self.moves: list[tuple[str, str, int]] = []     # (date, class, +issued / -repaid)
        classes = set(class_names(log))
        for e in log.of("proceeds_received"):
            if e.get("note_class") in classes:
                self.moves.append((e["date"], e["note_class"], int(e["amount_fen"])))
        for p in log.payments:
            if p.note_class is not None and p.kind == "principal":
                self.moves.append((p.date, p.note_class, -p.amount_fen))
        self.closes = log.of("day_closed")

    def balance(self, cls: str, through: str, inclusive: bool) -> int:
        return sum(a for d, c, a in self.moves
                   if c == cls and (d <= through if inclusive else d < through))

    def close_on_or_before(self, date: str) -> Event | None:
        found = None
        for c in self.closes:
            if c["date"] > date:
                break
            found = c
        return found


def _between(events: list[Event], start: str | None, end: str) -> list[Event]:
    return [e for e in events if (start is None or e["date"] > start) and e["date"] <= end]


def _payment_dates(log: AuditLog) -> dict[int, int]:
    """Payment seq -> the payment date (distribution seq) it belongs to: the one the log ties
    it to, else the last payment date logged before it on its day (else its day's first),
    so a payment is counted once even when a day has two payment dates."""
    by_day: dict[str, list[int]] = {}
    for d in log.distributions:
        by_day.setdefault(d.date, []).append(d.seq)
    out: dict[int, int] = {}
    for p in log.payments:
        if p.distribution_seq is not None:
            out[p.seq] = p.distribution_seq
        elif p.date in by_day:
            seqs = by_day[p.date]
            out[p.seq] = max((s for s in seqs if s < p.seq), default=seqs[0])
    return out


def trustee_reports(log: AuditLog) -> list[dict[str, Any]]:
    """One report per payment date (each ``payment_date`` event); tranches most senior first."""
    tl = _Timeline(log)
    classes = class_names(log)
    npl_threshold_ppm, _clause = npl_trigger(log)
    out: list[dict[str, Any]] = []
    prev: str | None = None
    received = log.of("collections_received")
    requested = log.of("purchase_requested")
    transferred = log.of("receivables_transferred")
    rejected = log.of("purchase_rejected")
    fired = log.of("trigger_fired")
    cutoff = log.initial_cutoff_fen
    owner = _payment_dates(log)
    for d in log.distributions:
        date = d.date
        paid: dict[str, dict[str, int]] = {c: {"principal": 0, "interest": 0} for c in classes}
        for p in log.payments:
            if p.note_class is None or p.note_class not in paid:
                continue
            if owner.get(p.seq) == d.seq:
                paid[p.note_class]["principal" if p.kind == "principal" else "interest"] += \
                    p.amount_fen
        short = dict.fromkeys(classes, 0)
        for s in d.steps:
            for payee, (due, got) in s.payees.items():
                for c in classes:
                    if payee == f"{c}_noteholders" and not s.pay.endswith("principal"):
                        short[c] += due - got
        # a second payment date on the same day opens where the first closed; a class's
        # issuance that day (a rolling class's new series) counts on the day's first
        first = not out or out[-1]["payment_date"] != date
        opening = {c: tl.balance(c, date, inclusive=False) if first
                   else next(t["closing_fen"] for t in out[-1]["tranches"] if t["class"] == c)
                   for c in classes}
        issued = {c: sum(a for d_, c_, a in tl.moves if c_ == c and d_ == date and a > 0)
                  if first else 0 for c in classes}
        tranches = [{"class": c, "opening_fen": opening[c], "issued_fen": issued[c],
                     "principal_paid_fen": paid[c]["principal"],
                     "interest_paid_fen": paid[c]["interest"],
                     "interest_shortfall_fen": short[c],
                     "closing_fen": opening[c] + issued[c] - paid[c]["principal"]}
                    for c in classes]
        close = tl.close_on_or_before(date)
        prev_close = tl.close_on_or_before(prev) if prev else None
        coll = _between(received, prev, date)
        reqs = _between(requested, prev, date)
        done = _between(transferred, prev, date)
        pool = {
            "collections_principal_fen": sum(int(e.get("principal_fen") or 0) for e in coll),
            "collections_income_fen": sum(int(e.get("income_fen") or 0) for e in coll),
            "charged_off_in_period_fen": (int((close or {}).get("pool_charged_off_fen") or 0)
                                          - int((prev_close or {}).get("pool_charged_off_fen")
                                                or 0)),
            "pool_outstanding_fen": int((close or {}).get("pool_outstanding_fen") or 0),
            "npl_ratio_ppm": int((close or {}).get("npl_ratio_ppm") or 0),
            "pool_vs_notes_pct": (round(100 * int(close.get("pool_outstanding_fen") or 0)
                                        / int(close["notes_outstanding_fen"]), 2)
                                  if close and close.get("notes_outstanding_fen") else None),
        }
        purchases = {
            "requests": len(reqs), "rejected": len(_between(rejected, prev, date)),
            "settled": len(done),
            "principal_fen": sum(int(e.get("principal_fen") or 0) for e in done),
            "price_fen": sum(int(e.get("price_fen") or 0) for e in done),
            "loans": sum(int(e.get("loans") or 0) for e in done if isinstance(e.get("loans"), int))
            or None,
        }
        triggers = [{"kind": e.get("kind"), "clause": e.get("clause"), "fired_on": e["date"],
                     "seq": e["seq"]} for e in fired if e["date"] <= date]
        out.append({
            "payment_date": date, "seq": d.seq, "waterfall": d.waterfall,
            "period_from": prev, "available_fen": d.event.get("available_fen"),
            "remaining_fen": d.event.get("remaining_fen"),
            "final": bool(d.event.get("final")),
            "tranches": tranches,
            "waterfall_steps": [{"seq": s.event["seq"], "pay": s.pay,
                                 "clause": s.event.get("clause"), "due_fen": s.event.get("due_fen"),
                                 "paid_fen": s.event.get("paid_fen"),
                                 "shortfall_fen": s.event.get("shortfall_fen"),
                                 "gated_by": s.event.get("gated_by")} for s in d.steps],
            "pool_performance": pool,
            "delinquency": _buckets(close),
            "revolving_purchases": purchases,
            "triggers": {"fired": triggers,
                         "npl_ratio_ppm": pool["npl_ratio_ppm"],
                         "npl_threshold_ppm": npl_threshold_ppm,
                         "initial_cutoff_fen": cutoff,
                         "status": "fired: " + ", ".join(f"{t['kind']} ({t['clause']}) on "
                                                         f"{t['fired_on']}" for t in triggers)
                         if triggers else "no trigger has fired"},
        })
        prev = date
    enrich(log, out, owner)     # the deal, classes and series, accounts, triggers, duties
    return out


def servicer_reports(log: AuditLog) -> list[dict[str, Any]]:
    """One report per calendar month the trust lived in."""
    if not log.events:
        return []
    tl = _Timeline(log)
    late = replay(log).late
    exposure = daily(log, [COLLECTION_ACCOUNT])[COLLECTION_ACCOUNT]   # every calendar day
    months: list[str] = sorted({e["date"][:7] for e in log.events})
    out: list[dict[str, Any]] = []
    prev_close: Event | None = None
    for month in months:
        def in_month(name: str, m: str = month) -> list[Event]:
            return [e for e in log.of(name) if e["date"][:7] == m]
        coll, swept = in_month("collections_received"), in_month("collections_swept")
        closes = [c for c in tl.closes if c["date"][:7] == month]
        close = closes[-1] if closes else prev_close
        days = [x for x in exposure if x.date.isoformat()[:7] == month]
        peak = max(days, key=lambda x: x.peak_fen, default=None)   # the first day reaching it
        off = max((x for x in days if not x.business_day), key=lambda x: x.peak_fen, default=None)
        bought = in_month("receivables_transferred")
        out.append({
            "month": month,
            "collections_principal_fen": sum(int(e.get("principal_fen") or 0) for e in coll),
            "collections_income_fen": sum(int(e.get("income_fen") or 0) for e in coll),
            "collections_fen": sum(int(e.get("amount_fen") or 0) for e in coll),
            "swept_to_trust_fen": sum(int(e.get("amount_fen") or 0) for e in swept),
            "sweeps": len(swept),
            "late_transfers": len({x.event["seq"] for x in late if x.event["date"][:7] == month}),
            # the servicer's collection account over every calendar day of the month
            "collection_account_month_end_fen": days[-1].balance_fen if days else 0,
            "collection_account_peak_fen": peak.peak_fen if peak else 0,
            "collection_account_peak_date": peak.date.isoformat() if peak and peak.peak_fen else None,
            "collection_account_non_business_day_peak_fen": off.peak_fen if off else 0,
            "collection_account_average_fen": sum(x.balance_fen for x in days) // len(days)
            if days else 0,
            "collection_account_days_held": sum(1 for x in days if x.balance_fen > 0),
            "available_funds_notices": len(in_month("available_funds_notified")),
            "purchases": len(bought),
            "purchased_principal_fen": sum(int(e.get("principal_fen") or 0) for e in bought),
            "pool_opening_fen": int((prev_close or {}).get("pool_outstanding_fen") or 0)
            if prev_close else log.initial_cutoff_fen,
            "pool_closing_fen": int((close or {}).get("pool_outstanding_fen") or 0),
            "charged_off_fen": int((close or {}).get("pool_charged_off_fen") or 0)
            - int((prev_close or {}).get("pool_charged_off_fen") or 0),
            "npl_ratio_ppm_month_end": int((close or {}).get("npl_ratio_ppm") or 0),
            "delinquency_month_end": _buckets(close),
            "lost_assets_replaced_fen": sum(int(e.get("removed_fen") or 0)
                                            for e in in_month("lost_assets_replaced")),
            "servicer_purchases_fen": sum(int(e.get("principal_fen") or 0)
                                          for e in in_month("servicer_purchase_completed")),
        })
        prev_close = close
    return out
