"""The required amount (必备金额) the trustee reserves each accrual period [一.4.3, note 10].

It is what the trustee must pay on or before the first payment date after the accrual
period — taxes, agents' fees and expenses counted at the senior expense cap, senior
interest, and mezz interest and sub period income when that date pays them — times a
factor the report's footnote cuts off (config, default 100%, flagged). Amounts that
accrue after today are projected: fees and interest at today's balances, taxes on the
income received so far plus the trailing daily income rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.config.models import DealConfig
from trustsim.contract.dues import DuesBook, interest_due, period_fees, sub_period_income
from trustsim.contract.notes import NoteClass
from trustsim.contract.schedule import PaymentDate
from trustsim.money import round_fen


@dataclass(frozen=True, slots=True)
class RequiredAmount:
    target_date: dt.date
    taxes_fen: int
    fees_fen: int
    senior_interest_fen: int
    mezz_interest_fen: int
    sub_income_fen: int
    factor_pct: Decimal
    total_fen: int


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
    after the last accrual period is an amortization one). What it owes the note classes
    is :func:`.dues.interest_due`'s; mezz interest presented behind the senior's principal
    is not payable on it and is not reserved.
    """
    fees = deal.fees
    outstanding = sum(n.outstanding_fen for n in notes.values())
    projected_income = dues.income_since_last_fen + income_per_day_fen * max(
        0, (target.date - today).days)
    f = period_fees(fees, dues.last_payment_date, target.date, projected_income, outstanding)
    days = max(0, (target.date - dues.last_payment_date).days)
    cap = round_fen(Decimal(fees.senior_expense_cap_cny_per_year) * 100 * days
                    / DAY_COUNT_BASIS[fees.day_count])
    carried = sum(dues.carried.values())
    fee_total = f.counsel + f.rating + sum(f.agents.values()) + cap + carried
    due = interest_due(deal, target, revolving=revolving)
    senior = notes["senior"].projected_interest(target.date) if due.senior else 0
    mezz = (notes["mezz"].projected_interest(target.date)
            if due.mezz and not due.mezz_after_senior else 0)
    sub = (sub_period_income(deal, notes["sub"].outstanding_fen, target.date)
           if due.sub_income else 0)
    factor = Decimal(deal.revolving_purchase.required_amount_factor_pct)
    base = f.taxes + fee_total + senior + mezz + sub
    return RequiredAmount(target.date, f.taxes, fee_total, senior, mezz, sub, factor,
                          round_fen(Decimal(base) * factor / 100))
