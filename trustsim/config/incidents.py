"""Operational faults a scenario can inject, and the remedies policy they interact with.

Each incident is a tagged model (``kind``) with the date it starts and, where it lasts, how
long; validators reject what cannot happen (a negative duration, a recovery rate above 1).
Dates are checked against the deal's life by :class:`trustsim.config.models.DealConfig`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from trustsim.calendar import BusinessCalendar
from trustsim.config.base import BusinessDays, Days, Pct, PositiveBusinessDays, Rating, Strict
from trustsim.config.bounds import MAX_FEN
from trustsim.config.servicing import Servicing, SuccessorDays, takeover_date

Fraction = Annotated[Decimal, Field(ge=0, le=1, description="a fraction, 0-1")]
Multiplier = Annotated[Decimal, Field(ge=0, le=1000)]


class SeriesIssuanceFailure(Strict):
    """Series ``series`` of the senior notes cannot be placed or paid in: automatic event (h)."""

    kind: Literal["series_issuance_failure"]
    series: Annotated[int, Field(ge=2, le=10**9)]


class ServicerOutage(Strict):
    """The servicer's systems are down: no sweep, the reserve calculation is late.

    The servicer notifies the delay the same day [一.4.3]; the delay may not exceed
    ``reserve_delay_max_business_days`` — beyond it the untransferred money is a failure to
    transfer without an accepted explanation (automatic event (c)).
    """

    kind: Literal["servicer_outage"]
    start: dt.date
    duration_business_days: PositiveBusinessDays


class ServicerTransferFailure(Strict):
    """The servicer does not transfer collections when due, for ``duration_business_days``."""

    kind: Literal["servicer_transfer_failure"]
    start: dt.date
    duration_business_days: PositiveBusinessDays
    explanation_accepted: bool = False


class ServicerInsolvency(Strict):
    """The servicer fails: its JD collection account is frozen, and what sits there, and what
    obligors pay into it until they are redirected (the deal's ``servicing.redirection``),
    falls into its estate.

    ``recovery_rate`` of it comes back to the trust ``recovery_delay_days`` after the
    insolvency (or, if later, the day the frozen account stops receiving payments); a
    successor servicer takes over after ``successor_after_days`` calendar days, or, if not
    given, the deal's backup servicer after its takeover lag (beyond the deal's limit:
    event (b)).
    """

    kind: Literal["servicer_insolvency"]
    start: dt.date
    recovery_rate: Fraction
    recovery_delay_days: Days
    successor_after_days: SuccessorDays = None


class ServicerTermination(Strict):
    """A servicer termination event; a qualified successor takes over after
    ``successor_after_days`` calendar days, or, if not given, the deal's backup servicer after
    its takeover lag. The terminated servicer collects and sweeps until then."""

    kind: Literal["servicer_termination"]
    start: dt.date
    successor_after_days: SuccessorDays = None


class TrusteeReplacement(Strict):
    """The trustee must be replaced; a successor is appointed after N days (else event (d))."""

    kind: Literal["trustee_replacement"]
    start: dt.date
    successor_after_days: Days


class OriginatorInsolvency(Strict):
    """The originator becomes insolvent: automatic event (a); it can no longer sell or replace."""

    kind: Literal["originator_insolvency"]
    start: dt.date


class OriginatorDowngrade(Strict):
    """The rating agency moves the originator's long-term rating (below the floor: event (f))."""

    kind: Literal["originator_downgrade"]
    start: dt.date
    rating: Rating


class LatePurchaseRequests(Strict):
    """The originator's purchase requests are late (system upgrade...) for N business days."""

    kind: Literal["late_purchase_requests"]
    start: dt.date
    duration_business_days: PositiveBusinessDays
    explained_before_1600: bool = True


class AssetShortage(Strict):
    """The originator has fewer eligible receivables: the purchase rate falls to ``purchase_rate_pct``."""

    kind: Literal["asset_shortage"]
    start: dt.date
    duration_business_days: PositiveBusinessDays | None = None
    purchase_rate_pct: Pct


class ReturnSurge(Strict):
    """Returns and cancellations surge: lost assets at ``lost_pct_per_month`` of performing principal."""

    kind: Literal["return_surge"]
    start: dt.date
    duration_business_days: PositiveBusinessDays | None = None
    lost_pct_per_month: Pct


class CreditShock(Strict):
    """Defaults (and so delinquencies) multiply from ``start``, for a while or to the end."""

    kind: Literal["credit_shock"]
    start: dt.date
    duration_business_days: PositiveBusinessDays | None = None
    default_multiplier: Multiplier


class InvestmentLoss(Strict):
    """An eligible investment loses ``loss_pct`` of its principal (its counterparty fails)."""

    kind: Literal["investment_loss"]
    start: dt.date
    loss_pct: Pct


class DeclaredEvent(Strict):
    """An event that needs a noteholder meeting: declared acceleration D(h)-D(k) or default (c).

    The trustee convenes the meeting when the event occurs; it meets
    ``meeting_after_business_days`` later and resolves ``declared``; a declared event takes
    effect on the date of the resolution. A failure under D(h) or (c) is an event only once
    ``declared_events.cure_days`` pass without a cure (the trustee's written notice goes
    the day it occurs): ``cured_after_days`` says when the party cures it (never, if
    absent); ``incurable`` that the trustee finds a D(h) failure incurable, so the meeting
    is convened at once.
    """

    kind: Literal["declared_event"]
    start: dt.date
    effect: Literal["acceleration", "default"]
    clause: str = Field(min_length=1, max_length=64, description="the deal's clause, e.g. D(h)")
    description: str = Field(min_length=1)
    meeting_after_business_days: PositiveBusinessDays
    declared: bool
    cured_after_days: Days | None = None
    incurable: bool = False

    @model_validator(mode="after")
    def _cure_only_where_the_contract_gives_one(self) -> DeclaredEvent:
        if self.incurable and self.cured_after_days is not None:
            raise ValueError("cured_after_days: an incurable failure is not cured")
        return self


# ---------------------------------------------------------------- cash errors (reconciliation breaks)
# Each is one wrong movement of money, made by the party named, on the first occasion on or
# after ``start``; the trustee finds it on the first statement that shows it, logs a
# reconciliation break and asks the party at fault to correct it, which it does after the lag
# given here (docs/scenarios.md, "Cash errors"). A deal's ``unresolved_break`` trigger says
# what a break still open after its limit is.
SignedCny = Annotated[Decimal, Field(ge=-(MAX_FEN // 100), le=MAX_FEN // 100, decimal_places=2,
                                     description="CNY, to the fen; negative: less")]
PositiveCny = Annotated[Decimal, Field(gt=0, le=MAX_FEN // 100, decimal_places=2,
                                       description="CNY, to the fen, more than 0")]
Counterparty = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$",
                                    description="a ledger counterparty outside the trust")]
CorrectionLag = Annotated[BusinessDays, Field(description="business days after the trustee's "
                                                          "request that the party corrects")]


def _nonzero(error: Decimal) -> Decimal:
    if error == 0:
        raise ValueError("0 is no error; give more (positive) or less (negative)")
    return error


WrongBy = Annotated[SignedCny, AfterValidator(_nonzero)]


class SweepWrongAmount(Strict):
    """The servicer's first sweep on or after ``start`` moves ``error_cny`` more (from its own
    funds) or less (left in the collection account) than the collections it reports; it
    corrects ``corrected_after_business_days`` after the trustee asks (the excess returned by
    the trustee's instruction, the shortfall swept)."""

    kind: Literal["sweep_wrong_amount"]
    start: dt.date
    error_cny: WrongBy
    corrected_after_business_days: CorrectionLag


class PartialSweep(Strict):
    """The servicer's first sweep on or after ``start`` moves only ``swept_pct`` of the
    collections it reports (a batch that stopped half way); the rest stays in the collection
    account until it corrects, ``corrected_after_business_days`` after the trustee asks."""

    kind: Literal["partial_sweep"]
    start: dt.date
    swept_pct: Annotated[Decimal, Field(ge=0, lt=100, description="a percentage, 0 to below 100")]
    corrected_after_business_days: CorrectionLag


class SweepWrongDay(Strict):
    """The servicer's first sweep on or after ``start`` is reported that day but value-dated
    ``late_by_business_days`` business days later: the money reaches the trust account then."""

    kind: Literal["sweep_wrong_day"]
    start: dt.date
    late_by_business_days: PositiveBusinessDays


class MisdirectedPayment(Strict):
    """The custodian pays the first instruction on or after ``start`` to a party outside the
    trust's accounts to ``paid_to`` instead of the payee; ``returned_after_business_days`` after
    the trustee asks, it recovers the money and pays the payee."""

    kind: Literal["misdirected_payment"]
    start: dt.date
    paid_to: Counterparty = "wrong_beneficiary"
    returned_after_business_days: CorrectionLag


class UnidentifiedReceipt(Strict):
    """``amount_cny`` from ``payer`` arrives in the trust account on the first business day on
    or after ``start`` with no reference; the custodian identifies the payer
    ``identified_after_business_days`` after the trustee asks, and the trustee returns it."""

    kind: Literal["unidentified_receipt"]
    start: dt.date
    amount_cny: PositiveCny
    payer: Counterparty = "unknown_payer"
    identified_after_business_days: CorrectionLag


class CustodianLateExecution(Strict):
    """The custodian's morning batch on or after ``start`` leaves out its first instruction
    value-dated ahead (a revolving purchase's price, say): it executes it
    ``late_by_business_days`` business days after its value date. (Same-day instructions are
    executed as they come: a missed cut-off is their error.)"""

    kind: Literal["custodian_late_execution"]
    start: dt.date
    late_by_business_days: PositiveBusinessDays


class CustodianWrongAmount(Strict):
    """The custodian pays the first instruction on or after ``start`` to a party outside the
    trust's accounts ``error_cny`` more or less than instructed (never less than 1 fen nor more
    than the account holds); ``corrected_after_business_days`` after the trustee asks it
    recalls the excess from the payee or pays the rest."""

    kind: Literal["custodian_wrong_amount"]
    start: dt.date
    error_cny: WrongBy
    corrected_after_business_days: CorrectionLag


class MissedCutoff(Strict):
    """The trustee's same-day instructions reach the custodian after its cut-off on the first
    business day on or after ``start`` that it gives any: they execute the next business day."""

    kind: Literal["missed_cutoff"]
    start: dt.date


CashError = (SweepWrongAmount | PartialSweep | SweepWrongDay | MisdirectedPayment
             | UnidentifiedReceipt | CustodianLateExecution | CustodianWrongAmount | MissedCutoff)
#: the cash-error kinds, and which party makes each error
CASH_ERROR_PARTY: dict[str, str] = {
    "sweep_wrong_amount": "servicer", "partial_sweep": "servicer", "sweep_wrong_day": "servicer",
    "misdirected_payment": "custodian", "unidentified_receipt": "custodian",
    "custodian_late_execution": "custodian", "custodian_wrong_amount": "custodian",
    "missed_cutoff": "custodian",
}


Incident = Annotated[
    SeriesIssuanceFailure | ServicerOutage | ServicerTransferFailure | ServicerInsolvency
    | ServicerTermination | TrusteeReplacement | OriginatorInsolvency | OriginatorDowngrade
    | LatePurchaseRequests | AssetShortage | ReturnSurge | CreditShock | InvestmentLoss
    | DeclaredEvent | CashError,
    Field(discriminator="kind"),
]



# ---------------------------------------------------------------- incidents that cannot overlap
#: kinds that hold a party in one state while they last. The party is told "start" and "end"
#: and keeps no count, so a second incident of the kind starting while the first lasts would
#: be ended by the first's end (or, for an insolvency, happen to a party already insolvent):
#: refused, naming both (docs/scenarios.md).
EXCLUSIVE: dict[str, str] = {
    "servicer_outage": "the servicer's systems cannot go down again while they are down",
    "servicer_transfer_failure": "the servicer cannot start withholding transfers while it already is",
    "servicer_insolvency": "the servicer cannot become insolvent again before a successor is appointed",
    "servicer_termination": "the servicer cannot be terminated again before a successor is appointed",
    "trustee_replacement": "the trustee cannot be replaced again before a successor is appointed",
    "originator_insolvency": "the originator cannot become insolvent twice (an insolvency lasts to the end)",
    "late_purchase_requests": "the originator's requests cannot start being late while they already are",
    "asset_shortage": "the purchase rate can be lowered by one shortage at a time",
    "return_surge": "the lost-asset rate can be raised by one surge at a time",
    "credit_shock": "defaults can be multiplied by one shock at a time",
}
SUCCESSOR_KINDS = ("servicer_insolvency", "servicer_termination", "trustee_replacement")
#: kinds that hold the same party in the same state: a servicer insolvent or terminated awaits
#: one successor, so neither kind may start while the other's successor is awaited
SAME_STATE = {"servicer_insolvency": "servicer_replaced", "servicer_termination": "servicer_replaced"}
REPLACED_TWICE = ("the servicer cannot become insolvent or be terminated while a successor to it "
                  "is awaited (one successor ends both)")


def span(inc: Incident, cal: BusinessCalendar,
         servicing: Servicing | None = None) -> tuple[dt.date, dt.date | None]:
    """The day an incident starts and the day it ends (None: it lasts to the end of the deal).

    One definition for the incident desk, which ends it on that day, and for validation. A
    servicer's insolvency or termination ends when its successor takes over: the incident's
    ``successor_after_days``, else the deal's backup servicer (``servicing``).
    """
    if inc.kind == "trustee_replacement":
        return inc.start, inc.start + dt.timedelta(days=inc.successor_after_days)
    if inc.kind in SUCCESSOR_KINDS:
        return inc.start, takeover_date(inc.start, inc.successor_after_days,
                                        servicing or Servicing(), cal)
    n = getattr(inc, "duration_business_days", None)
    if n is None:
        return inc.start, None
    return inc.start, cal.add_business_days(cal.following(inc.start), n)


def first_overlap(incidents: Sequence[Incident], cal: BusinessCalendar,
                  servicing: Servicing | None = None) -> str | None:
    """Why two incidents of one exclusive kind cannot both happen, or None if none overlap.

    Two overlap when the later starts on or before the day the earlier ends (on that day the
    desk would both end one and start the other, in an order the user did not choose).
    """
    spans = {i: span(inc, cal, servicing) for i, inc in enumerate(incidents) if inc.kind in EXCLUSIVE}
    for j, (start_j, _) in spans.items():
        for i, (start_i, end_i) in spans.items():
            a, b = incidents[i], incidents[j]
            same = SAME_STATE.get(a.kind, a.kind) == SAME_STATE.get(b.kind, b.kind)
            if i == j or not same or (start_i, i) > (start_j, j):
                continue
            if end_i is None or start_j <= end_i:
                until = f"until {end_i}" if end_i else "to the end of the deal"
                fix = f"make them one incident, or start the later one after {end_i}" if end_i else "remove one"
                why = EXCLUSIVE[a.kind] if a.kind == b.kind else REPLACED_TWICE
                return (f"incidents[{j}] ({b.kind} from {start_j}) overlaps incidents[{i}] ({a.kind} from "
                        f"{start_i}, lasting {until}): {why}; {fix}")
    return None

# ---------------------------------------------------------------- remedies policy
class ServicerPurchasePolicy(Strict):
    """When the servicer (or its affiliate) uses its right to buy non-performing assets.

    The contract makes it an option [二.1(4)]; this policy says when a scenario exercises it:
    after the NPL ratio has been above ``npl_ratio_above_pct`` at 24:00 on
    ``after_business_days`` consecutive business days, it buys every non-performing asset
    the next business day at ``price_pct_of_principal``, which the trustee confirms only if it
    is no less than the fair value ``fair_value_pct_of_principal``.
    """

    npl_ratio_above_pct: Pct
    after_business_days: PositiveBusinessDays
    price_pct_of_principal: Pct
    fair_value_pct_of_principal: Pct


class Remedies(Strict):
    over_term_repurchase: bool = Field(
        description="the originator repurchases over-term assets after an issuance termination")
    over_term_price_pct_of_principal: Pct
    over_term_clause: str | None = Field(
        default=None, min_length=1, max_length=64,
        description="the clause the over-term repurchase's log events cite (required when "
                    "over_term_repurchase is true)")
    over_term_pay_within_business_days: PositiveBusinessDays = Field(
        default=1, description="the originator pays the price within this many business days "
                               "of the trustee's notice")
    servicer_purchase: ServicerPurchasePolicy | None = None
    clause: str | None = Field(
        None, description="the clause of the asset remedies (replacement or compensation of lost "
        "assets, the servicer's purchase): the trustee's confirmations of pool changes cite it")

    @model_validator(mode="after")
    def _clause_given(self) -> Remedies:
        if self.over_term_repurchase and self.over_term_clause is None:
            raise ValueError("over_term_clause: required when over_term_repurchase is true "
                             "(the clause the repurchase's log events cite, e.g. a section id)")
        return self
