"""What the trustee is told happens and what it tells: incidents, pool changes, disclosure.

A servicer's failure (the backup's activation, the obligors' redirection), a declared
event's cure period and noteholder meeting, a pool change's or the over-term repurchase's
delivery against payment [二.1(4)], and the major-event notices the disclosure desk says
are due. The handlers of the messages are :class:`trustsim.actors.trustee.Trustee`'s;
this mixin holds what they start.
"""

from __future__ import annotations

import datetime as dt

from trustsim.actors.messages import (
    BackupActivation,
    PoolChangeProposal,
    RedirectionNotice,
    RepurchaseNotice,
    RepurchaseSettled,
    ServicerPurchaseRequest,
)
from trustsim.actors.trustee_books import TrusteeBooks
from trustsim.config.servicing import notice_date, takeover_date
from trustsim.contract import over_term
from trustsim.contract.triggers import Fired, successor_deadline
from trustsim.disclosure.desk import Due, LogReader
from trustsim.ledger import TRUST_ACCOUNT
from trustsim.sim import clock


class TrusteeEvents(TrusteeBooks):
    """Incidents, pool changes' delivery against payment and disclosure notices.

    The state is the trustee's (set in :meth:`trustsim.actors.trustee.Trustee.__init__`)."""

    disclosure: LogReader | None                 # the major-event disclosure desk
    terminated: bool
    _against_payment: dict[str, PoolChangeProposal | ServicerPurchaseRequest | RepurchaseNotice]
    _notices: int
    _remedies_clause: str

    def _payments_disclosed(self) -> None:
        """A payment date's steps are paid: a shortfall the rules name is disclosed today."""
        if self.disclosure is not None:
            self._disclose(self.disclosure.desk.close_payment())

    def _disclose(self, dues: list[Due]) -> None:
        """Issue each notice due: today if a business day, else the next business morning."""
        for due in dues:
            if self.env.calendar.is_business_day(self.env.today):
                self._issue(due)
            else:
                self.env.process(self._issue_on_next_business_day(due))

    def _issue_on_next_business_day(self, due: Due):
        yield self.env.until(self.env.calendar.following(self.env.today), clock.TRUSTEE_MORNING)
        self._issue(due)

    def _issue(self, due: Due) -> None:
        assert self.disclosure is not None
        self.emit("disclosure_issued", rule=due.rule, kind=due.kind, subject=due.subject,
                  market=self.disclosure.desk.rules.market, event_date=due.event_date.isoformat(),
                  due_date=due.due_date.isoformat(), issue_date=self.env.today.isoformat())

    def _deliver_over_term(self, notice: RepurchaseNotice, d: dt.date, paid_fen: int) -> None:
        """Delivery against payment: once the price of the over-term assets as they stand
        today is the trust's, they are delivered (:mod:`trustsim.contract.over_term`); a
        payment of another amount delivers nothing and the notice stays open."""
        assert notice.selection.cutoff is not None
        delivered = self.env.pool.select("over_term", d, notice.selection.cutoff)
        due = over_term.price(self.deal, delivered.principal_fen)
        if paid_fen != due:
            self._against_payment[notice.notice_id] = notice
            return
        self.emit("over_term_price_received", clause=notice.clause, notice=notice.notice_id,
                  price_fen=paid_fen, noticed_price_fen=notice.price_fen,
                  noticed_principal_fen=notice.selection.principal_fen,
                  delivered_principal_fen=delivered.principal_fen, notified=["originator"])
        self.send(self.originator, RepurchaseSettled(notice, d, delivered, paid_fen))

    def _successor_deadline(self, party: str, today: dt.date) -> str | None:
        """The day a successor must be in place (contract.triggers.successor_deadline)."""
        deadline = successor_deadline(self.deal, party, today)
        return None if deadline is None else deadline.isoformat()

    def _replace_servicer(self, inc, insolvent: bool) -> None:
        """A servicer termination event: activate the backup servicer (or await the successor
        the scenario appoints), and on an insolvency redirect the obligors (perfection event)."""
        today, servicing = self.env.today, self.deal.servicing
        takeover = takeover_date(today, inc.successor_after_days, servicing, self.env.calendar)
        assert takeover is not None   # validation refuses a termination nobody takes over
        backup = "successor" if inc.successor_after_days is not None or servicing.backup is None \
            else servicing.backup.kind
        lag = servicing.backup.lag_business_days if backup != "successor" and servicing.backup else None
        self.emit("backup_servicer_activated", backup=backup, takeover_date=takeover.isoformat(),
                  takeover_business_days=lag, notified=["servicer"])
        self.send(self.servicer, BackupActivation(today, backup, takeover, insolvent))
        if insolvent:
            self.env.process(self._redirect_obligors(today))

    def _redirect_obligors(self, insolvent_on: dt.date):
        """The perfection event's notice: obligors are told to pay the trust account, at the
        latest ``servicing.redirection.notice_after_business_days`` after the insolvency."""
        r = self.deal.servicing.redirection
        on = notice_date(insolvent_on, r, self.env.calendar)
        yield self.env.until(on, clock.TRUSTEE_MORNING)
        if self.terminated:
            return
        self.emit("obligors_notified", pay_to=TRUST_ACCOUNT, insolvency_date=insolvent_on.isoformat(),
                  notice_after_business_days=r.notice_after_business_days,
                  still_paying_old_account_pct=str(r.still_paying_old_account_pct),
                  decay_days=r.decay_days)
        self.send(self.servicer, RedirectionNotice(on, TRUST_ACCOUNT))

    def _noteholder_meeting(self, inc):
        """A declared event: convene the meeting; if it resolves so, the event takes effect.

        A failure under a curable clause (Dongdao No. 3: D(h) unless found incurable, and
        event of default (c)) is an event only if not cured within ``declared_events.cure_days``
        of the trustee's notice, given the day it occurs [一.4.4(1)]: the meeting is convened
        once that period has passed.
        """
        env, cal = self.env, self.env.calendar
        occurred = env.today
        declared = self.deal.declared_events
        curable = inc.clause in declared.curable_clauses and not inc.incurable
        deadline = occurred + dt.timedelta(days=declared.cure_days)
        cure = {"cure_deadline": deadline.isoformat()} if curable else {}
        self.emit("declared_event_occurred", clause=inc.clause, effect=inc.effect,
                  description=inc.description, **cure,
                  **({"incurable": True} if inc.incurable else {}))
        stands = occurred
        if curable:
            cured = inc.cured_after_days
            if cured is not None and occurred + dt.timedelta(days=cured) <= deadline:
                cured_on = occurred + dt.timedelta(days=cured)
                yield env.until(cal.following(cured_on), clock.TRUSTEE_MORNING)
                if not self.terminated:
                    self.emit("declared_event_cured", clause=inc.clause,
                              cured_on=cured_on.isoformat(), cure_deadline=deadline.isoformat())
                return
            stands = cal.following(deadline + dt.timedelta(days=1))
            yield env.until(stands, clock.TRUSTEE_MORNING)
            if self.terminated:
                return
        meeting = cal.add_business_days(cal.following(stands), inc.meeting_after_business_days)
        self.emit("noteholder_meeting_convened", clause=inc.clause, meeting_date=meeting.isoformat())
        yield env.until(meeting, clock.TRUSTEE_MORNING)
        if self.terminated:
            return
        self.emit("noteholder_meeting_resolved", clause=inc.clause, declared=inc.declared)
        if not inc.declared:
            return
        self.emit("declared_event_notified", clause=inc.clause,
                  notified=["servicer", "custodian", "registrar", "paying_agent", "rating_agency"])
        self._fire(Fired(inc.effect, inc.clause, meeting,
                         {"occurred": occurred.isoformat(), "resolution": meeting.isoformat(),
                          "description": inc.description}))

    def _price_received(self, change: PoolChangeProposal | ServicerPurchaseRequest,
                        paid_fen: int) -> None:
        """A removal's price is in the trust account (the custodian's advice): the assets
        leave the pool now — delivery against payment."""
        today = self.env.today
        if isinstance(change, ServicerPurchaseRequest):
            sel = change.selection
            self.env.pool.remove(sel, today)
            self.emit("servicer_purchase_completed", request=change.request_id,
                      principal_fen=sel.principal_fen, price_fen=change.price_fen,
                      loans=sel.loans, paid_fen=paid_fen, clause=self._remedies_clause)
            return
        sel = change.selection
        self.env.pool.remove(sel, today)
        self.emit("lost_assets_compensated", change=change.change, removed_fen=sel.principal_fen,
                  removed_loans=sel.loans, cash_fen=paid_fen, clause=self._remedies_clause)

    def _over_term_repurchase(self, d: dt.date, maturing: int) -> None:
        """After an issuance termination event: notify the originator of the over-term assets
        and their price (:mod:`trustsim.contract.over_term`); they leave the pool when the
        price reaches the trust account (on_CreditAdvice)."""
        deal = self.deal
        if not over_term.repurchase_applies(deal):
            return
        cutoff = over_term.cutoff(self.env.timetable, maturing, self.env.origin)
        sel = self.env.pool.select("over_term", d, cutoff)
        if sel.principal_fen <= 0:
            return
        price = over_term.price(deal, sel.principal_fen)
        pay_by = over_term.pay_by(deal, self.env.calendar, d)
        self._notices += 1
        notice = RepurchaseNotice(d, sel, price, pay_by, f"OT{self._notices:03d}",
                                  over_term.clause(deal))
        self._against_payment[notice.notice_id] = notice
        self.emit("over_term_repurchase_noticed", clause=notice.clause, notice=notice.notice_id,
                  cutoff=cutoff.isoformat(), principal_fen=sel.principal_fen, loans=sel.loans,
                  price_fen=price, pay_by=pay_by.isoformat(), notified=["originator"])
        self.send(self.originator, notice)
