"""The bundled deal moved in time: every contract date shifted by whole years.

Why whole years: the deal's dates are mid-month (the 12th, 18th, 27th), so a shift keeps
each day of the month and the schedule's shape; only the business days move.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"


def _shift(d: dt.date, years: int) -> dt.date:
    return d.replace(year=d.year + years)


def shifted_deal_data(years: int, calendar: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled deal file's mapping, its dates moved ``years`` years, with ``calendar``."""
    data = yaml.safe_load(DEAL_FILE.read_text(encoding="utf-8"))
    dates = data["dates"]
    for key in ("trust_effective_date", "pool_reference_date"):
        dates[key] = _shift(dates[key], years)
    for cls in data["classes"]:
        if "rolling_series" in cls:
            rs = cls["rolling_series"]
            rs["expected_maturities"] = [_shift(d, years) for d in rs["expected_maturities"]]
        if "expected_maturity" in cls:
            cls["expected_maturity"] = _shift(cls["expected_maturity"], years)
    if calendar is not None:
        data["calendar"] = calendar
    return data


def write_shifted_deal(folder: Path, years: int, calendar: dict[str, Any] | None = None) -> Path:
    """Write the shifted deal as ``folder/deal.yaml`` (a relative holiday file is found beside it)."""
    path = folder / "deal.yaml"
    path.write_text(yaml.safe_dump(shifted_deal_data(years, calendar), allow_unicode=True), encoding="utf-8")
    return path
