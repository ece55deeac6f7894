"""What a finished run means for its noteholders: cash in and out, who was paid, margins.

Why one reading shared by every study: the stress table, the break-even search and the
Monte Carlo must agree on when a class "survives", or a break-even could contradict the
table it explains. The rules (DEAL.md §11, with the choices the report leaves open):

* **cash in** is what the trust's pool side brought in: obligor principal and every
  principal-type receipt (repurchases, replacements in cash, the clean-up price,
  recoveries), and obligor fees plus investment income as interest. Note proceeds are
  refinancing, not cash in: the initial proceeds buy the initial pool, and each senior
  series repays the one before it, so both sides of those movements are left out.
* **cash out** per line: what fell due over the life (paid plus what is still owed at the
  end) and what was paid. Revolving purchases are a choice, not a debt: due = paid.
  Commingled collections lost in the servicer's estate are a line of their own.
* a class **passes** when it is owed nothing at the end (interest and principal, by the
  trust's termination, at the latest legal maturity) and, for the senior, its interest
  was never late beyond the grace period (no event of default (a)). A class still owed
  principal when the trust was liquidated after an event of default fails even if the
  sale's price repays it: that money comes after legal maturity. Mezz interest deferred
  by the amortization waterfall is the contract working, not a default. The sub has no
  promised income: it passes when its principal comes back.
* **safety margin** (the report's definition): cash left after a class's interest and
  principal, over the class's size (senior) or the senior plus mezz size (mezz). Cash
  left = cash in less everything due ahead of or to the class in the order of priority
  (purchases, taxes and fees, losses, then senior interest and principal, then mezz), so a
  margin below zero is the class's shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustsim.config.models import DealConfig
from trustsim.contract.dues import COUNSEL, EXPENSES, RATING_AGENCY, TAX_AUTHORITY
from trustsim.money import fen_from_wan
from trustsim.sim.runner import run_deal

CLASSES = ("senior", "mezz", "sub")
#: outflow lines in order of priority (the JSON keys of a stress record)
OUTFLOWS = ("revolving_purchases", "taxes_and_fees", "senior_interest", "senior_principal",
            "mezz_interest", "mezz_principal", "sub_income", "sub_principal", "sub_residual")
FEE_STEPS = frozenset({"taxes", "trustee_counsel_fees", "rating_fees", "fees_within_cap",
                       "expenses_above_cap"})
FEE_PAYEES = frozenset({TAX_AUTHORITY, COUNSEL, RATING_AGENCY, EXPENSES})
KNOWN_OUT = frozenset({"originator", "senior_noteholders", "mezz_noteholders", "sub_noteholders",
                       "servicer_estate"}) | FEE_PAYEES
NOT_CASH_IN = ("obligors", "investment_income", "servicer_estate")
SENIOR_INTEREST_DEFAULT = ("default", "a")


@dataclass(frozen=True, slots=True)
class Line:
    due_fen: int
    paid_fen: int

    def as_dict(self) -> dict[str, int]:
        return {"due_fen": self.due_fen, "paid_fen": self.paid_fen}


@dataclass(frozen=True, slots=True)
class ClassResult:
    passed: bool
    shortfall_fen: int            # interest and principal still owed at the end
    interest_late: bool = False   # senior only: event of default (a) fired

    def as_dict(self) -> dict[str, Any]:
        return {"pass": self.passed, "shortfall_fen": self.shortfall_fen,
                "interest_late": self.interest_late}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A run read back: see the module docstring for every rule."""

    principal_in_fen: int
    interest_in_fen: int
    outflows: dict[str, Line]
    held_fen: int                           # cash still in the trust's accounts at the end
    classes: dict[str, ClassResult]
    sizes_fen: dict[str, int]               # senior (one series), mezz, sub
    loss_fen: dict[str, int]                # principal not repaid, per class
    triggers: tuple[tuple[str, str, str], ...]   # (kind, clause, ISO date) in firing order
    revolving_end: str | None
    termination_date: str | None
    commingling: dict[str, Any] = field(default_factory=dict)
    incidents: tuple[dict[str, Any], ...] = ()

    @property
    def cash_in_fen(self) -> int:
        return self.principal_in_fen + self.interest_in_fen

    def left_after(self, cls: str) -> int:
        """Cash in less everything due ahead of or to ``cls`` (senior or mezz)."""
        order = list(self.outflows)
        last = order.index(f"{cls}_principal")
        ahead = [k for k in order[: last + 1] if not k.startswith("sub_")]
        return self.cash_in_fen - sum(self.outflows[k].due_fen for k in ahead)

    def safety_margin(self, cls: str) -> float:
        if cls == "senior":
            return self.left_after("senior") / self.sizes_fen["senior"]
        if cls == "mezz":
            return self.left_after("mezz") / (self.sizes_fen["senior"] + self.sizes_fen["mezz"])
        raise ValueError(f"no safety margin is defined for {cls!r}")

    def record(self) -> dict[str, Any]:
        """The JSON shape of one stress-table entry (without case and rating)."""
        return {
            "inflows": {"principal_fen": self.principal_in_fen, "interest_fen": self.interest_in_fen},
            "outflows": {k: v.as_dict() for k, v in self.outflows.items()},
            "held_fen": self.held_fen,
            "classes": {k: v.as_dict() for k, v in self.classes.items()},
            "safety_margin": {"senior": self.safety_margin("senior"),
                              "mezz": self.safety_margin("mezz")},
            "triggers": [{"kind": k, "clause": c, "date": d} for k, c, d in self.triggers],
            "revolving_end": self.revolving_end,
            "termination_date": self.termination_date,
        }


def read_outcome(env: Any, parties: Any, summary: dict[str, Any]) -> Outcome:
    """Read a finished run (``run_deal``'s three results) into an :class:`Outcome`."""
    deal: DealConfig = env.deal
    t = parties.trustee
    notes = t.notes
    ledger = env.ledger
    inflows, outflows = ledger.inflows, ledger.outflows
    wf = t.waterfall_paid
    carried = t.dues.carried

    principal_collected = env.pool.balances().collected_fen
    obligor_income = inflows.get("obligors", 0) - principal_collected
    other_in = sum(v for k, v in inflows.items()
                   if k not in NOT_CASH_IN and not k.startswith("investors:"))
    principal_in = principal_collected + other_in
    interest_in = obligor_income + inflows.get("investment_income", 0)

    fees_paid = sum(v for k, v in outflows.items() if k in FEE_PAYEES or k.startswith("agent:"))
    fees_owed = sum(v for (step, _payee), v in carried.items() if step in FEE_STEPS)
    senior, mezz, sub = notes["senior"], notes["mezz"], notes["sub"]
    senior_wf_principal = wf.get("senior_principal", 0)
    sub_income_paid = wf.get("sub_income", 0)
    sub_income_owed = sum(v for (step, _p), v in carried.items() if step == "sub_income")
    lines: dict[str, Line] = {
        "revolving_purchases": Line(t.purchases_fen, t.purchases_fen),
        "taxes_and_fees": Line(fees_paid + fees_owed, fees_paid),
    }
    lost = outflows.get("servicer_estate", 0) - inflows.get("servicer_estate", 0)
    if lost:
        lines["commingling_loss"] = Line(lost, lost)
    for name, v in sorted(outflows.items()):
        if name not in KNOWN_OUT and not name.startswith("agent:"):
            lines[f"other:{name}"] = Line(v, v)
    lines.update({
        "senior_interest": Line(senior.interest_paid_fen + senior.interest_unpaid_fen,
                                senior.interest_paid_fen),
        "senior_principal": Line(senior_wf_principal + senior.outstanding_fen, senior_wf_principal),
        "mezz_interest": Line(mezz.interest_paid_fen + mezz.interest_unpaid_fen, mezz.interest_paid_fen),
        "mezz_principal": Line(mezz.original_fen, mezz.principal_paid_fen),
        "sub_income": Line(sub_income_paid + sub_income_owed, sub_income_paid),
        "sub_principal": Line(sub.original_fen, sub.principal_paid_fen),
        "sub_residual": Line(wf.get("residual_to_sub", 0), wf.get("residual_to_sub", 0)),
    })

    late = any((f.kind, f.clause) == SENIOR_INTEREST_DEFAULT for f in t.fired)
    s_short = senior.outstanding_fen + senior.interest_unpaid_fen
    m_short = mezz.outstanding_fen + mezz.interest_unpaid_fen
    sold_late = {c for c, v in t.unpaid_at_liquidation.items() if v > 0}
    classes = {
        "senior": ClassResult(s_short == 0 and not late and "senior" not in sold_late,
                              s_short, late),
        "mezz": ClassResult(m_short == 0 and "mezz" not in sold_late, m_short),
        "sub": ClassResult(sub.outstanding_fen == 0 and "sub" not in sold_late,
                           sub.outstanding_fen),
    }
    n = deal.notes
    return Outcome(
        principal_in_fen=principal_in,
        interest_in_fen=interest_in,
        outflows=lines,
        held_fen=ledger.total_held(),
        classes=classes,
        sizes_fen={"senior": fen_from_wan(n.senior.size_wan), "mezz": fen_from_wan(n.mezz.size_wan),
                   "sub": fen_from_wan(n.sub.size_wan)},
        loss_fen={c: notes[c].outstanding_fen for c in CLASSES},
        triggers=tuple((f.kind, f.clause, f.date.isoformat()) for f in t.fired),
        revolving_end=summary["revolving_end"]["date"],
        termination_date=summary["trust_termination_date"],
        commingling=dict(summary.get("commingling") or {}),
        incidents=tuple(summary.get("incidents") or ()),
    )


def evaluate(deal: DealConfig, seed: int | None = None) -> Outcome:
    """Run ``deal`` without its audit log and read the outcome."""
    env, parties, summary = run_deal(deal, seed=seed, log=False)
    return read_outcome(env, parties, summary)
