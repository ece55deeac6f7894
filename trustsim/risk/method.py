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
from trustsim.money import fen_from_wan

Fraction = Annotated[Decimal, Field(ge=0, le=1, description="a haircut: 0 (none) to 1 (all)")]
CaseName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$",
                                description="a case's name: letters, digits, _ . -")]

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
    """The outflow stresses: each named class's coupon and period-income cap, taxes and an
    all-in fee rate (applied to any deal: classes are named by the deal's names)."""

    coupons_pct: dict[str, Pct] = Field(
        default_factory=dict, description="class name -> stressed coupon (a year, % of its balance)")
    period_income_cap_pct: dict[str, Pct] = Field(
        default_factory=dict, description="class name -> stressed cap of its period income")
    tax_rate_pct: Pct = Field(description="the deal's tax on income (its pct_of_income fees)")
    fees_pct_pa: Pct = Field(description="every other fee, all in: a year, % of the notes "
                                         "(outstanding or issued: readings.fees)")


#: reading -> (its values, the deal field it sets or how it lands); see :class:`Readings`
READINGS: dict[str, tuple[str, ...]] = {
    "mpr_basis": ("initial", "outstanding"),
    "write_off_basis": ("each_lot", "pool_at_revolving_end"),
    "fees": ("pct_of_notes_outstanding", "fixed_of_notes_issued"),
    "taxes": ("interest", "all_income", "all_collections"),
}


class Readings(Strict):
    """How the method reads what the report leaves to reading: each a named choice with its
    basis in the report's text (``docs/risk.md``, "Readings"). Every one lands on the
    stressed deal through the deal language — the pool's parameters, the fee list — never
    as a special case of the engine."""

    mpr_basis: Literal["initial", "outstanding"] = Field(
        description="the monthly payment rate of each static pool's initial amount (initial) or "
                    "of the outstanding balance; sets pool.mpr_basis")
    write_off_basis: Literal["each_lot", "pool_at_revolving_end"] = Field(
        description="the write-off rate on each lot the pool takes in, from the day it enters "
                    "(each_lot), or on the pool held when revolving ends; sets pool.write_off_basis")
    fees: Literal["pct_of_notes_outstanding", "fixed_of_notes_issued"] = Field(
        description="the all-in fee rate a year of the notes outstanding, or a fixed amount a "
                    "year: the rate of the notes issued")
    taxes: Literal["interest", "all_income", "all_collections"] = Field(
        description="the tax rate on the obligors' non-principal payments (interest), on those "
                    "and the eligible investments' income (all_income), or on all of that and the "
                    "obligors' principal payments (all_collections); sets the tax's income")

    def with_(self, name: str, value: str) -> Readings:
        """These readings with ``name`` set to ``value``; a clear error naming both otherwise."""
        if name not in READINGS:
            raise ValueError(f"unknown reading {name!r} (known: {', '.join(READINGS)})")
        if value not in READINGS[name]:
            raise ValueError(f"reading {name}: unknown value {value!r} "
                             f"(known: {', '.join(READINGS[name])})")
        return self.model_copy(update={name: value})


class Case(Strict):
    description: str = Field(min_length=1)
    overlay: dict[str, Any] = Field(default_factory=dict)


class StressMethod(Strict):
    """A rating agency's cash-flow stresses for one deal: ratings, outflows, cases.

    The cases are the method's own (Lianhe's: every series of the rolling class issued, or
    series 2 failing); each is an overlay on the stressed deal, run in the file's order."""

    source: str = Field(min_length=1)
    applies_to: list[str] = Field(min_length=1, description="the deals (by name) the method is written for")
    ramp_months: Literal[0] = Field(description="the simulator applies stresses from day one only")
    servicer_risk_factor: Annotated[Decimal, Field(ge=1, le=1)]
    ratings: dict[str, RatingStress] = Field(min_length=1)
    outflows: Outflows
    readings: Readings
    cases: dict[CaseName, Case] = Field(min_length=1)
    normal_assets_classes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="rating -> the classes whose principal the issuance-succeeds case's normal "
                    "assets are set against (default: the deal's classes rated at or above it)")

    @model_validator(mode="after")
    def _normal_assets_ratings(self) -> StressMethod:
        for r in self.normal_assets_classes:
            if r not in self.ratings:
                raise ValueError(f"normal_assets_classes.{r}: no such rating in ratings "
                                 f"(known: {', '.join(self.ratings)})")
        return self


def load_method(path: str | Path) -> StressMethod:
    """Read and validate a stress-method file; errors read ``file: a.b.c: message``."""
    path = Path(path)
    data = _read_yaml(path)
    try:
        return StressMethod.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None


def default_method_path(deal_path: str | Path, deal_name: str) -> Path:
    """The method file in ``configs/stress/`` (beside the deal's ``configs/deals/``) whose
    ``applies_to`` names the deal; the first in name order if several do."""
    folder = Path(deal_path).resolve().parent.parent / "stress"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        try:
            names = _read_yaml(path).get("applies_to") or []
        except ConfigError:
            continue
        if deal_name in names:
            return path
    raise ConfigError(f"{folder}: no stress method names deal {deal_name!r} in its applies_to; "
                      f"give one with --method")


def check_applies(method: StressMethod, deal: DealConfig, source: str) -> None:
    """A method is written for its deals: their classes, fees and cases."""
    if deal.name not in method.applies_to:
        raise ConfigError(f"{source}: applies_to: the method is written for "
                          f"{', '.join(method.applies_to)}, not for deal {deal.name!r}")


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


def check_outflows(method: StressMethod, deal: DealConfig, source: str | None = None) -> None:
    """Every class the method's outflows name must be a class of ``deal`` that can take the
    stress (a coupon for a class paid interest, a period-income cap for one paid income), and
    the deal must have the fees the tax and all-in rates replace. ``source``: the method
    file, named in the error."""
    names = deal.class_names
    where = f"{source}: outflows" if source else "outflows"
    for field, by_class in (("coupons_pct", method.outflows.coupons_pct),
                            ("period_income_cap_pct", method.outflows.period_income_cap_pct)):
        for name in by_class:
            if name not in names:
                raise ConfigError(f"{where}.{field}.{name}: the deal {deal.name} has no class named "
                                  f"{name!r} (classes: {', '.join(names)})")
            income = deal.note_class(name).period_income is not None
            if field == "coupons_pct" and income:
                raise ConfigError(f"{where}.{field}.{name}: class {name!r} is paid period income, not a "
                                  f"coupon; stress it under outflows.period_income_cap_pct")
            if field == "period_income_cap_pct" and not income:
                raise ConfigError(f"{where}.{field}.{name}: class {name!r} has no period_income; "
                                  f"stress its coupon under outflows.coupons_pct")
    for rating, names in method.normal_assets_classes.items():
        for name in names:
            if name not in deal.class_names:
                raise ConfigError(f"{source + ': ' if source else ''}normal_assets_classes.{rating}: "
                                  f"the deal {deal.name} has no class named {name!r} "
                                  f"(classes: {', '.join(deal.class_names)})")
    o = method.outflows
    if o.tax_rate_pct and not any(f.basis == "pct_of_income" for f in deal.fees):
        raise ConfigError(f"{where}.tax_rate_pct: the deal {deal.name} has no tax on income "
                          f"(a fee of basis pct_of_income) to stress")
    if o.fees_pct_pa and _all_in_fee(deal) is None:
        raise ConfigError(f"{where}.fees_pct_pa: the deal {deal.name} has no fee that can carry the "
                          f"all-in rate (a fee without cap_cny_per_year that is not a "
                          f"tax on income)")


def _all_in_fee(deal: DealConfig) -> str | None:
    """The fee that carries the all-in rate: the first uncapped fee of the notes, else the
    first uncapped fee that is not a tax on income (a cap would defer part of the rate)."""
    uncapped = [f for f in deal.fees if f.cap_cny_per_year is None and f.basis != "pct_of_income"]
    first = next((f.name for f in uncapped if f.basis == "pct_of_notes"), None)
    return first or next((f.name for f in uncapped), None)


def notes_issued_fen(deal: DealConfig) -> int:
    """The notes issued at closing: every class's size (a rolling class: one series)."""
    return sum(fen_from_wan(c.size_wan) for c in deal.classes)


def stressed_fees(deal: DealConfig, method: StressMethod,
                  readings: Readings | None = None) -> list[dict[str, Any]]:
    """The deal's fee list under the method: its taxes on income at ``tax_rate_pct`` (the first
    one; any other at 0) on the income ``readings.taxes`` names, one fee at ``fees_pct_pa`` a
    year — of the notes outstanding, or as a fixed amount of the notes issued
    (``readings.fees``) — every other fee and cap at 0. Names, payees and the waterfalls that
    pay them stay as they are."""
    out = method.outflows
    rd = readings or method.readings
    carrier = _all_in_fee(deal)
    taxed = False
    fees = []
    for f in deal.model_dump(mode="json")["fees"]:
        if f["basis"] == "pct_of_income":
            f["pct"] = "0" if taxed else str(out.tax_rate_pct)
            f["income"] = "obligor_income" if rd.taxes == "interest" else rd.taxes
            taxed = True
        elif f["name"] == carrier:
            f = {k: v for k, v in f.items() if k not in ("cny_per_year", "pct_per_year")}
            if rd.fees == "pct_of_notes_outstanding":
                f.update(basis="pct_of_notes", pct_per_year=str(out.fees_pct_pa))
            else:
                yearly = Decimal(notes_issued_fen(deal)) * out.fees_pct_pa / 100 / 100   # CNY
                f.update(basis="fixed_per_year", cny_per_year=str(yearly.quantize(Decimal("0.01"))))
        elif f["basis"] == "fixed_per_year":
            f["cny_per_year"] = "0"
        else:
            f["pct_per_year"] = "0"
        if f.get("cap_cny_per_year") is not None:
            f["cap_cny_per_year"] = "0"
        fees.append(f)
    return fees


def stressed_deal(deal: DealConfig, method: StressMethod, case: str, levels: Levels,
                  label: str = "stress", readings: Readings | None = None) -> DealConfig:
    """``deal`` under the method's outflow stresses, the case's overlay and ``levels``, read
    as ``readings`` (default: the method's).

    Each class named in ``outflows`` takes its stressed coupon or period-income cap (a class
    overlay by name). Fees become one all-in rate (the report gives only the all-in 0.12%),
    so counsel, rating and other expenses are folded into it; taxes on income take the
    method's rate (:func:`stressed_fees`). The pool takes the readings' MPR and write-off
    bases (``pool.mpr_basis``, ``pool.write_off_basis``).
    """
    rd = readings or method.readings
    if case not in method.cases:
        raise ValueError(f"unknown case {case!r} (known: {', '.join(method.cases)})")
    check_outflows(method, deal)
    out = method.outflows
    data = deal.model_dump(mode="json")
    data["pool"].update(stressed_pool(deal, levels))
    data["pool"].update(mpr_basis=rd.mpr_basis, write_off_basis=rd.write_off_basis)
    overlay: dict[str, Any] = {"classes": [
        *({"name": c, "coupon_pct": str(v)} for c, v in out.coupons_pct.items()),
        *({"name": c, "period_income": {"cap_pct": str(v)}} for c, v in out.period_income_cap_pct.items()),
    ]}
    if not overlay["classes"]:
        del overlay["classes"]
    data = deep_merge(data, overlay)
    data["fees"] = stressed_fees(deal, method, rd)
    data = deep_merge(data, method.cases[case].overlay)
    return validate_deal(data, f"{deal.name} ({label}: case {case})")


def rating_levels(method: StressMethod, rating: str) -> Levels:
    """The levels of ``rating``; a clear error naming the known ratings otherwise."""
    r = method.ratings.get(rating)
    if r is None:
        raise ValueError(f"unknown rating {rating!r} (known: {', '.join(method.ratings)})")
    return Levels.of(r)
