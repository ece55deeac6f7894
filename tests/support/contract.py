"""The bundled deal's note classes as the trustee opens them, for clause-level tests.

Why here: the required amount, dues and note tests each need the deal's classes at their
full size on a given accrual start, built from the deal's own terms (its ``classes``: a
period-income class bears no coupon; a step-up carries its date and new coupon).
"""

from __future__ import annotations

import datetime as dt

from trustsim.config import DealConfig
from trustsim.contract.notes import NoteClass
from trustsim.money import fen_from_wan


def deal_notes(deal: DealConfig, accrual_start: dt.date) -> dict[str, NoteClass]:
    """Every class of ``deal`` at its size and coupon, accruing from ``accrual_start``."""
    return {
        c.name: NoteClass(c.name, fen_from_wan(c.size_wan), c.coupon_pct, c.day_count, accrual_start,
                          step_up=(c.step_up.date, c.step_up.coupon_pct) if c.step_up else None)
        for c in deal.classes
    }
