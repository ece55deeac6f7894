"""What the trust's remaining receivables fetch when they leave it for cash.

One price rule for the two ways a pool is sold whole — the originator's clean-up call and
the liquidation after an event of default [一.4.2] —: a percentage of each status's
outstanding principal, each rounded to the fen, so a performing, an overdue and a
non-performing receivable can be priced differently.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from trustsim.money import round_fen
from trustsim.pool.base import PoolBalances


class PriceByStatus(Protocol):
    price_pct_of_performing: Decimal
    price_pct_of_overdue: Decimal
    price_pct_of_non_performing: Decimal


def pool_price(b: PoolBalances, terms: PriceByStatus) -> int:
    """The price in fen of the receivables ``b`` describes, at ``terms``' percentages."""
    return (round_fen(Decimal(b.performing_fen) * terms.price_pct_of_performing / 100)
            + round_fen(Decimal(b.overdue_fen) * terms.price_pct_of_overdue / 100)
            + round_fen(Decimal(b.non_performing_fen) * terms.price_pct_of_non_performing / 100))
