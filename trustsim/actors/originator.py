"""The originator (settlor): transfers the initial pool and sells receivables every base date.

[一.4.3] On each base date the originator's system screens its eligible receivables
(§7) against the cash the servicer says is available and sends a purchase request to
the trustee, copying the custodian; the assets and price are fixed on the base date and
the purchase settles on the next business day (the revolving-purchase date). Once the
custodian has paid, the originator transfers the receivables into the pool.
"""

from __future__ import annotations

from decimal import Decimal

from trustsim.actors.base import Actor
from trustsim.actors.messages import (
    AvailableFunds,
    CleanUpNotice,
    PurchaseRequest,
    PurchasesEnded,
    PurchaseSettled,
    PurchasesMayProceed,
)
from trustsim.ledger import TRUST_ACCOUNT


class Originator(Actor):
    name = "originator"

    def __init__(self, env) -> None:
        super().__init__(env)
        self.trustee: Actor | None = None
        self.rating = env.deal.parties.originator.long_term_rating
        self.insolvent = False
        self._price_pct = Decimal(env.deal.revolving_purchase.price_pct_of_principal)
        self._requests = 0
        self.revolving = True

    def connect(self, trustee: Actor) -> None:
        self.trustee = trustee

    def transfer_initial_pool(self, price_fen: int) -> None:
        b = self.env.pool.balances()
        self.emit("initial_pool_transferred", principal_fen=b.outstanding_fen, loans=b.loans,
                  price_fen=price_fen,
                  pool_reference_date=self.env.deal.dates.pool_reference_date.isoformat())

    # ------------------------------------------------------------ messages
    def on_PurchasesMayProceed(self, msg: PurchasesMayProceed) -> None:
        pass  # the originator waits for the servicer's available-funds notice

    def on_PurchasesEnded(self, msg: PurchasesEnded) -> None:
        self.revolving = False

    def on_AvailableFunds(self, msg: AvailableFunds) -> None:
        if not self.revolving or self.insolvent:
            return
        env = self.env
        offer = env.pool.eligible_offer(msg.base_date, msg.amount_fen, self._price_pct)
        if offer.principal_fen <= 0:
            return
        self._requests += 1
        req = PurchaseRequest(
            request_id=f"PR{self._requests:05d}",
            base_date=msg.base_date,
            purchase_date=env.calendar.add_business_days(msg.base_date, 1),
            offer=offer,
        )
        self.emit("purchase_requested", request=req.request_id, base_date=msg.base_date.isoformat(),
                  purchase_date=req.purchase_date.isoformat(), principal_fen=offer.principal_fen,
                  price_fen=offer.price_fen, loans=offer.loans, available_fen=msg.amount_fen,
                  cc="custodian")
        self.send(self.trustee, req)

    def on_PurchaseSettled(self, msg: PurchaseSettled) -> None:
        req = msg.request
        self.env.pool.buy(req.offer, self.env.today)
        self.emit("receivables_transferred", request=req.request_id,
                  principal_fen=req.offer.principal_fen, price_fen=req.offer.price_fen,
                  loans=req.offer.loans)

    def on_CleanUpNotice(self, msg: CleanUpNotice) -> None:
        """Repurchase everything left in the pool and pay its price into the trust account."""
        released = self.env.pool.release_all(self.env.today)
        fields = {}
        if msg.price_fen > 0:
            p = self.env.ledger.post(TRUST_ACCOUNT, "originator", msg.price_fen,
                                     "clean-up repurchase price")
            fields = {"debit": p.debit, "credit": p.credit, "amount_fen": p.amount_fen,
                      "reason": p.reason, "instruction": None}
        self.emit("clean_up_repurchased", principal_fen=released.outstanding_fen,
                  performing_fen=released.performing_fen, overdue_fen=released.overdue_fen,
                  non_performing_fen=released.non_performing_fen, price_fen=msg.price_fen,
                  **fields)
        self.send(self.trustee, msg)
