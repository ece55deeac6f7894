"""The log as the checks see it: events in order plus the few indexes every check needs.

Why derived indexes live here: several clauses look at the same things — the postings,
the trustee's instructions, the payment dates and the payments each one made — and each
must be read from the log the same way, whatever check or report asks. Nothing here
judges; the checks in :mod:`trustsim.audit.checks` do.

How a payment is tied to its payment date: the trustee logs ``payment_date``, then for
each waterfall step a ``waterfall_step`` followed by an ``instruction_issued`` per payee
paid. The instructions that follow a step (before the next step) are that step's
payments, and their ``instruction_executed`` postings are the money that moved; an
instruction into one of the trust's own accounts (the reserve's top-up after a grace
payment) ends the run, as a waterfall pays parties outside the trust. Logs without
``instruction_issued`` fall back on the posting's reason (``"<step> (<clause>)"``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb

from trustsim.audit.runfolder import RunFolder
from trustsim.audit.terms import TAX_PAYEE, DealTerms, read_terms

#: the ledger's vocabulary (trustsim.ledger), used when a log's snapshots do not name them
DEFAULT_INTERNAL = ("collection_account", "trust_account", "issuance_proceeds_account",
                    "eligible_investments")
DEFAULT_TRUST_HELD = ("trust_account", "issuance_proceeds_account", "eligible_investments")
COLLECTION_ACCOUNT = "collection_account"
#: ``day_closed``'s snapshot of the deal's reserve accounts: name -> fen
RESERVES_FIELD = "reserve_accounts_fen"
TRUST_ACCOUNT = "trust_account"

#: waterfall action -> what kind of payment its steps make (fees to the tax authority: tax)
ACTION_KIND = {
    "pay_fees": "fee", "pay_fees_above_cap": "fee", "pay_interest": "interest",
    "pay_principal": "principal", "pay_period_income": "income", "pay_residual": "income",
}


Event = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StepLine:
    """One ``waterfall_step`` event and the instructions issued for it."""

    event: Event
    instructions: tuple[Event, ...]

    @property
    def pay(self) -> str:
        return str(self.event.get("pay"))

    @property
    def payees(self) -> dict[str, tuple[int, int]]:
        """payee -> (due, paid), in the order the step lists them."""
        return {k: (int(v[0]), int(v[1])) for k, v in (self.event.get("payees") or {}).items()}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A payment date as logged: the waterfall run and what it paid."""

    event: Event
    steps: tuple[StepLine, ...]

    @property
    def seq(self) -> int:
        return int(self.event["seq"])

    @property
    def date(self) -> str:
        return str(self.event["date"])

    @property
    def waterfall(self) -> str:
        return str(self.event.get("waterfall"))


@dataclass(frozen=True, slots=True)
class Payment:
    """Money the trust paid out to a party outside it."""

    seq: int
    date: str
    payee: str
    from_account: str
    amount_fen: int
    reason: str
    instruction: str | None
    step: str | None
    distribution_seq: int | None
    note_class: str | None
    kind: str


@dataclass
class AuditLog:
    """Events in log order, the deal's terms, the summary, and derived indexes."""

    events: tuple[Event, ...]
    terms: DealTerms
    config: dict[str, Any]
    summary: dict[str, Any] | None = None
    source: str = "<memory>"
    events_path: Path | None = None     # read by DuckDB directly when the log is a file
    exposure_csv: str | None = None     # the run folder's commingling.csv (checks.exposure)
    _by_name: dict[str, list[Event]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for e in self.events:
            self._by_name.setdefault(e["event"], []).append(e)

    @classmethod
    def from_run(cls, run: RunFolder) -> AuditLog:
        last = dt.date.fromisoformat(run.events[-1]["date"]) if run.events else None
        return cls(run.events, read_terms(run.config, last), run.config, run.summary,
                   str(run.path), run.events_path, run.exposure_csv)

    @classmethod
    def from_events(cls, events: list[Event], config: dict[str, Any],
                    summary: dict[str, Any] | None = None,
                    exposure_csv: str | None = None) -> AuditLog:
        last = dt.date.fromisoformat(events[-1]["date"]) if events else None
        return cls(tuple(events), read_terms(config, last), config, summary,
                   exposure_csv=exposure_csv)

    @cached_property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The log loaded into an in-process DuckDB, with the documented views."""
        from trustsim.audit.db import connect

        return connect(self, self.events_path)

    # ------------------------------------------------------------ plain lookups
    def of(self, *names: str) -> list[Event]:
        """Events of the given kinds, in log order."""
        if len(names) == 1:
            return list(self._by_name.get(names[0], ()))
        wanted = set(names)
        return [e for e in self.events if e["event"] in wanted]

    @cached_property
    def counts(self) -> Counter[str]:
        return Counter(e["event"] for e in self.events)

    @property
    def calendar(self):
        return self.terms.calendar

    @staticmethod
    def day(e: Event, key: str = "date") -> dt.date:
        return dt.date.fromisoformat(str(e[key]))

    # ------------------------------------------------------------ money
    @cached_property
    def postings(self) -> list[Event]:
        """Every event that moved money: it carries ``debit``, ``credit`` and ``amount_fen``."""
        return [e for e in self.events if e.get("debit") is not None]

    @cached_property
    def snapshotted_accounts(self) -> tuple[str, ...]:
        """Accounts whose balances the log snapshots: ``<account>_fen`` in ``day_closed``,
        and the deal's reserves in its ``reserve_accounts_fen``."""
        named = {e["debit"] for e in self.postings} | {e["credit"] for e in self.postings}
        named |= set(DEFAULT_INTERNAL)
        closes = self.of("day_closed")
        if closes:
            found = tuple(a for a in sorted(named) if f"{a}_fen" in closes[0])
            reserves = closes[0].get(RESERVES_FIELD) or {}
            found += tuple(a for a in self.reserve_accounts if a in reserves and a not in found)
            if found:
                return found
        return DEFAULT_INTERNAL

    @cached_property
    def reserve_accounts(self) -> tuple[str, ...]:
        """The deal's reserve accounts (``accounts.reserves``): the ledger names them so."""
        return tuple(r.name for r in self.terms.reserves)

    @cached_property
    def internal_accounts(self) -> tuple[str, ...]:
        """The trust's own accounts: those the log snapshots, and the deal's reserves."""
        snap = self.snapshotted_accounts
        return snap + tuple(sorted(set(self.reserve_accounts) - set(snap)))

    @cached_property
    def trust_held(self) -> frozenset[str]:
        """Accounts the custodian keeps for the trust: money leaves them only on instruction.

        Every internal account but the servicer's collection account: the family's fixed
        ones and the deal's reserve accounts (``accounts.reserves``)."""
        internal = set(self.internal_accounts)
        fixed = {a for a in DEFAULT_TRUST_HELD if a in internal}
        return frozenset(fixed | (internal - {COLLECTION_ACCOUNT} - set(DEFAULT_INTERNAL)))

    @property
    def class_names(self) -> tuple[str, ...]:
        """The deal's note classes, in order of seniority."""
        return self.terms.class_names

    @cached_property
    def initial_cutoff_fen(self) -> int:
        """The pool's payable balance at the initial cut-off date (the NPL ratio's base)."""
        for e in self.of("initial_pool_transferred"):
            return int(e.get("principal_fen") or 0)
        for e in self.of("run_started"):
            return int(e.get("initial_pool_fen") or 0)
        return 0

    # ------------------------------------------------------------ instructions
    @cached_property
    def instructions(self) -> dict[str, Event]:
        """instruction id -> its ``instruction_issued`` event (the first, if repeated)."""
        out: dict[str, Event] = {}
        for e in self.of("instruction_issued"):
            out.setdefault(str(e.get("instruction")), e)
        return out

    @cached_property
    def executions(self) -> dict[str, list[Event]]:
        """instruction id -> postings that executed it."""
        out: dict[str, list[Event]] = {}
        for e in self.postings:
            if e.get("instruction"):
                out.setdefault(str(e["instruction"]), []).append(e)
        return out

    # ------------------------------------------------------------ payment dates
    @cached_property
    def distributions(self) -> list[Distribution]:
        """Every payment date with its steps and the instructions issued for each step."""
        out: list[Distribution] = []
        events = self.events
        n = len(events)
        internal = set(self.internal_accounts)
        # the trustee's return of money a reconciliation break held apart follows a payment
        # date's last step at the same moment, but is none of its payments
        returns = {e.get("break_id") for e in self.of("reconciliation_break")}
        for i, e in enumerate(events):
            if e["event"] != "payment_date":
                continue
            steps: list[StepLine] = []
            current: Event | None = None
            issued: list[Event] = []
            j = i + 1
            while j < n:
                x = events[j]
                j += 1
                if x["actor"] != e["actor"]:
                    continue            # other parties act in between; they do not end the run
                if x["event"] == "waterfall_step":
                    if current is not None:
                        steps.append(StepLine(current, tuple(issued)))
                    current, issued = x, []
                elif x["event"] == "instruction_issued" and current is not None \
                        and not (returns and x.get("ref") in returns) \
                        and (x.get("to_account") not in internal
                             or self._moves_reserve(current, x)):
                    issued.append(x)   # a waterfall pays parties, and moves its reserves
                else:
                    break
            if current is not None:
                steps.append(StepLine(current, tuple(issued)))
            out.append(Distribution(e, tuple(steps)))
        return out

    def interest_owed(self, step: StepLine, classes: Collection[str]) -> int | None:
        """What an interest step left unpaid to ``classes``' holders; None if the step
        pays none of them interest."""
        action = self.terms.step(step.pay)
        if action is None or action.action != "pay_interest" \
                or not set(action.targets) & set(classes):
            return None
        owed = 0
        for payee, (due, paid) in step.payees.items():
            c = self.terms.class_of_payee(payee)
            if c is None or c in classes:
                owed += due - paid
        return owed

    def _moves_reserve(self, step: Event, ins: Event) -> bool:
        """``ins`` is the step's own move of a reserve: a ``fund_account`` step's payment into
        its account, or a ``release_account`` step's balance into the trust account."""
        action = self.terms.step(str(step.get("pay")))
        if action is None:
            return False
        if action.action == "fund_account":
            return ins.get("to_account") in action.targets
        return action.action == "release_account" and ins.get("to_account") == TRUST_ACCOUNT \
            and ins.get("from_account") in action.targets

    @cached_property
    def payments(self) -> list[Payment]:
        """Postings that took money out of the trust to an outside party, classified."""
        link: dict[str, tuple[str, int]] = {}      # instruction id -> (step, distribution seq)
        for d in self.distributions:
            for s in d.steps:
                for ins in s.instructions:
                    link[str(ins.get("instruction"))] = (s.pay, d.seq)
        steps = self.terms.step_names()
        use_reason = not self.instructions
        windows = [(d.seq, d) for d in self.distributions]
        out: list[Payment] = []
        for p in self.postings:
            if p["credit"] not in self.trust_held or p["debit"] in self.internal_accounts:
                continue
            reason = str(p.get("reason") or "")
            step, dist = link.get(str(p.get("instruction")), (None, None))
            if step is None and use_reason:
                head = reason.split(" (", 1)[0]
                if head in steps:
                    step = head
                    before = [s for s, _ in windows if s < p["seq"]]
                    dist = before[-1] if before else None
            payee = str(p["debit"])
            note_class = self.terms.class_of_payee(payee)
            out.append(Payment(int(p["seq"]), str(p["date"]), payee, str(p["credit"]),
                               int(p["amount_fen"]), reason, p.get("instruction"), step, dist,
                               note_class, _kind(self.terms, step, reason, payee, note_class)))
        return out


def _kind(terms: DealTerms, step: str | None, reason: str, payee: str,
          note_class: str | None) -> str:
    action = terms.step(step) if step is not None else None
    if action is not None and action.action in ACTION_KIND:
        kind = ACTION_KIND[action.action]
        return "tax" if kind == "fee" and payee == TAX_PAYEE else kind
    text = reason.lower()
    if note_class is not None:
        if "principal" in text:
            return "principal"
        if "interest" in text:
            return "interest"
        return "income"
    if payee == "originator":
        return "purchase"
    if payee == TAX_PAYEE:
        return "tax"
    return "other"
