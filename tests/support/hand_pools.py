"""Loan-level pools on hand-built tapes: a few receivables, quiet behaviour unless a test asks."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

from trustsim.config import load_deal
from trustsim.pool.loan_level import LoanLevelPool
from trustsim.pool.tape import tape_from_records
from trustsim.sim.rng import RngStreams

ROOT = Path(__file__).resolve().parents[2]
EFF = dt.date(2020, 8, 18)
QUIET = {"p30_by_level_pct": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0},
         "full_prepayment_pct_per_month": 0, "partial_prepayment_pct_per_month": 0,
         "lost_pct_first_month": 0}


def pool_of(records, **behaviour):
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
    b = deal.pool.behaviour.model_copy(update={k: (v if isinstance(v, dict) else Decimal(str(v)))
                                               for k, v in {**QUIET, **behaviour}.items()})
    cfg = deal.pool.model_copy(update={"behaviour": b, "journal": True})  # movements asked
    pool = LoanLevelPool(cfg, EFF, RngStreams(5), tape=tape_from_records(records, EFF))
    pool.new_business.daily_fen = 0  # the inventory holds only what a test puts in it
    return pool


def loan(loan_id, **kw):
    r = {"loan_id": loan_id, "obligor_id": 100 + loan_id, "origination_date": "2020-08-10",
         "instalments": 12, "remaining_instalments": 12, "annual_fee_rate": 0.072,
         "credit_level": 2, "region": "Beijing", "principal_fen": 1_000_000, "dpd": 0,
         "worst_dpd": 0, "status": "current", "holder": "trust"}
    r.update(kw)
    return r
