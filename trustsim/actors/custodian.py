"""The custodian (account bank): keeps the trust's accounts, moves money only on instruction.

Design rule (DEAL.md §1): the custodian executes trustee instructions on their value
date — at once if value-dated today, else at the start of that business day — and
reports balances: a morning statement to the trustee, a midday statement to the
servicer (which needs it to tell the cash available for purchase).

Cash errors (scenario incidents, issue 13): it may execute an instruction late, for the
wrong amount or to the wrong payee, defer same-day instructions that reached it after its
cut-off to the next business day, and credit money that came with no reference. Each error
is armed by its incident and made on the first occasion; the custodian corrects it when the
trustee asks, after the lag the incident gives (:meth:`on_CorrectionRequest`).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from decimal import Decimal

from trustsim.actors.base import Actor, Mailbox
from trustsim.actors.messages import (
    BalanceReport,
    Correction,
    CorrectionRequest,
    CreditAdvice,
    IncidentNotice,
    IncomingTransfer,
    Instruction,
    InstructionResult,
    ProceedsPaidIn,
    WindingUp,
)
from trustsim.ledger import (
    ELIGIBLE_INVESTMENTS,
    ISSUANCE_PROCEEDS_ACCOUNT,
    TRUST_ACCOUNT,
    LedgerError,
)
from trustsim.money import FEN_PER_CNY, round_fen
from trustsim.sim import clock

#: cash-error kinds the custodian makes on an instruction it executes
INSTRUCTION_ERRORS = ("custodian_late_execution", "custodian_wrong_amount", "misdirected_payment")


class Custodian(Actor):
    name = "custodian"

    def __init__(self, env) -> None:
        super().__init__(env)
        self.trustee: Mailbox | None = None
        self.servicer: Mailbox | None = None
        self._pending: dict[dt.date, list[Instruction]] = {}
        # cash errors: armed by their incidents, made on the first occasion, then corrected
        self._armed: deque = deque()          # incidents of INSTRUCTION_ERRORS, in start order
        self._cutoff_armed: deque = deque()   # missed_cutoff incidents
        self._cutoff_day: dt.date | None = None
        self._no_more_errors: set[str] = set()   # instructions delayed: executed as given later
        self._made: dict[str, tuple] = {}     # instruction or receipt ref -> (incident, what was done)
        self._receipts = 0
        self._to_correct: dict[str, tuple] = {}   # break id -> a correction scheduled
        self._winding_up = False
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
                self._execute(ins, at_settle=True)

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
            if self._after_cutoff(today):
                self._defer(ins)
                return
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
                                             msg.payer, msg.reason, ref=msg.ref))

    def on_IncidentNotice(self, msg: IncidentNotice) -> None:
        """An eligible investment's counterparty fails: write the investment down (or a cash
        error to make, below)."""
        if self._arm(msg) or msg.kind != "investment_loss":
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

    def _execute(self, ins: Instruction, at_settle: bool = False) -> None:
        ledger = self.env.ledger
        if self._armed and ins.instruction_id not in self._no_more_errors:
            error = self._error_for(ins, at_settle)
            if error is not None and self._make(error, ins):
                return
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
        held = self.env.today if self._no_more_errors and ins.instruction_id in self._no_more_errors \
            else None
        self.send(self.trustee, InstructionResult(ins, ok, b[TRUST_ACCOUNT], b[ELIGIBLE_INVESTMENTS],
                                                  b[ISSUANCE_PROCEEDS_ACCOUNT], executed_on=held))

    # ------------------------------------------------------------ cash errors (issue 13)
    def _error_for(self, ins: Instruction, at_settle: bool):
        """The first armed error this instruction can carry: a late execution one value-dated
        ahead (the morning batch: a same-day instruction is executed as it comes); a wrong
        amount or payee a payment to a party outside the trust's accounts."""
        if self._winding_up:
            return None
        external = ins.debit not in self.env.ledger.balances
        for inc in self._armed:
            if at_settle if inc.kind == "custodian_late_execution" else external:
                self._armed.remove(inc)
                return inc
        return None

    def _make(self, inc, ins: Instruction) -> bool:
        """Execute ``ins`` with the error ``inc``; False (the error stays armed) if the account
        cannot carry it (an overpayment of an account that holds only the instruction)."""
        env, cal, ledger = self.env, self.env.calendar, self.env.ledger
        if inc.kind == "custodian_late_execution":
            on = cal.add_business_days(env.today, inc.late_by_business_days)
            self._no_more_errors.add(ins.instruction_id)
            self._pending.setdefault(on, []).append(ins)
            return True
        if inc.kind == "misdirected_payment":
            if ledger.balances[ins.credit] < ins.amount_fen:
                self._armed.appendleft(inc)
                return False
            p = ledger.post(inc.paid_to, ins.credit, ins.amount_fen, ins.reason, ins.instruction_id)
        else:   # custodian_wrong_amount: at least 1 fen, at most what the account holds
            error = round_fen(inc.error_cny * FEN_PER_CNY)
            # an overpayment never bounces a payment the custodian already holds from the account
            paid = max(1, ins.amount_fen + error)
            room = ledger.balances[ins.credit] - self._committed(ins.credit, ins)
            if paid == ins.amount_fen or paid > room:
                self._armed.appendleft(inc)
                return False
            p = ledger.post(ins.debit, ins.credit, paid, ins.reason, ins.instruction_id)
        self._made[ins.instruction_id] = (inc, ins, p.amount_fen)
        self.emit("instruction_executed", instruction=ins.instruction_id, debit=p.debit,
                  credit=p.credit, amount_fen=p.amount_fen, reason=p.reason, ref=ins.ref)
        b = ledger.balances
        self.send(self.trustee, InstructionResult(ins, True, b[TRUST_ACCOUNT], b[ELIGIBLE_INVESTMENTS],
                                                  b[ISSUANCE_PROCEEDS_ACCOUNT], paid_fen=p.amount_fen,
                                                  paid_to=p.debit))
        return True

    def _committed(self, account: str, but: Instruction) -> int:
        """What the instructions received and not yet executed will take from ``account``."""
        queued = [m for m in self.inbox.items if isinstance(m, Instruction)]
        held = [i for day in self._pending.values() for i in day]
        return sum(i.amount_fen for i in (*queued, *held) if i.credit == account and i is not but)

    def _after_cutoff(self, today: dt.date) -> bool:
        """A missed cut-off: the first business day a same-day instruction comes after its start."""
        if self._winding_up:
            return False
        if self._cutoff_day == today:
            return True
        if self._cutoff_armed and self._cutoff_armed[0].start <= today:
            self._cutoff_armed.popleft()
            self._cutoff_day = today
            return True
        return False

    def _defer(self, ins: Instruction) -> None:
        on = self.env.calendar.add_business_days(self.env.today, 1)
        self._no_more_errors.add(ins.instruction_id)
        self._pending.setdefault(on, []).append(ins)
        self.emit("instruction_deferred", instruction=ins.instruction_id,
                  value_date=ins.value_date.isoformat(), execute_on=on.isoformat(),
                  reason="received after the custodian's cut-off")
        b = self.env.ledger.balances
        self.send(self.trustee, InstructionResult(ins, False, b[TRUST_ACCOUNT], b[ELIGIBLE_INVESTMENTS],
                                                  b[ISSUANCE_PROCEEDS_ACCOUNT], deferred_to=on))

    def _arm(self, msg: IncidentNotice) -> bool:
        """Arm a cash error of the custodian's; False if the notice is not one."""
        inc = msg.incident
        if msg.kind in INSTRUCTION_ERRORS:
            self._armed.append(inc)
        elif msg.kind == "missed_cutoff":
            self._cutoff_armed.append(inc)
        elif msg.kind == "unidentified_receipt":
            self.env.process(self._unidentified(inc))
        else:
            return False
        return True

    def _unidentified(self, inc):
        """Money with no reference lands in the trust account during the first business day."""
        env = self.env
        yield env.until(env.calendar.following(env.today), clock.BUYER_PAYS)
        amount = round_fen(inc.amount_cny * FEN_PER_CNY)
        self._receipts += 1
        ref = f"U{self._receipts:04d}"
        p = env.ledger.post(TRUST_ACCOUNT, inc.payer, amount, "receipt with no reference")
        self._made[ref] = (inc, None, amount)
        self.emit("transfer_received", payer="unidentified", ref=None, debit=p.debit,
                  credit=p.credit, amount_fen=p.amount_fen, reason=p.reason, instruction=None)
        self.send(self.trustee, CreditAdvice(env.today, TRUST_ACCOUNT, amount, "unidentified",
                                             p.reason, identified=False))

    def on_CorrectionRequest(self, req: CorrectionRequest) -> None:
        """The trustee asks the custodian to correct a break: it does, after the incident's lag.

        A late execution needs nothing more (it executes on its own late date); a break the
        custodian made no error for (one it cannot explain) is never corrected.
        """
        if req.instruction is not None and req.instruction in self._made:
            inc, ins, paid = self._made.pop(req.instruction)
            lag = (inc.returned_after_business_days if inc.kind == "misdirected_payment"
                   else inc.corrected_after_business_days)
        elif req.cause == "unidentified_receipt":
            ref = next((k for k, v in self._made.items() if v[1] is None and v[2] == req.amount_fen), None)
            if ref is None:
                return
            inc, ins, paid = self._made.pop(ref)
            lag = inc.identified_after_business_days
        else:
            return
        self._to_correct[req.break_id] = (req, inc, ins, paid)
        if self._winding_up:
            self._correct_now(req.break_id)
        else:
            self.env.process(self._correct_later(req.break_id, lag))

    def on_WindingUp(self, msg: WindingUp) -> None:
        """The trust terminates: every correction now, every instruction held back executed."""
        self._winding_up = True
        for break_id in list(self._to_correct):
            self._correct_now(break_id)
        today = self.env.today
        for day in sorted(d for d in self._pending if d > today):
            held = [i for i in self._pending[day] if i.instruction_id in self._no_more_errors]
            self._pending[day] = [i for i in self._pending[day] if i not in held]
            for ins in held:
                self._execute(ins)

    def _correct_later(self, break_id: str, lag: int):
        env = self.env
        if lag > 0:
            yield env.until(env.calendar.add_business_days(env.today, lag), clock.CUSTODIAN_SETTLE)
        else:
            yield env.timeout(0)
        self._correct_now(break_id)

    def _correct_now(self, break_id: str) -> None:
        scheduled = self._to_correct.pop(break_id, None)
        if scheduled is None:
            return    # corrected already (at the trust's winding up)
        req, inc, ins, paid = scheduled
        env, ledger = self.env, self.env.ledger
        if inc.kind == "unidentified_receipt":
            self.emit("payer_identified", break_id=req.break_id, payer=inc.payer,
                      amount_fen=req.amount_fen)
            self.send(self.trustee, Correction(req.break_id, env.today, req.amount_fen,
                                               return_to=inc.payer))
            return
        assert ins is not None
        if inc.kind == "misdirected_payment":
            moves = [(ins.credit, inc.paid_to, ins.amount_fen, "misdirected payment recovered", None),
                     (ins.debit, ins.credit, ins.amount_fen, ins.reason, ins.instruction_id)]
        elif paid > ins.amount_fen:
            moves = [(ins.credit, ins.debit, paid - ins.amount_fen, "overpayment recalled", None)]
        else:
            moves = [(ins.debit, ins.credit, ins.amount_fen - paid, ins.reason, ins.instruction_id)]
        for debit, credit, amount, reason, instruction in moves:
            p = ledger.post(debit, credit, amount, reason, instruction)
            self.emit("payment_corrected", break_id=req.break_id, debit=p.debit, credit=p.credit,
                      amount_fen=p.amount_fen, reason=p.reason, instruction=p.instruction)
        self.send(self.trustee, Correction(req.break_id, env.today, req.amount_fen))
