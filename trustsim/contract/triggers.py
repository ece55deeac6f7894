"""Triggers [一.4.4(1)]: clause-named predicates the trustee evaluates every business day.

Each trigger watches the day's figures (:class:`DayFigures`) and says when its clause's
condition is met, with the figures behind it. Counting clauses keep their own counter:
(e) consecutive business days above the NPL threshold, (g) cumulative business days of
the pool below 90% of the notes. Event-driven clauses (a), (f), (h) fire from the
figures incidents set.

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
from typing import Any

from trustsim.config.base import RATING_SCALE
from trustsim.config.models import Triggers

PPM = 1_000_000


@dataclass(frozen=True, slots=True)
class DayFigures:
    """What the trustee knows at 24:00 of a business day."""

    date: dt.date
    revolving: bool
    npl_balance_fen: int
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
    # business days since a payment date whose senior interest is still unpaid (None: nothing
    # unpaid; 0: unpaid at the close of the payment date itself)
    senior_interest_overdue_bd: int | None = None
    # business days since legal maturity, principal still unpaid (None: nothing unpaid or not yet due)
    principal_overdue_bd: int | None = None

    @property
    def npl_ratio_ppm(self) -> int:
        """Asset NPL ratio in parts per million (exact integer division, floor)."""
        return self.npl_balance_fen * PPM // self.initial_cutoff_fen if self.initial_cutoff_fen else 0


@dataclass(frozen=True, slots=True)
class Fired:
    kind: str      # "acceleration" | "default"
    clause: str    # "a".."h"
    date: dt.date
    figures: dict[str, Any]


@dataclass(slots=True)
class Trigger:
    """Base: a clause that, once fired, stays fired."""

    kind: str = "acceleration"
    clause: str = ""
    fired: Fired | None = None
    #: the condition is a calendar day's fact: evaluated on non-business days too
    calendar_day: bool = False

    def observe(self, f: DayFigures) -> Fired | None:
        if self.fired is not None:
            return None
        figures = self.check(f)
        if figures is None:
            return None
        self.fired = Fired(self.kind, self.clause, f.date, figures)
        return self.fired

    def check(self, f: DayFigures) -> dict[str, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(slots=True)
class OriginatorInsolvency(Trigger):
    """(a) the originator becomes insolvent."""

    clause: str = "a"
    calendar_day: bool = True

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        return {"originator_insolvent": True} if f.originator_insolvent else None


@dataclass(slots=True)
class ServicerNotReplaced(Trigger):
    """(b) a servicer termination event and no qualified successor within N days."""

    clause: str = "b"
    calendar_day: bool = True
    days: int = 90

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.servicer_unreplaced_days >= self.days:
            return {"days_without_successor": f.servicer_unreplaced_days, "limit_days": self.days}
        return None


@dataclass(slots=True)
class TransferFailure(Trigger):
    """(c) the servicer fails to transfer on time and in full without an accepted explanation."""

    clause: str = "c"

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.transfer_overdue_fen > 0 and not f.transfer_explained:
            return {"overdue_fen": f.transfer_overdue_fen,
                    "due_since": f.transfer_overdue_since.isoformat()
                    if f.transfer_overdue_since else None}
        return None


@dataclass(slots=True)
class TrusteeNotReplaced(Trigger):
    """(d) the trustee must be replaced and no successor within N days."""

    clause: str = "d"
    calendar_day: bool = True
    days: int = 90

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.trustee_unreplaced_days >= self.days:
            return {"days_without_successor": f.trustee_unreplaced_days, "limit_days": self.days}
        return None


@dataclass(slots=True)
class NplRatio(Trigger):
    """(e) asset NPL ratio above the threshold (not included) on N consecutive business days."""

    clause: str = "e"
    threshold_ppm: int = 60_000
    days_required: int = 5
    run: list[int] = field(default_factory=list)

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        ratio = f.npl_ratio_ppm
        # exact: npl / cutoff > threshold, compared in integers (the ppm figure is floored)
        if f.npl_balance_fen * PPM > self.threshold_ppm * f.initial_cutoff_fen:
            self.run.append(ratio)
        else:
            self.run.clear()
        if len(self.run) >= self.days_required:
            return {"npl_ratio_by_day_ppm": list(self.run[-self.days_required:]),
                    "threshold_ppm": self.threshold_ppm, "npl_balance_fen": f.npl_balance_fen,
                    "initial_cutoff_fen": f.initial_cutoff_fen}
        return None


@dataclass(slots=True)
class RatingFloor(Trigger):
    """(f) the originator's long-term rating below the floor."""

    clause: str = "f"
    calendar_day: bool = True
    floor: str = "AA-"

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if RATING_SCALE.index(f.originator_rating) > RATING_SCALE.index(self.floor):
            return {"originator_rating": f.originator_rating, "floor": self.floor}
        return None


@dataclass(slots=True)
class PoolBelowNotes(Trigger):
    """(g) in revolving, pool balance below X% of outstanding notes on a cumulative N business days."""

    clause: str = "g"
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
    """(h) a series-i senior issuance termination event."""

    clause: str = "h"

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.issuance_failed_series is not None:
            return {"series": f.issuance_failed_series}
        return None


@dataclass(slots=True)
class SeniorInterestDefault(Trigger):
    """Event of default (a): senior interest due unpaid N business days after a payment date.

    A grace of 0 business days means no grace: interest unpaid at the close of the
    payment date is an event of default that day.
    """

    kind: str = "default"
    clause: str = "a"
    grace_bd: int = 5

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.senior_interest_overdue_bd is not None and f.senior_interest_overdue_bd >= self.grace_bd:
            return {"business_days_overdue": f.senior_interest_overdue_bd, "grace": self.grace_bd}
        return None


@dataclass(slots=True)
class PrincipalDefault(Trigger):
    """Event of default (b): principal unpaid N business days after legal maturity.

    A grace of 0 means principal unpaid at the close of legal maturity is the event.
    """

    kind: str = "default"
    clause: str = "b"
    grace_bd: int = 10

    def check(self, f: DayFigures) -> dict[str, Any] | None:
        if f.principal_overdue_bd is not None and f.principal_overdue_bd >= self.grace_bd:
            return {"business_days_overdue": f.principal_overdue_bd, "grace": self.grace_bd}
        return None


def build_triggers(cfg: Triggers) -> list[Trigger]:
    """The deal's automatic acceleration events and events of default, in clause order."""
    return [
        OriginatorInsolvency(),
        ServicerNotReplaced(days=cfg.successor_days),
        TransferFailure(),
        TrusteeNotReplaced(days=cfg.successor_days),
        NplRatio(threshold_ppm=int(cfg.npl_ratio_pct * PPM / 100),
                 days_required=cfg.npl_consecutive_business_days),
        RatingFloor(floor=cfg.originator_rating_floor),
        PoolBelowNotes(pct=cfg.pool_vs_notes_pct,
                       days_required=cfg.pool_vs_notes_cumulative_business_days),
        IssuanceTermination(),
        SeniorInterestDefault(grace_bd=cfg.senior_interest_grace_business_days),
        PrincipalDefault(grace_bd=cfg.principal_grace_business_days),
    ]
