"""The required amount (必备金额) the trustee reserves each accrual period [一.4.3, note 10].

It is what the trustee must pay on or before the first payment date after the accrual
period — taxes, fees (a capped fee counted at its cap), carried shortfalls, and the
interest or period income that date presents to each class — times a factor the deal
gives (Dongdao No. 3: the report's footnote cuts it off; 100%, flagged). Interest an
action presents only behind a class's principal (gated by a ``pay_principal`` step) is
not payable on that date and is not reserved. Amounts that accrue after today are
projected: fees and interest at today's balances, taxes on the income received so far
plus the trailing daily income rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from trustsim.config.models import DealConfig
from trustsim.config.structure import ReserveAccount
from trustsim.config.waterfalls import Action
from trustsim.contract.dues import (
    DuesBook,
    fee_accrual,
    fee_cap,
    interest_presented,
    period_income,
    step_up_accrual,
)
from trustsim.contract.notes import NoteClass
from trustsim.contract.schedule import PaymentDate
from trustsim.money import fen_from_wan, round_fen


@dataclass(frozen=True, slots=True)
class RequiredAmount:
    target_date: dt.date
    taxes_fen: int                # fees on income (taxes)
    fees_fen: int                 # every other fee, capped ones at their cap, and what is carried
    interest_fen: dict[str, int]  # each class's interest or period income, in seniority order
    factor_pct: Decimal
    total_fen: int

    def by_class(self, deal: DealConfig) -> dict[str, int]:
        """Every class's reserved interest or period income, in seniority order (0: none due)."""
        return {c.name: self.interest_fen.get(c.name, 0) for c in deal.classes}


def _reserved_behind_principal(deal: DealConfig, waterfall: str) -> set[str]:
    """Classes whose interest action in ``waterfall`` waits for a principal step."""
    actions = deal.waterfalls.get(waterfall, [])
    principal = {a.step for a in actions if a.key == "pay_principal"}
    return {c for a in actions if a.key == "pay_interest"
            and principal.intersection(a.after_paid_in_full) for c in a.targets}


def required_amount(
    deal: DealConfig,
    today: dt.date,
    target: PaymentDate,
    dues: DuesBook,
    notes: dict[str, NoteClass],
    income_per_day_fen: int,
    *,
    revolving: bool,
) -> RequiredAmount:
    """Project what ``target`` will need; see the module docstring for the rule.

    ``revolving``: whether ``target`` is a revolving payment date (the first payment date
    after the last accrual period is an amortization one, paid by the amortization waterfall).
    """
    outstanding = sum(n.outstanding_fen for n in notes.values())
    projected_income = dues.income_since_last_fen + income_per_day_fen * max(
        0, (target.date - today).days)
    days = max(0, (target.date - dues.last_payment_date).days)
    taxes = fees = 0
    for fee in deal.fees:
        if fee.basis == "pct_of_income":
            taxes += fee_accrual(fee, days, projected_income, outstanding, dues.pool_at_last_fen,
                                 dues.investment_income_since_last_fen, dues.principal_since_last_fen)
            continue
        cap = fee_cap(fee, days)
        fees += cap if cap is not None else fee_accrual(fee, days, projected_income, outstanding,
                                                       dues.pool_at_last_fen) + step_up_accrual(
            fee, dues.step_ups.get(fee.name), dues.last_payment_date, target.date, outstanding,
            dues.pool_at_last_fen)
    fees += sum(dues.carried.values())
    presented = interest_presented(deal, target, revolving=revolving)
    behind = set() if revolving else _reserved_behind_principal(deal, "amortization")
    interest: dict[str, int] = {}
    for c in deal.classes:
        if c.name not in presented or c.name in behind:
            continue
        interest[c.name] = (period_income(deal, c.name, notes[c.name].outstanding_fen,
                                          dues.income_start(c.name), target.date)
                            if c.period_income is not None
                            else notes[c.name].projected_interest(target.date))
    factor = Decimal(deal.revolving_purchase.required_amount_factor_pct) \
        if deal.revolving_purchase is not None else Decimal(100)
    base = taxes + fees + sum(interest.values())
    return RequiredAmount(target.date, taxes, fees, interest, factor,
                          round_fen(Decimal(base) * factor / 100))



# ---------------------------------------------------------------- eligible investment
def top_up(required_fen: int, reserved_fen: int, cash_fen: int, hold_fen: int) -> tuple[int, int]:
    """[一.4.3] The required amount is reserved before purchases may proceed: move what the
    eligible investment lacks of it from the trust account's cash, less what is held back for a
    grace payment. Returns (what to move, what is still short after it: <= 0 once reserved)."""
    short = required_fen - reserved_fen
    move = min(short, cash_fen - hold_fen)
    return (move, short - move) if move > 0 else (0, short)


# ---------------------------------------------------------------- reserve accounts
def account_target_fen(account: ReserveAccount, notes_fen: int) -> int:
    """A reserve account's target (the ``fund_account`` step's clause): a share of the notes
    outstanding, never below its floor, and nothing once the notes are repaid."""
    if notes_fen == 0:
        return 0
    return max(fen_from_wan(account.target.floor_wan),
               round_fen(Decimal(notes_fen) * account.target.pct_of_notes / 100))


def account_shortfalls(accounts: dict[str, ReserveAccount], steps: list[Action], notes_fen: int,
                       held_fen: dict[str, int]) -> dict[str, int]:
    """What each account a ``fund_account`` step funds lacks of its target today (the step's
    clause): the target counts the notes outstanding before the date's payments; a
    ``release_account`` step in the same waterfall empties the account first."""
    released = {a.targets[0] for a in steps if a.key == "release_account"}
    out: dict[str, int] = {}
    for a in steps:
        if a.key != "fund_account":
            continue
        r = accounts[a.targets[0]]
        held = 0 if r.name in released else held_fen[r.name]
        out[r.name] = max(0, account_target_fen(r, notes_fen) - held)
    return out


# ---------------------------------------------------------------- projected income
INCOME_WINDOW_DAYS = 30


def in_income_window(counted_on: dt.date, today: dt.date) -> bool:
    """[一.4.3] The required amount projects taxes on income at the trailing daily rate: the
    collections counted within the last ``INCOME_WINDOW_DAYS`` days before ``today`` (an
    assumption; the report gives no method)."""
    return (today - counted_on).days <= INCOME_WINDOW_DAYS


def income_per_day(window: Sequence[tuple[dt.date, int]]) -> int:
    """[一.4.3] The trailing daily income rate: the income counted in the window (date, fen),
    oldest first, over the calendar days it spans, rounded down (0: nothing counted)."""
    if not window:
        return 0
    span = max(1, (window[-1][0] - window[0][0]).days + 1)
    return sum(i for _, i in window) // span


def purchase_refused(revolving: bool, reserved: bool, price_fen: int, free_cash_fen: int) -> str | None:
    """[一.4.3] Why the trustee refuses a revolving purchase (None: it confirms it): only in the
    revolving period, only once the required amount is reserved, and only for a price the
    trust account's free cash (less what is held for a grace payment) pays."""
    if not revolving:
        return "revolving period has ended"
    if not reserved:
        return "required amount not yet reserved"
    if price_fen > free_cash_fen:
        return f"price {price_fen} fen exceeds free cash {free_cash_fen} fen"
    return None
