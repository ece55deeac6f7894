"""The strict base model and the constrained types every config model reuses.

Why strict: a typo in a deal file ("mpr_pcts") must stop the run with the field's name,
not be ignored; and a config that cannot change under a running simulation (frozen) can
be shared by every actor without copies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

RATING_SCALE = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC", "CC", "C", "D",
)  # best first: a rating is "below" another when its index is larger


class Strict(BaseModel):
    """Unknown keys rejected, values frozen after validation."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


Pct = Annotated[Decimal, Field(ge=0, le=100, description="a percentage, 0-100")]
Wan = Annotated[Decimal, Field(ge=0, decimal_places=6, description="10k CNY (万元), to the fen")]
Cny = Annotated[Decimal, Field(ge=0, decimal_places=2, description="CNY, to the fen")]
BusinessDays = Annotated[int, Field(ge=0, description="a count of business days")]
Rating = Annotated[str, Field(pattern=r"^(AAA|AA[+-]?|A[+-]?|BBB[+-]?|BB[+-]?|B[+-]?|CCC|CC|C|D)$")]
