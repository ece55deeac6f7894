"""Reconciliation: the trustee's book against the statements it receives, and its breaks.

The trustee keeps a book of each account of the trust from what it was told and what it
instructed: the servicer's sweep reports, the custodian's credit advices, its own
instructions (booked when given). Every statement it receives is checked against that book:

* the custodian's **balance report** (each business morning): the balance of each account,
  once the trustee's instructions not yet executed are taken back out, must be its book
  plus what it holds apart for open breaks. A difference is a break; the trustee explains it
  from the statements since the last report — a sweep the servicer reported that day
  (``sweep_short``: less arrived; ``sweep_excess``: more) — or, failing that, as the
  custodian's (``unexplained_debit`` / ``unexplained_credit``). An instruction past its value
  date that the custodian has not reported executed is ``instruction_not_executed``;
* the custodian's **instruction results**: paid to another than the payee
  (``instruction_misdirected``), more (``instruction_overpaid``) or less
  (``instruction_underpaid``) than instructed, or deferred past its value date because it
  reached the custodian after its cut-off (``missed_cutoff``);
* the custodian's **credit advices**: money with no reference (``unidentified_receipt``).

What a break does to the book: money missing from an account (``difference_fen`` < 0) is
taken off the book at once, so the trustee never instructs a payment the account cannot
make; money in an account that is not the trust's (``difference_fen`` > 0) is held apart
(``held_apart_fen``), never spent; a misdirected payment leaves the account as instructed
(difference 0) but its payee unpaid. The correction reverses the error: the book gets back
what was missing, what was held apart leaves (returned, or paid to its payee).

A break is open from the day it is logged until the correction is booked; a deal's
``unresolved_break`` trigger counts the business days it stays open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from trustsim.calendar import BusinessCalendar

#: break cause -> the party the trustee asks to correct it
CAUSE_PARTY: dict[str, str] = {
    "sweep_short": "servicer",
    "sweep_excess": "servicer",
    "unexplained_debit": "custodian",
    "unexplained_credit": "custodian",
    "unidentified_receipt": "custodian",
    "instruction_not_executed": "custodian",
    "instruction_misdirected": "custodian",
    "instruction_overpaid": "custodian",
    "instruction_underpaid": "custodian",
    "missed_cutoff": "custodian",
}
#: causes that need no request: the custodian's own advice says when it executes
SELF_RESOLVING = frozenset({"missed_cutoff"})
SWEEP_CAUSES = frozenset({"sweep_short", "sweep_excess"})
#: causes whose correction takes back from the counterparty what the error paid it
RECOVERED_FROM_COUNTERPARTY = frozenset({"instruction_misdirected", "instruction_overpaid"})


@dataclass(slots=True)
class Break:
    """One reconciliation break, as the trustee logged it."""

    id: str
    opened: dt.date
    cause: str
    account: str            # the trust's account the statement disagrees on
    counterparty: str       # the other side: the collection account, the payee, a payer
    amount_fen: int         # the break's size (> 0)
    difference_fen: int     # statement less book on ``account`` when found (0: misdirected)
    held_apart_fen: int     # of the account's balance, money not the trust's to spend
    party: str              # the party asked to correct it
    statement: str          # balance_report | instruction_result | credit_advice
    explanation: str
    instruction: str | None = None
    ref: str | None = None
    resolved: dt.date | None = None
    business_days_open: int | None = None   # set when resolved
    returning: str | None = None   # the trustee's instruction returning held-apart money
    reversed_with: str | None = None   # the counterparty a correction paid back or took back from

    def record(self) -> dict[str, Any]:
        return {"break": self.id, "cause": self.cause, "party": self.party,
                "account": self.account, "counterparty": self.counterparty,
                "amount_fen": self.amount_fen, "opened": self.opened.isoformat(),
                "resolved": self.resolved.isoformat() if self.resolved else None,
                "days_open": (self.resolved - self.opened).days if self.resolved else None,
                "business_days_open": self.business_days_open,
                # a cash error the correction reversed with a party outside the trust: neither
                # cash in nor a payment (trustsim.risk.outcome nets it out)
                "reversed_fen": self.amount_fen if self.reversed_with and self.resolved else 0,
                "reversed_with": self.reversed_with if self.resolved else None}


@dataclass(frozen=True, slots=True)
class OpenBreak:
    """What an ``unresolved_break`` trigger reads of an open break at a business day's close."""

    id: str
    party: str
    opened: dt.date
    business_days_open: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A difference explained: what the trustee logs as a break."""

    cause: str
    account: str
    counterparty: str
    amount_fen: int
    difference_fen: int
    held_apart_fen: int
    explanation: str

    @property
    def party(self) -> str:
        return CAUSE_PARTY[self.cause]


def differences(bank: Mapping[str, int], book: Mapping[str, int],
                unsettled: Iterable[tuple[str, str, int]],
                held_apart: Mapping[str, int]) -> dict[str, int]:
    """Account -> statement less book, where they differ.

    ``unsettled``: (debit, credit, amount) of every instruction booked and not yet reported
    executed — the statement does not show them yet, the book already does.
    """
    expected = dict(bank)
    for debit, credit, amount in unsettled:
        if credit in expected:
            expected[credit] -= amount
        if debit in expected:
            expected[debit] += amount
    out = {}
    for account, balance in expected.items():
        diff = balance - held_apart.get(account, 0) - book.get(account, 0)
        if diff:
            out[account] = diff
    return out


def explain_balance(account: str, diff: int, sweeps: list[tuple[dt.date, int]],
                    sweep_account: str, collection_account: str, servicer: str) -> Finding:
    """A balance report's difference on ``account``: a sweep reported since the last report
    that did not arrive as reported, else the custodian's unexplained movement."""
    reported = sum(a for _, a in sweeps)
    if account == sweep_account and sweeps:
        days = ", ".join(sorted({d.isoformat() for d, _ in sweeps}))
        if diff < 0:
            return Finding("sweep_short", account, collection_account, -diff, diff, 0,
                           f"the servicer reported a sweep of {reported} fen ({days}); "
                           f"{reported + diff} fen arrived")
        return Finding("sweep_excess", account, servicer, diff, diff, diff,
                       f"the servicer reported a sweep of {reported} fen ({days}); "
                       f"{reported + diff} fen arrived")
    if diff < 0:
        return Finding("unexplained_debit", account, "custodian", -diff, diff, 0,
                       f"{-diff} fen left {account} on no instruction or advice")
    return Finding("unexplained_credit", account, "custodian", diff, diff, diff,
                   f"{diff} fen arrived in {account} with no advice")


def explain_result(account: str, payee: str, instructed_fen: int, paid_fen: int,
                   paid_to: str, instruction: str) -> Finding | None:
    """An instruction result that differs from the instruction, or None."""
    if paid_to != payee:
        return Finding("instruction_misdirected", account, paid_to, instructed_fen, 0, 0,
                       f"instruction {instruction}: {paid_fen} fen paid to {paid_to}, "
                       f"instructed to {payee}")
    if paid_fen > instructed_fen:
        extra = paid_fen - instructed_fen
        return Finding("instruction_overpaid", account, payee, extra, -extra, 0,
                       f"instruction {instruction}: {paid_fen} fen paid to {payee}, "
                       f"{instructed_fen} fen instructed")
    if paid_fen < instructed_fen:
        short = instructed_fen - paid_fen
        return Finding("instruction_underpaid", account, payee, short, short, short,
                       f"instruction {instruction}: {paid_fen} fen paid to {payee}, "
                       f"{instructed_fen} fen instructed")
    return None


class BreakBook:
    """The trustee's open and resolved breaks."""

    __slots__ = ("_n", "closed", "named", "open")

    def __init__(self) -> None:
        self.open: dict[str, Break] = {}
        self.closed: list[Break] = []
        self.named: set[str] = set()   # every instruction a break has named
        self._n = 0

    def add(self, f: Finding, opened: dt.date, statement: str, instruction: str | None = None,
            ref: str | None = None) -> Break:
        self._n += 1
        b = Break(f"B{self._n:04d}", opened, f.cause, f.account, f.counterparty, f.amount_fen,
                  f.difference_fen, f.held_apart_fen, f.party, statement, f.explanation,
                  instruction, ref)
        self.open[b.id] = b
        if instruction is not None:
            self.named.add(instruction)
        return b

    def resolve(self, break_id: str, on: dt.date, cal: BusinessCalendar) -> Break:
        b = self.open.pop(break_id)
        b.resolved = on
        if b.cause in RECOVERED_FROM_COUNTERPARTY:
            b.reversed_with = b.counterparty
        b.business_days_open = cal.business_days_between(b.opened, on)
        self.closed.append(b)
        return b

    def of_instruction(self, instruction: str) -> list[Break]:
        """The open breaks naming ``instruction`` (or returning their money by it)."""
        return [b for b in self.open.values() if instruction in (b.instruction, b.returning)]

    def held_apart(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for b in self.open.values():
            if b.held_apart_fen:
                out[b.account] = out.get(b.account, 0) + b.held_apart_fen
        return out

    def at_close(self, cal: BusinessCalendar, d: dt.date) -> tuple[OpenBreak, ...]:
        """Every open break, with the business days it has been open at ``d``'s close."""
        return tuple(OpenBreak(b.id, b.party, b.opened, cal.business_days_between(b.opened, d),
                               b.amount_fen) for b in self.open.values())

    def summary(self) -> list[dict[str, Any]]:
        """Every break, in the order logged: what the run's summary lists."""
        return [b.record() for b in sorted([*self.closed, *self.open.values()], key=lambda b: b.id)]
