"""Break-evens: how much stress each class survives, by root finding on the full simulation.

What is searched: one stress dimension at a time — the write-off multiple, or the yield,
MPR or purchase-rate haircut — while every other input stays at an *anchor* rating's
stress (its other three pool stresses, the outflow stresses, the case). At the anchor's
own level the run is exactly that rating's row of the stress table, so a class's
break-even at anchor R is at least R's level when it passes R and below it when it fails
(the property the tests check).

How: survival is not monotone in general (a harder stress can fire trigger (g) or (e)
earlier and so stop revolving sooner), so the search is local to the anchor. From the
anchor's level it steps up (if the class passes there) or down (if it fails) with doubling
steps until the outcome flips — the bracket — then bisects to ``tolerance``. The answer is
the largest level *tested* that passes, next to the smallest that fails above it: the
first failure above the rating's point, not any island of survival beyond it. Each
search also runs the dimension's low end (no stress on it): a class that fails there but
passes at the anchor is one for which this stress *helps* (e.g. a purchase-rate haircut
that fires trigger (g) and ends revolving early). Runs are cached per (case, anchor,
dimension) and shared by the deal's classes.

The grid: write-off multiple x purchase-rate haircut at an anchor's other stresses, every
class's principal loss at each point, drawn as a heat map.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, astuple, dataclass
from typing import Any

from trustsim.config.models import DealConfig
from trustsim.risk.engines import Engine, LocalEngine
from trustsim.risk.method import DIMENSIONS, Levels, StressMethod, rating_levels, stressed_deal
from trustsim.risk.outcome import evaluate


@dataclass(frozen=True, slots=True)
class Space:
    """Where a dimension is searched: bounds, first step, tolerance."""

    low: float
    high: float
    step: float
    tolerance: float


SPACES: dict[str, Space] = {
    "write_off": Space(0.0, 40.0, 0.5, 0.01),     # x the base write-off rate
    "yield": Space(0.0, 1.0, 0.05, 0.0025),       # haircut of the base yield
    "mpr": Space(0.0, 0.95, 0.05, 0.0025),        # haircut of the base MPR (a pool must repay)
    "purchase_rate": Space(0.0, 1.0, 0.05, 0.0025),
}


def space_for(deal: DealConfig, dimension: str, tolerance: float | None = None) -> Space:
    s = SPACES[dimension]
    high = s.high
    if dimension == "write_off":  # the write-off rate must stay below 100%
        high = min(high, 99.0 / float(deal.pool.write_off_pct)) if deal.pool.write_off_pct else high
    return Space(s.low, high, s.step, tolerance if tolerance is not None else s.tolerance)


@dataclass(frozen=True, slots=True)
class BreakEven:
    case: str
    anchor: str              # the rating whose other stresses are held
    dimension: str
    cls: str
    anchor_level: float      # the anchor rating's own level on this dimension
    passes_at_anchor: bool
    value: float | None      # the largest level found that passes (None: fails even at the low end)
    fails_at: float | None   # the smallest level tested above it that fails (None: passes at the high end)
    passes_at_low: bool      # at the dimension's low end (no stress on it): False flags a harder-is-safer
    runs: int                # simulations this (case, anchor, dimension) search needed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Outcomes = Callable[[float], dict[str, bool]]


def search(passes: Outcomes, cls: str, start: float, space: Space) -> tuple[float | None, float | None]:
    """(largest passing level, smallest failing level above it) for ``cls``, from ``start``."""
    def ok(x: float) -> bool:
        return passes(round(x, 9))[cls]

    if ok(start):
        lo, step = start, space.step
        while True:
            hi = min(lo + step, space.high)
            if hi <= lo:
                return lo, None
            if not ok(hi):
                break
            if hi >= space.high:
                return hi, None
            lo, step = hi, step * 2
    else:
        hi, step = start, space.step
        while True:
            lo = max(hi - step, space.low)
            if lo >= hi:
                return None, hi
            if ok(lo):
                break
            if lo <= space.low:
                return None, lo
            hi, step = lo, step * 2
    while hi - lo > space.tolerance:
        mid = round((lo + hi) / 2, 9)
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo, hi


@dataclass(frozen=True, slots=True)
class SearchTask:
    deal: DealConfig
    method: StressMethod
    case: str
    anchor: str
    dimension: str
    tolerance: float | None = None
    classes: tuple[str, ...] | None = None   # default: every class of the deal, most senior first


def run_search(task: SearchTask) -> list[BreakEven]:
    """Every class's break-even on one (case, anchor, dimension), sharing one run cache."""
    classes = task.classes if task.classes is not None else tuple(task.deal.class_names)
    base = rating_levels(task.method, task.anchor)
    space = space_for(task.deal, task.dimension, task.tolerance)
    cache: dict[float, dict[str, bool]] = {}

    def passes(x: float) -> dict[str, bool]:
        if x not in cache:
            deal = stressed_deal(task.deal, task.method, task.case, base.with_level(task.dimension, x),
                                 label=f"{task.anchor} stress, {task.dimension} at {x:g}")
            cache[x] = {c: r.passed for c, r in evaluate(deal).classes.items()}
        return cache[x]

    start = round(base.get(task.dimension), 9)
    found = []
    for cls in classes:
        value, fails_at = search(passes, cls, start, space)
        found.append((cls, value, fails_at))
    low = passes(round(space.low, 9))
    return [BreakEven(task.case, task.anchor, task.dimension, cls, start, passes(start)[cls], value,
                      fails_at, low[cls], len(cache)) for cls, value, fails_at in found]


def breakevens(deal: DealConfig, method: StressMethod, cases: Sequence[str], anchors: Sequence[str],
               dimensions: Sequence[str], engine: Engine | None = None, tolerance: float | None = None,
               on_done: Callable[[int], None] | None = None) -> list[BreakEven]:
    """Break-evens for every (case, anchor, dimension), one task each, in that order."""
    for d in dimensions:
        if d not in DIMENSIONS:
            raise ValueError(f"unknown stress dimension {d!r} (known: {', '.join(DIMENSIONS)})")
    for a in anchors:
        rating_levels(method, a)
    tasks = [SearchTask(deal, method, c, a, d, tolerance) for c in cases for a in anchors for d in dimensions]
    engine = engine or LocalEngine(1)
    return [b for group in engine.map(run_search, tasks, on_done) for b in group]


# ---------------------------------------------------------------- the grid
@dataclass(frozen=True, slots=True)
class GridPoint:
    deal: DealConfig
    method: StressMethod
    case: str
    levels: Levels


def run_point(p: GridPoint) -> dict[str, Any]:
    o = evaluate(stressed_deal(p.deal, p.method, p.case, p.levels, label="grid"))
    row: dict[str, Any] = {"write_off_multiple": p.levels.write_off_multiple,
                           "purchase_haircut": p.levels.purchase_haircut}
    for c in o.classes:
        row[f"{c}_loss_pct"] = 100 * o.loss_fen[c] / o.sizes_fen[c]
        row[f"{c}_pass"] = o.classes[c].passed
    return row


def grid_point_bytes(deal: DealConfig, method: StressMethod) -> int:
    """Memory one grid point takes until the grid is written (see :mod:`.budget`): its
    :class:`GridPoint` with its levels (the deal and method are shared), and its row."""
    from trustsim.risk.budget import deep_size

    levels = rating_levels(method, next(iter(method.ratings)))
    row: dict[str, Any] = {"write_off_multiple": 1.0, "purchase_haircut": 0.0}
    for c in deal.class_names:
        row[f"{c}_loss_pct"], row[f"{c}_pass"] = 0.0, True
    case = next(iter(method.cases))
    row.update(case=case, anchor=next(iter(method.ratings)))
    point = GridPoint(deal, method, case, levels)
    return (deep_size(row) + 16 * len(row) + sys.getsizeof(point) + sys.getsizeof(levels)
            + deep_size(astuple(levels)))


def grid(deal: DealConfig, method: StressMethod, case: str, anchor: str, write_off_multiples: Sequence[float],
         purchase_haircuts: Sequence[float], engine: Engine | None = None,
         on_done: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Each class's loss at every (write-off multiple, purchase haircut), others at ``anchor``."""
    base = rating_levels(method, anchor)
    points = [GridPoint(deal, method, case, base.with_level("write_off", m).with_level("purchase_rate", h))
              for h in purchase_haircuts for m in write_off_multiples]
    engine = engine or LocalEngine(1)
    rows = engine.map(run_point, points, on_done)
    for r in rows:
        r.update(case=case, anchor=anchor)
    return rows
