"""The rating agency's stress method as data, and how it is laid onto a deal (DEAL.md §11).

Why a file and not constants: the stresses are a report's inputs (Lianhe's Tables 13-14
for this deal), so they live in ``configs/stress/*.yaml`` with their source; this module
validates such a file strictly and turns *(deal, case, rating, levels)* into a stressed
:class:`~trustsim.config.models.DealConfig` through the same overlay-and-validate path
as every scenario. Stress levels are multiples and haircuts of the deal's own base
parameters, so the method applies to any rep-line deal, and a break-even search can move
one level while the others stay at a rating's.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from trustsim.config import ConfigError, DealConfig
from trustsim.config.base import Pct, Strict
from trustsim.config.load import _read_yaml, deep_merge, format_validation_error, validate_deal

Fraction = Annotated[Decimal, Field(ge=0, le=1, description="a haircut: 0 (none) to 1 (all)")]
CaseName = Literal["issuance_ok", "issuance_fails"]
CASES: tuple[CaseName, ...] = ("issuance_ok", "issuance_fails")

#: stress dimension -> (field of :class:`Levels`, deal pool field it moves)
DIMENSIONS: dict[str, tuple[str, str]] = {
    "write_off": ("write_off_multiple", "write_off_pct"),
    "yield": ("yield_haircut", "yield_pct"),
    "mpr": ("mpr_haircut", "mpr_pct"),
    "purchase_rate": ("purchase_haircut", "purchase_rate_pct"),
}


class ReportFinals(Strict):
    """The stressed figures the report prints, kept to check the computed ones against."""

    yield_pct: Pct
    write_off_pct: Pct
    mpr_pct: Pct
    purchase_rate_pct: Pct


class RatingStress(Strict):
    yield_haircut: Fraction
    write_off_multiple: Annotated[Decimal, Field(ge=0, le=1000)]
    mpr_haircut: Annotated[Decimal, Field(ge=0, lt=1, description="below 1: a pool must repay")]
    purchase_haircut: Fraction
    report: ReportFinals | None = None


class Outflows(Strict):
    senior_coupon_pct: Pct
    mezz_coupon_pct: Pct
    tax_rate_pct: Pct
    fees_pct_pa: Pct
    sub_revolving_income_pct: Pct


class Case(Strict):
    description: str = Field(min_length=1)
    overlay: dict[str, Any] = Field(default_factory=dict)


class StressMethod(Strict):
    """A rating agency's cash-flow stresses for one deal: ratings, outflows, cases."""

    source: str = Field(min_length=1)
    ramp_months: Literal[0] = Field(description="the simulator applies stresses from day one only")
    servicer_risk_factor: Annotated[Decimal, Field(ge=1, le=1)]
    ratings: dict[str, RatingStress] = Field(min_length=1)
    outflows: Outflows
    cases: dict[CaseName, Case]

    @model_validator(mode="after")
    def _complete(self) -> StressMethod:
        missing = [c for c in CASES if c not in self.cases]
        if missing:
            raise ValueError(f"cases: missing {', '.join(missing)}")
        return self


def load_method(path: str | Path) -> StressMethod:
    """Read and validate a stress-method file; errors read ``file: a.b.c: message``."""
    path = Path(path)
    data = _read_yaml(path)
    try:
        return StressMethod.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None


def default_method_path(deal_path: str | Path) -> Path:
    """``configs/stress/lianhe_2020.yaml`` beside a deal in ``configs/deals/``."""
    return Path(deal_path).resolve().parent.parent / "stress" / "lianhe_2020.yaml"


@dataclasses.dataclass(frozen=True, slots=True)
class Levels:
    """How hard each pool parameter is stressed: a write-off multiple and three haircuts."""

    write_off_multiple: float
    yield_haircut: float
    mpr_haircut: float
    purchase_haircut: float

    @classmethod
    def of(cls, r: RatingStress) -> Levels:
        return cls(float(r.write_off_multiple), float(r.yield_haircut), float(r.mpr_haircut),
                   float(r.purchase_haircut))

    @classmethod
    def none(cls) -> Levels:
        return cls(1.0, 0.0, 0.0, 0.0)

    def get(self, dimension: str) -> float:
        return getattr(self, DIMENSIONS[dimension][0])

    def with_level(self, dimension: str, value: float) -> Levels:
        if dimension not in DIMENSIONS:
            raise ValueError(f"unknown stress dimension {dimension!r} (known: {', '.join(DIMENSIONS)})")
        return dataclasses.replace(self, **{DIMENSIONS[dimension][0]: float(value)})


def _dec(x: float | Decimal) -> str:
    """A pool percentage as a decimal string, to 1e-9 (exact enough, tidy in a dump)."""
    return str(Decimal(repr(float(x))).quantize(Decimal("1e-9")).normalize())


def stressed_pool(deal: DealConfig, levels: Levels) -> dict[str, str]:
    """The four pool parameters under ``levels``, from the deal's base values."""
    pool = deal.pool
    if pool.kind != "rep_line":
        raise ConfigError(f"{deal.name}: pool.kind: the agency's method needs a rep_line pool, "
                          f"not {pool.kind!r}")
    wo = float(pool.write_off_pct) * levels.write_off_multiple
    if wo >= 100:
        raise ValueError(f"write-off multiple {levels.write_off_multiple} gives a write-off of "
                         f"{wo:.2f}% (must stay below 100%)")
    return {
        "write_off_pct": _dec(wo),
        "yield_pct": _dec(float(pool.yield_pct) * (1 - levels.yield_haircut)),
        "mpr_pct": _dec(float(pool.mpr_pct) * (1 - levels.mpr_haircut)),
        "purchase_rate_pct": _dec(float(pool.purchase_rate_pct) * (1 - levels.purchase_haircut)),
    }


def stressed_deal(deal: DealConfig, method: StressMethod, case: str, levels: Levels,
                  label: str = "stress") -> DealConfig:
    """``deal`` under the method's outflow stresses, the case's overlay and ``levels``.

    Fees become one all-in rate of the outstanding note principal (the report gives only
    the all-in 0.12% a year), so counsel, rating and other expenses are folded into it.
    """
    if case not in method.cases:
        raise ValueError(f"unknown case {case!r} (known: {', '.join(method.cases)})")
    out = method.outflows
    data = deal.model_dump(mode="json")
    data["pool"].update(stressed_pool(deal, levels))
    notes = data["notes"]
    notes["senior"]["coupon_pct"] = str(out.senior_coupon_pct)
    notes["mezz"]["coupon_pct"] = str(out.mezz_coupon_pct)
    notes["sub"]["revolving_income_cap_pct"] = str(out.sub_revolving_income_pct)
    fees = data["fees"]
    fees.update(tax_rate_pct=str(out.tax_rate_pct), trustee_counsel_cny_per_year="0",
                rating_tracking_cny_per_year="0", expenses_cny_per_year="0",
                senior_expense_cap_cny_per_year="0", agents_pct_pa={"all_in": str(out.fees_pct_pa)})
    data = deep_merge(data, method.cases[case].overlay)
    return validate_deal(data, f"{deal.name} ({label}: case {case})")


def rating_levels(method: StressMethod, rating: str) -> Levels:
    """The levels of ``rating``; a clear error naming the known ratings otherwise."""
    r = method.ratings.get(rating)
    if r is None:
        raise ValueError(f"unknown rating {rating!r} (known: {', '.join(method.ratings)})")
    return Levels.of(r)
