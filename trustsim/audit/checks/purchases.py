"""[一.4.3, 一.3] Revolving purchases: on time, within their limits, of eligible receivables.

Three clauses, three checks:

* reserve calculation — each accrual period's required amount is computed (the
  trustee's ``accrual_period_started``) within ``reserve_delay_max_business_days`` of
  the period's start, and the servicer's cash-available notice within that many business
  days of its base date; any event stating a ``delay_business_days`` stays within it;
  the required amount is computed at most once a day (a payment date on an accrual
  period's first business day computes it for both);
* purchase requests — sent within ``purchase_request_grace_business_days`` of the base
  date, with the purchase date at most that grace after the normal next business day;
  each request confirmed, paid on its purchase date for its price, and its receivables
  transferred — all only in the revolving period, once the required amount is reserved,
  at the configured price, within the cash the servicer said was available;
* eligibility — where purchase events carry loan data, the receivables meet the
  criteria of §7 (obligor balance, no current overdue, worst overdue and credit level,
  last instalment, seasoning). A log without loan data (the rep-line pool) skips it.

A static deal (no ``revolving_purchase``) buys nothing: a purchase request in its log is a
finding, and the reserve and grace checks have nothing to check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from trustsim.audit.checks.reconciliation import covered_instructions
from trustsim.audit.log import AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.audit.terms import EligibilityRules
from trustsim.calendar import add_months
from trustsim.money import round_fen


def _revolving_end(log: AuditLog) -> dt.date | None:
    end = _revolving_end_event(log)
    return log.day(end) if end is not None else None


def _revolving_end_event(log: AuditLog) -> Event | None:
    for e in log.of("period_changed"):
        if e.get("period") != "revolving":
            return e
    return None


STATIC = "a static deal (no revolving_purchase): no revolving purchases"


def reserve_calculation_delay(log: AuditLog) -> Outcome:
    out = Outcome()
    cal, limit = log.terms.calendars.of("purchases"), log.terms.reserve_delay_max_bd
    if limit is None:
        out.skipped = STATIC
        return out
    end = _revolving_end(log) or log.terms.scheduled_revolving_end
    last_day = log.day(log.events[-1])
    computed = log.of("accrual_period_started")
    for start in log.terms.accrual_starts:
        begin = cal.following(start)
        if begin >= end or begin > last_day:
            continue
        out.checked += 1
        deadline = cal.add_business_days(begin, limit)
        first = next((e for e in computed if log.day(e) >= begin), None)
        if first is None or log.day(first) > deadline:
            late_at = first or next((e for e in log.events if log.day(e) > deadline), None)
            if late_at is None or (first is None and log.day(late_at) >= end):
                continue   # revolving ended before the deadline: nothing left to compute
            out.fail(late_at["seq"], late_at["date"],
                     f"the required amount of the accrual period starting {start} is not "
                     f"computed by {deadline} ({limit} business days after {begin})")
    first_of_day: dict[str, Event] = {}
    for e in computed:
        out.checked += 1
        if e["date"] in first_of_day:
            out.fail(e["seq"], e["date"], f"the required amount is computed twice on "
                     f"{e['date']} (accrual_period_started logged again)",
                     first_of_day[e["date"]]["seq"])
        first_of_day.setdefault(e["date"], e)
    for e in log.of("available_funds_notified"):
        base = e.get("base_date")
        if base is None:
            continue
        out.checked += 1
        delay = cal.business_days_between(dt.date.fromisoformat(base), log.day(e))
        if delay > limit:
            out.fail(e["seq"], e["date"], f"cash available for base date {base} notified "
                                          f"{delay} business days late (limit {limit})")
    for e in log.events:
        stated = e.get("delay_business_days")
        if isinstance(stated, int) and "reserve" in e["event"]:
            out.checked += 1
            if stated > limit:
                out.fail(e["seq"], e["date"], f"{e['event']} states a delay of {stated} "
                                              f"business days (limit {limit})")
    return out


def purchase_request_grace(log: AuditLog) -> Outcome:
    out = Outcome()
    cal, grace = log.terms.calendars.of("purchases"), log.terms.request_grace_bd
    if grace is None:
        out.skipped = STATIC
        return out
    for e in log.of("purchase_requested"):
        out.checked += 1
        base = dt.date.fromisoformat(e["base_date"])
        sent = log.day(e)
        late = cal.business_days_between(base, sent) if sent > base else 0
        if late > grace:
            out.fail(e["seq"], e["date"], f"request {e.get('request')} sent {late} business "
                                          f"days after its base date {base} (grace {grace})")
        purchase = dt.date.fromisoformat(e["purchase_date"])
        latest = cal.add_business_days(base, 1 + grace)
        if purchase <= base or not cal.is_business_day(purchase):
            out.fail(e["seq"], e["date"], f"purchase date {purchase} is not a business day "
                                          f"after the base date {base}")
        elif purchase > latest:
            out.fail(e["seq"], e["date"], f"purchase date {purchase} is beyond the grace: at "
                                          f"the latest {latest}")
    for e in log.events:
        stated = e.get("grace_business_days")
        if isinstance(stated, int) and "purchase" in e["event"]:
            out.checked += 1
            if stated > grace:
                out.fail(e["seq"], e["date"], f"{e['event']} grants {stated} business days of "
                                              f"grace (limit {grace})")
    return out


def _reserved_periods(log: AuditLog) -> list[tuple[int, int | None]]:
    """(seq of each accrual_period_started, seq of the reservation that followed, if any)."""
    out: list[tuple[int, int | None]] = []
    for e in log.of("accrual_period_started", "required_amount_reserved"):
        if e["event"] == "accrual_period_started":
            out.append((e["seq"], None))
        elif out and out[-1][1] is None:
            out[-1] = (out[-1][0], e["seq"])
    return out


def revolving_purchases(log: AuditLog) -> Outcome:
    out = Outcome()
    end = _revolving_end_event(log)
    pct = log.terms.price_pct
    if pct is None:
        for e in log.of("purchase_requested"):
            out.checked += 1
            out.fail(e["seq"], e["date"], f"request {e.get('request')}: the deal is static "
                                          f"(no revolving_purchase) and buys no receivables")
        if not out.checked:
            out.skipped = STATIC
        return out
    periods = _reserved_periods(log)
    notices = {(e.get("base_date"), e["seq"]): e for e in log.of("available_funds_notified")}
    confirmed = {e.get("request"): e for e in log.of("purchase_confirmed")}
    rejected = {e.get("request") for e in log.of("purchase_rejected")}
    transferred = {e.get("request"): e for e in log.of("receivables_transferred")}
    paid: dict[str, Event] = {}
    for p in log.postings:
        if p.get("ref") is not None and p.get("event") == "instruction_executed":
            paid[str(p["ref"])] = p
    breaks = covered_instructions(log)   # a cash error in paying the price (reconciliation)
    for e in log.of("purchase_requested"):
        out.checked += 1
        seq, date, req = e["seq"], e["date"], e.get("request")
        base = dt.date.fromisoformat(e["base_date"])
        if end is not None and seq > end["seq"]:
            out.fail(seq, date, f"request {req} (base date {base}) made after the revolving "
                                f"period ended (seq {end['seq']}, {end['date']})", end["seq"])
        period = [p for p in periods if p[0] < seq]
        if not period or period[-1][1] is None:
            out.fail(seq, date, f"request {req}: the required amount of the accrual period "
                                f"is not reserved yet")
        price, principal = int(e.get("price_fen", 0)), int(e.get("principal_fen", 0))
        expected = round_fen(Decimal(principal) * pct / 100)
        tolerance = int(e.get("loans") or 0) if isinstance(e.get("loans"), int) else 0
        if abs(price - expected) > tolerance:
            out.fail(seq, date, f"request {req}: price {price} fen, the contract's price is "
                                f"{expected} fen ({pct}% of {principal} fen principal)")
        notice = [n for (b, s), n in notices.items() if b == e["base_date"] and s < seq]
        available = notice[-1]["amount_fen"] if notice else e.get("available_fen")
        if available is None:
            out.fail(seq, date, f"request {req}: no notice of the cash available on {base}")
        elif price > int(available):
            out.fail(seq, date, f"request {req}: price {price} fen exceeds the cash available "
                                f"({available} fen)")
        if req in rejected:
            continue
        c = confirmed.get(req)
        if c is None:
            out.fail(seq, date, f"request {req} is neither confirmed nor rejected")
            continue
        if int(c.get("amount_fen", -1)) != price:
            out.fail(c["seq"], c["date"], f"request {req} confirmed for {c.get('amount_fen')} "
                                          f"fen, requested at {price} fen", seq)
        pay = paid.get(str(req))
        t = transferred.get(req)
        if pay is None:
            out.fail(c["seq"], c["date"], f"request {req} confirmed but its price never paid")
            continue
        brk = breaks.get(str(pay.get("instruction")))
        if (pay["date"] != e["purchase_date"] or int(pay["amount_fen"]) != price) and brk:
            out.notes.append(f"request {req} paid {pay['amount_fen']} fen on {pay['date']}, due "
                             f"{price} fen on {e['purchase_date']}: reconciliation break {brk.id}")
        elif pay["date"] != e["purchase_date"] or int(pay["amount_fen"]) != price:
            out.fail(pay["seq"], pay["date"], f"request {req} paid {pay['amount_fen']} fen on "
                     f"{pay['date']}, due {price} fen on {e['purchase_date']}", seq)
        if t is None:
            out.fail(pay["seq"], pay["date"], f"request {req} paid but no receivables "
                                              f"transferred")
        elif (int(t.get("principal_fen", -1)) != principal or t["seq"] < pay["seq"]):
            out.fail(t["seq"], t["date"], f"request {req}: receivables transferred "
                     f"({t.get('principal_fen')} fen principal) differ from the request, or "
                     f"precede payment", seq, pay["seq"])
    return out


# ---------------------------------------------------------------- eligibility (§7)
def _level(name: object) -> str:
    """A credit level as the deal names it: 3, "3" and "Level3" are all Level3 (JSON keys are text)."""
    return f"Level{name}" if isinstance(name, int) or str(name).isdigit() else str(name)


def _loan_findings(rec: dict[str, Any], effective: dt.date, rules: EligibilityRules) -> list[str]:
    """Criteria a loan record (or a purchase's loan statistics) breaks."""
    bad = []
    bal = rec.get("obligor_balance_fen", rec.get("max_obligor_balance_fen"))
    if isinstance(bal, int) and bal > rules.max_obligor_balance_fen:
        bad.append(f"(d) obligor balance {bal} fen above {rules.max_obligor_balance_fen}")
    overdue = rec.get("days_overdue", rec.get("max_days_overdue", rec.get("overdue_loans")))
    if isinstance(overdue, int) and overdue > 0:
        bad.append(f"(e) currently overdue ({overdue})")
    worst = rec.get("worst_overdue_days", rec.get("max_worst_overdue_days"))
    if isinstance(worst, int) and worst > rules.max_worst_overdue_days:
        bad.append(f"(f) worst overdue {worst} days above {rules.max_worst_overdue_days}")
    level, levels = rec.get("credit_level"), rec.get("credit_levels")
    if level is not None:
        names = [level]
    elif isinstance(levels, dict):     # level -> count of receivables bought
        names = [k for k, n in levels.items() if n]
    elif isinstance(levels, list):
        names = levels
    else:
        names = []
    for name in names:
        if _level(name) not in rules.credit_levels:
            bad.append(f"(f) credit level {_level(name)}")
    last = rec.get("last_instalment", rec.get("max_last_instalment"))
    limit = add_months(effective, rules.last_instalment_months)
    if isinstance(last, str) and dt.date.fromisoformat(last) > limit:
        bad.append(f"(g) last instalment {last} after {limit}")
    age = rec.get("days_since_use", rec.get("min_days_since_use"))
    if isinstance(age, int) and age < rules.min_days_since_use:
        bad.append(f"(c) used {age} days ago, less than {rules.min_days_since_use}")
    return bad


LOAN_FIELDS = frozenset({"obligor_balance_fen", "max_obligor_balance_fen", "days_overdue",
                         "max_days_overdue", "overdue_loans", "worst_overdue_days",
                         "max_worst_overdue_days", "credit_level", "credit_levels",
                         "last_instalment", "max_last_instalment", "days_since_use",
                         "min_days_since_use"})
PURCHASE_EVENTS = ("purchase_requested", "receivables_transferred", "replacement_transferred")


def purchased_receivables_eligible(log: AuditLog) -> Outcome:
    out = Outcome()
    effective, rules = log.terms.effective_date, log.terms.eligibility
    if rules is None:
        out.skipped = "the deal file states no eligibility criteria (pool.eligibility)"
        return out
    for e in log.of(*PURCHASE_EVENTS):
        records: list[dict[str, Any]] = []
        if LOAN_FIELDS & e.keys():
            records.append(e)
        loans = e.get("loans")
        if isinstance(loans, list):
            records.extend(r for r in loans if isinstance(r, dict))
        stats = e.get("eligibility")
        if isinstance(stats, dict):
            records.append(stats)
        for rec in records:
            out.checked += 1
            for bad in _loan_findings(rec, effective, rules):
                who = rec.get("loan_id") or e.get("request") or e["event"]
                out.fail(e["seq"], e["date"], f"{who}: ineligible receivable: {bad}")
    if out.checked == 0:
        out.skipped = "the log carries no loan data (rep-line pool): eligibility not checkable"
    return out


RESERVE = Check("reserve_calculation_delay", "一.4.3",
                "reserve calculation delayed at most the configured business days",
                reserve_calculation_delay)
GRACE = Check("purchase_request_grace", "一.4.3",
              "purchase-request grace at most the configured business days",
              purchase_request_grace)
PURCHASES = Check("revolving_purchases", "一.4.3",
                  "purchases only in revolving, once reserved, at the price, within the cash, "
                  "paid and transferred", revolving_purchases)
ELIGIBLE = Check("purchased_receivables_eligible", "一.3 / DEAL §7",
                 "revolving purchases only of eligible receivables (where the log has loan data)",
                 purchased_receivables_eligible)
