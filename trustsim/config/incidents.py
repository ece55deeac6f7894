"""Operational faults a scenario can inject, and the remedies policy they interact with.

Each incident is a tagged model (``kind``) with the date it starts and, where it lasts, how
long; validators reject what cannot happen (a negative duration, a recovery rate above 1).
Dates are checked against the deal's life by :class:`trustsim.config.models.DealConfig`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from trustsim.config.base import Pct, Rating, Strict

Days = Annotated[int, Field(ge=0, description="calendar days")]
PositiveBD = Annotated[int, Field(ge=1, description="business days, at least 1")]
Fraction = Annotated[Decimal, Field(ge=0, le=1, description="a fraction, 0-1")]
Multiplier = Annotated[Decimal, Field(ge=0, le=1000)]


class SeriesIssuanceFailure(Strict):
    """Series ``series`` of the senior notes cannot be placed or paid in: automatic event (h)."""

    kind: Literal["series_issuance_failure"]
    series: int = Field(ge=2)


class ServicerOutage(Strict):
    """The servicer's systems are down: no sweep, the reserve calculation is late.

    The servicer notifies the delay the same day [一.4.3]; the delay may not exceed
    ``reserve_delay_max_business_days`` — beyond it the untransferred money is a failure to
    transfer without an accepted explanation (automatic event (c)).
    """

    kind: Literal["servicer_outage"]
    start: dt.date
    duration_business_days: PositiveBD


class ServicerTransferFailure(Strict):
    """The servicer does not transfer collections when due, for ``duration_business_days``."""

    kind: Literal["servicer_transfer_failure"]
    start: dt.date
    duration_business_days: PositiveBD
    explanation_accepted: bool = False


class ServicerInsolvency(Strict):
    """The servicer fails: what sits in the JD collection account is commingled in its estate.

    ``recovery_rate`` of it comes back to the trust ``recovery_delay_days`` later; a successor
    servicer takes over after ``successor_after_days`` (beyond the deal's limit: event (b)).
    """

    kind: Literal["servicer_insolvency"]
    start: dt.date
    recovery_rate: Fraction
    recovery_delay_days: Days
    successor_after_days: Days


class ServicerTermination(Strict):
    """A servicer termination event; a qualified successor is appointed after N days."""

    kind: Literal["servicer_termination"]
    start: dt.date
    successor_after_days: Days


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
    duration_business_days: PositiveBD
    explained_before_1600: bool = True


class AssetShortage(Strict):
    """The originator has fewer eligible receivables: the purchase rate falls to ``purchase_rate_pct``."""

    kind: Literal["asset_shortage"]
    start: dt.date
    duration_business_days: PositiveBD | None = None
    purchase_rate_pct: Pct


class ReturnSurge(Strict):
    """Returns and cancellations surge: lost assets at ``lost_pct_per_month`` of performing principal."""

    kind: Literal["return_surge"]
    start: dt.date
    duration_business_days: PositiveBD | None = None
    lost_pct_per_month: Pct


class CreditShock(Strict):
    """Defaults (and so delinquencies) multiply from ``start``, for a while or to the end."""

    kind: Literal["credit_shock"]
    start: dt.date
    duration_business_days: PositiveBD | None = None
    default_multiplier: Multiplier


class InvestmentLoss(Strict):
    """An eligible investment loses ``loss_pct`` of its principal (its counterparty fails)."""

    kind: Literal["investment_loss"]
    start: dt.date
    loss_pct: Pct


#: [一.4.4(1)] a failure to perform that is an event only if not cured in time: D(h) (within
#: 30 days of the trustee's written notice) and event of default (c) (within 30 days)
CURABLE_CLAUSES = frozenset({"D(h)", "c"})


class DeclaredEvent(Strict):
    """An event that needs a noteholder meeting: declared acceleration D(h)-D(k) or default (c).

    The trustee convenes the meeting when the event occurs; it meets
    ``meeting_after_business_days`` later and resolves ``declared``; a declared event takes
    effect on the date of the resolution. A failure under D(h) or (c) is an event only once
    ``triggers.declared_cure_days`` pass without a cure (the trustee's written notice goes
    the day it occurs): ``cured_after_days`` says when the party cures it (never, if
    absent); ``incurable`` that the trustee finds a D(h) failure incurable, so the meeting
    is convened at once.
    """

    kind: Literal["declared_event"]
    start: dt.date
    effect: Literal["acceleration", "default"]
    clause: Literal["D(h)", "D(i)", "D(j)", "D(k)", "c"]
    description: str = Field(min_length=1)
    meeting_after_business_days: PositiveBD
    declared: bool
    cured_after_days: Days | None = None
    incurable: bool = False

    @model_validator(mode="after")
    def _cure_only_where_the_contract_gives_one(self) -> DeclaredEvent:
        if self.cured_after_days is not None and self.clause not in CURABLE_CLAUSES:
            raise ValueError(f"cured_after_days: clause {self.clause} has no cure period "
                             f"(only {' and '.join(sorted(CURABLE_CLAUSES))} do)")
        if self.incurable and self.clause != "D(h)":
            raise ValueError(f"incurable: only a D(h) failure can be found incurable, "
                             f"not clause {self.clause}")
        if self.incurable and self.cured_after_days is not None:
            raise ValueError("cured_after_days: an incurable failure is not cured")
        return self


Incident = Annotated[
    SeriesIssuanceFailure | ServicerOutage | ServicerTransferFailure | ServicerInsolvency
    | ServicerTermination | TrusteeReplacement | OriginatorInsolvency | OriginatorDowngrade
    | LatePurchaseRequests | AssetShortage | ReturnSurge | CreditShock | InvestmentLoss
    | DeclaredEvent,
    Field(discriminator="kind"),
]


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
    after_business_days: PositiveBD
    price_pct_of_principal: Pct
    fair_value_pct_of_principal: Pct


class Remedies(Strict):
    over_term_repurchase: bool = Field(
        description="the originator repurchases over-term assets after an issuance termination")
    over_term_price_pct_of_principal: Pct
    servicer_purchase: ServicerPurchasePolicy | None = None
