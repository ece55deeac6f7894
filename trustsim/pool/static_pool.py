"""Static pools: monthly vintages of new receivables followed to the end, as the agency measured.

Why: the report's base parameters (DEAL.md §11, Table 12) come from 33 static pools — a
month's new receivables each, followed month by month. The behaviour model is
calibrated so that static pools it generates reproduce them. Each vintage here is a
month of the originator's new business (the tape's mix, all terms, every receivable
current at origination), run day by day through the loan book until every receivable
has repaid, prepaid or been charged off.

The measures, per vintage, then averaged over vintages (the report averages its 33):

* **monthly payment rate** = principal received / opening principal, summed over the
  vintage's months (the balance-weighted average of each month's ratio). Opening
  principal of a month is the principal not yet non-performing at its start. This is
  the reading the rep-line pool applies to the outstanding balance (``mpr_basis:
  outstanding``), so both pools speak of the same 20.77%.
* **yield** = non-principal cash received (fees and late fees) / opening principal,
  summed over months, x 12.
* **write-off rate** = principal of receivables more than 90 days past due at the time
  they become so ("still overdue 90 days after the normal repayment cycle") / the
  vintage's initial principal.
* **cumulative 30+ dpd rate** by months since origination (the report's Figure 2):
  principal of receivables that have been more than 30 days past due / initial principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from trustsim.pool.behaviour import Behaviour
from trustsim.pool.book import LoanBook, month_index
from trustsim.pool.newbusiness import NewBusiness
from trustsim.pool.tape import Tape, add_months_days
from trustsim.sim.rng import RngStreams

TARGETS = {"mpr_pct": 20.77, "yield_pct": 7.15, "write_off_pct": 1.15}  # DEAL.md §11, Table 12
FIRST_VINTAGE_DAY = 17532  # 2018-01-01: any date works; the calendar only sets month lengths


@dataclass(frozen=True)
class Vintage:
    month: int              # months since 1970-01
    initial_fen: int
    opening_fen: int        # sum over months of opening principal
    principal_fen: int
    income_fen: int
    npl_fen: int
    dpd30_fen: dict[int, int]  # months since origination -> principal first 30+ dpd

    @property
    def mpr_pct(self) -> float:
        return 100.0 * self.principal_fen / self.opening_fen

    @property
    def yield_pct(self) -> float:
        return 1200.0 * self.income_fen / self.opening_fen

    @property
    def write_off_pct(self) -> float:
        return 100.0 * self.npl_fen / self.initial_fen

    def cumulative_30(self, months: int) -> list[float]:
        out, acc = [], 0
        for m in range(months + 1):
            acc += self.dpd30_fen.get(m, 0)
            out.append(100.0 * acc / self.initial_fen)
        return out


@dataclass(frozen=True)
class StaticPools:
    vintages: list[Vintage]

    def mean(self, name: str) -> float:
        return float(np.mean([getattr(v, name) for v in self.vintages]))

    def figures(self) -> dict[str, float]:
        return {k: self.mean(k) for k in TARGETS}


def run(tape: Tape, behaviour: Behaviour, vintages: int, vintage_fen: int, seed: int,
        horizon_months: int = 32) -> StaticPools:
    """Simulate ``vintages`` monthly vintages of about ``vintage_fen`` each; see the module docstring."""
    rng = RngStreams(seed)
    book = LoanBook(behaviour, rng["credit"], rng["prepayment"], rng["returns"],
                    start_day=FIRST_VINTAGE_DAY - 1, track=True, journal=False)
    clean = SimpleNamespace(level5_pct=0, worst_dpd_over_30_pct=0, warranty_breach_pct=0,
                            repeat_obligor_pct=0, inventory_days=1)
    start = FIRST_VINTAGE_DAY
    end_origination = int(add_months_days(np.array([start]), vintages)[0])
    daily = vintage_fen // 30
    nb = NewBusiness(tape, clean, 0.0, rng["origination"], daily, first_loan_id=1,
                     first_obligor_id=1)
    last = int(add_months_days(np.array([end_origination]), horizon_months)[0])
    for day in range(start, last + 1):
        if day < end_origination:
            cols = nb.originate(day)
            cols.pop("lost_day")
            cols["remaining_instalments"] = cols["instalments"]
            cols["original_principal_fen"] = cols["principal_fen"]
            book.add(cols, day, 3)
        book.advance(day)
    t = book.tracker
    first_month = int(month_index(np.array([start]))[0])
    out = []
    for v in range(first_month, first_month + vintages):
        out.append(Vintage(
            month=v, initial_fen=t.initial.get(v, 0), opening_fen=t.opening.get(v, 0),
            principal_fen=t.principal.get(v, 0), income_fen=t.income.get(v, 0),
            npl_fen=t.npl.get(v, 0),
            dpd30_fen={k % 1000: val for k, val in t.dpd30.items() if k // 1000 == v}))
    return StaticPools(out)
