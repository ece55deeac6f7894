"""The rating agency's stress table: every case and target rating, run on the full simulation.

Why whole runs rather than the agency's spreadsheet arithmetic: the simulator administers
the stressed trust day by day — reserves, purchases, triggers, waterfalls — so a class
passes only if the contract, as coded, actually pays it. One run per (case, rating); see
:mod:`trustsim.risk.outcome` for what is read back.

Beside the cash table, each run gives the agency's own comparison for the case where every
series is issued (DEAL.md §11): the **normal assets** left when the revolving period ends —
the pool then held less the estimated overdue assets — against the principal of the classes
the rating covers (:class:`NormalAssets`):

* remaining pool = the pool's outstanding principal (performing, overdue, non-performing) at
  24:00 of the revolving period's last day, as the run held it (``summary.pool_at_revolving_end``);
* estimated overdue assets = what of it is already overdue or non-performing, plus the
  stressed write-off rate x its performing principal: the losses still to come, since every
  lot defaults ``write_off`` of what runs off (under ``write_off_basis: pool_at_revolving_end``
  nothing has defaulted yet, so this is the write-off rate x the whole pool);
* normal assets = remaining pool - estimated overdue assets; surplus = normal assets - the
  principal of the classes the rating covers (the method's ``normal_assets_classes``, else the
  deal's classes rated at or above it: AAA the senior, BBB+ senior and mezz for Dongdao).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from trustsim.config import ConfigError
from trustsim.config.base import RATING_SCALE
from trustsim.config.models import DealConfig
from trustsim.risk.method import (
    Levels,
    Readings,
    StressMethod,
    rating_levels,
    stressed_deal,
    stressed_pool,
)
from trustsim.risk.outcome import Outcome, evaluate

#: what the JSON says each derived figure is (``definitions``)
DEFINITIONS = {
    "safety_margin": "for each rated class: cash in less everything due ahead of or to its rank "
                     "(purchases, taxes and fees, each class's ahead of it: interest and principal, "
                     "then the rank's own), over the size of the rank and every class ahead of it "
                     "(the report: cash left after the class's interest and principal / the size "
                     "of the class and of those ahead of it)",
    "normal_assets": "the pool's outstanding principal at 24:00 of the revolving period's last day "
                     "less the estimated overdue assets (overdue + non-performing + the stressed "
                     "write-off rate x the performing principal), set against the principal of the "
                     "classes the rating covers; surplus = normal assets - that principal",
}


def rating_key(rating: str) -> str:
    """A deal's rating as the method names it: ``AAAsf`` -> ``AAA``."""
    return rating[:-2] if rating.endswith("sf") else rating


def covered_classes(deal: DealConfig, method: StressMethod, rating: str) -> list[str]:
    """The classes whose principal the normal assets are set against at ``rating``: the
    method's ``normal_assets_classes`` for it, else the deal's classes rated at or above it."""
    if rating in method.normal_assets_classes:
        names = method.normal_assets_classes[rating]
        for name in names:
            if name not in deal.class_names:
                raise ConfigError(f"normal_assets_classes.{rating}: the deal {deal.name} has no class "
                                  f"named {name!r} (classes: {', '.join(deal.class_names)})")
        return list(names)
    if rating not in RATING_SCALE:
        raise ConfigError(f"ratings.{rating}: not a rating of the scale ({', '.join(RATING_SCALE)}); "
                          f"name its classes under normal_assets_classes.{rating}")
    at = RATING_SCALE.index(rating)
    return [c.name for c in deal.classes if c.rating is not None
            and rating_key(c.rating) in RATING_SCALE
            and RATING_SCALE.index(rating_key(c.rating)) <= at]


@dataclass(frozen=True, slots=True)
class NormalAssets:
    """The agency's issuance-succeeds comparison for one run (see the module docstring)."""

    revolving_end: str | None
    performing_fen: int
    overdue_fen: int
    non_performing_fen: int
    write_off_pct: Decimal          # the stressed write-off rate run
    classes: tuple[str, ...]
    principal_fen: int              # the covered classes' principal (a rolling class: one series)
    cash_held_fen: int = 0          # the trust's accounts then: shown, not counted (the report
                                    # compares assets, and idle cash is what a haircut leaves)

    @property
    def remaining_fen(self) -> int:
        return self.performing_fen + self.overdue_fen + self.non_performing_fen

    @property
    def estimated_overdue_fen(self) -> int:
        future = int((Decimal(self.performing_fen) * self.write_off_pct / 100)
                     .to_integral_value(rounding=ROUND_FLOOR))
        return self.overdue_fen + self.non_performing_fen + future

    @property
    def normal_fen(self) -> int:
        return self.remaining_fen - self.estimated_overdue_fen

    @property
    def surplus_fen(self) -> int:
        return self.normal_fen - self.principal_fen

    def record(self) -> dict[str, Any]:
        return {"revolving_end": self.revolving_end, "remaining_pool_fen": self.remaining_fen,
                "performing_fen": self.performing_fen, "overdue_fen": self.overdue_fen,
                "non_performing_fen": self.non_performing_fen,
                "write_off_pct": str(self.write_off_pct),
                "estimated_overdue_fen": self.estimated_overdue_fen,
                "normal_assets_fen": self.normal_fen, "classes": list(self.classes),
                "principal_fen": self.principal_fen, "surplus_fen": self.surplus_fen,
                "cash_held_fen": self.cash_held_fen}


def normal_assets(outcome: Outcome, classes: Sequence[str], write_off_pct: Decimal) -> NormalAssets | None:
    """The comparison from a run's own figures; None when the run never ended revolving."""
    pool = outcome.pool_at_revolving_end
    if pool is None:
        return None
    return NormalAssets(outcome.revolving_end, pool["performing_fen"], pool["overdue_fen"],
                        pool["non_performing_fen"], write_off_pct, tuple(classes),
                        sum(outcome.sizes_fen[c] for c in classes), pool.get("cash_held_fen", 0))


@dataclass(frozen=True, slots=True)
class StressResult:
    case: str
    rating: str
    levels: Levels
    pool: dict[str, str]     # the stressed pool parameters actually run (percent)
    outcome: Outcome
    normal_assets: NormalAssets | None = None
    readings: Readings | None = None

    def record(self) -> dict[str, Any]:
        """One entry of ``--json``: case, rating, readings, stressed pool, inflows, outflows
        due and paid, classes, safety margins, the normal-assets comparison."""
        out: dict[str, Any] = {"case": self.case, "rating": self.rating, "pool": self.pool}
        if self.readings is not None:
            out["readings"] = self.readings.model_dump(mode="json")
        out.update(self.outcome.record())
        out["normal_assets"] = None if self.normal_assets is None else self.normal_assets.record()
        return out


def check_selection(method: StressMethod, cases: Sequence[str] | None,
                    ratings: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The cases and ratings to run (all the method's, in its order, by default); a clear
    error for unknown names."""
    cs: list[str] = list(cases) if cases else list(method.cases)
    rs = list(ratings) if ratings else list(method.ratings)
    for c in cs:
        if c not in method.cases:
            raise ValueError(f"unknown case {c!r} (known: {', '.join(method.cases)})")
    for r in rs:
        rating_levels(method, r)
    return cs, rs


def run_stress(deal: DealConfig, method: StressMethod, cases: Sequence[str] | None = None,
               ratings: Sequence[str] | None = None,
               readings: Readings | None = None) -> list[StressResult]:
    """Run each (case, rating) of the method on ``deal``, read as ``readings`` (default: the
    method's); cases outer, ratings in file order."""
    cs, rs = check_selection(method, cases, ratings)
    rd = readings or method.readings
    covered = {r: covered_classes(deal, method, r) for r in rs}
    results = []
    for case in cs:
        for rating in rs:
            levels = rating_levels(method, rating)
            stressed = stressed_deal(deal, method, case, levels, label=f"{rating} stress", readings=rd)
            pool = stressed_pool(deal, levels)
            outcome = evaluate(stressed)
            na = normal_assets(outcome, covered[rating], Decimal(pool["write_off_pct"]))
            results.append(StressResult(case, rating, levels, pool, outcome, na, rd))
    return results


def run_readings(deal: DealConfig, method: StressMethod, cases: Sequence[str] | None = None,
                 ratings: Sequence[str] | None = None) -> list[tuple[str, list[StressResult]]]:
    """The stress table under the method's readings, then under each other value of each
    reading, one at a time: ``[(label, results)]``, the default first (``default``), then
    ``<reading>=<value>``."""
    from trustsim.risk.method import READINGS

    base = method.readings
    out = [("default", run_stress(deal, method, cases, ratings, base))]
    for name, values in READINGS.items():
        for value in values:
            if value != getattr(base, name):
                out.append((f"{name}={value}",
                            run_stress(deal, method, cases, ratings, base.with_(name, value))))
    return out
