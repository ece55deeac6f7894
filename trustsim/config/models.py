"""The deal as data: the deal file's top level and the sections besides the capital
structure (trustsim.config.structure), waterfalls and triggers.

Each model mirrors a section of a contract; behaviour lives in code. Rules that span
sections (every name an action uses exists, every class can be repaid, ...) are in
trustsim.config.consistency, so a bad deal fails before a run. docs/deal-language.md is
the reference.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from trustsim.calendar import add_months
from trustsim.config.base import (
    MAX_MONTHS,
    BusinessDays,
    Cny,
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
from trustsim.config.consistency import check_structure
from trustsim.config.incidents import Incident, Remedies
from trustsim.config.servicing import Servicing, check_servicing
from trustsim.config.structure import Accounts, Fee, Name, NoteClass
from trustsim.config.triggers import DeclaredEvents, TriggerConfig
from trustsim.config.waterfalls import Action

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
    """The four parties of the trust, by name (the originator's rating is what trigger
    rating_below watches)."""

    originator: Originator
    servicer: Servicer
    trustee: Party
    custodian: Party


# ---------------------------------------------------------------- dates
class EveryBusinessDays(Strict):
    every_business_days: PositiveBusinessDays


class EveryMonths(Strict):
    every_months: Months


def _schedule_shape(v: Any) -> str:
    """Which shape a schedule mapping is, by its key (one error message, not one per shape)."""
    if isinstance(v, dict):
        return "months" if "every_months" in v else "business_days"
    return "months" if isinstance(v, EveryMonths) else "business_days"


AmortizationSchedule = Annotated[
    Annotated[EveryBusinessDays, Tag("business_days")] | Annotated[EveryMonths, Tag("months")],
    Discriminator(_schedule_shape),
    Field(description="amortization calculation dates from the revolving end: "
                      "{every_business_days: N} or {every_months: N}"),
]


class Dates(Strict):
    """The trust's dates and periods: when it starts, how long it revolves, when calculation
    and payment dates fall, legal maturity, the servicer's sweep lag."""

    trust_effective_date: dt.date
    pool_reference_date: dt.date
    revolving_months: Annotated[int, Field(ge=0, le=MAX_MONTHS, description="0: a static pool")]
    revolving_end_convention: Convention
    calculation_every_months: Months = Field(description="revolving calculation dates, months apart")
    amortization_schedule: AmortizationSchedule
    payment_lag_business_days: BusinessDays
    payment_convention: Convention
    legal_maturity_months_after_last_expected: Annotated[int, Field(
        ge=0, le=MAX_MONTHS, description="legal final maturity: this many months after the "
                                         "latest expected maturity of any class")]
    sweep_after_business_days: PositiveBusinessDays


# ---------------------------------------------------------------- revolving purchase
class RevolvingPurchase(Strict):
    """How the trust buys receivables in revolving: the required amount reserved first
    (a factor of what the next payment date needs), the price, the servicer's delay limits."""

    required_amount_factor_pct: Annotated[Decimal, Field(ge=0, le=1000)]
    price_pct_of_principal: Annotated[Decimal, Field(gt=0, le=200)]
    reserve_delay_max_business_days: BusinessDays
    purchase_request_grace_business_days: BusinessDays


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
    """How the trust ends early: the originator's clean-up call (null: none) and the sale of
    what is left after an event of default."""

    clean_up_call: CleanUpCall | None
    liquidation: Liquidation


# ---------------------------------------------------------------- pool
Factor = Annotated[Decimal, Field(ge=0, le=100, description="a multiple of the deal's own figure")]


class TermFactors(Strict):
    """The rep line's rates while receivables of some term are the longest the trust may buy,
    as multiples of the deal's own ``mpr_pct``, ``yield_pct`` and ``write_off_pct``."""

    mpr_factor: Annotated[Decimal, Field(gt=0, le=100)]
    yield_factor: Factor
    write_off_factor: Factor


class RepLinePool(Strict):
    """The rating agency's four parameters applied to cohorts of purchased principal."""

    kind: Literal["rep_line"]
    initial_principal_wan: Wan
    yield_pct: Pct
    write_off_pct: Pct
    mpr_pct: Annotated[Decimal, Field(gt=0, le=100)]
    mpr_basis: Literal["outstanding", "initial"]
    write_off_basis: Literal["each_lot", "pool_at_revolving_end"] = Field(
        default="each_lot",
        description="each_lot: every lot that enters the pool (the initial pool, each purchase) "
                    "defaults write_off_pct of its amount over its life, from the day it enters; "
                    "pool_at_revolving_end: nothing defaults while the trust revolves, and the pool "
                    "held when revolving ends defaults write_off_pct of that balance as it runs off")
    purchase_rate_pct: Pct
    npl_after_days: PositiveDays
    charge_off_after_days: PositiveDays
    lost_pct_per_month: Pct = Field(
        description="returns and cancellations, % of performing principal a month (lost assets)")
    remaining_term_pct: dict[int, Pct] = Field(
        description="share of principal by remaining instalments, upper bound of each bucket")
    last_instalment_months: Months | None = Field(
        default=None,
        description="eligibility: every receivable's last instalment falls within this many months "
                    "of the effective date (null: no such criterion); purchases take only the share "
                    "of new business that matures by then, and what is left is repaid on that date")
    by_longest_term: dict[Months, TermFactors] | None = Field(
        default=None,
        description="the term mix criterion (g) leaves (null: the deal's rates throughout): while "
                    "receivables of n instalments are the longest the trust may buy, the pool pays "
                    "these multiples of the deal's rates (the entry of the longest n that fits; "
                    "after the last fits, the shortest's)")

    @model_validator(mode="after")
    def _timing(self) -> RepLinePool:
        if self.by_longest_term is not None:
            if not self.by_longest_term:
                raise ValueError("by_longest_term: give at least one term, or null")
            if self.last_instalment_months is None:
                raise ValueError("by_longest_term needs last_instalment_months (criterion (g) sets "
                                 "which terms the trust may buy)")
            if self.mpr_basis != "outstanding":
                raise ValueError("by_longest_term applies to mpr_basis: outstanding only")
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
    """The run's defaults: its seed and run folder (both overridable on the command line)."""

    seed: Seed
    out: str = Field(min_length=1)


class DealConfig(Strict):
    """A whole deal: everything one run needs (docs/deal-language.md)."""

    name: str = Field(min_length=1, description="the deal's identifier (scenarios' applies_to name it)")
    source: str = Field(description="where the deal's terms come from")
    parties: Parties
    dates: Dates
    classes: list[NoteClass] = Field(
        min_length=1, description="note classes in order of seniority, the first paid first")
    accounts: Accounts = Field(description="eligible investments' rate and any reserve accounts")
    fees: list[Fee] = Field(default_factory=list, description="fees and taxes, each named, with its basis")
    revolving_purchase: RevolvingPurchase | None = Field(
        default=None, description="required when revolving_months > 0")
    triggers: list[TriggerConfig] = Field(
        default_factory=list, description="automatic events: kind, clause, parameters, effect")
    declared_events: DeclaredEvents = Field(
        default_factory=lambda: DeclaredEvents(cure_days=30),
        description="events a noteholder meeting declares: cure period and curable clauses")
    waterfalls: dict[Name, list[Action]] = Field(
        description="one ordered list of actions per status: revolving (if the deal revolves), "
                    "amortization, post_default, and any a trigger's use_waterfall names")
    termination: Termination
    remedies: Remedies = Field(description="asset remedies: over-term repurchase, the servicer's purchase")
    servicing: Servicing = Field(
        default_factory=Servicing,
        description="a servicer's failure and replacement: the notice redirecting obligors, the "
                    "backup servicer, the successor's fee, collections during the transfer")
    pool: PoolConfig = Field(description="the receivables: a rep line (rep_line) or loan by loan (loan_level)")
    incidents: list[Incident] = Field(
        default_factory=list, description="operational incidents on their dates (usually from a scenario)")
    calendar: CalendarSection = Field(
        default_factory=CalendarSection, description="which days are business days (docs/calendar.md)")
    run: Run

    # ------------------------------------------------------------ the language's lookups
    def note_class(self, name: str) -> NoteClass:
        return next(c for c in self.classes if c.name == name)

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.classes]

    @property
    def rolling_class(self) -> NoteClass | None:
        return next((c for c in self.classes if c.rolling_series is not None), None)

    @property
    def revolves(self) -> bool:
        return self.dates.revolving_months > 0

    def fee(self, name: str) -> Fee:
        return next(f for f in self.fees if f.name == name)

    def trigger_of(self, kind: str) -> list[TriggerConfig]:
        return [t for t in self.triggers if t.kind == kind]

    @property
    def legal_maturity_unadjusted(self) -> dt.date:
        last = max(c.final_expected_maturity for c in self.classes)
        return add_months(last, self.dates.legal_maturity_months_after_last_expected)

    # ------------------------------------------------------------ consistency
    @model_validator(mode="after")
    def _structure(self) -> DealConfig:
        check_structure(self)
        return self

    @model_validator(mode="after")
    def _servicing(self) -> DealConfig:
        check_servicing(self)
        return self

    @model_validator(mode="after")
    def _dates_fit(self) -> DealConfig:
        eff = self.dates.trust_effective_date
        for i, c in enumerate(self.classes):
            first = (c.rolling_series.expected_maturities[0] if c.rolling_series
                     else c.final_expected_maturity)
            if first <= eff:
                where = "rolling_series.expected_maturities[0]" if c.rolling_series else "expected_maturity"
                raise ValueError(f"classes[{i}] ({c.name}).{where} ({first}) must be after "
                                 f"dates.trust_effective_date ({eff})")
        from trustsim.calendar import CalendarRangeError
        from trustsim.config.incidents import EXCLUSIVE, SUCCESSOR_KINDS, first_overlap, span
        from trustsim.config.load import deal_calendar, legal_maturity

        last = legal_maturity(self)
        rolling = self.rolling_class
        for i, inc in enumerate(self.incidents):
            if inc.kind == "series_issuance_failure":
                if rolling is None or rolling.rolling_series is None:
                    raise ValueError(f"incidents[{i}]: no class of this deal rolls (rolling_series), "
                                     f"so no series issuance can fail")
                count = len(rolling.rolling_series.expected_maturities)
                if inc.series > count:
                    raise ValueError(
                        f"incidents[{i}]: series {inc.series} does not exist "
                        f"({rolling.name} has {count} series)"
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
                if getattr(inc, "duration_business_days", None) or inc.kind in SUCCESSOR_KINDS:
                    span(inc, cal, self.servicing)
            except CalendarRangeError as exc:
                where = ("duration_business_days" if getattr(inc, "duration_business_days", None)
                         else "start (the successor's takeover, servicing.backup)")
                raise ValueError(
                    f"incidents[{i}] ({inc.kind}).{where}: {exc} (a run knows the business days "
                    f"of the years to legal maturity + 60 days)"
                ) from None
        overlap = first_overlap(self.incidents, cal, self.servicing)
        if overlap:
            raise ValueError(overlap)
        return self
