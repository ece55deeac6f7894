"""A whole deal at a fraction of its size: notes and fixed fees scaled with the pool.

Why: tests and quick studies run a loan-level pool of, say, 2% of the report's
receivables. Against the full 10亿 CNY of notes such a pool would default at once, and
fixed fees (CNY a year) would eat a tenth of its income. Scaling the note classes and
the fixed fees by the same factor keeps every ratio the contract cares about (pool to
notes, fees to income, NPL to cut-off balance) where it is at full size. Percentages,
dates and triggers are scale-free and stay as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trustsim.config.models import DealConfig

_FEN_IN_WAN = Decimal("0.000001")
_FEN_IN_CNY = Decimal("0.01")
FIXED_FEES = ("trustee_counsel_cny_per_year", "rating_tracking_cny_per_year",
              "expenses_cny_per_year", "senior_expense_cap_cny_per_year")


def scale_overrides(deal: DealConfig, scale: float | Decimal) -> dict[str, Any]:
    """Overrides for :func:`trustsim.config.load_deal` that shrink ``deal`` to ``scale``.

    Also sets a loan-level pool's generator scale, so pool and notes shrink together.
    """
    s = Decimal(str(scale))
    if not 0 < s <= 10:
        raise ValueError(f"scale must be in (0, 10], got {scale}")
    n = deal.notes

    def wan(x: Decimal) -> str:
        return str((x * s).quantize(_FEN_IN_WAN, rounding=ROUND_HALF_UP))

    senior, mezz, sub = wan(n.senior.size_wan), wan(n.mezz.size_wan), wan(n.sub.size_wan)
    issue = str(Decimal(senior) + Decimal(mezz) + Decimal(sub))
    fees = {k: str((getattr(deal.fees, k) * s).quantize(_FEN_IN_CNY, rounding=ROUND_HALF_UP))
            for k in FIXED_FEES}
    out: dict[str, Any] = {
        "notes": {"issue_size_wan": issue, "senior": {"size_wan": senior},
                  "mezz": {"size_wan": mezz}, "sub": {"size_wan": sub}},
        "fees": fees,
    }
    if deal.pool.kind == "loan_level":
        out["pool"] = {"scale": str(s * deal.pool.scale)}
    elif deal.pool.kind == "rep_line":
        out["pool"] = {"initial_principal_wan": wan(deal.pool.initial_principal_wan)}
    return out
