"""Operational risk for the Monte Carlo: how often each incident kind happens, and how it looks.

Why a config model of its own: frequencies and severities are the study's assumptions,
not the deal's, so they live in ``configs/montecarlo/operational.yaml`` and are validated
as strictly as a deal (a negative probability stops the run naming the field).

The sampler is generic: for each incident *kind* of the deal's ``Incident`` union it
knows only a frequency and a distribution per field, and emits plain dicts that the path's
deal validates like any scenario's incidents. A kind the union does not know is an error,
and so is a field its model rejects (checked once, up front, on a typical draw).

Frequencies:

* ``annual_probability`` p — the chance that at least one such incident starts in a
  year; starts are a Poisson process of rate ``-ln(1 - p)`` a year over the kind's
  window (``revolving``: effective date to the scheduled end of revolving;
  ``expected_life``: to the last expected maturity of any class), at most
  ``max_per_path`` of them, each on a uniformly drawn day;
* ``per_series_probability`` p (``series_issuance_failure`` only) — each series of the
  deal's rolling class rolled in the revolving period fails to issue with chance p; the
  first failure is the incident (it ends revolving, so later series never come). A deal
  with no rolling class has no such series.
"""

from __future__ import annotations

import datetime as dt
import math
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator

from trustsim.calendar import add_months
from trustsim.config import ConfigError
from trustsim.config.base import Strict
from trustsim.config.incidents import EXCLUSIVE, first_overlap
from trustsim.config.load import _read_yaml, deal_calendar, format_validation_error
from trustsim.config.models import DealConfig, Incident
from trustsim.risk.distributions import Distribution

Probability = Annotated[float, Field(ge=0, le=1, description="a probability, 0-1")]
SERIES_KIND = "series_issuance_failure"


def incident_kinds() -> dict[str, type[BaseModel]]:
    """Every incident kind the deal's ``Incident`` union knows, with its model."""
    union = typing.get_args(Incident)[0]
    members = typing.get_args(union) or (union,)
    out = {}
    for model in members:
        (kind,) = typing.get_args(model.model_fields["kind"].annotation)
        out[kind] = model
    return out


class IncidentRisk(Strict):
    """One incident kind: a frequency, where in the deal's life it starts, its fields."""

    annual_probability: Annotated[float, Field(ge=0, lt=1)] | None = None
    per_series_probability: Probability | None = None
    window: Literal["revolving", "expected_life"] = "expected_life"
    max_per_path: int = Field(default=1, ge=1)
    fields: dict[str, Distribution] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_frequency(self) -> IncidentRisk:
        if (self.annual_probability is None) == (self.per_series_probability is None):
            raise ValueError("give exactly one of annual_probability, per_series_probability")
        return self


class OperationalConfig(Strict):
    description: str = ""
    incidents: dict[str, IncidentRisk] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_kinds(self) -> OperationalConfig:
        kinds = incident_kinds()
        for kind, risk in self.incidents.items():
            if kind not in kinds:
                raise ValueError(f"incidents.{kind}: unknown incident kind (known: {', '.join(kinds)})")
            per_series = risk.per_series_probability is not None
            if per_series != (kind == SERIES_KIND):
                raise ValueError(f"incidents.{kind}: per_series_probability is for {SERIES_KIND} only, "
                                 f"which takes no annual_probability")
            fields = set(kinds[kind].model_fields) - {"kind"}
            unknown = sorted(set(risk.fields) - fields)
            if unknown:
                raise ValueError(f"incidents.{kind}.fields: {', '.join(unknown)} not a field of {kind} "
                                 f"(fields: {', '.join(sorted(fields - {'start'}))})")
            if "start" in risk.fields:
                raise ValueError(f"incidents.{kind}.fields.start: the start is drawn from the window")
        return self


def load_operational(path: str | Path, deal: DealConfig | None = None) -> OperationalConfig:
    """Read and validate an operational-risk file; with ``deal``, check a typical draw too."""
    path = Path(path)
    try:
        cfg = OperationalConfig.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None
    if deal is not None:
        check_typical(cfg, deal, str(path))
    return cfg


_INCIDENT = TypeAdapter(Incident)


def check_typical(cfg: OperationalConfig, deal: DealConfig, source: str) -> None:
    """Each kind with its fields at typical values must be a valid incident of ``deal``."""
    for kind, risk in cfg.incidents.items():
        data: dict[str, Any] = {"kind": kind, **{f: d.typical() for f, d in risk.fields.items()}}
        if kind == SERIES_KIND:
            data["series"] = 2
        else:
            data["start"] = deal.dates.trust_effective_date.isoformat()
        try:
            _INCIDENT.validate_python(data)
        except ValidationError as exc:
            msg = format_validation_error(source, exc).replace(
                f"{source}: {kind}.", f"{source}: incidents.{kind}.fields.")
            raise ConfigError(msg) from None


def window(deal: DealConfig, name: str) -> tuple[dt.date, dt.date]:
    """[first, last] calendar days an incident of this window may start."""
    eff = deal.dates.trust_effective_date
    if name == "revolving":
        return eff, add_months(eff, deal.dates.revolving_months) - dt.timedelta(days=1)
    return eff, max(c.final_expected_maturity for c in deal.classes)


def rolled_series(deal: DealConfig) -> list[int]:
    """Series of the rolling class issued on a roll inside the scheduled revolving period
    (2, 3, ...); none if no class rolls."""
    rolling = deal.rolling_class
    if rolling is None or rolling.rolling_series is None:
        return []
    end = add_months(deal.dates.trust_effective_date, deal.dates.revolving_months)
    ms = rolling.rolling_series.expected_maturities
    return [i + 2 for i, m in enumerate(ms[:-1]) if m < end]


def sample_incidents(cfg: OperationalConfig, deal: DealConfig, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Incidents for one path, kinds in the file's order, each kind's starts in date order.

    Every kind draws the same amount of randomness whatever happens to other kinds, so
    changing one kind's frequency does not reshuffle another's incidents.
    """
    out: list[dict[str, Any]] = []
    series = rolled_series(deal)
    for kind, risk in cfg.incidents.items():
        sub = np.random.default_rng(rng.integers(0, 2**63))   # one sub-stream per kind
        if risk.per_series_probability is not None:
            fails = sub.random(len(series)) < risk.per_series_probability
            hit = [s for s, f in zip(series, fails, strict=True) if f]
            if hit:
                out.append({"kind": kind, "series": hit[0],
                            **{f: d.draw(sub) for f, d in risk.fields.items()}})
            continue
        first, last = window(deal, risk.window)
        years = ((last - first).days + 1) / 365
        rate = -math.log1p(-(risk.annual_probability or 0.0)) * years
        n = min(int(sub.poisson(rate)), risk.max_per_path)
        days = sorted(int(x) for x in sub.integers(0, (last - first).days + 1, size=n))
        for d in days:
            out.append({"kind": kind, "start": (first + dt.timedelta(days=d)).isoformat(),
                        **{f: dist.draw(sub) for f, dist in risk.fields.items()}})
    return out


def without_overlaps(deal: DealConfig, sampled: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sampled incidents a path can have: one that would overlap an incident of its kind
    already on the path (the deal's own, or an earlier draw) is dropped, as a deal file with
    both would be refused (an outage cannot start while the servicer is down)."""
    cal = None
    kept = list(deal.incidents)
    out = []
    for inc in sampled:
        if inc["kind"] in EXCLUSIVE:
            try:
                model = _INCIDENT.validate_python(inc)
            except ValidationError:  # kept: the path's deal names the field (path_deal)
                out.append(inc)
                continue
            cal = cal or deal_calendar(deal)
            if first_overlap([*kept, model], cal) is not None:
                continue
            kept.append(model)
        out.append(inc)
    return out
