"""The originator (settlor): transfers the initial pool, sells receivables, remedies assets.

[一.4.3] On each base date the originator's system screens its eligible receivables
(§7) against the cash the servicer says is available and sends a purchase request to the
trustee, copying the custodian; assets and price are fixed on the base date and the
purchase settles on the next business day. If a request is late (system upgrade...), it
explains before 16:00 of the base date and the trustee grants up to 10 business days of
grace. [二.1(4)] It replaces lost assets with eligible receivables of no lower balance (or
cash of equal value), repurchases over-term assets after an issuance termination event
within 1 business day of the trustee's notice of the price (the assets leave the pool when
the trust has the price: delivery against payment), and exercises the clean-up call. An
insolvent originator can do none of these.

A change of the pool for lost assets is a proposal to the trustee (:class:`PoolChangeProposal`):
nothing changes until the trustee confirms it; a replacement is then delivered at once, a
compensation is paid and the trustee releases the lost assets when the custodian advises the
cash received (delivery against payment).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

from trustsim.actors.base import Actor, Mailbox
from trustsim.actors.messages import (
    AvailableFunds,
    CleanUpNotice,
    IncidentNotice,
    IncomingTransfer,
    InitialPoolConsideration,
    OriginatorStatus,
    PoolChangeDecision,
    PoolChangeProposal,
    PurchaseRequest,
    PurchasesEnded,
    PurchaseSettled,
    PurchasesMayProceed,
    ReplacementNotice,
    RepurchaseNotice,
    RepurchaseSettled,
    ReserveDelayNotice,
)
from trustsim.contract import over_term
from trustsim.sim import clock

ORIGINATOR = "originator"


class Originator(Actor):
    name = "originator"

    def __init__(self, env) -> None:
        super().__init__(env)
        # speed: its events go straight to the log, a frame less each
        self.emit = partial(env.log.emit, self.name)  # type: ignore[method-assign]
        self.trustee: Mailbox | None = None
        self.custodian: Mailbox | None = None
        self.rating = env.deal.parties.originator.long_term_rating
        self.insolvent = False
        rp = env.deal.revolving_purchase   # None: a static pool buys nothing
        self._price_pct = Decimal(rp.price_pct_of_principal) if rp is not None else Decimal(100)
        self._grace_bd = rp.purchase_request_grace_business_days if rp is not None else 0
        self._requests = 0
        self.revolving = True
        if rp is None:
            env.pool.revolving_ended(env.origin)
        # late purchase requests (incident): until when, explained or not, the one pending
        self.late_since: dt.date | None = None
        self.late_until: dt.date | None = None
        self.late_explained = False
        self._pending: AvailableFunds | None = None
        self._changes = 0   # pool changes proposed

    def connect(self, trustee: Mailbox, custodian: Mailbox) -> None:
        """The addresses of the parties the originator writes to."""
        self.trustee, self.custodian = trustee, custodian

    def on_InitialPoolConsideration(self, msg: InitialPoolConsideration) -> None:
        """The trustee has instructed the consideration: the initial pool is the trust's."""
        b = self.env.pool.balances()
        self.emit("initial_pool_transferred", principal_fen=b.outstanding_fen, loans=b.loans,
                  price_fen=msg.price_fen,
                  pool_reference_date=self.env.deal.dates.pool_reference_date.isoformat())

    # ------------------------------------------------------------ revolving purchase
    def on_PurchasesMayProceed(self, msg: PurchasesMayProceed) -> None:
        pass  # the originator waits for the servicer's available-funds notice

    def on_ReserveDelayNotice(self, msg: ReserveDelayNotice) -> None:
        pass  # no purchase can proceed before the reserve: nothing to do but wait

    def on_PurchasesEnded(self, msg: PurchasesEnded) -> None:
        self.revolving = False
        self.env.pool.revolving_ended(msg.date)
        self._pending = None

    def on_AvailableFunds(self, msg: AvailableFunds) -> None:
        if not self.revolving or self.insolvent:
            return
        if self.late_until is not None:
            self._delay(msg)
            return
        self._request(msg, self.env.calendars.of("purchases").add_business_days(msg.base_date, 1))

    def _request(self, msg: AvailableFunds, purchase_date: dt.date, late: bool = False) -> None:
        env = self.env
        offer = env.pool.eligible_offer(msg.base_date, msg.amount_fen, self._price_pct)
        if offer.principal_fen <= 0:
            return
        self._requests += 1
        req = PurchaseRequest(f"PR{self._requests:05d}", msg.base_date, purchase_date, offer)
        extra = {"eligibility": offer.evidence} if offer.evidence is not None else {}
        self.emit("purchase_requested", request=req.request_id, base_date=msg.base_date.isoformat(),
                  purchase_date=purchase_date.isoformat(), principal_fen=offer.principal_fen,
                  price_fen=offer.price_fen, loans=offer.loans, available_fen=msg.amount_fen,
                  late=late, cc="custodian", **extra)
        self.send(self.trustee, req)

    def _delay(self, msg: AvailableFunds) -> None:
        """A base date during a system delay: explain before 16:00 and keep it pending.

        The trustee's grace covers at most ``grace`` business days of the delay; a base date
        beyond it lapses what was pending and is missed itself.
        """
        cal = self.env.calendars.of("purchases")
        if self.late_explained and cal.business_days_between(self.late_since, msg.base_date) > self._grace_bd:
            if self._pending is not None:
                self.emit("purchase_request_lapsed", base_date=self._pending.base_date.isoformat(),
                          grace_business_days=self._grace_bd)
                self._pending = None
            self.emit("purchase_request_missed", base_date=msg.base_date.isoformat(),
                      reason="the grace period for the delay is exhausted")
            return
        if self.late_explained:
            self.emit("purchase_request_delayed", base_date=msg.base_date.isoformat(),
                      explained_before="16:00", grace_business_days=self._grace_bd,
                      supersedes=self._pending.base_date.isoformat() if self._pending else None)
            self._pending = msg  # the latest notice covers all the cash then available
        else:
            self.emit("purchase_request_missed", base_date=msg.base_date.isoformat(),
                      reason="late without an explanation before 16:00")

    def _delay_ends(self) -> None:
        env, cal = self.env, self.env.calendars.of("purchases")
        self.late_until = None
        pending, self._pending = self._pending, None
        if pending is None or not self.revolving:
            return
        today = env.today
        if cal.business_days_between(pending.base_date, today) > self._grace_bd:
            self.emit("purchase_request_lapsed", base_date=pending.base_date.isoformat(),
                      grace_business_days=self._grace_bd)
            return
        self._request(pending, cal.add_business_days(today, 1), late=True)

    def on_PurchaseSettled(self, msg: PurchaseSettled) -> None:
        req = msg.request
        self.env.pool.buy(req.offer, self.env.today)
        self.emit("receivables_transferred", request=req.request_id,
                  principal_fen=req.offer.principal_fen, price_fen=req.offer.price_fen,
                  loans=req.offer.loans)

    # ------------------------------------------------------------ remedies
    def on_ReplacementNotice(self, msg: ReplacementNotice) -> None:
        """Lost assets: propose to the trustee a replacement by eligible receivables of no
        lower balance, or cash of equal value; an insolvent originator can do neither (the
        lost receivables, extinguished, only leave the pool)."""
        env, sel, today = self.env, msg.selection, self.env.today
        self._changes += 1
        change = f"PC{self._changes:05d}"
        if self.insolvent:
            self.emit("replacement_failed", principal_fen=sel.principal_fen, loans=sel.loans,
                      reason="originator insolvent")
            self._propose(PoolChangeProposal(change, today, "write_off", sel, None, 0))
            return
        offer = env.pool.replacement_offer(today, sel.principal_fen)
        if offer.principal_fen >= sel.principal_fen:
            self._propose(PoolChangeProposal(change, today, "replacement", sel, offer, 0))
        else:
            self._propose(PoolChangeProposal(change, today, "compensation", sel, None,
                                             sel.principal_fen))

    def _propose(self, p: PoolChangeProposal) -> None:
        self.emit("pool_change_proposed", change=p.change, kind=p.kind,
                  removed_fen=p.selection.principal_fen, removed_loans=p.selection.loans,
                  added_fen=p.offer.principal_fen if p.offer is not None else 0,
                  added_loans=p.offer.loans if p.offer is not None else None,
                  price_fen=p.price_fen, notified=["trustee"])
        self.send(self.trustee, p)

    def on_PoolChangeDecision(self, msg: PoolChangeDecision) -> None:
        """The trustee confirmed (or refused) a proposed change: deliver the replacement, or
        pay the compensation (the trustee releases the lost assets when it is advised)."""
        p = msg.proposal
        if not msg.confirmed:
            return
        env, sel, today = self.env, p.selection, self.env.today
        if p.kind == "replacement" and p.offer is not None:
            env.pool.remove(sel, today)
            env.pool.buy(p.offer, today)
            self.emit("lost_assets_replaced", change=p.change, removed_fen=sel.principal_fen,
                      removed_loans=sel.loans, added_fen=p.offer.principal_fen,
                      added_loans=p.offer.loans)
        elif p.kind == "compensation" and p.price_fen > 0:
            self.send(self.custodian, IncomingTransfer(ORIGINATOR, p.price_fen,
                                                       "cash for lost assets", p.change))

    def on_RepurchaseNotice(self, msg: RepurchaseNotice) -> None:
        """Over-term assets: the price of the notice is paid by ``pay_by``, with the notice's
        reference; the assets are delivered when the trust has the price (RepurchaseSettled)."""
        if self.insolvent:
            self.emit("repurchase_failed", principal_fen=msg.selection.principal_fen,
                      reason="originator insolvent")
            return
        self.env.process(self._pay_repurchase(msg))

    def on_RepurchaseSettled(self, msg: RepurchaseSettled) -> None:
        """Delivery against payment: the over-term assets, as they stand today, leave the pool."""
        notice, delivered, today = msg.notice, msg.delivered, self.env.today
        self.env.pool.remove(delivered, today)
        assert delivered.cutoff is not None   # an over-term selection always has its cutoff
        self.emit("over_term_repurchased", clause=notice.clause, notice=notice.notice_id,
                  noticed_on=notice.date.isoformat(), principal_fen=delivered.principal_fen,
                  noticed_principal_fen=notice.selection.principal_fen, loans=delivered.loans,
                  cutoff=delivered.cutoff.isoformat(), price_fen=msg.price_fen,
                  noticed_price_fen=notice.price_fen, pay_by=notice.pay_by.isoformat())

    def _pay_repurchase(self, msg: RepurchaseNotice):
        """On its due day, the price of the noticed assets as they then stand (what the trust
        collected on them meanwhile was the trust's), with the notice's reference — unless the
        originator has become insolvent since the notice (the assets then stay in the trust)."""
        yield self.env.until(msg.pay_by, clock.CUSTODIAN_SETTLE)
        if self.insolvent:
            self.emit("repurchase_failed", principal_fen=msg.selection.principal_fen,
                      reason="originator insolvent before paying the price")
            return
        assert msg.selection.cutoff is not None
        taking = self.env.pool.select("over_term", self.env.today, msg.selection.cutoff)
        price = over_term.price(self.env.deal, taking.principal_fen)
        if price > 0:
            self.send(self.custodian, IncomingTransfer(ORIGINATOR, price,
                                                       "over-term repurchase price", msg.notice_id))

    def on_CleanUpNotice(self, msg: CleanUpNotice) -> None:
        """Repurchase everything left in the pool and pay its price into the trust account."""
        if self.insolvent:
            self.emit("repurchase_failed", principal_fen=self.env.pool.balances().outstanding_fen,
                      reason="originator insolvent: no clean-up call")
            return
        released = self.env.pool.release_all(self.env.today)
        self.emit("clean_up_repurchased", principal_fen=released.outstanding_fen,
                  performing_fen=released.performing_fen, overdue_fen=released.overdue_fen,
                  non_performing_fen=released.non_performing_fen, price_fen=msg.price_fen)
        if msg.price_fen > 0:
            self.send(self.custodian, IncomingTransfer(ORIGINATOR, msg.price_fen,
                                                       "clean-up repurchase price"))

    # ------------------------------------------------------------ incidents
    def on_IncidentNotice(self, msg: IncidentNotice) -> None:
        inc = msg.incident
        if msg.kind == "originator_insolvency":
            self.insolvent = True
            self.send(self.trustee, OriginatorStatus(self.env.today, self.rating, insolvent=True))
        elif msg.kind == "originator_downgrade":
            self.emit("rating_changed", old=self.rating, new=inc.rating)
            self.rating = inc.rating
            self.send(self.trustee, OriginatorStatus(self.env.today, self.rating, self.insolvent))
        elif msg.kind == "late_purchase_requests" and msg.phase == "start":
            cal = self.env.calendar
            self.late_since = cal.following(self.env.today)
            self.late_until = cal.add_business_days(self.late_since, inc.duration_business_days)
            self.late_explained = inc.explained_before_1600
        elif msg.kind == "late_purchase_requests" and msg.phase == "end":
            self._delay_ends()
