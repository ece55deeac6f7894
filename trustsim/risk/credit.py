"""Credit randomness for the Monte Carlo: each path's pool parameters, drawn around the base.

Why parameters rather than loan-level noise: the rep-line pool is deterministic — it *is*
the rating agency's four parameters — so a path's credit luck is which parameters it got.
Each is the deal's base value times a lognormal factor whose median is 1:

    factor = exp(sigma * (loading * Z + sqrt(1 - loading^2) * e))

with Z one standard normal per path shared by the four (the economy) and e the
parameter's own. A positive loading moves the parameter up in a bad economy (write-off),
a negative one down (MPR, yield, purchase rate), so bad years are bad on every count as
in the agency's stresses. Factors are clipped where the model needs it (write-off below
100%, rates at most 100%, MPR above 0). The calibration is an assumption and is documented
in ``configs/montecarlo/credit.yaml`` and docs/risk.md. A loan-level pool adds its own
randomness from the path's seed on top.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import Field, ValidationError

from trustsim.config import ConfigError
from trustsim.config.base import Strict
from trustsim.config.load import _read_yaml, format_validation_error
from trustsim.config.models import DealConfig

#: parameter -> (deal pool field, upper bound in percent)
PARAMETERS: dict[str, tuple[str, float]] = {
    "write_off": ("write_off_pct", 99.0),
    "mpr": ("mpr_pct", 100.0),
    "yield": ("yield_pct", 100.0),
    "purchase_rate": ("purchase_rate_pct", 100.0),
}
MIN_PCT = 0.01  # an MPR of zero would never repay


class ParameterRisk(Strict):
    sigma: float = Field(ge=0, le=3, description="dispersion of log(factor)")
    loading: Annotated[float, Field(ge=-1, le=1)] = Field(
        description="weight on the common factor; sign = direction in a bad economy")


class CreditConfig(Strict):
    description: str = ""
    write_off: ParameterRisk
    mpr: ParameterRisk
    yield_: ParameterRisk = Field(alias="yield")
    purchase_rate: ParameterRisk

    def risk(self, parameter: str) -> ParameterRisk:
        return self.yield_ if parameter == "yield" else getattr(self, parameter)


def load_credit(path: str | Path) -> CreditConfig:
    path = Path(path)
    try:
        return CreditConfig.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None


def draw_pool(cfg: CreditConfig, deal: DealConfig, rng: np.random.Generator) -> dict[str, float]:
    """The path's pool parameters (percent), and the common factor as ``economy_z``."""
    z = float(rng.standard_normal())
    eps = rng.standard_normal(len(PARAMETERS))
    out: dict[str, float] = {"economy_z": z}
    for (name, (field, cap)), e in zip(PARAMETERS.items(), eps, strict=True):
        r = cfg.risk(name)
        shock = r.loading * z + math.sqrt(1 - r.loading**2) * float(e)
        value = float(getattr(deal.pool, field)) * math.exp(r.sigma * shock)
        out[field] = min(cap, max(MIN_PCT if name == "mpr" else 0.0, value))
    return out
