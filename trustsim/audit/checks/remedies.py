"""[二.1(4)] The over-term repurchase after an issuance failure, delivery against payment.

From config.json (``remedies.over_term_*``, the rolling class's series maturities, the
calculation dates) and the log alone, for every ``issuance_terminated`` (series i could not
be issued on series i-1's expected maturity):

* with ``over_term_repurchase`` on, the trustee notices the over-term assets that day,
  after the event, citing ``over_term_clause``; their cutoff is the last calculation date
  before series i-1's expected maturity (the following business day when it is not one);
  the price is ``over_term_price_pct_of_principal`` of the noticed principal (half up), due
  ``over_term_pay_within_business_days`` business days after the notice; with it off, no
  notice;
* the price, with the notice's reference, reaches the trust account by that day, no more
  than noticed;
* the assets leave the pool (``over_term_repurchased``) on the day the price arrives and
  not before, no more than were noticed, and the amount paid is the deal's rate on the
  principal delivered (what was collected on them before is the trust's);
* the next payment date after the price arrives is the first the contract sets after that
  day, and it distributes the price (its cash holds at least the price kept).

A notice the originator could not honour (``repurchase_failed``) is noted, not failed.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trustsim.audit.checks.schedule import contract_payment_dates
from trustsim.audit.log import TRUST_ACCOUNT, AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.calendar import monthly_dates


def _fen(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cutoff(log: AuditLog, maturing: int) -> dt.date | None:
    """The last calculation date before series ``maturing``'s expected maturity."""
    rolling = next((c for c in log.terms.classes if c.rolls), None)
    if rolling is None or not 1 <= maturing <= len(rolling.series_maturities):
        return None
    terms = log.terms
    maturity = terms.calendars.of("payment_dates").following(rolling.series_maturities[maturing - 1])
    rules = terms.payment_dates
    calcs = [c for c in monthly_dates(terms.effective_date, rules.calculation_every_months,
                                      rules.revolving_end_unadjusted) if c < maturity]
    return max(calcs) if calcs else terms.effective_date


def _after(log: AuditLog, seq: int, *names: str) -> list[Event]:
    return [e for e in log.of(*names) if e["seq"] > seq]


def _one_failure(log: AuditLog, rem: dict[str, Any], failed: Event, out: Outcome) -> None:
    out.checked += 1
    day = failed["date"]
    notices = [e for e in log.of("over_term_repurchase_noticed")
               if e["date"] == day and e["seq"] > failed["seq"]]
    if not rem.get("over_term_repurchase"):
        for n in notices:
            out.fail(n["seq"], day, "over-term repurchase noticed, but the deal has none "
                                    "(remedies.over_term_repurchase: false)", failed["seq"])
        return
    if not notices:
        out.fail(failed["seq"], day, f"series {failed.get('series')} could not be issued; the "
                                     f"trustee noticed no over-term repurchase that day")
        return
    n = notices[0]
    clause = rem.get("over_term_clause")
    if n.get("clause") != clause:
        out.fail(n["seq"], day, f"the notice cites clause {n.get('clause')!r}, the deal says "
                                f"{clause!r}")
    want = _cutoff(log, int(failed.get("maturing_series") or 0))
    if want is not None and n.get("cutoff") != want.isoformat():
        out.fail(n["seq"], day, f"cutoff {n.get('cutoff')}; the last calculation date before "
                                f"series {failed.get('maturing_series')}'s maturity is {want}")
    pct = Decimal(str(rem.get("over_term_price_pct_of_principal")))
    principal, price = int(n.get("principal_fen") or 0), int(n.get("price_fen") or 0)
    if price != _fen(Decimal(principal) * pct / 100):
        out.fail(n["seq"], day, f"price {price} fen for {principal} fen of principal; at {pct}% "
                                f"it is {_fen(Decimal(principal) * pct / 100)} fen")
    within = int(rem.get("over_term_pay_within_business_days") or 1)
    pay_by = log.calendar.add_business_days(log.day(n), within)
    if n.get("pay_by") != pay_by.isoformat():
        out.fail(n["seq"], day, f"price due {n.get('pay_by')}; {within} business day(s) after "
                                f"the notice is {pay_by}")
    _paid_and_delivered(log, n, price, pay_by, pct, out)


def _paid_and_delivered(log: AuditLog, n: Event, price: int, pay_by: dt.date, pct: Decimal,
                        out: Outcome) -> None:
    ref = n.get("notice")
    if any(e["seq"] > n["seq"] for e in log.of("repurchase_failed")):
        out.notes.append(f"notice {ref} of {n['date']}: the originator could not repurchase")
        return
    paid = next((e for e in _after(log, n["seq"], "transfer_received")
                 if e.get("ref") == ref and e.get("debit") == TRUST_ACCOUNT), None)
    delivered = [e for e in log.of("over_term_repurchased") if e.get("notice") == ref]
    if paid is None:
        out.fail(n["seq"], n["date"], f"the price of notice {ref} ({price} fen) never reached "
                                      f"the trust account")
        for e in delivered:
            out.fail(e["seq"], e["date"], f"over-term assets of notice {ref} left the pool "
                                          f"without the price paid (delivery against payment)")
        return
    amount = int(paid.get("amount_fen") or 0)
    if amount > price:
        out.fail(paid["seq"], paid["date"], f"{amount} fen paid for notice {ref}; its price is "
                                            f"{price} fen", n["seq"])
    if log.day(paid) > pay_by:
        out.fail(paid["seq"], paid["date"], f"the price of notice {ref} arrived {paid['date']}, "
                                            f"after {pay_by}", n["seq"])
    if len(delivered) != 1:
        out.fail(paid["seq"], paid["date"], f"notice {ref}: {len(delivered)} deliveries of the "
                                            f"over-term assets, not one")
        return
    d = delivered[0]
    if d["date"] != paid["date"] or d["seq"] < paid["seq"]:
        out.fail(d["seq"], d["date"], f"the over-term assets of notice {ref} left the pool on "
                                      f"{d['date']}, the price arrived {paid['date']} (delivery "
                                      f"against payment)", paid["seq"])
    left = int(d.get("principal_fen") or 0)
    if left > int(n.get("principal_fen") or 0):
        out.fail(d["seq"], d["date"], f"{left} fen delivered, more than the {n.get('principal_fen')} "
                                      f"fen noticed", n["seq"])
    if amount != _fen(Decimal(left) * pct / 100):
        out.fail(paid["seq"], paid["date"], f"{amount} fen paid for {left} fen of principal "
                 f"delivered; at {pct}% it is {_fen(Decimal(left) * pct / 100)} fen", d["seq"])
    _distributed(log, paid, amount, out)


def _distributed(log: AuditLog, paid: Event, kept: int, out: Outcome) -> None:
    """The first payment date after the price arrives is the contract's next one, and holds it."""
    nxt = next(iter(_after(log, paid["seq"], "payment_date")), None)
    if nxt is None:
        out.fail(paid["seq"], paid["date"], "the repurchase price is never distributed")
        return
    ended = next((e for e in log.of("period_changed") if e.get("period") == "amortization"), None)
    end = log.day(ended) if ended is not None else None
    dates = sorted(d for d in contract_payment_dates(log.terms, end, log.day(nxt))
                   if d > log.day(paid))
    if dates and nxt["date"] != dates[0].isoformat():
        out.fail(nxt["seq"], nxt["date"], f"the repurchase price received {paid['date']} is "
                 f"distributed {nxt['date']}; the next payment date is {dates[0]}", paid["seq"])
    if int(nxt.get("available_fen") or 0) < kept:
        out.fail(nxt["seq"], nxt["date"], f"the payment date holds {nxt.get('available_fen')} fen, "
                 f"less than the {kept} fen of repurchase price kept", paid["seq"])


def over_term_repurchase(log: AuditLog) -> Outcome:
    out = Outcome()
    failures = log.of("issuance_terminated")
    if not failures:
        out.skipped = "no issuance failure"
        return out
    rem = dict(log.config.get("remedies") or {})
    for failed in failures:
        _one_failure(log, rem, failed, out)
    return out


CHECK = Check("over_term_repurchase", "二.1(4)",
              "after an issuance failure the over-term assets are noticed that day, paid for "
              "within the deal's business days, leave the pool the day the price arrives, and "
              "the price is distributed on the next payment date", over_term_repurchase)
