"""The servicer: collects from obligors every day and sweeps to the trust next business day.

[一.4.1] Collections land in the JD collection account (the servicer's own account, so
money there is exposed to the servicer's credit: commingling) and must reach the trust
account on the ``sweep_after_business_days``-th business day after receipt. On each
revolving-purchase base date (a day the trust account receives collections once the
required amount is reserved) the servicer tells the trustee and the originator the cash
available for purchase [一.4.3].
"""

from __future__ import annotations

import datetime as dt
from collections import deque

from trustsim.actors.base import Actor
from trustsim.actors.messages import (
    AvailableFunds,
    BalanceReport,
    CollectionsSwept,
    PurchasesEnded,
    PurchasesMayProceed,
    RemitNow,
)
from trustsim.ledger import COLLECTION_ACCOUNT, TRUST_ACCOUNT
from trustsim.sim import clock

OBLIGORS = "obligors"


class Servicer(Actor):
    name = "servicer"

    def __init__(self, env) -> None:
        super().__init__(env)
        self.trustee: Actor | None = None
        self.originator: Actor | None = None
        self.purchases_open = False
        self.revolving = True
        self.stopped = False
        self._held: deque[tuple[dt.date, dt.date, int, int]] = deque()  # (received, due, p, i)
        self._swept_today: dt.date | None = None
        self._lag = env.deal.dates.sweep_after_business_days
        env.process(self._collect_daily())
        env.process(self._sweep_daily())

    def connect(self, trustee: Actor, originator: Actor) -> None:
        self.trustee, self.originator = trustee, originator

    # ------------------------------------------------------------ processes
    def _collect_daily(self):
        env = self.env
        yield env.timeout(1 + clock.SERVICER_COLLECT)  # obligors pay from the day after delivery
        while not self.stopped:
            self.collect(env.today)
            yield env.timeout(1)

    def collect(self, today: dt.date) -> None:
        c = self.env.pool.collect(today)
        if c.total_fen <= 0:
            return
        p = self.env.ledger.post(COLLECTION_ACCOUNT, OBLIGORS, c.total_fen, "obligor payments")
        due = self.env.calendar.add_business_days(today, self._lag)
        self._held.append((today, due, c.principal_fen, c.income_fen))
        self.emit("collections_received", principal_fen=c.principal_fen, income_fen=c.income_fen,
                  sweep_due=due.isoformat(), debit=p.debit, credit=p.credit,
                  amount_fen=p.amount_fen, reason=p.reason, instruction=None)

    def _sweep_daily(self):
        for wake in self.env.business_days_from(self.env.origin, clock.SERVICER_SWEEP):
            yield wake
            if self.stopped:
                return
            self.sweep(only_due=True)

    def sweep(self, only_due: bool) -> int:
        """Transfer held collections to the trust account: those due today, or all of them."""
        today = self.env.today
        principal = income = 0
        first: dt.date | None = None
        last: dt.date | None = None
        held = self._held
        while held and (not only_due or held[0][1] <= today):
            received, _due, p, i = held.popleft()
            principal += p
            income += i
            first = first or received
            last = received
        total = principal + income
        if total == 0:
            return 0
        post = self.env.ledger.post(TRUST_ACCOUNT, COLLECTION_ACCOUNT, total, "collections sweep")
        self._swept_today = today
        self.emit("collections_swept", principal_fen=principal, income_fen=income,
                  received_from=first.isoformat(), received_to=last.isoformat(),
                  debit=post.debit, credit=post.credit, amount_fen=post.amount_fen,
                  reason=post.reason, instruction=None)
        self.send(self.trustee, CollectionsSwept(today, principal, income))
        return total

    # ------------------------------------------------------------ messages
    def on_PurchasesMayProceed(self, msg: PurchasesMayProceed) -> None:
        self.purchases_open = True

    def on_PurchasesEnded(self, msg: PurchasesEnded) -> None:
        self.purchases_open = False
        self.revolving = False

    def on_BalanceReport(self, msg: BalanceReport) -> None:
        """Midday statement: on a base date, tell the cash available for purchase."""
        if not (self.purchases_open and self.revolving and self._swept_today == msg.date):
            return
        amount = msg.trust_account_fen
        if amount <= 0:
            return
        self.emit("available_funds_notified", base_date=msg.date.isoformat(), amount_fen=amount)
        notice = AvailableFunds(msg.date, amount)
        self.send(self.trustee, notice)
        self.send(self.originator, notice)

    def on_RemitNow(self, msg: RemitNow) -> None:
        self.sweep(only_due=False)
        self.stopped = True
