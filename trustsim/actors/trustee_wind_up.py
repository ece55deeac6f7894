"""The trust's end: what is left of the pool leaves it and the accounts are paid out [一.4.2].

After an event of default with a class unpaid the receivables are sold to an outside buyer
(:mod:`trustsim.contract.termination`, :mod:`trustsim.contract.sale`); otherwise what is
left goes in kind to the class taking the residual. The final distribution runs the
waterfall in force on the termination date, or the day the buyer pays.
"""

from __future__ import annotations

import datetime as dt

from trustsim.actors.messages import IncomingTransfer, RemitNow, WindingUp
from trustsim.actors.trustee_payments import TrusteePayments
from trustsim.contract.sale import pool_price
from trustsim.contract.termination import liquidates, released_to
from trustsim.ledger import LIQUIDATION_BUYER, TRUST_ACCOUNT
from trustsim.sim import clock


class TrusteeWindUp(TrusteePayments):
    """Termination, the liquidation sale and the final distribution.

    The state is the trustee's (set in :meth:`trustsim.actors.trustee.Trustee.__init__`)."""

    residual_class: str
    termination_date: dt.date | None
    termination_cause: str | None
    pool_released_fen: int
    liquidation_price_fen: int | None            # a liquidation sale's price
    liquidation_principal_fen: int
    unpaid_at_liquidation: dict[str, int]        # each class's principal owed at the sale

    def _terminate(self, d: dt.date, cause: str) -> None:
        """The trust ends: what is left of the pool leaves it, the servicer remits.

        After an event of default with a class unpaid, the receivables are sold to an
        outside buyer (config ``termination.liquidation``) and the price goes through the
        post-default waterfall [一.4.2, 一.4.4(2)]; otherwise every class is repaid and the
        pool, if any is left, goes in kind to the class that takes the residual.
        """
        self.terminated = True
        self.termination_date, self.termination_cause = d, cause
        if liquidates(self.post_default, (n.outstanding_fen for n in self.notes.values()),
                      self.env.pool.balances().outstanding_fen):
            settle = self._liquidate(d)
        else:
            settle = d
            released = self.env.pool.release_all(d)
            self.pool_released_fen = released.outstanding_fen
        self.send(self.servicer, RemitNow(d))
        self.send(self.custodian, WindingUp(d))   # every account right for the final distribution
        self.env.process(self._wind_up(settle))

    def _liquidate(self, d: dt.date) -> dt.date:
        """Sell the remaining receivables at the configured price; the day the buyer pays."""
        cfg = self.deal.termination.liquidation
        sold = self.env.pool.release_all(d)
        price = pool_price(sold, cfg)
        settle = self.env.calendar.add_business_days(d, cfg.sale_lag_business_days)
        self.liquidation_price_fen, self.liquidation_principal_fen = price, sold.outstanding_fen
        self.unpaid_at_liquidation = {k: v.outstanding_fen for k, v in self.notes.items()}
        self.emit("liquidation_sale", clause="一.4.2", buyer=LIQUIDATION_BUYER,
                  principal_fen=sold.outstanding_fen, performing_fen=sold.performing_fen,
                  overdue_fen=sold.overdue_fen, non_performing_fen=sold.non_performing_fen,
                  price_fen=price, settlement_date=settle.isoformat(),
                  notes_outstanding_by_class_fen=dict(self.unpaid_at_liquidation))
        self.env.process(self._buyer_pays(settle, price))
        return settle

    def _buyer_pays(self, on: dt.date, price: int):
        yield self.env.until(on, clock.BUYER_PAYS)
        if price > 0:
            self.send(self.custodian, IncomingTransfer(LIQUIDATION_BUYER, price,
                                                       "liquidation sale price"))

    def _wind_up(self, d: dt.date):
        """On the termination date — or, after a liquidation, the day the buyer pays — the
        final distribution in order of the waterfall in force, then the trust ends."""
        yield self.env.until(d, clock.TRUSTEE_CLOSE)
        self._redeem_investments(d)
        for name in self.reserves:   # the trust ends: its reserve accounts are distributed too
            if self.book[name] > 0:
                self.instruct(TRUST_ACCOUNT, name, self.book[name], f"{name} released at termination")
        cash = self.book[TRUST_ACCOUNT]
        if cash > 0:  # collections remitted at termination, a sale's price: distributed in order
            self._distribute(d, None, final=True)
        # the custodian makes the final payments before the trust ends: nothing after it
        yield self.env.timeout(clock.SETTLE_WITHIN_CLOSE)
        self.emit("trust_terminated", cause=self.termination_cause,
                  pool_released_fen=self.pool_released_fen,
                  released_to=released_to(self.residual_class, self.liquidation_price_fen is not None),
                  final_distribution_fen=cash,
                  notes_outstanding_by_class_fen={k: v.outstanding_fen for k, v in self.notes.items()})
        yield self.env.timeout(0.01)
        self.env.terminated.succeed(d)
