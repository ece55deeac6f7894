"""Money as integer fen (0.01 CNY), with one constructor and one rounding rule.

Why: the ledger must balance to the fen on every day of a 750-day run, so amounts are
plain Python ``int`` fen. Rates and day-count fractions are ``Decimal``; every product of
a balance and a rate goes through :func:`round_fen`, which rounds half up — the one
rounding rule of the project. Behaviour models may use floats to *decide* amounts, but
they convert through :func:`floor_fen` before anything is posted.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

FEN_PER_CNY = 100
FEN_PER_WAN = 1_000_000  # 1 wan (万元) = 10,000 CNY
_ONE = Decimal(1)


def round_fen(amount: Decimal) -> int:
    """Round a Decimal amount of fen to an integer, half up (the project's one rule)."""
    return int(amount.quantize(_ONE, rounding=ROUND_HALF_UP))


def fen_from_cny(cny: Decimal | int | str) -> int:
    """Convert CNY (exact decimal) to fen, refusing sub-fen precision."""
    value = Decimal(str(cny)) * FEN_PER_CNY
    if value != value.to_integral_value():
        raise ValueError(f"{cny} CNY has more precision than a fen")
    return int(value)


def fen_from_wan(wan: Decimal | int | str) -> int:
    """Convert 10k CNY (the rating report's unit) to fen, refusing sub-fen precision."""
    value = Decimal(str(wan)) * FEN_PER_WAN
    if value != value.to_integral_value():
        raise ValueError(f"{wan} wan has more precision than a fen")
    return int(value)


def wan(fen: int) -> Decimal:
    """Fen as 10k CNY, exactly, for reports."""
    return Decimal(fen) / FEN_PER_WAN


def cny(fen: int) -> Decimal:
    """Fen as CNY, exactly, for reports."""
    return Decimal(fen) / FEN_PER_CNY


def floor_fen(amount: float) -> int:
    """Floor a behaviour model's float amount to whole fen (never negative)."""
    return max(0, int(amount))


def accrue(balance_fen: int, rate_pct: Decimal, days: int, basis: int) -> int:
    """Simple interest on ``balance_fen`` at ``rate_pct`` % a year for ``days`` over ``basis``."""
    if balance_fen <= 0 or days <= 0 or rate_pct == 0:
        return 0
    return round_fen(Decimal(balance_fen) * rate_pct * days / (100 * basis))


def pro_rata(amount_fen: int, claims: Sequence[int]) -> list[int]:
    """Split ``amount_fen`` over ``claims`` in proportion, to the fen, never above a claim.

    Largest-remainder method: each share is floored, then the fen left over go one by one
    to the claims with the largest remainders (ties to the earlier claim), so the shares
    add up exactly to ``min(amount, sum(claims))`` and the result is deterministic.
    """
    total = sum(claims)
    if any(c < 0 for c in claims):
        raise ValueError("claims must be non-negative")
    if amount_fen >= total:
        return list(claims)
    if amount_fen <= 0:
        return [0] * len(claims)
    shares = [amount_fen * c // total for c in claims]
    remainders = [amount_fen * c % total for c in claims]
    left = amount_fen - sum(shares)
    order = sorted(range(len(claims)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        shares[i] += 1
    return shares
