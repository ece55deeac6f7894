"""What a finished run means for its noteholders: cash in and out, who was paid, margins.

The reading takes the deal and the run's summary (``summary.json``) only — never the
actors' state — so a study, a report or a user with a run folder reads the same outcome.
Why one reading shared by every study: the stress table, the break-even search and the
Monte Carlo must agree on when a class "survives", or a break-even could contradict the
table it explains. The rules (DEAL.md §11, with the choices the report leaves open),
for the deal's classes in order of seniority (``deal.classes``), whatever they are named:

* **cash in** is what the trust's pool side brought in: obligor principal and every
  principal-type receipt (repurchases, replacements in cash, the clean-up price,
  recoveries), and obligor fees plus investment income as interest. Note proceeds are
  refinancing, not cash in: the initial proceeds buy the initial pool, and each series of
  a rolling class repays the one before it, so both sides of those movements are left out;
  what the proceeds fund a reserve account with at closing is cash in of its own
  (``reserve_fen``, shown when a deal has one).
* **cash out** per line: what fell due over the life (paid plus what is still owed at the
  end) and what was paid. Revolving purchases are a choice, not a debt: due = paid.
  Commingled collections lost in the servicer's estate are a line of their own. Each class
  has, in order, its interest (``<class>_interest``: a class a waterfall pays interest) or
  period income (``<class>_income``), its principal, and what a waterfall pays it as the
  residual (``<class>_residual``).
* a class **passes** when it is owed nothing at the end (interest and principal, by the
  trust's termination, at the latest legal maturity) and its interest was never late
  beyond the grace period (no ``interest_unpaid`` trigger naming it fired). A class still
  owed principal when the trust was liquidated after an event of default fails even if the
  sale's price repays it: that money comes after legal maturity. Interest a waterfall
  defers (gated behind a senior class) is the contract working, not a default. A class
  paid period income has no promised income: it passes when its principal comes back.
* **safety margin** (the report's definition), for each rated class: cash left after the
  interest and principal of the class's rank, over the size of that rank and every class
  senior to it. Cash left = cash in less everything due ahead of or to the rank in the
  order of priority (purchases, taxes and fees, losses, then each senior class's interest
  and principal, then the rank's own), so a margin below zero is the rank's shortfall.
  Classes a waterfall pays pro rata in one action are of one rank and share a margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trustsim.config.models import DealConfig
from trustsim.contract.dues import ABOVE, INCOME, WITHIN
from trustsim.money import fen_from_wan
from trustsim.sim.runner import run_deal

#: inflows that are not principal-type cash in (obligor income and investment income are
#: interest; what the servicer's estate returns offsets the commingling loss)
NOT_CASH_IN = ("obligors", "investment_income", "servicer_estate")


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
    interest_late: bool = False   # an interest_unpaid trigger naming the class fired

    def as_dict(self) -> dict[str, Any]:
        return {"pass": self.passed, "shortfall_fen": self.shortfall_fen,
                "interest_late": self.interest_late}


@dataclass(frozen=True, slots=True)
class Outcome:
    """A run read back: see the module docstring for every rule. Every per-class mapping
    is keyed by the deal's class names, most senior first."""

    principal_in_fen: int
    interest_in_fen: int
    outflows: dict[str, Line]
    held_fen: int                           # cash still in the trust's accounts at the end
    classes: dict[str, ClassResult]
    sizes_fen: dict[str, int]               # each class's size (a rolling class: one series)
    loss_fen: dict[str, int]                # principal not repaid, per class
    triggers: tuple[tuple[str, str, str], ...]   # (kind, clause, ISO date) in firing order
    revolving_end: str | None
    termination_date: str | None
    commingling: dict[str, Any] = field(default_factory=dict)
    incidents: tuple[dict[str, Any], ...] = ()
    margin_classes: tuple[str, ...] = ()    # the classes a safety margin is given for (rated)
    ranks: tuple[tuple[str, ...], ...] = ()  # classes of one rank (paid pro rata), most senior first
    reserve_in_fen: int = 0                 # reserve accounts funded from the proceeds at closing
    breaks: tuple[dict[str, Any], ...] = ()  # reconciliation breaks (summary.reconciliation)
    #: the pool by status at 24:00 of the revolving period's last day (summary.pool_at_revolving_end)
    pool_at_revolving_end: dict[str, int] | None = None
    #: what replacing the servicer cost (summary.servicer_replacement; docs/risk.md)
    replacement: dict[str, int] = field(default_factory=dict)

    @property
    def class_names(self) -> list[str]:
        return list(self.classes)

    @property
    def cash_in_fen(self) -> int:
        return self.principal_in_fen + self.interest_in_fen + self.reserve_in_fen

    def _rank_last(self, cls: str) -> str:
        """The most junior class of ``cls``'s rank (``cls`` itself if it ranks alone)."""
        if cls not in self.classes:
            raise ValueError(f"no class named {cls!r} (classes: {', '.join(self.classes)})")
        return next((r[-1] for r in self.ranks if cls in r), cls)

    def left_after(self, cls: str) -> int:
        """Cash in less everything due ahead of or to ``cls``'s rank: every line up to the
        principal of the rank's last class."""
        order = list(self.outflows)
        last = order.index(f"{self._rank_last(cls)}_principal")
        return self.cash_in_fen - sum(self.outflows[k].due_fen for k in order[: last + 1])

    def safety_margin(self, cls: str) -> float:
        """Cash left after ``cls``'s rank over the size of the rank and every class senior to it."""
        if cls not in self.margin_classes:
            raise ValueError(f"no safety margin is defined for {cls!r} (rated classes: "
                             f"{', '.join(self.margin_classes) or 'none'})")
        names = self.class_names
        ahead = names[: names.index(self._rank_last(cls)) + 1]
        return self.left_after(cls) / sum(self.sizes_fen[c] for c in ahead)

    def record(self) -> dict[str, Any]:
        """The JSON shape of one stress-table entry (without case and rating)."""
        inflows = {"principal_fen": self.principal_in_fen, "interest_fen": self.interest_in_fen}
        if self.reserve_in_fen:
            inflows["reserve_fen"] = self.reserve_in_fen
        return {
            "inflows": inflows,
            "outflows": {k: v.as_dict() for k, v in self.outflows.items()},
            "held_fen": self.held_fen,
            "classes": {k: v.as_dict() for k, v in self.classes.items()},
            "safety_margin": {c: self.safety_margin(c) for c in self.margin_classes},
            "triggers": [{"kind": k, "clause": c, "date": d} for k, c, d in self.triggers],
            "revolving_end": self.revolving_end,
            "termination_date": self.termination_date,
        }


def _steps(deal: DealConfig, keys: tuple[str, ...], cls: str | None = None,
           alone: bool = False) -> set[str]:
    """Step ids of every waterfall's actions of ``keys`` (naming ``cls``; only it if ``alone``)."""
    return {a.step for acts in deal.waterfalls.values() for a in acts
            if a.key in keys and (cls is None or cls in a.targets)
            and not (alone and a.targets != (cls,))}


def _rolling_principal_paid(deal: DealConfig, name: str, note: dict[str, Any], wf: dict[str, int]) -> int:
    """What the waterfalls paid a rolling class's principal (not the series' refinancing)."""
    grouped = _steps(deal, ("pay_principal",), name) - _steps(deal, ("pay_principal",), name, True)
    if not grouped:
        return sum(wf.get(s, 0) for s in _steps(deal, ("pay_principal",), name, True))
    # a rolling class repaid in a pro-rata group: each later series' proceeds repaid the one before
    refinanced = sum(i["issued_fen"] for i in note.get("series", ()) if i["series"] > 1)
    return int(note["principal_paid_fen"]) - refinanced


def class_lines(deal: DealConfig, notes: dict[str, dict[str, Any]], wf: dict[str, int],
                carried: dict[tuple[str, str], int]) -> dict[str, Line]:
    """Each class's lines in order of seniority: interest or period income, principal,
    residual. ``notes``: the summary's classes; ``carried``: what the dues book still owed
    at the end ((class, INCOME): period income)."""
    lines: dict[str, Line] = {}
    for c in deal.classes:
        n = notes[c.name]
        if _steps(deal, ("pay_interest",), c.name):
            lines[f"{c.name}_interest"] = Line(n["interest_paid_fen"] + n["interest_unpaid_fen"],
                                               n["interest_paid_fen"])
        income = _steps(deal, ("pay_period_income",), c.name)
        if income:
            paid = sum(wf.get(s, 0) for s in income)
            owed = carried.get((c.name, INCOME), 0)
            lines[f"{c.name}_income"] = Line(paid + owed, paid)
        if c.rolling_series is not None:
            paid = _rolling_principal_paid(deal, c.name, n, wf)
            lines[f"{c.name}_principal"] = Line(paid + n["loss_fen"], paid)
        else:
            lines[f"{c.name}_principal"] = Line(n["principal_issued_fen"], n["principal_paid_fen"])
        residual = _steps(deal, ("pay_residual",), c.name)
        if residual:
            paid = sum(wf.get(s, 0) for s in residual)
            lines[f"{c.name}_residual"] = Line(paid, paid)
    return lines


def ranks(deal: DealConfig) -> tuple[tuple[str, ...], ...]:
    """Groups of classes of one rank: those some waterfall pays pro rata in one action
    (interest or principal), most senior first; a class ranking alone is in no group."""
    rank = {c: i for i, c in enumerate(deal.class_names)}
    for acts in deal.waterfalls.values():
        for a in acts:
            if a.key in ("pay_interest", "pay_principal") and len(a.targets) > 1:
                joined = {rank[t] for t in a.targets}
                for c, r in rank.items():
                    if r in joined:
                        rank[c] = min(joined)
    groups: dict[int, list[str]] = {}
    for c in deal.class_names:
        groups.setdefault(rank[c], []).append(c)
    return tuple(tuple(g) for g in groups.values() if len(g) > 1)


def late_classes(deal: DealConfig, fired: list[dict[str, Any]]) -> set[str]:
    """Classes an ``interest_unpaid`` trigger names, among the triggers that fired (the
    summary's ``triggers``: a deal's trigger by its name; a declared event has none)."""
    late: set[str] = set()
    names = {f.get("name") for f in fired}
    for t in deal.triggers:
        if t.kind == "interest_unpaid" and t.name in names:
            late.update(t.classes)
    return late


def read_outcome(deal: DealConfig, summary: dict[str, Any]) -> Outcome:
    """Read a finished run of ``deal`` — its ``summary.json`` — into an :class:`Outcome`."""
    notes = summary["notes"]
    ledger = summary["ledger"]
    breaks = tuple((summary.get("reconciliation") or {}).get("breaks") or ())
    inflows, outflows = _net_of_corrections(ledger["in_by_counterparty_fen"],
                                            ledger["out_by_counterparty_fen"], breaks)
    wf = summary["waterfall_paid_fen"]
    carried = {(d["item"], d["part"]): d["fen"] for d in summary["dues_unpaid_fen"]}
    names = deal.class_names

    principal_collected = summary["pool"]["collected_fen"]
    obligor_income = inflows.get("obligors", 0) - principal_collected
    other_in = sum(v for k, v in inflows.items()
                   if k not in NOT_CASH_IN and not k.startswith("investors:"))
    principal_in = principal_collected + other_in
    interest_in = obligor_income + inflows.get("investment_income", 0)

    fee_payees = {f.payee for f in deal.fees}
    fees_paid = sum(v for k, v in outflows.items() if k in fee_payees or k.startswith("agent:"))
    fees_owed = sum(v for (_fee, part), v in carried.items() if part in (WITHIN, ABOVE))
    purchases = summary["cash"]["revolving_purchases_fen"]
    known_out = {"originator", "servicer_estate", *fee_payees, *(f"{c}_noteholders" for c in names)}
    lines: dict[str, Line] = {
        "revolving_purchases": Line(purchases, purchases),
        "taxes_and_fees": Line(fees_paid + fees_owed, fees_paid),
    }
    lost = outflows.get("servicer_estate", 0) - inflows.get("servicer_estate", 0)
    if lost:
        lines["commingling_loss"] = Line(lost, lost)
    for name, v in sorted(outflows.items()):
        if name not in known_out and not name.startswith("agent:"):
            lines[f"other:{name}"] = Line(v, v)
    lines.update(class_lines(deal, notes, wf, carried))

    late = late_classes(deal, summary["triggers"])
    sold_late = {c for c, v in summary["unpaid_at_liquidation_fen"].items() if v > 0}
    classes: dict[str, ClassResult] = {}
    for c in deal.classes:
        n = notes[c.name]
        short = n["loss_fen"] + (0 if c.period_income is not None else n["interest_unpaid_fen"])
        classes[c.name] = ClassResult(short == 0 and c.name not in late and c.name not in sold_late,
                                      short, c.name in late)
    return Outcome(
        principal_in_fen=principal_in,
        interest_in_fen=interest_in,
        outflows=lines,
        held_fen=ledger["held_fen"],
        classes=classes,
        sizes_fen={c.name: fen_from_wan(c.size_wan) for c in deal.classes},
        loss_fen={c: notes[c]["loss_fen"] for c in names},
        triggers=tuple((f["kind"], f["clause"], f["date"]) for f in summary["triggers"]),
        revolving_end=summary["revolving_end"]["date"],
        termination_date=summary["trust_termination_date"],
        commingling=dict(summary.get("commingling") or {}),
        incidents=tuple(summary.get("incidents") or ()),
        margin_classes=tuple(c.name for c in deal.classes if c.rating is not None),
        ranks=ranks(deal),
        reserve_in_fen=sum(fen_from_wan(r.initial_wan) for r in deal.accounts.reserves),
        breaks=breaks,
        pool_at_revolving_end=summary.get("pool_at_revolving_end"),
        replacement=dict(summary.get("servicer_replacement") or {}),
    )


def _net_of_corrections(inflows: dict[str, int], outflows: dict[str, int],
                        breaks: tuple[dict[str, Any], ...]) -> tuple[dict[str, int], dict[str, int]]:
    """The ledger's flows by counterparty without the cash errors a correction reversed: money
    paid to a wrong beneficiary and recovered, an overpayment recalled, a receipt with no
    reference returned — neither cash in nor a payment."""
    inflows, outflows = dict(inflows), dict(outflows)
    for b in breaks:
        reversed_ = b.get("reversed_fen") or 0
        who = b.get("reversed_with")
        if reversed_ and who:
            inflows[who] = inflows.get(who, 0) - reversed_
            outflows[who] = outflows.get(who, 0) - reversed_
    return ({k: v for k, v in inflows.items() if v}, {k: v for k, v in outflows.items() if v})


def evaluate(deal: DealConfig, seed: int | None = None) -> Outcome:
    """Run ``deal`` without its audit log and read the outcome."""
    _env, _parties, summary = run_deal(deal, seed=seed, log=False)
    return read_outcome(deal, summary)
