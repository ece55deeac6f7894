"""How obligors behave, as probabilities the loan book draws from.

Why a model by credit level and delinquency bucket: JD scores each user's probability of
going 30+ days overdue (Level1 < 1.5%, Level2 < 5.9%, Level3 < 15%, Level4 < 33%; DEAL.md
§7), and the trust's contract speaks in days past due (overdue 1-90, non-performing
above 90). So a missed instalment starts a delinquency whose path through the 1-30,
31-60 and 61-90 buckets is drawn once, when it starts: cured within a bucket (on a day
drawn uniformly inside it) or rolled to the next, and past 90 days non-performing, then
charged off. A level's chance of missing an instalment is set so that over twelve due
dates its chance of reaching 30+ days overdue is the configured ``p30`` of that level:

    1 - (1 - miss_L x (1 - cure_1_30)) ** 12 = p30_L

Between due dates a current obligor may repay in full or in part (随借随还: any day, any
amount), each with a monthly probability; the day is drawn uniformly in the month. Early
full repayment waives the fees of the instalments not yet due, so it saves a fee-bearing
obligor money and a fee-free one nothing: the two repay early at different rates. A
new receivable may be returned or cancelled (a lost asset, DEAL.md §6) within its first
30 days. Late fees run at 0.015% a day on each unpaid amount from its due date (the
paper §3.2.1), paid on cure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DAYS_PER_MONTH = 365.25 / 12
LOST_WINDOW_DAYS = 30      # returns and cancellations happen within 30 days of the purchase
LATE_FEE_DENOMINATOR = 1_000_000  # late fee rate in parts per million a day


@dataclass(frozen=True)
class Behaviour:
    """Behaviour parameters in the form the loan book uses (probabilities, not percents)."""

    miss_by_level: np.ndarray        # P(an instalment is missed), index = credit level (0 unused)
    cure: tuple[float, float, float]  # P(cure within 1-30 | missed), (31-60 | rolled), (61-90 | rolled)
    full_prepay_month: float         # P(repay in full within a month | current, fee-bearing)
    full_prepay_month_no_fee: float  # ... for a fee-free receivable (nothing saved by repaying early)
    partial_prepay_month: float      # P(repay part within a month | current, no full repayment)
    partial_fraction: tuple[float, float]  # share of the principal not yet due, uniform in range
    lost_first_month: float          # P(returned or cancelled within 30 days of origination)
    late_fee_ppm_per_day: int = 150  # 0.015% a day
    npl_after_days: int = 90         # non-performing: more than 90 days past due
    charge_off_after_days: int = 180

    @classmethod
    def from_config(cls, cfg) -> Behaviour:
        """From a ``LoanBehaviour`` config (percent fields)."""
        cure = (float(cfg.cure_within_30_pct) / 100, float(cfg.cure_31_60_pct) / 100,
                float(cfg.cure_61_90_pct) / 100)
        miss = np.zeros(6)
        for level, p30 in cfg.p30_by_level_pct.items():
            miss[int(level)] = miss_probability(float(p30) / 100, cure[0])
        return cls(
            miss_by_level=miss, cure=cure,
            full_prepay_month=float(cfg.full_prepayment_pct_per_month) / 100,
            full_prepay_month_no_fee=float(cfg.full_prepayment_no_fee_pct_per_month) / 100,
            partial_prepay_month=float(cfg.partial_prepayment_pct_per_month) / 100,
            partial_fraction=(float(cfg.partial_prepayment_min_pct) / 100,
                              float(cfg.partial_prepayment_max_pct) / 100),
            lost_first_month=float(cfg.lost_pct_first_month) / 100,
            late_fee_ppm_per_day=int(cfg.late_fee_pct_per_day * 10_000),
            npl_after_days=cfg.npl_after_days,
            charge_off_after_days=cfg.charge_off_after_days,
        )

    def p30(self, level: int) -> float:
        """The level's probability of reaching 30+ days overdue over twelve due dates."""
        return 1 - (1 - self.miss_by_level[level] * (1 - self.cure[0])) ** 12


def miss_probability(p30_12m: float, cure_within_30: float) -> float:
    """The per-instalment miss probability giving ``p30_12m`` over twelve due dates."""
    per_due = 1 - (1 - p30_12m) ** (1 / 12)
    return min(1.0, per_due / max(1e-12, 1 - cure_within_30))


def draw_paths_from(rng: np.random.Generator, dpd_now: np.ndarray,
                    cure: tuple[float, float, float], npl_after_days: int) -> np.ndarray:
    """Days past due at which delinquencies already ``dpd_now`` days past due end (a tape's
    late receivables; a new delinquency's path is drawn in the loan book's due pass,
    ``kernels/book.py``, by the same rule from its first day).

    A value in 1..90 is a cure on that day past due; ``npl_after_days + 1`` means the
    receivable is still unpaid when it becomes non-performing. The path starts in the
    bucket the receivable is in: cured later in that bucket with that bucket's
    probability (on a day after today), else rolled on.
    """
    dpd_now = np.asarray(dpd_now, np.int64)
    k = len(dpd_now)
    end = np.full(k, npl_after_days + 1, np.int64)
    open_ = np.ones(k, bool)
    for b, c in enumerate(cure):
        lo = np.maximum(30 * b + 1, dpd_now + 1)
        hi = 30 * b + 30
        here = open_ & (lo <= hi)
        u, v = rng.random(k), rng.random(k)
        cured = here & (u < c)
        end[cured] = (lo + np.floor(v * (hi - lo + 1)).astype(np.int64))[cured]
        open_ &= ~cured
    return end


def window_probability(monthly: float, days):
    """A monthly probability over windows of ``days`` days (constant hazard; arrays welcome)."""
    if monthly <= 0:
        return np.zeros_like(np.asarray(days, np.float64))
    if monthly >= 1:
        return np.ones_like(np.asarray(days, np.float64))
    return 1 - (1 - monthly) ** (np.asarray(days, np.float64) / DAYS_PER_MONTH)
