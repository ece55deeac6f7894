"""The strict base model and the constrained types every config model reuses.

Why strict: a typo in a deal file ("mpr_pcts") must stop the run with the field's name,
not be ignored; and a config that cannot change under a running simulation (frozen) can
be shared by every actor without copies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from trustsim.config.bounds import MAX_BUSINESS_DAYS, MAX_DAYS, MAX_FEN, MAX_MONTHS, MAX_SEED

RATING_SCALE = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC", "CC", "C", "D",
)  # best first: a rating is "below" another when its index is larger


class Strict(BaseModel):
    """Unknown keys rejected, values frozen after validation.

    ``defer_build``: a model's validator is built when it first validates, not when its class
    is made. A deal file validates through :class:`DealConfig` alone, so the eighty models
    inside it are compiled once, into its validator, instead of once each and again inside
    it (about 10 ms off every command that reads a deal; issue 17).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, defer_build=True)

Pct = Annotated[Decimal, Field(ge=0, le=100, description="a percentage, 0-100")]
Wan = Annotated[Decimal, Field(ge=0, le=MAX_FEN // 1_000_000, decimal_places=6,
                               description="10k CNY (万元), to the fen, at most 10 trillion CNY")]
Cny = Annotated[Decimal, Field(ge=0, le=MAX_FEN // 100, decimal_places=2,
                               description="CNY, to the fen, at most 10 trillion")]
BusinessDays = Annotated[int, Field(ge=0, le=MAX_BUSINESS_DAYS, description="a count of business days")]
PositiveBusinessDays = Annotated[int, Field(ge=1, le=MAX_BUSINESS_DAYS, description="business days, at least 1")]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS, description="calendar days")]
PositiveDays = Annotated[int, Field(ge=1, le=MAX_DAYS, description="calendar days, at least 1")]
Months = Annotated[int, Field(ge=1, le=MAX_MONTHS, description="months, at least 1")]
#: a count compared with a threshold, never added to a date: any size is harmless below int64
Count = Annotated[int, Field(ge=1, le=10**9, description="a count, at least 1")]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description="a seed, 0 to 2**63 - 1")]
Rating = Annotated[str, Field(pattern=r"^(AAA|AA[+-]?|A[+-]?|BBB[+-]?|BB[+-]?|B[+-]?|CCC|CC|C|D)$")]
