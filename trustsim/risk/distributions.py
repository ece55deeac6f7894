"""Distributions a Monte Carlo config may give for a sampled value, as strict tagged models.

Why tagged models rather than free-form dicts: a typo or an impossible parameter (a
negative sigma, a weight list that does not match its values, ``low > high``) must stop
the study before ten thousand paths start, with the field's dotted name in the message.
Each model draws with a numpy ``Generator`` passed in — never a global one — so a path's
draws depend on its own seed only.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from trustsim.config.base import Strict


class Fixed(Strict):
    dist: Literal["fixed"]
    value: Any

    def typical(self) -> Any:
        return self.value

    def draw(self, rng: np.random.Generator) -> Any:
        return self.value


class Uniform(Strict):
    """A real number uniform on [low, high]."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    def typical(self) -> float:
        return (self.low + self.high) / 2

    def draw(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))


class UniformInt(Strict):
    """An integer uniform on [low, high], both included."""

    dist: Literal["uniform_int"]
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self) -> UniformInt:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    def typical(self) -> int:
        return (self.low + self.high) // 2

    def draw(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high, endpoint=True))


class LogNormal(Strict):
    """``median * exp(sigma * N(0,1))``, clipped to [min, max], rounded up if ``integer``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)
    min: float | None = None
    max: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> LogNormal:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min})")
        return self

    def _finish(self, x: float) -> float | int:
        if self.min is not None:
            x = max(self.min, x)
        if self.max is not None:
            x = min(self.max, x)
        return math.ceil(x) if self.integer else x

    def typical(self) -> float | int:
        return self._finish(self.median)

    def draw(self, rng: np.random.Generator) -> float | int:
        return self._finish(self.median * math.exp(self.sigma * float(rng.standard_normal())))


class Choice(Strict):
    """One of ``values``, with ``weights`` (equal if omitted)."""

    dist: Literal["choice"]
    values: list[Any] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"{len(self.weights)} weights for {len(self.values)} values")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def typical(self) -> Any:
        return self.values[0]

    def draw(self, rng: np.random.Generator) -> Any:
        if self.weights is None:
            return self.values[int(rng.integers(len(self.values)))]
        p = np.asarray(self.weights, dtype=float)
        return self.values[int(rng.choice(len(self.values), p=p / p.sum()))]


class Bernoulli(Strict):
    """True with probability ``p``."""

    dist: Literal["bernoulli"]
    p: float = Field(ge=0, le=1)

    def typical(self) -> bool:
        return self.p >= 0.5

    def draw(self, rng: np.random.Generator) -> bool:
        return bool(rng.random() < self.p)


Distribution = Annotated[Fixed | Uniform | UniformInt | LogNormal | Choice | Bernoulli,
                         Field(discriminator="dist")]
