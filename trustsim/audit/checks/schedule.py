"""[一.4.4(2)] Every payment date the contract sets is held, once, and no other.

Recomputed from the deal (``config.json``) and two facts of the log — the day revolving
ended (``period_changed`` to amortization) and the day the trust terminated — never from
the simulator's schedule:

* revolving period: each calculation date (every ``dates.calculation_every_months``
  months from the effective date, month end when the month has no such day) and each
  expected maturity of the rolling class's series (``classes[i].rolling_series``, if a
  class rolls) before the scheduled revolving end, up to and including the day
  revolving ended;
* amortization: a calculation date by ``dates.amortization_schedule`` after the
  revolving-period end — every N business days from it, or, every N months, each date N,
  2N, ... months from the effective date (its day of the month, month end when the month
  has no such day) after it — and the legal maturity date (the latest expected
  maturity of any class plus ``dates.legal_maturity_months_after_last_expected`` months,
  the next business day if not one). A static pool (``revolving_months: 0``) has no
  revolving payment dates: amortization counts from the effective date;
* business days are the run's own for payment dates (``calendar.rules``, see
  calendar.md); the grace of an interest_unpaid trigger counts the events-of-default
  family's days;
* the payment date of a calculation date is that date under ``dates.payment_convention``
  plus ``dates.payment_lag_business_days`` (the next business day when there is no lag);
  a series maturity is paid on the next business day;
* the trust's termination day is the last calculation date, so a distribution on it is
  always in order.

A payment date missing, logged twice (the termination day's final distribution aside)
or logged on a day the contract does not set is a finding. A grace payment
(``grace_for``: interest arrears paid late within an ``interest_unpaid`` trigger's grace)
is not a payment date of its own; it must follow a payment date that left interest of
that trigger's classes unpaid, by at most its ``grace_business_days``, before any event
of default. A deal without such a trigger grants no grace.
"""

from __future__ import annotations

import datetime as dt

from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome
from trustsim.audit.terms import DealTerms
from trustsim.calendar import monthly_dates


def _pay_on(terms: DealTerms, calc: dt.date) -> dt.date:
    cal, rules = terms.calendars.of("payment_dates"), terms.payment_dates
    d = cal.adjust(calc, rules.convention)
    return cal.add_business_days(d, rules.lag_bd) if rules.lag_bd else cal.following(d)


def contract_payment_dates(terms: DealTerms, revolving_end: dt.date | None,
                           last: dt.date) -> set[dt.date]:
    """The payment dates the contract sets up to ``last``, revolving having ended then."""
    cal, rules = terms.calendars.of("payment_dates"), terms.payment_dates
    out = {_pay_on(terms, c) for c in monthly_dates(terms.effective_date,
                                                    rules.calculation_every_months,
                                                    rules.revolving_end_unadjusted)}
    out |= {m for m in (cal.following(s) for s in rules.series_maturities)
            if m < terms.scheduled_revolving_end}
    if revolving_end is None and not terms.revolves:
        revolving_end = terms.effective_date       # a static pool amortizes from the start
    if revolving_end is None:
        return {d for d in out if d <= last}
    out = {d for d in out if d <= revolving_end}
    n = 1
    while (d := _pay_on(terms, rules.amortization_calculation_date(
            cal, terms.effective_date, revolving_end, n))) <= last:
        out.add(d)
        n += 1
    if revolving_end < terms.legal_maturity <= last:
        out.add(terms.legal_maturity)
    return {d for d in out if d <= last}


def payment_dates_scheduled(log: AuditLog) -> Outcome:
    out = Outcome()
    ended = next((e for e in log.of("period_changed") if e.get("period") == "amortization"),
                 None)
    terminated = next(iter(log.of("trust_terminated")), None)
    if not log.events:
        out.skipped = "empty log"
        return out
    # a liquidated trust terminates on the sale's day; the buyer's payment is distributed
    # later, on a final date "no later than the 2nd business day after termination and
    # liquidation" [一.4.2] — a final distribution, not a scheduled payment date
    sale = next(iter(log.of("liquidation_sale")), None)
    last = log.day(sale or terminated or log.events[-1])
    revolving_end = log.day(ended) if ended else None
    expected = contract_payment_dates(log.terms, revolving_end, last)
    held: dict[dt.date, list[dict]] = {}
    grace: list[dict] = []
    for e in log.of("payment_date"):
        if e.get("grace_for"):
            grace.append(e)
        elif not e.get("final"):
            held.setdefault(log.day(e), []).append(e)
    related = [e["seq"] for e in (ended, terminated) if e]
    _grace_payments(log, grace, held, out)
    rule = log.terms.payment_dates.amortization_rule
    for d in sorted(expected | set(held)):
        out.checked += 1
        logged = held.get(d, [])
        if not logged:
            after = next((e for e in log.of("payment_date") if log.day(e) > d), None)
            why = ""
            if not log.terms.revolves:
                why = (f" (a static pool: amortization payment dates {rule} from the "
                       f"effective date {log.terms.effective_date.isoformat()})")
            elif revolving_end and d > revolving_end:
                why = (f" (revolving ended {revolving_end.isoformat()}: amortization payment "
                       f"dates {rule})")
            out.fail(after["seq"] if after else None, d.isoformat(),
                     f"payment date {d.isoformat()} is not held{why}", *related)
        elif d not in expected and d != last:
            out.fail(logged[0]["seq"], d.isoformat(),
                     f"a payment date on {d.isoformat()}, a day the contract does not set",
                     *related)
        for e in logged[1:]:
            out.fail(e["seq"], d.isoformat(), f"payment date {d.isoformat()} is held twice",
                     logged[0]["seq"])
    return out


def _interest_short(log: AuditLog) -> dict[str, list[tuple[str, int]]]:
    """Payment date -> (classes, grace business days) of each ``interest_unpaid`` trigger
    whose classes' interest that payment date left unpaid."""
    out: dict[str, list[tuple[str, int]]] = {}
    for t in log.terms.triggers_of("interest_unpaid"):
        for d in log.distributions:
            owed = [log.interest_owed(s, t.classes) for s in d.steps]
            if sum(o for o in owed if o is not None) > 0:
                out.setdefault(d.date, []).append((", ".join(t.classes), t.grace_bd or 0))
    return out


def _grace_payments(log: AuditLog, grace: list[dict], held: dict[dt.date, list[dict]],
                    out: Outcome) -> None:
    """A grace payment (``grace_for``) pays a payment date's interest arrears late, within
    an ``interest_unpaid`` trigger's grace [一.4.4(1)]: after a payment date that left that
    trigger's classes' interest unpaid, at most its ``grace_business_days`` later, and
    never once an event of default has taken effect."""
    cal = log.terms.calendars.of("events_of_default")
    covers = log.terms.triggers_of("interest_unpaid")
    short = _interest_short(log) if grace else {}
    defaults = [e["seq"] for e in log.of("trigger_fired") if e.get("kind") == "default"]
    for e in grace:
        out.checked += 1
        d, of = log.day(e), dt.date.fromisoformat(str(e["grace_for"]))
        if not covers:
            out.fail(e["seq"], e["date"], f"a grace payment for {of.isoformat()}, but the deal "
                     f"has no interest_unpaid trigger to grant a grace")
            continue
        left = short.get(of.isoformat(), []) if of in held else []
        if not left:
            which = " or ".join(", ".join(t.classes) for t in covers)
            out.fail(e["seq"], e["date"], f"a grace payment for {of.isoformat()}, which is not "
                     f"a payment date that left {which} interest unpaid")
            continue
        limit = max(g for _c, g in left)
        if not of < d <= cal.add_business_days(of, limit):
            out.fail(e["seq"], e["date"], f"a grace payment for {of.isoformat()} on "
                     f"{e['date']}, outside the {limit} business days after it")
        elif any(q < e["seq"] for q in defaults):
            out.fail(e["seq"], e["date"], "a grace payment after an event of default took "
                     "effect: arrears wait for the post-default waterfall",
                     *[q for q in defaults if q < e["seq"]][:1])


CHECK = Check("payment_dates_scheduled", "一.4.4(2)",
              "every payment date the contract sets is held, once, and no other",
              payment_dates_scheduled)
