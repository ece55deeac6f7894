"""The trustee's book of the trust's accounts: instructions, reconciliation breaks, income.

The trustee keeps its own book of the trust's accounts from the custodian's statements and
the results of its instructions, and reconciles it with every statement it receives: a
difference is a reconciliation break, logged, whose correction it asks of the party at
fault (:mod:`trustsim.contract.reconciliation` holds the rules). The handlers of those
statements are :class:`trustsim.actors.trustee.Trustee`'s; this mixin holds what they share.
"""

from __future__ import annotations

import datetime as dt
from collections import deque

from trustsim.actors.base import Actor, Mailbox
from trustsim.actors.messages import (
    CollectionsSwept,
    CorrectionRequest,
    CreditAdvice,
    FundsHeldApart,
    Instruction,
    PurchaseRequest,
    PurchaseSettled,
)
from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.config.models import DealConfig
from trustsim.contract.dues import DuesBook
from trustsim.contract.reconciliation import SELF_RESOLVING, Break, BreakBook, Finding
from trustsim.contract.reserve import in_income_window
from trustsim.ledger import ELIGIBLE_INVESTMENTS, TRUST_ACCOUNT
from trustsim.money import accrue

INVESTMENT_INCOME = "investment_income"


class TrusteeBooks(Actor):
    """The trustee's book, its instructions to the custodian and its reconciliation breaks.

    The state is the trustee's (set in :meth:`trustsim.actors.trustee.Trustee.__init__`)."""

    deal: DealConfig
    custodian: Mailbox | None
    servicer: Mailbox | None
    originator: Mailbox | None
    dues: DuesBook
    book: dict[str, int]                         # the trust's accounts as the trustee books them
    breaks: BreakBook
    invested_on: dt.date | None                  # when the invested balance last changed
    purchases_fen: int
    purchases_principal_fen: int
    _instructions: int
    _unsettled: dict[str, Instruction]           # booked, not yet reported executed
    _investment_income_fen: int                  # earned before ``invested_on``, not yet paid
    _held_apart_told: int
    _settle_when_resolved: dict[str, PurchaseRequest]
    _sweeps_pending: set[str]
    _sweep_gap: int
    _uncounted: dict[str, CollectionsSwept]
    _income_window: deque[tuple[dt.date, int]]

    def instruct(self, debit: str, credit: str, amount: int, reason: str,
                 value_date: dt.date | None = None, ref: str | None = None) -> Instruction:
        """Send the custodian an instruction and book it at once (its result reconciles)."""
        self._instructions += 1
        ins = Instruction(f"I{self._instructions:06d}", value_date or self.env.today, debit,
                          credit, amount, reason, ref)
        book = self.book
        if credit in book:
            book[credit] -= amount
        if debit in book:
            book[debit] += amount
        self._unsettled[ins.instruction_id] = ins
        # logged without debit/credit keys: an instruction is not a posting (its execution is)
        self.emit("instruction_issued", instruction=ins.instruction_id,
                  value_date=ins.value_date.isoformat(), from_account=credit, to_account=debit,
                  amount_fen=amount, reason=reason, ref=ref)
        self.send(self.custodian, ins)
        return ins

    def _settle(self, req: PurchaseRequest) -> None:
        self.purchases_fen += req.offer.price_fen
        self.purchases_principal_fen += req.offer.principal_fen
        self.send(self.originator, PurchaseSettled(req))

    def _open_break(self, f: Finding, statement: str, instruction: str | None = None,
                    ref: str | None = None) -> Break:
        """Log a break, take what is missing off the book (hold apart what is not the trust's),
        and ask the party at fault to correct it."""
        b = self.breaks.add(f, self.env.today, statement, instruction, ref)
        if f.account in self.book:
            self.book[f.account] += f.difference_fen - f.held_apart_fen
        self.emit("reconciliation_break", break_id=b.id, cause=b.cause, account=b.account,
                  counterparty=b.counterparty, amount_fen=b.amount_fen,
                  difference_fen=b.difference_fen, held_apart_fen=b.held_apart_fen,
                  party=b.party, statement=statement, instruction=instruction, ref=ref,
                  explanation=b.explanation)
        if b.cause not in SELF_RESOLVING:
            self.emit("correction_requested", break_id=b.id, party=b.party, amount_fen=b.amount_fen)
            to = self.servicer if b.party == "servicer" else self.custodian
            self.send(to, CorrectionRequest(b.id, self.env.today, b.cause, b.account,
                                            b.counterparty, b.amount_fen, instruction, ref))
        self._tell_servicer()
        return b

    def _resolve(self, b: Break) -> None:
        """The correction is booked: what was missing is back, what was held apart has left."""
        if b.account in self.book:
            self.book[b.account] += b.held_apart_fen - b.difference_fen
        self.breaks.resolve(b.id, self.env.today, self.env.calendar)
        self.emit("reconciliation_break_resolved", break_id=b.id, cause=b.cause, party=b.party,
                  amount_fen=b.amount_fen, opened=b.opened.isoformat(),
                  days_open=b.record()["days_open"], business_days_open=b.business_days_open)
        self._tell_servicer()
        req = self._settle_when_resolved.pop(b.id, None)
        if req is not None:
            self._settle(req)

    def _tell_servicer(self) -> None:
        """What of the trust account's balance the servicer must not count as available:
        money held apart, and payments instructed that the custodian has not made yet."""
        late = ("instruction_not_executed", "missed_cutoff")
        held = sum(b.held_apart_fen + (b.amount_fen if b.cause in late else 0)
                   for b in self.breaks.open.values() if b.account == TRUST_ACCOUNT)
        if held != self._held_apart_told:
            self._held_apart_told = held
            self.send(self.servicer, FundsHeldApart(self.env.today, held))

    def _sweep_advised(self, msg: CreditAdvice) -> None:
        """The custodian advises a sweep's money in the trust account: the collections the
        servicer reported for it count from now; a correction's advice resolves its break."""
        report = self._uncounted.pop(msg.corrects or msg.ref or "", None)
        if report is not None:
            self._record_income(msg.date, report.income_fen, report.principal_fen)
        if msg.corrects is None and msg.ref in self._sweeps_pending:
            self._sweep_gap -= msg.amount_fen
            self.book[TRUST_ACCOUNT] += msg.amount_fen
            return
        brk = self.breaks.open.get(msg.break_id) if msg.break_id is not None else None
        if brk is not None:
            self._resolve(brk)   # what the break took off the book is back
        else:
            self.book[TRUST_ACCOUNT] += msg.amount_fen

    def _record_income(self, d: dt.date, income_fen: int, principal_fen: int) -> None:
        self.dues.income_since_last_fen += income_fen
        self.dues.principal_since_last_fen += principal_fen   # a tax on all collections counts it
        self._income_window.append((d, income_fen))
        while self._income_window and not in_income_window(self._income_window[0][0], d):
            self._income_window.popleft()

    def _redeem_investments(self, d: dt.date) -> None:
        invested = self.book[ELIGIBLE_INVESTMENTS]
        if invested <= 0:
            return
        income = self._investment_income_fen + self._accrued_on_investment(invested, d)
        # revolving ended on a weekend or holiday: the bank pays on its next business day
        value = self.env.calendar.following(d)
        if income:
            self.instruct(ELIGIBLE_INVESTMENTS, INVESTMENT_INCOME, income,
                          "eligible investment income", value_date=value)
            self.dues.investment_income_since_last_fen += income   # a tax on all income counts it
        self.instruct(TRUST_ACCOUNT, ELIGIBLE_INVESTMENTS, invested + income,
                      "eligible investment matures", value_date=value)
        self.invested_on = None
        self._investment_income_fen = 0

    def _accrued_on_investment(self, balance_fen: int, to: dt.date) -> int:
        """Income on ``balance_fen`` held since the balance last changed (``invested_on``)."""
        rate = self.deal.accounts.eligible_investment_rate_pct
        days = (to - self.invested_on).days if self.invested_on else 0
        return accrue(balance_fen, rate, days, DAY_COUNT_BASIS["ACT/365F"])
