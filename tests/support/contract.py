"""The bundled deal's three note classes as the trustee opens them, for clause-level tests.

Why here: the required amount, dues and note tests each need the deal's senior, mezz and
sub classes at their full size on a given accrual start, built from the deal's own terms.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trustsim.config import DealConfig
from trustsim.contract.notes import NoteClass
from trustsim.money import fen_from_wan


def deal_notes(deal: DealConfig, accrual_start: dt.date) -> dict[str, NoteClass]:
    """Senior, mezz and sub at their sizes and coupons (the sub bears none), accruing from ``accrual_start``."""
    n = deal.notes
    return {
        "senior": NoteClass("senior", fen_from_wan(n.senior.size_wan), n.senior.coupon_pct,
                            n.senior.day_count, accrual_start),
        "mezz": NoteClass("mezz", fen_from_wan(n.mezz.size_wan), n.mezz.coupon_pct, n.mezz.day_count,
                          accrual_start),
        "sub": NoteClass("sub", fen_from_wan(n.sub.size_wan), Decimal(0), n.sub.day_count, accrual_start),
    }
