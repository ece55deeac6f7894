"""The custodian (account bank): keeps the trust's accounts, moves money only on instruction.

Design rule (DEAL.md §1): the custodian executes trustee instructions on their value
date — at once if value-dated today, else at the start of that business day — and
reports balances: a morning statement to the trustee, a midday statement to the
servicer (which needs it to tell the cash available for purchase).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trustsim.actors.base import Actor, Mailbox
from trustsim.actors.messages import (
    BalanceReport,
    CreditAdvice,
    IncidentNotice,
    IncomingTransfer,
    Instruction,
    InstructionResult,
    ProceedsPaidIn,
)
from trustsim.ledger import (
    ELIGIBLE_INVESTMENTS,
    ISSUANCE_PROCEEDS_ACCOUNT,
    TRUST_ACCOUNT,
    LedgerError,
)
from trustsim.money import round_fen
from trustsim.sim import clock


class Custodian(Actor):
    name = "custodian"

    def __init__(self, env) -> None:
        super().__init__(env)
        self.trustee: Mailbox | None = None
        self.servicer: Mailbox | None = None
        self._pending: dict[dt.date, list[Instruction]] = {}
        env.process(self._settle_daily())
        env.process(self._statements())

    def connect(self, trustee: Mailbox, servicer: Mailbox) -> None:
        """The addresses of the parties the custodian writes to."""
        self.trustee, self.servicer = trustee, servicer

    # ------------------------------------------------------------ processes
    def _settle_daily(self):
        for wake in self.env.business_days_from(self.env.origin, clock.CUSTODIAN_SETTLE):
            yield wake
            for ins in self._pending.pop(self.env.today, ()):
                self._execute(ins)

    def _statements(self):
        env = self.env
        d = env.calendar.following(env.origin)
        while True:
            yield env.until(d, clock.CUSTODIAN_MORNING)
            self.send(self.trustee, self._report())
            yield env.until(d, clock.CUSTODIAN_MIDDAY)
            self.send(self.servicer, self._report())
            d = env.calendar.add_business_days(d, 1)

    def _report(self) -> BalanceReport:
        b = self.env.ledger.balances
        return BalanceReport(self.env.today, b[TRUST_ACCOUNT], b[ISSUANCE_PROCEEDS_ACCOUNT],
                             b[ELIGIBLE_INVESTMENTS],
                             tuple((r.name, b[r.name]) for r in self.env.deal.accounts.reserves))

    # ------------------------------------------------------------ messages
    def on_Instruction(self, ins: Instruction) -> None:
        today = self.env.today
        if ins.value_date < today:
            raise LedgerError(f"instruction {ins.instruction_id} value-dated in the past")
        if ins.value_date == today:
            self._execute(ins)
        else:
            self._pending.setdefault(ins.value_date, []).append(ins)

    def on_ProceedsPaidIn(self, msg: ProceedsPaidIn) -> None:
        payer = f"investors:{msg.note_class}"
        p = self.env.ledger.post(ISSUANCE_PROCEEDS_ACCOUNT, payer, msg.amount_fen,
                                 "note proceeds")
        self.emit("proceeds_received", note_class=msg.note_class, series=msg.series,
                  debit=p.debit, credit=p.credit, amount_fen=p.amount_fen, reason=p.reason,
                  instruction=None)

    def on_IncomingTransfer(self, msg: IncomingTransfer) -> None:
        """Money paid into the trust account by a party; the trustee gets a credit advice."""
        p = self.env.ledger.post(TRUST_ACCOUNT, msg.payer, msg.amount_fen, msg.reason)
        self.emit("transfer_received", payer=msg.payer, ref=msg.ref, debit=p.debit, credit=p.credit,
                  amount_fen=p.amount_fen, reason=p.reason, instruction=None)
        self.send(self.trustee, CreditAdvice(self.env.today, TRUST_ACCOUNT, msg.amount_fen,
                                             msg.payer, msg.reason))

    def on_IncidentNotice(self, msg: IncidentNotice) -> None:
        """An eligible investment's counterparty fails: write the investment down."""
        if msg.kind != "investment_loss":
            return
        held = self.env.ledger.balances[ELIGIBLE_INVESTMENTS]
        loss = round_fen(Decimal(held) * msg.incident.loss_pct / 100)
        if loss <= 0:
            return
        p = self.env.ledger.post("investment_counterparty", ELIGIBLE_INVESTMENTS, loss,
                                 "eligible investment written down", instruction="incident:investment_loss")
        self.emit("investment_written_down", loss_pct=str(msg.incident.loss_pct), debit=p.debit,
                  credit=p.credit, amount_fen=p.amount_fen, reason=p.reason, instruction=p.instruction)
        self.send(self.trustee, CreditAdvice(self.env.today, ELIGIBLE_INVESTMENTS, -loss,
                                             "investment_counterparty", p.reason))

    def _execute(self, ins: Instruction) -> None:
        ledger = self.env.ledger
        try:
            p = ledger.post(ins.debit, ins.credit, ins.amount_fen, ins.reason, ins.instruction_id)
        except LedgerError as exc:
            # named as instruction_issued names them, without debit/credit: nothing was posted
            self.emit("instruction_failed", instruction=ins.instruction_id,
                      from_account=ins.credit, to_account=ins.debit, amount_fen=ins.amount_fen,
                      reason=ins.reason, error=str(exc))
            ok = False
        else:
            self.emit("instruction_executed", instruction=ins.instruction_id, debit=p.debit,
                      credit=p.credit, amount_fen=p.amount_fen, reason=p.reason, ref=ins.ref)
            ok = True
        b = ledger.balances
        self.send(self.trustee, InstructionResult(ins, ok, b[TRUST_ACCOUNT], b[ELIGIBLE_INVESTMENTS],
                                                  b[ISSUANCE_PROCEEDS_ACCOUNT]))
