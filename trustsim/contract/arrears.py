"""Arrears of protected interest and their grace payment: event of default (a) [一.4.4(1)].

A payment date that leaves interest of a class the deal's ``interest_unpaid`` trigger
protects (Dongdao No. 3: the senior's) unpaid starts that trigger's grace; until the event
of default takes effect, cash that arrives pays what that date left unpaid up to and
including that interest, in the order of the waterfall in force [一.4.4(2)]. The trustee
keeps that much cash back from purchases meanwhile.
"""

from __future__ import annotations

import datetime as dt

from trustsim.config.waterfalls import Action
from trustsim.contract.notes import holders
from trustsim.contract.waterfalls import Claim, StepResult, WaterfallResult

Unpaid = dict[str, list[Claim]]   # a step's id -> what it left unpaid, claim by claim


def protected_steps(result: WaterfallResult, protected: set[str]) -> list[StepResult]:
    """[一.4.4(1)] The date's interest steps paying a class in ``protected`` (the classes of
    the deal's interest_unpaid triggers): the steps whose shortfall is an arrear."""
    payees = {holders(c) for c in protected}
    return [s for s in result.steps if s.action == "pay_interest"
            and any(c.payee in payees for c in s.claims)]


def arrears_since(since: dt.date | None, on: dt.date, steps: list[StepResult]) -> dt.date | None:
    """[一.4.4(1)] The day event of default (a)'s grace counts from after a payment on ``on``:
    the first payment date that left protected interest short, still running while any is
    short; paid in full, the grace ends (None); a payment with no protected step changes
    nothing."""
    if any(s.shortfall_fen > 0 for s in steps):
        return since or on
    return None if steps else since


def unpaid_through(result: WaterfallResult, last: str | None) -> Unpaid:
    """[一.4.4(2)] What the waterfall left unpaid in the steps up to and including ``last`` (the
    last protected interest step; None: nothing is kept) — what a grace payment may pay.
    Nothing ranking after that interest is paid early."""
    unpaid: Unpaid = {}
    if last is None:
        return unpaid
    for s in result.steps:
        short = [Claim(c.payee, c.due_fen - p, c.key)
                 for c, p in zip(s.claims, s.paid, strict=True) if c.due_fen > p]
        if short:
            unpaid[s.pay] = short
        if s.pay == last:
            break
    return unpaid


def held_for_grace(since: dt.date | None, unpaid: Unpaid) -> int:
    """[一.4.4(1)] Cash the trustee keeps from purchases while the grace runs: what is unpaid up
    to the protected interest (nothing once no grace runs)."""
    if not since:
        return 0
    return sum(c.due_fen for claims in unpaid.values() for c in claims)


def grace_steps(since: dt.date | None, on: dt.date, cash_fen: int, unpaid: Unpaid,
                steps: list[Action]) -> list[Action] | None:
    """[一.4.4(1)] The steps a grace payment on ``on`` runs — those of the waterfall in force that
    left something unpaid — or None, no grace payment: no cash, no arrears, or still the
    payment date itself."""
    if cash_fen <= 0 or since is None or on <= since or not unpaid:
        return None
    return [s for s in steps if s.step in unpaid]
