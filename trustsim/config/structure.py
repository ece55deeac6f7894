"""The deal language's capital structure: note classes, accounts, fees and taxes.

Why a list of named classes and not fields per class: the engine must know no deal. A
class is whatever the deal file names it, in order of seniority; what a payment date owes
it is read from its ``interest`` rule, and which waterfall action pays it from the action
(trustsim.config.waterfalls). docs/deal-language.md is the reference of every field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from trustsim.config.base import Cny, Count, Pct, Strict, Wan

DayCount = Literal["ACT/365F", "ACT/360"]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                            description="a lower-case identifier: letters, digits, underscores")]


# ---------------------------------------------------------------- when interest is paid
class OnCalculationDates(Strict):
    """Paid at the revolving calculation dates with these numbers (1 = the first)."""

    calculation_dates: list[Count] = Field(min_length=1)


class EveryNCalculationDates(Strict):
    """Paid at every N-th revolving calculation date (every 3rd of monthly ones: quarterly)."""

    every_n_calculation_dates: Count


def _interest_shape(v: Any) -> str:
    """Which shape a revolving interest rule is: a word, or a mapping by its key."""
    if isinstance(v, dict):
        return "every_n" if "every_n_calculation_dates" in v else "dates"
    if isinstance(v, OnCalculationDates | EveryNCalculationDates):
        return "dates" if isinstance(v, OnCalculationDates) else "every_n"
    return "word"


RevolvingInterest = Annotated[
    Annotated[Literal["every_payment_date", "at_series_maturity", "none"], Tag("word")]
    | Annotated[OnCalculationDates, Tag("dates")]
    | Annotated[EveryNCalculationDates, Tag("every_n")],
    Discriminator(_interest_shape),
    Field(description="when the revolving period's payment dates present this class's interest "
                      "(or period income): every_payment_date, at_series_maturity (a rolling "
                      "class), none, {calculation_dates: [k, ...]}, {every_n_calculation_dates: N}"),
]


class InterestRule(Strict):
    """How a class's interest is paid in each period."""

    revolving: RevolvingInterest = "every_payment_date"
    amortization: Literal["every_payment_date", "none"] = Field(
        default="every_payment_date",
        description="amortization payment dates present interest (none: a class paid only the residual)")
    at_issuance_failure: bool = Field(
        default=False,
        description="the payment date on which a series' issuance failure ends revolving is the "
                    "revolving period's last: it presents this class's interest (or period "
                    "income) accrued to that day, in the revolving waterfall")


class PeriodIncome(Strict):
    """A class paid period income instead of a coupon: at most ``cap_pct`` a year of its balance
    from the effective date, out of what the waterfall has left (a subordinated class's
    revolving-period income)."""

    cap_pct: Pct


class StepUp(Strict):
    """A coupon that steps up: from ``date`` on, interest accrues at ``coupon_pct``."""

    date: dt.date = Field(description="the coupon steps up from this date")
    coupon_pct: Pct


class RollingSeries(Strict):
    """A class issued in rolling series [e.g. ABCP]: each series has the class's full size and
    its proceeds repay the series before it on that series' expected maturity."""

    expected_maturities: list[dt.date] = Field(min_length=1, description="series 1..N, increasing")

    @model_validator(mode="after")
    def _increasing(self) -> RollingSeries:
        ms = self.expected_maturities
        for i, (a, b) in enumerate(itertools.pairwise(ms), start=1):
            if b <= a:
                raise ValueError(f"expected_maturities[{i}] ({b}) must be after "
                                 f"expected_maturities[{i - 1}] ({a})")
        return self


class NoteClass(Strict):
    """One class of notes."""

    name: Name
    size_wan: Wan
    coupon_pct: Pct = Decimal(0)
    step_up: StepUp | None = None
    day_count: DayCount = "ACT/365F"
    rating: str | None = Field(default=None, max_length=16, description="e.g. AAAsf; unrated: null")
    expected_maturity: dt.date | None = Field(
        default=None, description="required unless the class rolls (then its last series')")
    rolling_series: RollingSeries | None = None
    interest: InterestRule = Field(default_factory=InterestRule)
    period_income: PeriodIncome | None = None

    @model_validator(mode="after")
    def _consistent(self) -> NoteClass:
        if self.rolling_series is None and self.expected_maturity is None:
            raise ValueError("expected_maturity: required (a class that rolls gives rolling_series instead)")
        if self.rolling_series is not None and self.expected_maturity is not None \
                and self.expected_maturity != self.rolling_series.expected_maturities[-1]:
            raise ValueError(f"expected_maturity ({self.expected_maturity}) must be the last series' "
                             f"(rolling_series.expected_maturities[-1], "
                             f"{self.rolling_series.expected_maturities[-1]}), or be left out")
        if self.interest.revolving == "at_series_maturity" and self.rolling_series is None:
            raise ValueError("interest.revolving: at_series_maturity needs rolling_series")
        if self.period_income is not None and self.coupon_pct:
            raise ValueError("coupon_pct: a class paid period_income has no coupon (give one or the other)")
        return self

    @property
    def final_expected_maturity(self) -> dt.date:
        if self.rolling_series is not None:
            return self.rolling_series.expected_maturities[-1]
        assert self.expected_maturity is not None
        return self.expected_maturity

    def coupon_on(self, d: dt.date) -> Decimal:
        if self.step_up is not None and d >= self.step_up.date:
            return self.step_up.coupon_pct
        return self.coupon_pct


# ---------------------------------------------------------------- accounts
class ReserveTarget(Strict):
    """A reserve account's target: a share of the notes outstanding, never below a floor."""

    pct_of_notes: Pct
    floor_wan: Wan = Decimal(0)


class ReserveAccount(Strict):
    """A reserve (or liquidity) account held at the custodian: funded at closing from the
    issuance proceeds, topped up by ``fund_account`` actions to its target and released into
    the available funds by ``release_account`` actions."""

    name: Name
    initial_wan: Wan
    target: ReserveTarget


class Accounts(Strict):
    """The trust's accounts besides the family's fixed ones (the collection account at the
    servicer, the trust account, the issuance proceeds account, eligible investments)."""

    eligible_investment_rate_pct: Pct
    reserves: list[ReserveAccount] = Field(default_factory=list)


# ---------------------------------------------------------------- fees and taxes
class _Fee(Strict):
    name: Name
    payee: str = Field(min_length=1, max_length=64, description="the ledger counterparty paid")
    day_count: DayCount = "ACT/365F"
    cap_cny_per_year: Cny | None = Field(
        default=None, description="at most this a year (pro rata by days) is paid where the fee "
                                  "is named; the excess waits for a pay_fees_above_cap action")


class FixedFee(_Fee):
    basis: Literal["fixed_per_year"]
    cny_per_year: Cny


class NotesFee(_Fee):
    basis: Literal["pct_of_notes"]
    pct_per_year: Pct = Field(description="of the notes outstanding at the period's start")


class PoolFee(_Fee):
    basis: Literal["pct_of_pool"]
    pct_per_year: Pct = Field(description="of the pool's principal at the period's start")


class IncomeFee(_Fee):
    basis: Literal["pct_of_income"]
    pct: Pct = Field(description="of the non-principal collections received in the period")
    income: Literal["obligor_income", "all_income", "all_collections"] = Field(
        default="obligor_income",
        description="obligor_income: the obligors' non-principal payments (interest, fees); "
                    "all_income: those and the eligible investments' income redeemed in the period; "
                    "all_collections: all of that and the obligors' principal payments")


Fee = Annotated[FixedFee | NotesFee | PoolFee | IncomeFee, Field(discriminator="basis")]


def check_unique(kind: str, names: list[str]) -> None:
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ValueError(f"{kind}[{i}]: the name {name!r} is used twice")
