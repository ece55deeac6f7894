"""A whole deal at a fraction of its size: notes, fixed fees and reserves scaled with the pool.

Why: tests and quick studies run a loan-level pool of, say, 2% of the report's
receivables. Against the full 10亿 CNY of notes such a pool would default at once, and
fixed fees (CNY a year) would eat a tenth of its income. Scaling the note classes, the
fixed fees and fee caps, and the reserve accounts' amounts by the same factor keeps every
ratio the contract cares about (pool to notes, fees to income, NPL to cut-off balance)
where it is at full size. Percentages, dates and triggers are scale-free and stay as they
are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trustsim.config.models import DealConfig

_FEN_IN_WAN = Decimal("0.000001")
_FEN_IN_CNY = Decimal("0.01")


def scale_overrides(deal: DealConfig, scale: float | Decimal) -> dict[str, Any]:
    """Overrides for :func:`trustsim.config.load_deal` that shrink ``deal`` to ``scale``.

    Named lists merge by name (:func:`trustsim.config.load.deep_merge`), so the overrides
    name each class (``size_wan``), each fee with an amount in CNY (``cny_per_year`` of a
    fixed fee, any ``cap_cny_per_year``) and each reserve account (``initial_wan``,
    ``target.floor_wan``). Also sets a loan-level pool's generator scale, or a rep-line
    pool's initial principal, so pool and notes shrink together.
    """
    s = Decimal(str(scale))
    if not 0 < s <= 10:
        raise ValueError(f"scale must be in (0, 10], got {scale}")

    def wan(x: Decimal) -> str:
        return str((x * s).quantize(_FEN_IN_WAN, rounding=ROUND_HALF_UP))

    def cny(x: Decimal) -> str:
        return str((x * s).quantize(_FEN_IN_CNY, rounding=ROUND_HALF_UP))

    out: dict[str, Any] = {"classes": [{"name": c.name, "size_wan": wan(c.size_wan)} for c in deal.classes]}
    fees = []
    for f in deal.fees:
        item: dict[str, Any] = {}
        if f.basis == "fixed_per_year":
            item["cny_per_year"] = cny(f.cny_per_year)
        if f.cap_cny_per_year is not None:
            item["cap_cny_per_year"] = cny(f.cap_cny_per_year)
        if item:
            fees.append({"name": f.name, **item})
    if fees:
        out["fees"] = fees
    reserves = [{"name": r.name, "initial_wan": wan(r.initial_wan), "target": {"floor_wan": wan(r.target.floor_wan)}}
                for r in deal.accounts.reserves]
    if reserves:
        out["accounts"] = {"reserves": reserves}
    if deal.pool.kind == "loan_level":
        out["pool"] = {"scale": str(s * deal.pool.scale)}
    elif deal.pool.kind == "rep_line":
        out["pool"] = {"initial_principal_wan": wan(deal.pool.initial_principal_wan)}
    return out
