"""The deal language's triggers: a library of kinds, each configured with its clause,
threshold, duration and effect.

A trigger's ``clause`` is what the log's ``trigger_fired`` event cites; its ``effect``
says what happens when it fires: ``end_revolving`` (an acceleration event: revolving ends,
the amortization waterfall applies), ``event_of_default`` (revolving ends, the post-default
waterfall applies and a trust that terminates with notes unpaid is liquidated), or
``{use_waterfall: NAME}`` (the named waterfall applies from the next payment date on, e.g.
principal turns sequential). The conditions are code (trustsim.contract.triggers).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from trustsim.config.base import BusinessDays, Count, Days, Pct, PositiveBusinessDays, Rating, Strict
from trustsim.config.structure import Name


class UseWaterfall(Strict):
    use_waterfall: Name


Effect = Annotated[
    Literal["end_revolving", "event_of_default"] | UseWaterfall,
    Field(description="end_revolving | event_of_default | {use_waterfall: NAME}"),
]


class _Trigger(Strict):
    name: Name = Field(description="the trigger's unique name (scenarios address it by it)")
    clause: str = Field(min_length=1, max_length=64, description="the clause the log cites")
    effect: Effect = "end_revolving"

    @property
    def effect_kind(self) -> str:
        """The log's ``kind``: acceleration, default or waterfall_switch."""
        if self.effect == "end_revolving":
            return "acceleration"
        if self.effect == "event_of_default":
            return "default"
        return "waterfall_switch"


class PartyInsolvent(_Trigger):
    """A party becomes insolvent (a calendar day's fact)."""

    kind: Literal["party_insolvent"]
    party: Literal["originator"]


class SuccessorNotAppointed(_Trigger):
    """A party must be replaced and no qualified successor within ``days`` calendar days."""

    kind: Literal["successor_not_appointed"]
    party: Literal["servicer", "trustee"]
    days: Days


class TransferFailure(_Trigger):
    """The servicer does not sweep on time and in full without an accepted explanation
    (an explanation covers at most ``revolving_purchase.reserve_delay_max_business_days``)."""

    kind: Literal["transfer_failure"]


class NplRatio(_Trigger):
    """Non-performing balance / the initial pool above ``threshold_pct`` (not included) on
    ``consecutive_business_days`` consecutive business days."""

    kind: Literal["npl_ratio"]
    threshold_pct: Pct
    consecutive_business_days: Count
    basis: Literal["principal", "principal_plus_fees"] = "principal"


class RatingBelow(_Trigger):
    """A party's long-term rating falls below ``floor``."""

    kind: Literal["rating_below"]
    party: Literal["originator"]
    floor: Rating


class PoolBelowNotes(_Trigger):
    """In revolving, the pool's principal below ``pct`` of the notes outstanding on a
    cumulative ``cumulative_business_days`` business days."""

    kind: Literal["pool_below_notes"]
    pct: Pct
    cumulative_business_days: Count


class IssuanceFailure(_Trigger):
    """A rolling class's next series cannot be issued on the previous one's maturity."""

    kind: Literal["issuance_failure"]


class CumulativeDefaultRate(_Trigger):
    """Principal defaulted since the effective date / the initial pool at or above
    ``threshold_pct`` at a business day's close."""

    kind: Literal["cumulative_default_rate"]
    threshold_pct: Pct


class InterestUnpaid(_Trigger):
    """Interest due to ``classes`` unpaid ``grace_business_days`` business days after the
    payment date (0: no grace, the payment date's close). Until then, cash that arrives pays
    the date's arrears through the waterfall in force, up to these classes' interest."""

    kind: Literal["interest_unpaid"]
    classes: list[Name] = Field(min_length=1)
    grace_business_days: BusinessDays


class PrincipalUnpaidAtLegalMaturity(_Trigger):
    """Principal unpaid ``grace_business_days`` business days after legal maturity."""

    kind: Literal["principal_unpaid_at_legal_maturity"]
    grace_business_days: BusinessDays


class UnresolvedBreak(_Trigger):
    """A reconciliation break — the trust's accounts disagreeing with what the trustee was told
    or instructed — that the party at fault (``parties``; every party if absent) has not
    corrected ``business_days`` business days after the trustee logged it and asked for the
    correction (fires at that day's close)."""

    kind: Literal["unresolved_break"]
    business_days: PositiveBusinessDays
    parties: list[Literal["servicer", "custodian"]] | None = Field(
        default=None, min_length=1, description="whose breaks count (absent: every party's)")


TriggerConfig = Annotated[
    PartyInsolvent | SuccessorNotAppointed | TransferFailure | NplRatio | RatingBelow
    | PoolBelowNotes | IssuanceFailure | CumulativeDefaultRate | InterestUnpaid
    | PrincipalUnpaidAtLegalMaturity | UnresolvedBreak,
    Field(discriminator="kind"),
]


class DeclaredEvents(Strict):
    """Events the noteholders' meeting declares (scenario incidents of kind declared_event):
    a failure under a curable clause is an event only if not cured within ``cure_days``."""

    cure_days: Days
    curable_clauses: list[str] = Field(default_factory=list)
    may_be_found_incurable: list[str] = Field(
        default_factory=list, description="curable clauses whose failure the trustee may find "
                                          "incurable, so the meeting is convened at once")
