"""The deal language's ``servicing`` section: how a servicer fails and how it is replaced.

What it says, each part a clause a servicing agreement writes (docs/deal-language.md,
"Servicing"; the timeline in docs/model.md, "A servicer that fails"):

* ``redirection`` — the perfection event (权利完善事件) an insolvency of the servicer is:
  the trustee notifies the obligors to pay the trust account, ``notice_after_business_days``
  after the insolvency; until then every payment lands in the frozen collection account, and
  after it ``still_paying_old_account_pct`` of them still do, a share that falls linearly to
  none over ``decay_days`` calendar days. What lands there is at risk: it falls into the
  servicer's estate, which gives back the scenario's ``recovery_rate`` of it.
* ``backup`` — a backup servicer (hot, warm or cold) that takes the servicing over
  ``takeover_business_days`` after a servicer termination event (an insolvency is one); the
  successor is in place from that day (trigger ``successor_not_appointed`` counts to it).
* ``fee`` and ``successor_fee_step_up_pct_per_year`` — the successor is paid the deal's
  servicer fee plus the step-up, from the takeover date.
* ``degraded_collections_pct``, ``degraded_shortfall_recovered_pct`` and
  ``degraded_shortfall_collected_over_days`` — while the servicing is being transferred (from
  the termination event to the takeover) obligors pay only this share of what they owe on
  its day; the successor collects the stated share of the shortfall, evenly over the stated
  days from the takeover, and the rest is never collected.

:func:`takeover_date` and :func:`old_account_share_ppm` are the one definition of the
timeline: the actors act on them, the incident desk ends the incident on the first, the
validation uses it to tell overlapping incidents apart.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, model_validator

from trustsim.config.base import BusinessDays, Days, Pct, PositiveDays, Strict
from trustsim.config.structure import Name

if TYPE_CHECKING:
    from trustsim.calendar import BusinessCalendar
    from trustsim.config.models import DealConfig

BackupKind = Literal["hot", "warm", "cold"]

#: each kind of backup servicer's takeover lag when the deal gives none, in business days.
#: ASSUMPTION (no bundled deal names a backup; market practice): a hot backup mirrors the
#: servicer's systems and data and takes over within days; a warm one has systems in place
#: and loads the data periodically; a cold one is a contract only.
DEFAULT_TAKEOVER_BUSINESS_DAYS: dict[str, int] = {"hot": 2, "warm": 30, "cold": 90}

PPM = 1_000_000


class BackupServicer(Strict):
    """A backup servicer named in the deal, ready to take the servicing over."""

    kind: BackupKind = Field(description="hot | warm | cold: how ready it is")
    takeover_business_days: BusinessDays | None = Field(
        default=None,
        description="business days from the servicer termination event to the takeover "
                    "(left out: its kind's, hot 2, warm 30, cold 90)")

    @model_validator(mode="before")
    @classmethod
    def _lag_of_its_kind(cls, data: Any) -> Any:
        """A lag left out is its kind's default, written into the resolved deal (config.json)."""
        if isinstance(data, dict) and data.get("takeover_business_days") is None \
                and data.get("kind") in DEFAULT_TAKEOVER_BUSINESS_DAYS:
            return {**data, "takeover_business_days": DEFAULT_TAKEOVER_BUSINESS_DAYS[data["kind"]]}
        return data

    @property
    def lag_business_days(self) -> int:
        assert self.takeover_business_days is not None   # filled from the kind when left out
        return self.takeover_business_days


class Redirection(Strict):
    """The perfection event's notice to obligors on the servicer's insolvency (权利完善事件)."""

    notice_after_business_days: BusinessDays = Field(
        description="the trustee notifies obligors to pay the trust account this many business "
                    "days after the insolvency (0: the day itself, or the next business day)")
    still_paying_old_account_pct: Pct = Field(
        description="share of obligors who still pay the frozen collection account on the "
                    "notice day")
    decay_days: Days = Field(
        description="that share falls linearly to none over this many calendar days")


class Servicing(Strict):
    """How a servicer fails and is replaced: redirection, backup, successor fee, degraded
    collections during the transfer."""

    fee: Name | None = Field(
        default=None, description="the servicer's fee (a pct_of_notes or pct_of_pool fee of "
                                  "fees): the successor's fee steps up from it")
    successor_fee_step_up_pct_per_year: Pct = Field(
        default=Decimal(0), description="added to that fee's pct_per_year from the takeover date")
    backup: BackupServicer | None = Field(
        default=None, description="the backup servicer; null: none (an incident must then say "
                                  "when a successor takes over, successor_after_days)")
    degraded_collections_pct: Pct = Field(
        default=Decimal(100), description="share of each day's collections obligors pay while "
                                          "the servicing is transferred")
    degraded_shortfall_recovered_pct: Pct = Field(
        default=Decimal(100), description="share of the shortfall the successor collects after "
                                          "the takeover (the rest is never collected)")
    degraded_shortfall_collected_over_days: PositiveDays = Field(
        default=30, description="the successor collects it evenly over this many calendar days "
                                "from the takeover")
    redirection: Redirection = Field(
        default_factory=lambda: Redirection(notice_after_business_days=5,
                                            still_paying_old_account_pct=Decimal(0),
                                            decay_days=0),
        description="the notice to obligors on the servicer's insolvency (perfection event)")


# ---------------------------------------------------------------- the timeline
def takeover_date(start: dt.date, successor_after_days: int | None, servicing: Servicing,
                  cal: BusinessCalendar) -> dt.date | None:
    """The day a successor takes the servicing over after a termination event on ``start``.

    An incident's ``successor_after_days`` (calendar days) is the scenario's own fact and
    wins; otherwise the deal's backup servicer takes over ``takeover_business_days`` business
    days after the event (0: the event day, or the next business day). None: no successor
    is known (refused by validation before a run).
    """
    if successor_after_days is not None:
        return start + dt.timedelta(days=successor_after_days)
    if servicing.backup is None:
        return None
    return cal.add_business_days(start, servicing.backup.lag_business_days)


def notice_date(start: dt.date, redirection: Redirection, cal: BusinessCalendar) -> dt.date:
    """The latest day the trustee's notice to obligors may go out: ``notice_after_business_days``
    business days after the insolvency (0: that day if a business day, else the next one)."""
    return cal.add_business_days(start, redirection.notice_after_business_days)


def old_account_share_ppm(redirection: Redirection, days_since_notice: int) -> int:
    """Share of obligors, in ppm, who still pay the frozen account ``days_since_notice``
    calendar days after the notice: the configured share on the notice day, falling linearly
    to none over ``decay_days`` (the audit recomputes it the same way)."""
    decay = redirection.decay_days
    if days_since_notice < 0:
        return PPM
    if decay == 0 or days_since_notice >= decay:
        return 0
    start = int(redirection.still_paying_old_account_pct * 10_000)   # percent -> ppm, exact
    return start * (decay - days_since_notice) // decay


def check_servicing(deal: DealConfig) -> None:
    """The section's names exist and fit; an insolvency or termination knows its successor."""
    s = deal.servicing
    if s.fee is not None:
        fee = next((f for f in deal.fees if f.name == s.fee), None)
        if fee is None:
            names = ", ".join(f.name for f in deal.fees) or "none"
            raise ValueError(f"servicing.fee: no fee named {s.fee!r} (fees: {names})")
        if fee.basis not in ("pct_of_notes", "pct_of_pool"):
            raise ValueError(f"servicing.fee: {s.fee} is a {fee.basis} fee; the successor's "
                             f"step-up applies to a pct_of_notes or pct_of_pool fee")
    elif s.successor_fee_step_up_pct_per_year:
        raise ValueError("servicing.successor_fee_step_up_pct_per_year: name the fee it steps "
                         "up (servicing.fee)")
    for i, inc in enumerate(deal.incidents):
        if inc.kind in ("servicer_insolvency", "servicer_termination") \
                and inc.successor_after_days is None and s.backup is None:
            raise ValueError(f"incidents[{i}] ({inc.kind}).successor_after_days: required, the "
                             f"deal names no backup servicer (servicing.backup) to take over")


SuccessorDays = Annotated[Days | None, Field(
    description="calendar days to the successor's takeover; null: the deal's backup servicer's "
                "takeover lag (servicing.backup)")]
