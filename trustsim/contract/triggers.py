"""Triggers [一.4.4(1)]: clause-named predicates the trustee evaluates every business day.

The deal file lists its triggers (trustsim.config.triggers): each names a kind from this
module's library, its clause, its parameters and its effect. Each trigger watches the
day's figures (:class:`DayFigures`) and says when its condition is met, with the figures
behind it. Counting kinds keep their own counter (consecutive business days above an NPL
threshold; cumulative business days of the pool below a share of the notes). Event-driven
kinds (an insolvency, a rating action, an issuance failure) fire from the figures
incidents set. Dongdao No. 3's clauses are named in parentheses below.

An automatic event takes effect on the day it occurs [一.4.4(1)] ("应视为在该等事件发生之日
发生"), a calendar day: the clauses whose condition is a fact of a calendar day — (a) an
insolvency, (b)/(d) N *calendar* days without a successor, (f) a rating action — are
``calendar_day`` triggers, which the trustee also evaluates at 24:00 of weekends and
holidays. The others count business days ((c) a transfer due on a business day, (e),
(g), events of default (a)/(b)) or fall on one ((h) a roll date), so they can only hold
at a business day's close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from trustsim.config.base import RATING_SCALE
from trustsim.config.models import DealConfig
from trustsim.config.triggers import TriggerConfig
from trustsim.contract.reconciliation import OpenBreak

PPM = 1_000_000


@dataclass(frozen=True, slots=True)
class DayFigures:
    """What the trustee knows at 24:00 of a business day."""

    date: dt.date
    revolving: bool
    npl_balance_fen: int                   # non-performing principal
    initial_cutoff_fen: int
    pool_balance_fen: int
    notes_outstanding_fen: int
    originator_rating: str
    originator_insolvent: bool = False
    issuance_failed_series: int | None = None
    transfer_overdue_fen: int = 0          # collections past their sweep date, still at the servicer
    transfer_overdue_since: dt.date | None = None
    transfer_explained: bool = False       # an accepted written explanation covers the delay
    servicer_unreplaced_days: int = -1     # days since a servicer termination event, no successor (-1: none)
    trustee_unreplaced_days: int = -1      # days since the trustee must be replaced, no successor (-1: none)
    # business days since a payment date whose protected classes' interest (an interest_unpaid
    # trigger's classes) is still unpaid (None: nothing unpaid; 0: unpaid at that date's close)
    interest_overdue_bd: int | None = None
    # business days since legal maturity, principal still unpaid (None: nothing unpaid or not yet due)
    principal_overdue_bd: int | None = None
    cumulative_default_fen: int = 0        # principal defaulted since the effective date
    npl_fees_fen: int = 0                  # accrued unpaid fees on non-performing assets
    open_breaks: tuple[OpenBreak, ...] = ()  # reconciliation breaks open at the close


@dataclass(frozen=True, slots=True)
class Fired:
    kind: str      # "acceleration" | "default" | "waterfall_switch"
    clause: str    # the deal's clause, e.g. "e"
    date: dt.date
    figures: dict[str, Any]
    waterfall: str | None = None   # a waterfall_switch's waterfall
    name: str = ""                 # the deal's trigger name ("" for a declared event)


@dataclass(slots=True)
class Trigger:
    """Base: a clause that, once fired, stays fired."""

    kind: str = "acceleration"
    clause: str = ""
    fired: Fired | None = None
    #: the condition is a calendar day's fact: evaluated on non-business days too
    calendar_day: bool = False
    name: str = ""
    waterfall: str | None = None   # the effect {use_waterfall: NAME}
    #: holds only while a reconciliation break is open (the trustee skips it otherwise)
    reads_breaks: ClassVar[bool] = False

    def observe(self, f: DayFigures) -> Fired | None:
        if self.fired is not None:
            return None
        figures = self.check(f)
        if figures is None:
            return None
        self.fired = Fired(self.kind, self.clause, f.date, figures, self.waterfall, self.name)
        return self.fired

    def check(self, f: DayFigures) -> dict[str, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(slots=True)
class OriginatorInsolvency(Trigger):
    """The originator becomes insolvent (Dongdao No. 3: (a))."""

    calendar_day: bool = True

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        return {"originator_insolvent": True} if f.originator_insolvent else None


@dataclass(slots=True)
class ServicerNotReplaced(Trigger):
    """A servicer termination event and no qualified successor within N calendar days ((b))."""

    calendar_day: bool = True
    days: int = 90

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.servicer_unreplaced_days >= self.days:
            return {"days_without_successor": f.servicer_unreplaced_days, "limit_days": self.days}
        return None


@dataclass(slots=True)
class TransferFailure(Trigger):
    """The servicer fails to transfer on time and in full without an accepted explanation ((c))."""


    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.transfer_overdue_fen > 0 and not f.transfer_explained:
            return {"overdue_fen": f.transfer_overdue_fen,
                    "due_since": f.transfer_overdue_since.isoformat()
                    if f.transfer_overdue_since else None}
        return None


@dataclass(slots=True)
class TrusteeNotReplaced(Trigger):
    """The trustee must be replaced and no successor within N calendar days ((d))."""

    calendar_day: bool = True
    days: int = 90

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.trustee_unreplaced_days >= self.days:
            return {"days_without_successor": f.trustee_unreplaced_days, "limit_days": self.days}
        return None


@dataclass(slots=True)
class NplRatio(Trigger):
    """Asset NPL ratio above the threshold (not included) on N consecutive business days ((e))."""

    threshold_ppm: int = 60_000
    days_required: int = 5
    with_fees: bool = False   # basis principal_plus_fees: accrued unpaid fees count too
    run: list[int] = field(default_factory=list)

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        npl = f.npl_balance_fen + (f.npl_fees_fen if self.with_fees else 0)
        cutoff = f.initial_cutoff_fen
        ratio = npl * PPM // cutoff if cutoff else 0
        # exact: npl / cutoff > threshold, compared in integers (the ppm figure is floored)
        if npl * PPM > self.threshold_ppm * cutoff:
            self.run.append(ratio)
        else:
            self.run.clear()
        if len(self.run) >= self.days_required:
            return {"npl_ratio_by_day_ppm": list(self.run[-self.days_required:]),
                    "threshold_ppm": self.threshold_ppm, "npl_balance_fen": npl,
                    "initial_cutoff_fen": cutoff}
        return None


@dataclass(slots=True)
class RatingFloor(Trigger):
    """The originator's long-term rating below the floor ((f))."""

    calendar_day: bool = True
    floor: str = "AA-"

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if RATING_SCALE.index(f.originator_rating) > RATING_SCALE.index(self.floor):
            return {"originator_rating": f.originator_rating, "floor": self.floor}
        return None


@dataclass(slots=True)
class PoolBelowNotes(Trigger):
    """In revolving, pool balance below X% of outstanding notes on a cumulative N business days ((g))."""

    pct: Decimal = Decimal(90)
    days_required: int = 60
    count: int = 0

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if not f.revolving:
            return None
        if f.pool_balance_fen * 100 < self.pct * f.notes_outstanding_fen:
            self.count += 1
            if self.count >= self.days_required:
                return {"pool_balance_fen": f.pool_balance_fen,
                        "notes_outstanding_fen": f.notes_outstanding_fen,
                        "pct": str(self.pct), "cumulative_business_days": self.count}
        return None


@dataclass(slots=True)
class IssuanceTermination(Trigger):
    """A rolling class's next series cannot be issued ((h))."""


    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.issuance_failed_series is not None:
            return {"series": f.issuance_failed_series}
        return None


@dataclass(slots=True)
class InterestDefault(Trigger):
    """Interest of the protected classes due unpaid N business days after a payment date
    (event of default (a): the senior's).

    A grace of 0 business days means no grace: interest unpaid at the close of the
    payment date is an event of default that day.
    """

    grace_bd: int = 5

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.interest_overdue_bd is not None and f.interest_overdue_bd >= self.grace_bd:
            return {"business_days_overdue": f.interest_overdue_bd, "grace": self.grace_bd}
        return None


@dataclass(slots=True)
class PrincipalDefault(Trigger):
    """Principal unpaid N business days after legal maturity (event of default (b)).

    A grace of 0 means principal unpaid at the close of legal maturity is the event.
    """

    grace_bd: int = 10

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.principal_overdue_bd is not None and f.principal_overdue_bd >= self.grace_bd:
            return {"business_days_overdue": f.principal_overdue_bd, "grace": self.grace_bd}
        return None


@dataclass(slots=True)
class CumulativeDefaults(Trigger):
    """Principal defaulted since the effective date at or above a share of the initial pool."""

    threshold_ppm: int = 0

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.initial_cutoff_fen and f.cumulative_default_fen * PPM >= self.threshold_ppm * f.initial_cutoff_fen:
            return {"cumulative_default_fen": f.cumulative_default_fen,
                    "initial_cutoff_fen": f.initial_cutoff_fen, "threshold_ppm": self.threshold_ppm}
        return None


@dataclass(slots=True)
class BreakUnresolved(Trigger):
    """A reconciliation break of one of ``parties`` (all if empty) still open ``days``
    business days after the trustee logged it (Dongdao No. 3, ASSUMPTION: a sweep not
    corrected is a failure to transfer in full, (c))."""

    days: int = 10
    parties: tuple[str, ...] = ()
    reads_breaks: ClassVar[bool] = True

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        for b in f.open_breaks:
            if (not self.parties or b.party in self.parties) and b.business_days_open >= self.days:
                return {"break_id": b.id, "party": b.party, "opened": b.opened.isoformat(),
                        "business_days_open": b.business_days_open, "amount_fen": b.amount_fen,
                        "limit_business_days": self.days}
        return None


def _ppm(pct: Decimal) -> int:
    return int(pct * PPM / 100)


def _build(t: TriggerConfig) -> Trigger:
    """The library's trigger for one configured kind."""
    if t.kind == "party_insolvent":
        return OriginatorInsolvency()
    if t.kind == "successor_not_appointed":
        return ServicerNotReplaced(days=t.days) if t.party == "servicer" else TrusteeNotReplaced(days=t.days)
    if t.kind == "transfer_failure":
        return TransferFailure()
    if t.kind == "npl_ratio":
        return NplRatio(threshold_ppm=_ppm(t.threshold_pct), days_required=t.consecutive_business_days,
                        with_fees=t.basis == "principal_plus_fees")
    if t.kind == "rating_below":
        return RatingFloor(floor=t.floor)
    if t.kind == "pool_below_notes":
        return PoolBelowNotes(pct=t.pct, days_required=t.cumulative_business_days)
    if t.kind == "issuance_failure":
        return IssuanceTermination()
    if t.kind == "cumulative_default_rate":
        return CumulativeDefaults(threshold_ppm=_ppm(t.threshold_pct))
    if t.kind == "interest_unpaid":
        return InterestDefault(grace_bd=t.grace_business_days)
    if t.kind == "unresolved_break":
        return BreakUnresolved(days=t.business_days, parties=tuple(t.parties or ()))
    return PrincipalDefault(grace_bd=t.grace_business_days)


def build_triggers(deal: DealConfig) -> list[Trigger]:
    """The deal's triggers, in the deal file's order, each with its clause and effect."""
    out = []
    for t in deal.triggers:
        trig = _build(t)
        trig.kind, trig.clause, trig.name = t.effect_kind, t.clause, t.name
        trig.waterfall = None if isinstance(t.effect, str) else t.effect.use_waterfall
        out.append(trig)
    return out


def clause_fired(trig: Trigger, fired: list[Fired]) -> bool:
    """[一.4.4(1)] Triggers of one clause and effect are limbs of one clause: once one of them
    has fired, the others are not evaluated (the clause fires once)."""
    return any(f.kind == trig.kind and f.clause == trig.clause for f in fired)


def successor_deadline(deal: DealConfig, party: str, since: dt.date) -> dt.date | None:
    """[一.4.4(1)] (b)/(d): the day a successor to ``party`` must be in place after the event of
    ``since`` — the deal's successor_not_appointed trigger's days later (None: no such
    trigger)."""
    days = next((t.days for t in deal.triggers
                 if t.kind == "successor_not_appointed" and t.party == party), None)
    return None if days is None else since + dt.timedelta(days=days)


def days_without_successor(since: dt.date | None, on: dt.date) -> int:
    """[一.4.4(1)] (b)/(d): calendar days on ``on`` since a party had to be replaced with no
    successor in place (-1: none to replace)."""
    return (on - since).days if since else -1


def transfer_explained(deal: DealConfig, explained_hold_bd: int | None) -> bool:
    """[一.4.3, 一.4.4(1)] (c): an accepted written explanation covers collections held at the
    servicer for at most the reserve-delay limit (``reserve_delay_max_business_days``).
    ``explained_hold_bd``: business days an explained hold has lasted (None: none explained)."""
    if explained_hold_bd is None:
        return False
    rp = deal.revolving_purchase
    return explained_hold_bd <= (rp.reserve_delay_max_business_days if rp is not None else 0)


def observed_at_close(trig: Trigger, f: DayFigures, fired: list[Fired]) -> bool:
    """[一.4.4(1)] Whether a business day's close evaluates ``trig``: not a trigger on
    reconciliation breaks when none is open (it cannot hold, and keeps no count), nor a limb
    of a clause another limb has already fired (:func:`clause_fired`)."""
    if trig.reads_breaks and not f.open_breaks:
        return False
    return not (fired and trig.fired is None and clause_fired(trig, fired))
