"""Payment dates: the waterfall in force run on the trust account's cash [一.4.4(2)].

On a payment date the trustee runs the waterfall the deal's status puts in force on the
cash in the trust account (:mod:`trustsim.contract.waterfalls`), instructs the custodian to
pay each step, books the notes' payments and keeps what the date left unpaid of protected
interest for a grace payment (:mod:`trustsim.contract.arrears`). When payment dates fall is
:meth:`trustsim.actors.trustee.Trustee.morning`'s.
"""

from __future__ import annotations

import datetime as dt

from trustsim.actors.trustee_events import TrusteeEvents
from trustsim.config.structure import ReserveAccount
from trustsim.config.waterfalls import Action
from trustsim.contract.arrears import (
    Unpaid,
    arrears_since,
    grace_steps,
    protected_steps,
    unpaid_through,
)
from trustsim.contract.dues import interest_presented, period_income
from trustsim.contract.notes import NoteClass
from trustsim.contract.reserve import account_shortfalls
from trustsim.contract.schedule import PaymentDate, next_amortization_payment
from trustsim.contract.waterfalls import WaterfallResult, run_waterfall, waterfall_in_force
from trustsim.ledger import TRUST_ACCOUNT


class TrusteePayments(TrusteeEvents):
    """A payment date's waterfall, its payments and its arrears; a grace payment.

    The state is the trustee's (set in :meth:`trustsim.actors.trustee.Trustee.__init__`)."""

    notes: dict[str, NoteClass]
    holder_class: dict[str, str]                 # a class's holders -> the class
    protected: set[str]                          # the classes an interest_unpaid trigger protects
    reserves: dict[str, ReserveAccount]
    period: str                                  # "revolving" | "amortization"
    post_default: bool
    amortization_waterfall: str                  # a waterfall_switch trigger changes it
    revolving_end: dt.date | None
    next_amortization_pd: dt.date | None
    arrears_since: dt.date | None                # protected classes' interest unpaid since
    waterfall_paid: dict[str, int]
    _closes_revolving_on: dt.date | None
    _amort_n: int
    _unpaid: Unpaid                              # last waterfall's arrears up to their interest

    def _waterfall_steps(self) -> tuple[str, list[Action]]:
        """The waterfall in force: the deal's status decides [一.4.4(2)]."""
        name = waterfall_in_force(
            self.period == "revolving" or self._closes_revolving_on == self.env.today,
            self.post_default, self.amortization_waterfall)
        return name, self.deal.waterfalls[name]

    def _distribute(self, d: dt.date, pd: PaymentDate | None, final: bool = False) -> bool:
        """Run the waterfall in force on today's trust account cash; True if revolving."""
        name, steps = self._waterfall_steps()
        revolving = name == "revolving"
        k = pd.calculation_index if pd else None
        presented = interest_presented(self.deal, pd, revolving=revolving,
                                       issuance_failed=self._closes_revolving_on == d)
        income = {c.name: period_income(self.deal, c.name, self.notes[c.name].outstanding_fen,
                                        self.dues.income_start(c.name), d)
                  for c in self.deal.classes if c.period_income is not None and c.name in presented}
        self.dues.income_since.update(dict.fromkeys(income, d))
        # the final distribution funds no reserve: the trust ends, its accounts are paid out
        claims = self.dues.claims(d, steps, self.notes, presented, income,
                                  {} if final else self._reserve_shortfalls(steps))
        available = self.book[TRUST_ACCOUNT]
        releases = {a.targets[0]: self.book[a.targets[0]] for a in steps if a.key == "release_account"}
        result = run_waterfall(steps, claims, available, releases)
        self.emit("payment_date", waterfall=name, available_fen=available,
                  remaining_fen=result.remaining_fen, calculation_index=k,
                  series_maturity=pd.series_maturity if pd else None,
                  amortization_index=None if pd else self._amort_n, final=final)
        self._pay(result)
        self.dues.settle(d, result, self.env.pool.balances().outstanding_fen)
        self._note_arrears(d, result)
        self._payments_disclosed()
        return revolving

    def _reserve_shortfalls(self, steps: list[Action]) -> dict[str, int]:
        """What each funded reserve account lacks of its target today (contract.reserve)."""
        return account_shortfalls(self.reserves, steps,
                                  sum(n.outstanding_fen for n in self.notes.values()), self.book)

    def _note_arrears(self, d: dt.date, result: WaterfallResult) -> None:
        """Protected interest short: event of default (a)'s grace runs (contract.arrears); keep
        what the waterfall left unpaid up to that interest for a grace payment."""
        protected = protected_steps(result, self.protected)
        self.arrears_since = arrears_since(self.arrears_since, d, protected)
        self._unpaid = unpaid_through(result, protected[-1].pay if protected else None)

    def _pay(self, result: WaterfallResult) -> None:
        for s in result.steps:
            if s.released_fen > 0:
                self.emit("waterfall_step", pay=s.pay, clause=s.clause, due_fen=0, paid_fen=0,
                          shortfall_fen=0, gated_by=None, payees={}, released_fen=s.released_fen)
                self.instruct(TRUST_ACCOUNT, self._released_account(s.pay), s.released_fen,
                              f"{s.pay} ({s.clause})")
            if not s.claims:
                continue
            self.emit("waterfall_step", pay=s.pay, clause=s.clause, due_fen=s.due_fen,
                      paid_fen=s.paid_fen, shortfall_fen=s.shortfall_fen, gated_by=s.gated_by,
                      payees={c.payee: [c.due_fen, p] for c, p in zip(s.claims, s.paid, strict=True)})
            for c, paid in zip(s.claims, s.paid, strict=True):
                if paid <= 0:
                    continue
                self.instruct(c.payee, TRUST_ACCOUNT, paid, f"{s.pay} ({s.clause})")
                self.waterfall_paid[s.pay] = self.waterfall_paid.get(s.pay, 0) + paid
                note = self.holder_class.get(c.payee)
                if note is None:
                    continue
                if s.action == "pay_principal":
                    self.notes[note].pay_principal(paid, self.env.today)
                elif s.action == "pay_interest":
                    self.notes[note].pay_interest(paid)
                else:   # period income, the residual
                    self.notes[note].interest_paid_fen += paid

    def _released_account(self, step: str) -> str:
        _, steps = self._waterfall_steps()
        return next(a.targets[0] for a in steps if a.step == step)

    def _grace_payment(self, d: dt.date) -> None:
        """Within event of default (a)'s grace [一.4.4(1)], pay the payment date's arrears.

        Cash that arrives after a payment date left protected interest unpaid (the classes of
        the deal's interest_unpaid trigger) pays what that date left unpaid up to and
        including that interest — taxes and fees first — in
        the order of the waterfall in force [一.4.4(2)]: a late payment of that date,
        logged as a ``payment_date`` with ``grace_for``. Nothing ranking after that
        interest is paid early; it waits for the next payment date. Once the event of
        default takes effect, arrears wait for the post-default waterfall.
        """
        cash = self.book[TRUST_ACCOUNT]
        name, steps = self._waterfall_steps()
        due = grace_steps(self.arrears_since, d, cash, self._unpaid, steps)
        if due is None:
            return
        assert self.arrears_since is not None
        result = run_waterfall(due, self._unpaid, cash)
        self.emit("payment_date", waterfall=name, available_fen=cash,
                  remaining_fen=result.remaining_fen, calculation_index=None,
                  series_maturity=None, amortization_index=None, final=False,
                  grace_for=self.arrears_since.isoformat())
        self._pay(result)
        self.dues.settle_late(result)
        self._note_arrears(d, result)
        self._payments_disclosed()

    def _schedule_next_amortization_pd(self, d: dt.date) -> None:
        self._amort_n, self.next_amortization_pd = next_amortization_payment(
            self.env.calendars.of("payment_dates"), self.deal, self.revolving_end, d,
            self.env.timetable.legal_maturity)
