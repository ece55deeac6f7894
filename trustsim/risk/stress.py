"""The rating agency's stress table: every case and target rating, run on the full simulation.

Why whole runs rather than the agency's spreadsheet arithmetic: the agency compares the
"normal assets" left after a stressed revolving period with the principal to be rolled;
the simulator instead administers the stressed trust day by day — reserves, purchases,
triggers, waterfalls — so a class passes only if the contract, as coded, actually pays it.
One run per (case, rating); see :mod:`trustsim.risk.outcome` for what is read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trustsim.config.models import DealConfig
from trustsim.risk.method import Levels, StressMethod, rating_levels, stressed_deal, stressed_pool
from trustsim.risk.outcome import Outcome, evaluate


@dataclass(frozen=True, slots=True)
class StressResult:
    case: str
    rating: str
    levels: Levels
    pool: dict[str, str]     # the stressed pool parameters actually run (percent)
    outcome: Outcome

    def record(self) -> dict[str, Any]:
        """One entry of ``--json``: case, rating, inflows, outflows, classes, safety margins."""
        return {"case": self.case, "rating": self.rating, "pool": self.pool, **self.outcome.record()}


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
               ratings: Sequence[str] | None = None) -> list[StressResult]:
    """Run each (case, rating) of the method on ``deal``; cases outer, ratings in file order."""
    cs, rs = check_selection(method, cases, ratings)
    results = []
    for case in cs:
        for rating in rs:
            levels = rating_levels(method, rating)
            stressed = stressed_deal(deal, method, case, levels, label=f"{rating} stress")
            results.append(StressResult(case, rating, levels, stressed_pool(deal, levels),
                                        evaluate(stressed)))
    return results
