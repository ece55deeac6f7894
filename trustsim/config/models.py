"""The deal as data: strict pydantic models for every part of a trust's configuration.

Each model mirrors a section of the contract (DEAL.md); behaviour lives in code. Rules
that span fields (note sizes add up to the issue, series maturities in order, waterfall
gates that name earlier steps) are validators here, so a bad deal fails before a run.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from trustsim.config.base import (
    MAX_MONTHS,
    BusinessDays,
    Cny,
    Count,
    Days,
    Months,
    Pct,
    PositiveBusinessDays,
    PositiveDays,
    Rating,
    Seed,
    Strict,
    Wan,
)
from trustsim.config.calendar import CalendarSection
from trustsim.config.incidents import Incident, Remedies

DayCount = Literal["ACT/365F", "ACT/360"]
Convention = Literal["following", "preceding", "unadjusted"]


# ---------------------------------------------------------------- parties
class Originator(Strict):
    name: str
    long_term_rating: Rating


class Servicer(Strict):
    name: str
    designated_affiliate: str | None = None


class Party(Strict):
    name: str


class Parties(Strict):
    originator: Originator
    servicer: Servicer
    trustee: Party
    custodian: Party


# ---------------------------------------------------------------- dates
class Dates(Strict):
    trust_effective_date: dt.date
    pool_reference_date: dt.date
    revolving_months: Months
    revolving_end_convention: Convention
    calculation_every_months: Months
    amortization_every_business_days: PositiveBusinessDays
    payment_lag_business_days: BusinessDays
    payment_convention: Convention
    legal_maturity_months_after_sub: Annotated[int, Field(ge=0, le=MAX_MONTHS)]
    sweep_after_business_days: PositiveBusinessDays


# ---------------------------------------------------------------- notes
class SeniorNotes(Strict):
    size_wan: Wan
    coupon_pct: Pct
    day_count: DayCount
    max_series: Count
    series_expected_maturities: list[dt.date]
    interest_frequency: Literal["at_series_maturity", "quarterly"]

    @model_validator(mode="after")
    def _series(self) -> SeniorNotes:
        if len(self.series_expected_maturities) != self.max_series:
            raise ValueError(
                f"series_expected_maturities has {len(self.series_expected_maturities)} dates "
                f"but max_series is {self.max_series}"
            )
        ms = self.series_expected_maturities
        if any(b <= a for a, b in itertools.pairwise(ms)):
            raise ValueError("series_expected_maturities must be strictly increasing")
        return self


class MezzNotes(Strict):
    size_wan: Wan
    coupon_pct: Pct
    day_count: DayCount
    expected_maturity: dt.date
    revolving_income_calculation_date: Count


class SubNotes(Strict):
    size_wan: Wan
    revolving_income_cap_pct: Pct
    day_count: DayCount
    expected_maturity: dt.date
    revolving_income_calculation_date: Count


class Notes(Strict):
    issue_size_wan: Wan
    senior: SeniorNotes
    mezz: MezzNotes
    sub: SubNotes

    @model_validator(mode="after")
    def _sizes_add_up(self) -> Notes:
        total = self.senior.size_wan + self.mezz.size_wan + self.sub.size_wan
        if total != self.issue_size_wan:
            raise ValueError(
                f"senior + mezz + sub = {total} wan, but issue_size_wan is {self.issue_size_wan}"
            )
        return self


# ---------------------------------------------------------------- fees and taxes
class Fees(Strict):
    tax_rate_pct: Pct
    trustee_counsel_cny_per_year: Cny
    rating_tracking_cny_per_year: Cny
    agents_pct_pa: dict[str, Pct]
    expenses_cny_per_year: Cny
    senior_expense_cap_cny_per_year: Cny
    day_count: DayCount


# ---------------------------------------------------------------- revolving purchase
class RevolvingPurchase(Strict):
    required_amount_factor_pct: Annotated[Decimal, Field(ge=0, le=1000)]
    price_pct_of_principal: Annotated[Decimal, Field(gt=0, le=200)]
    eligible_investment_rate_pct: Pct
    reserve_delay_max_business_days: BusinessDays
    purchase_request_grace_business_days: BusinessDays


# ---------------------------------------------------------------- triggers
class Triggers(Strict):
    npl_ratio_pct: Pct
    npl_consecutive_business_days: Count
    npl_balance_basis: Literal["principal", "principal_plus_fees"]
    pool_vs_notes_pct: Pct
    pool_vs_notes_cumulative_business_days: Count
    originator_rating_floor: Rating
    successor_days: Days
    senior_interest_grace_business_days: BusinessDays
    principal_grace_business_days: BusinessDays
    declared_cure_days: Days


# ---------------------------------------------------------------- waterfalls
StepKind = Literal[
    "taxes",
    "trustee_counsel_fees",
    "rating_fees",
    "fees_within_cap",
    "senior_interest",
    "senior_principal",
    "mezz_interest",
    "mezz_principal",
    "expenses_above_cap",
    "sub_income",
    "sub_principal",
    "residual_to_sub",
    "retain",
]


class WaterfallStep(Strict):
    pay: StepKind
    clause: str = Field(min_length=1, description="the contract clause this step implements")
    after_paid_in_full: list[StepKind] = Field(
        default_factory=list,
        description="earlier steps that must be paid in full in the same run before this one pays",
    )


def _check_steps(name: str, steps: list[WaterfallStep]) -> None:
    seen: list[str] = []
    for i, step in enumerate(steps):
        if step.pay in seen:
            raise ValueError(f"{name}[{i}]: step {step.pay!r} appears twice")
        for gate in step.after_paid_in_full:
            if gate not in seen:
                raise ValueError(f"{name}[{i}]: gate {gate!r} is not an earlier step")
        seen.append(step.pay)
    terminal = {"residual_to_sub", "retain"}
    if steps and steps[-1].pay not in terminal:
        raise ValueError(f"{name}: the last step must be one of {sorted(terminal)}")


#: the step that repays each note class's principal
PRINCIPAL_STEPS = {"senior": "senior_principal", "mezz": "mezz_principal", "sub": "sub_principal"}


def _check_repays(name: str, steps: list[WaterfallStep]) -> None:
    """Once revolving ends, principal must be repayable: every class needs its principal step,
    before ``residual_to_sub`` takes what is left (a step after it is never paid)."""
    order = [s.pay for s in steps]
    end = order.index("residual_to_sub") if "residual_to_sub" in order else len(order)
    for cls, pay in PRINCIPAL_STEPS.items():
        if pay not in order:
            raise ValueError(f"{name}: no {pay!r} step, so the {cls} notes' principal could never be "
                             f"repaid; add one (before residual_to_sub)")
        if order.index(pay) > end:
            raise ValueError(f"{name}[{order.index(pay)}]: {pay!r} comes after 'residual_to_sub', which "
                             f"pays out everything left, so the {cls} notes' principal could never be repaid")


class Waterfalls(Strict):
    """The three orders of payment [一.4.4(2)]; the revolving one repays no principal (by design)."""

    revolving: list[WaterfallStep] = Field(min_length=1)
    amortization: list[WaterfallStep] = Field(min_length=1)
    post_default: list[WaterfallStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Waterfalls:
        for name in ("revolving", "amortization", "post_default"):
            _check_steps(name, getattr(self, name))
        for name in ("amortization", "post_default"):
            _check_repays(name, getattr(self, name))
        return self


# ---------------------------------------------------------------- termination
class CleanUpCall(Strict):
    """The originator's repurchase of a small remaining pool in amortization (清仓回购)."""

    pool_below_pct_of_initial: Annotated[Decimal, Field(gt=0, le=100)]
    price_pct_of_performing: Annotated[Decimal, Field(ge=0, le=200)]
    price_pct_of_overdue: Annotated[Decimal, Field(ge=0, le=200)]
    price_pct_of_non_performing: Annotated[Decimal, Field(ge=0, le=200)]


class Liquidation(Strict):
    """After an event of default, the receivables left at termination are sold, not handed
    over in kind: the report speaks of the trust's "termination and liquidation" and of a
    last calculation date after it [一.4.2]; the price is not given (a flagged assumption)."""

    price_pct_of_performing: Annotated[Decimal, Field(ge=0, le=200)]
    price_pct_of_overdue: Annotated[Decimal, Field(ge=0, le=200)]
    price_pct_of_non_performing: Annotated[Decimal, Field(ge=0, le=200)]
    sale_lag_business_days: Annotated[int, Field(
        ge=0, le=2, description="business days from termination to the buyer's payment; the "
                                "last calculation date is no later than the 2nd business day "
                                "after termination and liquidation [一.4.2]")]


class Termination(Strict):
    clean_up_call: CleanUpCall | None
    liquidation: Liquidation


# ---------------------------------------------------------------- pool
class RepLinePool(Strict):
    """The rating agency's four parameters applied to cohorts of purchased principal."""

    kind: Literal["rep_line"]
    initial_principal_wan: Wan
    yield_pct: Pct
    write_off_pct: Pct
    mpr_pct: Annotated[Decimal, Field(gt=0, le=100)]
    mpr_basis: Literal["outstanding", "initial"]
    purchase_rate_pct: Pct
    npl_after_days: PositiveDays
    charge_off_after_days: PositiveDays
    lost_pct_per_month: Pct = Field(
        description="returns and cancellations, % of performing principal a month (lost assets)")
    remaining_term_pct: dict[int, Pct] = Field(
        description="share of principal by remaining instalments, upper bound of each bucket")

    @model_validator(mode="after")
    def _timing(self) -> RepLinePool:
        total = sum(self.remaining_term_pct.values(), Decimal(0))
        if not self.remaining_term_pct or abs(total - 100) > Decimal("0.05"):
            raise ValueError(f"remaining_term_pct must add up to 100, got {total}")
        if self.charge_off_after_days <= self.npl_after_days:
            raise ValueError("charge_off_after_days must exceed npl_after_days")
        if self.write_off_pct >= 100:
            raise ValueError("write_off_pct must be below 100")
        return self


class LoanBehaviour(Strict):
    """How obligors of a loan-level pool pay (trustsim.pool.behaviour; docs/pool.md)."""

    p30_by_level_pct: dict[int, Pct] = Field(
        description="probability of reaching 30+ days overdue within 12 due dates, by credit level")
    cure_within_30_pct: Pct = Field(description="a missed instalment is cured within 1-30 days past due")
    cure_31_60_pct: Pct = Field(description="... within 31-60 days, once past 30")
    cure_61_90_pct: Pct = Field(description="... within 61-90 days, once past 60")
    full_prepayment_pct_per_month: Pct = Field(description="fee-bearing receivables repaid in full early")
    full_prepayment_no_fee_pct_per_month: Pct = Field(description="... fee-free receivables")
    partial_prepayment_pct_per_month: Pct
    partial_prepayment_min_pct: Pct = Field(description="smallest share of principal repaid early")
    partial_prepayment_max_pct: Pct = Field(description="largest share of principal repaid early")
    lost_pct_first_month: Pct = Field(description="returned or cancelled within 30 days of purchase")
    late_fee_pct_per_day: Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)]
    npl_after_days: PositiveDays
    charge_off_after_days: PositiveDays

    @model_validator(mode="after")
    def _consistent(self) -> LoanBehaviour:
        if sorted(self.p30_by_level_pct) != [1, 2, 3, 4, 5]:
            raise ValueError("p30_by_level_pct needs credit levels 1 to 5")
        if self.charge_off_after_days <= self.npl_after_days:
            raise ValueError("charge_off_after_days must exceed npl_after_days")
        if self.partial_prepayment_min_pct > self.partial_prepayment_max_pct:
            raise ValueError("partial_prepayment_min_pct exceeds partial_prepayment_max_pct")
        return self


class NewBusiness(Strict):
    """The originator's daily new receivables, from which the trust buys (trustsim.pool.newbusiness)."""

    daily_pct_of_initial: Annotated[Decimal, Field(gt=0, le=100)] = Field(
        description="principal originated a day, % of the initial pool's principal")
    repeat_obligor_pct: Pct
    inventory_days: int = Field(ge=3, le=25)
    level5_pct: Pct
    worst_dpd_over_30_pct: Pct
    warranty_breach_pct: Pct = Field(
        description="share breaching each of warranties (a), (b), (c: disputed), (h), (i)")


class Eligibility(Strict):
    """The eligibility criteria's parameters (DEAL.md §7)."""

    min_age_days: Days
    max_obligor_cny: Cny
    max_worst_dpd_days: Days
    credit_levels: list[Annotated[int, Field(ge=1, le=5)]] = Field(min_length=1)
    last_instalment_months: Months


class LoanLevelPool(Strict):
    """A loan tape (a file, or generated to the report's strata) run loan by loan."""

    kind: Literal["loan_level"]
    tape: str | None = Field(description="Parquet or CSV tape; null = generate one")
    tape_as_of: dt.date | None = Field(
        default=None, description="the tape's date when its file does not say it")
    scale: Annotated[Decimal, Field(gt=0, le=10)] = Field(
        description="generated tape: share of the report's 2,862,432 receivables")
    tape_seed: Seed = Field(description="generated tape: its own seed (the pool, not the run)")
    purchase_rate_pct: Pct
    behaviour: LoanBehaviour
    new_business: NewBusiness
    eligibility: Eligibility
    journal: bool = Field(description="keep every receivable's entry and exit (movements; --tape-at turns it on)")


PoolConfig = Annotated[RepLinePool | LoanLevelPool, Field(discriminator="kind")]


# ---------------------------------------------------------------- incidents and remedies
# (models in trustsim.config.incidents)


# ---------------------------------------------------------------- run
class Run(Strict):
    seed: Seed
    out: str = Field(min_length=1)


class DealConfig(Strict):
    """A whole deal: everything one run needs."""

    name: str = Field(min_length=1)
    source: str
    parties: Parties
    dates: Dates
    notes: Notes
    fees: Fees
    revolving_purchase: RevolvingPurchase
    triggers: Triggers
    waterfalls: Waterfalls
    termination: Termination
    remedies: Remedies
    pool: PoolConfig
    incidents: list[Incident] = Field(default_factory=list)
    calendar: CalendarSection = Field(default_factory=CalendarSection)
    run: Run

    @model_validator(mode="after")
    def _dates_fit(self) -> DealConfig:
        eff = self.dates.trust_effective_date
        first = self.notes.senior.series_expected_maturities[0]
        if first <= eff:
            raise ValueError(
                f"notes.senior.series_expected_maturities[0] ({first}) must be after "
                f"dates.trust_effective_date ({eff})"
            )
        for name, d in (("mezz", self.notes.mezz.expected_maturity),
                        ("sub", self.notes.sub.expected_maturity)):
            if d <= eff:
                raise ValueError(f"notes.{name}.expected_maturity must be after the effective date")
        from trustsim.calendar import CalendarRangeError
        from trustsim.config.incidents import EXCLUSIVE, first_overlap, span
        from trustsim.config.load import deal_calendar, legal_maturity

        last = legal_maturity(self)
        for i, inc in enumerate(self.incidents):
            if inc.kind == "series_issuance_failure":
                if inc.series > self.notes.senior.max_series:
                    raise ValueError(
                        f"incidents[{i}]: series {inc.series} does not exist "
                        f"(max_series is {self.notes.senior.max_series})"
                    )
                continue
            if not eff <= inc.start <= last:
                raise ValueError(
                    f"incidents[{i}] ({inc.kind}): start {inc.start} is outside the deal's life "
                    f"({eff} to legal maturity {last})"
                )
        if not any(inc.kind in EXCLUSIVE or getattr(inc, "duration_business_days", None) for inc in self.incidents):
            return self
        try:
            cal = deal_calendar(self)
        except CalendarRangeError:
            return self  # the loader names the date outside the calendar
        for i, inc in enumerate(self.incidents):
            try:
                if getattr(inc, "duration_business_days", None):
                    span(inc, cal)
            except CalendarRangeError as exc:
                raise ValueError(
                    f"incidents[{i}] ({inc.kind}).duration_business_days: {exc} (a run knows the business days "
                    f"of the years to legal maturity + 60 days)"
                ) from None
        overlap = first_overlap(self.incidents, cal)
        if overlap:
            raise ValueError(overlap)
        return self
