"""Pools of receivables behind one interface (:class:`trustsim.pool.base.Pool`).

``rep_line`` — the rating agency's four parameters on lots of principal.
``loan_level`` — a loan tape, receivable by receivable (:mod:`trustsim.pool.loan_level`).
"""

from __future__ import annotations

import datetime as dt

from trustsim.config.models import DealConfig
from trustsim.pool.base import Collections, Offer, Pool, PoolBalances
from trustsim.pool.rep_line import RepLinePool


def build_pool(deal: DealConfig, rng_streams=None) -> Pool:
    """The pool model the deal's ``pool.kind`` names, holding the initial pool on the effective date."""
    eff: dt.date = deal.dates.trust_effective_date
    if deal.pool.kind == "rep_line":
        return RepLinePool(deal.pool, eff)
    if deal.pool.kind == "loan_level":
        from trustsim.pool.loan_level import LoanLevelPool  # numpy/pyarrow only when asked for
        from trustsim.pool.precompile import ensure_compiled
        from trustsim.sim.rng import RngStreams

        ensure_compiled(deal)  # announced, once per machine: not a frozen first day
        rng = rng_streams if rng_streams is not None else RngStreams(deal.run.seed)
        return LoanLevelPool(deal.pool, eff, rng, reference_date=deal.dates.pool_reference_date)
    raise ValueError(f"pool.kind {deal.pool.kind!r} is not implemented")


__all__ = ["Collections", "Offer", "Pool", "PoolBalances", "RepLinePool", "build_pool"]
