"""What each waterfall step is owed on a payment date [一.4.4(2)].

Taxes, fees and expenses accrue between payment dates; shortfalls are carried to the
next date and presented again in the same step ("所差金额应按以下顺序在下一期支付").
Note interest is booked on the note classes themselves (:mod:`.notes`); this module
turns both into the ``claims`` the waterfall engine pays.

Assumptions (each a config value): taxes are ``tax_rate`` of the non-principal
collections received since the last payment date; agents' fees are a percentage a year
of the outstanding note principal at the start of the period; counsel, rating and other
expenses are annual amounts pro rata by days; the senior expense cap applies pro rata by
days to the period's expenses, the excess being paid in the "expenses above cap" step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.config.models import DealConfig, Fees
from trustsim.contract.notes import NoteClass, period_income_cap
from trustsim.contract.schedule import PaymentDate
from trustsim.contract.waterfalls import Claim, WaterfallResult
from trustsim.money import FEN_PER_CNY, accrue, round_fen

TAX_AUTHORITY = "tax_authority"
COUNSEL = "trustee_counsel"
RATING_AGENCY = "rating_agency"
EXPENSES = "expenses"
#: steps whose shortfalls this book carries (note interest is carried on the notes)
FEE_STEPS = frozenset({"taxes", "trustee_counsel_fees", "rating_fees", "fees_within_cap",
                       "expenses_above_cap", "sub_income"})


@dataclass(frozen=True, slots=True)
class InterestDue:
    """Which classes' interest a payment date presents [Table 2, 一.4.4(2)]."""

    senior: bool
    mezz: bool
    mezz_after_senior: bool   # presented behind the senior's principal: payable once it is repaid
    sub_income: bool          # the sub's capped period income (revolving)


def interest_due(deal: DealConfig, pd: PaymentDate | None, *, revolving: bool) -> InterestDue:
    """What a payment date owes the note classes — the one place the rule is written.

    Revolving: senior interest at a series' expected maturity (or at every calculation
    date when the deal says it is paid quarterly); mezz interest and the sub's period
    income at their calculation date (the 4th in this deal). Amortization: senior and
    mezz interest on every payment date, the mezz's behind the senior's principal
    ("booked until senior is paid"); no sub period income. The waterfall, the required
    amount and anyone projecting a payment date ask this function.
    """
    if not revolving or pd is None:
        return InterestDue(senior=True, mezz=True, mezz_after_senior=True, sub_income=False)
    n, k = deal.notes, pd.calculation_index
    return InterestDue(
        senior=pd.series_maturity is not None or (
            n.senior.interest_frequency == "quarterly" and k is not None),
        mezz=k == n.mezz.revolving_income_calculation_date,
        mezz_after_senior=False,
        sub_income=k == n.sub.revolving_income_calculation_date,
    )


def sub_period_income(deal: DealConfig, sub_outstanding_fen: int, on: dt.date) -> int:
    """The sub's revolving period income to ``on``: capped a year on its balance [Table 2]."""
    sub = deal.notes.sub
    return period_income_cap(sub_outstanding_fen, sub.revolving_income_cap_pct,
                             deal.dates.trust_effective_date, on, sub.day_count)


def _annual(cny_per_year: Decimal, days: int, basis: int) -> int:
    return round_fen(Decimal(cny_per_year) * FEN_PER_CNY * days / basis)


@dataclass(slots=True)
class FeeClaims:
    """The period's new fee-type amounts, before carried shortfalls."""

    taxes: int
    counsel: int
    rating: int
    agents: dict[str, int]
    expenses_within_cap: int
    expenses_above_cap: int


def period_fees(fees: Fees, start: dt.date, end: dt.date, income_fen: int,
                notes_outstanding_fen: int) -> FeeClaims:
    """Fees and taxes that accrue over [start, end) on the given bases."""
    days = max(0, (end - start).days)
    basis = DAY_COUNT_BASIS[fees.day_count]
    expenses = _annual(fees.expenses_cny_per_year, days, basis)
    cap = _annual(fees.senior_expense_cap_cny_per_year, days, basis)
    within = min(expenses, cap)
    return FeeClaims(
        taxes=round_fen(Decimal(income_fen) * fees.tax_rate_pct / 100),
        counsel=_annual(fees.trustee_counsel_cny_per_year, days, basis),
        rating=_annual(fees.rating_tracking_cny_per_year, days, basis),
        agents={name: accrue(notes_outstanding_fen, pct, days, basis)
                for name, pct in fees.agents_pct_pa.items()},
        expenses_within_cap=within,
        expenses_above_cap=expenses - within,
    )


@dataclass(slots=True)
class DuesBook:
    """Fee-type claims carried between payment dates, and the tax base since the last one."""

    fees: Fees
    last_payment_date: dt.date
    income_since_last_fen: int = 0
    carried: dict[tuple[str, str], int] = field(default_factory=dict)

    def claims(
        self,
        on: dt.date,
        notes: dict[str, NoteClass],
        *,
        senior_interest: bool,
        mezz_interest: bool,
        sub_income_fen: int,
    ) -> dict[str, list[Claim]]:
        """Claims for every step on payment date ``on``; books note interest to ``on``."""
        outstanding = sum(n.outstanding_fen for n in notes.values())
        f = period_fees(self.fees, self.last_payment_date, on, self.income_since_last_fen,
                        outstanding)
        new: dict[tuple[str, str], int] = {
            ("taxes", TAX_AUTHORITY): f.taxes,
            ("trustee_counsel_fees", COUNSEL): f.counsel,
            ("rating_fees", RATING_AGENCY): f.rating,
            **{("fees_within_cap", f"agent:{a}"): v for a, v in f.agents.items()},
            ("fees_within_cap", EXPENSES): f.expenses_within_cap,
            ("expenses_above_cap", EXPENSES): f.expenses_above_cap,
        }
        if sub_income_fen:
            new[("sub_income", "sub_noteholders")] = sub_income_fen
        for key, carried in self.carried.items():
            new[key] = new.get(key, 0) + carried
        out: dict[str, list[Claim]] = {}
        for (step, payee), due in new.items():
            out.setdefault(step, []).append(Claim(payee, due))
        for n in notes.values():
            n.book_interest(on)
        senior, mezz, sub = notes["senior"], notes["mezz"], notes["sub"]
        if senior_interest:
            out["senior_interest"] = [Claim("senior_noteholders", senior.interest_unpaid_fen)]
        if mezz_interest:
            out["mezz_interest"] = [Claim("mezz_noteholders", mezz.interest_unpaid_fen)]
        out["senior_principal"] = [Claim("senior_noteholders", senior.outstanding_fen)]
        out["mezz_principal"] = [Claim("mezz_noteholders", mezz.outstanding_fen)]
        out["sub_principal"] = [Claim("sub_noteholders", sub.outstanding_fen)]
        return out

    def settle(self, on: dt.date, result: WaterfallResult) -> None:
        """Carry fee-type shortfalls forward and start the next period's tax base."""
        carried: dict[tuple[str, str], int] = {}
        for s in result.steps:
            if s.pay not in FEE_STEPS:
                continue
            for c, p in zip(s.claims, s.paid, strict=True):
                if c.due_fen > p:
                    carried[(s.pay, c.payee)] = c.due_fen - p
        self.carried = carried
        self.income_since_last_fen = 0
        self.last_payment_date = on

    def settle_late(self, result: WaterfallResult) -> None:
        """A late payment of carried amounts (a grace payment): what it presented and did not
        pay stays carried; the period's dates and tax base are the payment date's."""
        for s in result.steps:
            if s.pay not in FEE_STEPS:
                continue
            for c, p in zip(s.claims, s.paid, strict=True):
                if c.due_fen > p:
                    self.carried[(s.pay, c.payee)] = c.due_fen - p
                else:
                    self.carried.pop((s.pay, c.payee), None)
