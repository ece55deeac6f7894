"""The servicer: collects from obligors every day and sweeps to the trust next business day.

[一.4.1] Collections land in the JD collection account (the servicer's side, so money
there is exposed to the servicer's credit: commingling) and must reach the trust account
on the ``sweep_after_business_days``-th business day after receipt. On each
revolving-purchase base date (a day the trust account receives collections once the
required amount is reserved) the servicer tells the trustee and the originator the cash
available for purchase [一.4.3]. It finds lost assets and asks the originator to replace
them; under a scenario's policy it buys non-performing assets at fair value [二.1(4)].

Incidents change what it can do: an outage or a transfer failure holds the sweep (with
or without an accepted explanation). A servicer that fails fails the way servicers fail
(the deal's ``servicing`` section, trustsim.config.servicing; docs/model.md):

* insolvency freezes the collection account: what is there stays there, unswept, and
  obligors keep paying into it until the trustee's notice redirects them to the trust
  account (the perfection event); after it a share of them still pays the old account, a
  share that falls to none over the deal's ``decay_days``. The day none does, the frozen
  balance — everything at risk — passes to the servicer's estate;
* after a servicer termination event (an insolvency is one) the servicing is transferred:
  obligors pay only ``degraded_collections_pct`` of their dues until the successor takes
  over (it collects the shortfall then, ``degraded_shortfall_recovered_pct`` of it);
* the successor — the deal's backup servicer, or one a scenario appoints — takes over on the
  date the trustee's activation names and reports it.

This actor is the servicing, whoever does it: the incumbent, then its successor. Obligors
reach the trust only through it (they are the pool's behaviour, which it collects), so the
trustee's notice to obligors arrives at its address.

The sweep goes through the custodian: the servicer instructs a payment from its collection
account (outside the trust) into the trust account (:class:`SweepInstruction`) and tells the
trustee what it swept (:class:`CollectionsSwept`); the custodian executes it on the trust
account's side and advises the trustee, which counts the collections on that advice.

A cash error (issue 13) makes its next sweep move another amount than it reports, or land on
a later day; it corrects the break when the trustee asks, after the incident's lag.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from decimal import Decimal
from functools import partial

from trustsim.actors.base import Actor, Mailbox
from trustsim.actors.messages import (
    AvailableFunds,
    BackupActivation,
    BalanceReport,
    CollectionsRedirected,
    CollectionsSwept,
    Correction,
    CorrectionRequest,
    FundsHeldApart,
    IncidentNotice,
    IncomingTransfer,
    PurchasesEnded,
    PurchasesMayProceed,
    RedirectionNotice,
    RemitNow,
    ReplacementNotice,
    ReserveDelayNotice,
    ServicerPurchaseDecision,
    ServicerPurchaseRequest,
    ServicerStatus,
    ServicingTakenOver,
    SweepInstruction,
)
from trustsim.config.servicing import old_account_share_ppm
from trustsim.contract.triggers import PPM
from trustsim.ledger import COLLECTION_ACCOUNT, TRUST_ACCOUNT
from trustsim.money import FEN_PER_CNY, round_fen
from trustsim.sim import clock

OBLIGORS = "obligors"
SERVICER_ESTATE = "servicer_estate"
SERVICER_AFFILIATE = "servicer_affiliate"
#: when a successor takes the servicing over: the start of its day, before any sweep
TAKEOVER = 0.02
#: the servicer's own money (a sweep that moves more than it collected pays the excess from it)
SERVICER_OWN_FUNDS = "servicer"
#: incident kinds that make the servicer's next sweep wrong
SWEEP_ERRORS = ("sweep_wrong_amount", "partial_sweep", "sweep_wrong_day")


def share_of(amount_fen: int, ppm: int) -> int:
    """``ppm`` millionths of ``amount_fen``, half up (the audit splits the same way)."""
    return (amount_fen * ppm + PPM // 2) // PPM


class Servicer(Actor):
    name = "servicer"

    def __init__(self, env) -> None:
        super().__init__(env)
        # speed: its events go straight to the log, a frame less each
        self.emit = partial(env.log.emit, self.name)  # type: ignore[method-assign]
        self.trustee: Mailbox | None = None
        self.originator: Mailbox | None = None
        self.custodian: Mailbox | None = None
        self.purchases_open = False
        self.revolving = True
        self.stopped = False
        self._held: deque[tuple[dt.date, dt.date, int, int]] = deque()  # (received, due, p, i)
        self._swept_today: dt.date | None = None
        self._lag = env.deal.dates.sweep_after_business_days
        # incident state: sweeps held back, and whether the delay is explained
        self.holding_since: dt.date | None = None
        self.hold_explained = False
        self.hold_reason: str | None = None
        self.insolvent = False
        # a failure's state: the frozen account, obligors redirected, the servicing's transfer
        self._servicing = env.deal.servicing
        self.frozen_since: dt.date | None = None        # the collection account is frozen
        self.redirected_on: dt.date | None = None       # obligors pay the trust account since
        self._transfer: BackupActivation | None = None  # the servicing is being transferred
        self._deferred = [0, 0]                         # principal, income obligors owe late
        #: what the successor still collects: principal, income, days left, a day's principal, income
        self._arrears = [0, 0, 0, 0, 0]
        #: over the life: what obligors paid late during transfers, and what the successor
        #: collected of it (the run's summary, servicer_replacement)
        self.deferred_total_fen = 0
        self.arrears_collected_fen = 0
        self._redirected_since_report = False
        # servicer purchase policy (scenario): consecutive business days above the threshold
        self._policy = env.deal.remedies.servicer_purchase
        self._npl_run = 0
        self._purchases = 0
        self.cutoff_fen = env.pool.balances().outstanding_fen  # the initial cut-off balance
        # cash errors: armed sweep errors; errors made, by sweep date, until corrected
        self._sweep_errors: deque = deque()
        self._sweep_made: dict[dt.date, tuple] = {}
        self._held_apart = 0   # what the trustee says is not the trust's in the trust account
        self._sweeps = 0       # sweep instructions given
        self._status_told: tuple = (0, None, None, False, False)   # the last ServicerStatus
        env.process(self._collect_daily())
        env.process(self._sweep_daily())

    def connect(self, trustee: Mailbox, originator: Mailbox, custodian: Mailbox) -> None:
        """The addresses of the parties the servicer writes to."""
        self.trustee, self.originator, self.custodian = trustee, originator, custodian

    # ------------------------------------------------------------ collections
    def _collect_daily(self):
        env = self.env
        yield env.timeout(1 + clock.SERVICER_COLLECT)  # obligors pay from the day after delivery
        while not self.stopped:
            today = env.today
            self.collect(today)
            if env.calendar.is_business_day(today):
                self._find_lost_assets(today)
                self._watch_npl_ratio()
                self._report_status(today)
            yield env.timeout(1)

    def collect(self, today: dt.date) -> None:
        c = self.env.pool.collect(today)
        principal, income = c.principal_fen, c.income_fen
        late: dict[str, int] = {}
        if self._transfer is not None and self._servicing.degraded_collections_pct < 100:
            # the servicing is being transferred: obligors pay only part of what they owe today
            pct = self._servicing.degraded_collections_pct
            paid_p, paid_i = round_fen(principal * pct / 100), round_fen(income * pct / 100)
            late = {"deferred_principal_fen": principal - paid_p,
                    "deferred_income_fen": income - paid_i}
            self._deferred[0] += principal - paid_p
            self._deferred[1] += income - paid_i
            self.deferred_total_fen += principal - paid_p + income - paid_i
            principal, income = paid_p, paid_i
        if self._arrears[2]:
            self._collect_arrears(today)
        if self.redirected_on is None:
            self._receive(today, principal, income, late)
            return
        # after the notice: a falling share still pays the frozen account, the rest the trust's
        share = old_account_share_ppm(self._servicing.redirection,
                                      (today - self.redirected_on).days) \
            if self.frozen_since is not None else 0
        old_p, old_i = share_of(principal, share), share_of(income, share)
        if old_p + old_i > 0:
            self._receive(today, old_p, old_i, {})
        self._pay_trust_account(today, principal - old_p, income - old_i,
                                {**late, "old_account_share_ppm": share})
        if share == 0 and self.frozen_since is not None:
            self._close_frozen_account()

    def _receive(self, today: dt.date, principal: int, income: int, extra: dict[str, int],
                 reason: str = "obligor payments") -> None:
        """Obligors pay into the JD collection account (frozen, if the servicer is insolvent)."""
        if principal + income <= 0:
            return
        p = self.env.ledger.post(COLLECTION_ACCOUNT, OBLIGORS, principal + income, reason)
        due = self.env.calendars.of("collections").add_business_days(today, self._lag)
        self._held.append((today, due, principal, income))
        frozen = {"frozen": True} if self.frozen_since is not None else {}
        self.emit("collections_received", principal_fen=principal, income_fen=income,
                  sweep_due=due.isoformat(), debit=p.debit, credit=p.credit,
                  amount_fen=p.amount_fen, reason=p.reason, instruction=None, **frozen, **extra)

    def _pay_trust_account(self, today: dt.date, principal: int, income: int,
                           extra: dict[str, int], reason: str = "obligor payments (redirected)") -> None:
        """Redirected obligors pay the trust account at the custodian: the custodian advises
        the money, the servicing tells the trustee what it was (principal, income)."""
        if principal + income <= 0:
            return
        self.emit("collections_redirected", principal_fen=principal, income_fen=income,
                  pay_to=TRUST_ACCOUNT, **extra)
        self.send(self.custodian, IncomingTransfer(OBLIGORS, principal + income, reason))
        self.send(self.trustee, CollectionsRedirected(today, principal, income))
        self._redirected_since_report = True

    def _sweep_daily(self):
        for wake in self.env.business_days_from(self.env.origin, clock.SERVICER_SWEEP):
            yield wake
            if self.stopped:
                return
            if self.holding_since is None and self.frozen_since is None:
                self.sweep(only_due=True)

    def sweep(self, only_due: bool) -> int:
        """Transfer held collections to the trust account: those due today, or all of them."""
        today = self.env.today
        principal = income = 0
        first: dt.date | None = None
        last: dt.date | None = None
        overdue_since: dt.date | None = None
        held = self._held
        while held and (not only_due or held[0][1] <= today):
            received, due, p, i = held.popleft()
            principal += p
            income += i
            first = first or received
            last = received
            if due < today and overdue_since is None:
                overdue_since = due
        total = principal + income
        if total == 0:
            return 0
        if only_due and self._sweep_errors:
            self._wrong_sweep(self._sweep_errors.popleft(), principal, income,
                              (first, last), overdue_since)
            return total
        sweep = self._next_sweep()
        self._swept_today = today
        self._instruct(SweepInstruction(sweep, today, total, total, principal, income, first, last,
                                        overdue_since))
        # the report reaches the trustee before the custodian's advice (it handles its messages
        # in order, woken once for both)
        self.send(self.trustee, CollectionsSwept(today, principal, income, sweep))
        return total

    def _next_sweep(self) -> str:
        self._sweeps += 1
        return f"SW{self._sweeps:06d}"

    def _instruct(self, ins: SweepInstruction) -> None:
        """Give the custodian the sweep's payment instruction (logged: ``sweep_instructed``)."""
        self.emit("sweep_instructed", sweep=ins.sweep, amount_fen=ins.amount_fen,
                  corrects=ins.corrects, break_id=ins.break_id)
        self.send(self.custodian, ins)

    def _report_status(self, today: dt.date) -> None:
        """Each business day, after the day's collections and before the trustee's close:
        what the servicer still holds, told to the trustee (which reads no party's state) —
        every day something is overdue, else the day its status changes (a day with nothing
        overdue and nothing new needs no report: the trustee reads no report of today as
        nothing overdue)."""
        overdue, since = self.overdue_transfer_fen(today)
        state = (overdue, since, self.holding_since, self.hold_explained, self.insolvent)
        if overdue == 0 and state == self._status_told:
            return
        self._status_told = state
        self.send(self.trustee, ServicerStatus(today, *state))

    def overdue_transfer_fen(self, today: dt.date) -> tuple[int, dt.date | None]:
        """Collections whose sweep date has passed (what the trustee sees in the ABS system)."""
        amount, since = 0, None
        for _received, due, p, i in self._held:
            if due > today:
                break
            amount += p + i
            since = since or due
        return amount, since

    # ------------------------------------------------------------ lost assets
    def _find_lost_assets(self, today: dt.date) -> None:
        """Returned or cancelled orders found today: the replacement start date is today (§6)."""
        if self.insolvent:
            return
        sel = self.env.pool.select("lost", today)
        if sel.principal_fen <= 0:
            return
        self.emit("lost_assets_found", principal_fen=sel.principal_fen, loans=sel.loans,
                  notified=["originator", "trustee"])
        self.send(self.originator, ReplacementNotice(sel))

    # ------------------------------------------------------------ servicer purchase (policy)
    def _watch_npl_ratio(self) -> None:
        if self._policy is None or not self.cutoff_fen:
            return
        b = self.env.pool.balances()
        if b.non_performing_fen * 100 > self._policy.npl_ratio_above_pct * self.cutoff_fen:
            self._npl_run += 1
        else:
            self._npl_run = 0

    def _maybe_buy_non_performing(self) -> None:
        pol = self._policy
        if pol is None or self._npl_run < pol.after_business_days or self.insolvent:
            return
        today = self.env.today
        sel = self.env.pool.select("non_performing", today)
        if sel.principal_fen <= 0:
            return
        self._purchases += 1
        price = round_fen(Decimal(sel.principal_fen) * pol.price_pct_of_principal / 100)
        req = ServicerPurchaseRequest(f"SP{self._purchases:04d}", sel, price)
        self.emit("servicer_purchase_requested", request=req.request_id,
                  principal_fen=sel.principal_fen, price_fen=price, loans=sel.loans,
                  npl_ratio_ppm=sel.principal_fen * PPM // self.cutoff_fen,
                  buyer=self.env.deal.parties.servicer.designated_affiliate or "servicer")
        self._npl_run = 0
        self.send(self.trustee, req)

    def on_ServicerPurchaseDecision(self, msg: ServicerPurchaseDecision) -> None:
        """Confirmed: pay the price; the assets are the buyer's when the trustee is advised
        that the price arrived (delivery against payment; the trustee releases them)."""
        req = msg.request
        if not msg.confirmed or req.price_fen <= 0:
            return
        self.send(self.custodian, IncomingTransfer(SERVICER_AFFILIATE, req.price_fen,
                                                   "servicer purchase price", req.request_id))

    # ------------------------------------------------------------ messages
    def on_PurchasesMayProceed(self, msg: PurchasesMayProceed) -> None:
        self.purchases_open = True

    def on_PurchasesEnded(self, msg: PurchasesEnded) -> None:
        self.purchases_open = False
        self.revolving = False

    def on_BalanceReport(self, msg: BalanceReport) -> None:
        """Midday statement: act on the servicer-purchase policy; on a base date, tell the cash."""
        self._maybe_buy_non_performing()
        received = self._swept_today == msg.date or self._redirected_since_report
        self._redirected_since_report = False
        if not (self.purchases_open and self.revolving and received) or self.insolvent:
            return
        amount = msg.trust_account_fen - self._held_apart
        if amount <= 0:
            return
        self.emit("available_funds_notified", base_date=msg.date.isoformat(), amount_fen=amount)
        notice = AvailableFunds(msg.date, amount)
        self.send(self.trustee, notice)
        self.send(self.originator, notice)

    def on_RemitNow(self, msg: RemitNow) -> None:
        for day in list(self._sweep_made):   # what a wrong sweep left behind goes too
            self._correct_sweep(day)
        if self.frozen_since is not None:   # the trust ends: what is frozen stays in the estate
            self._close_frozen_account()
        self.sweep(only_due=False)
        self.stopped = True

    def on_IncidentNotice(self, msg: IncidentNotice) -> None:
        inc, today, cal = msg.incident, self.env.today, self.env.calendar
        if self.frozen_since is not None and msg.kind in ("servicer_outage", "servicer_transfer_failure"):
            return   # an insolvent servicer's frozen account: no outage explains it, none ends it
        if msg.kind == "servicer_outage" and msg.phase == "start":
            until = cal.add_business_days(cal.following(today), inc.duration_business_days)
            self._hold(today, explained=True, reason="servicer system outage")
            self.emit("reserve_delay_notified", until=until.isoformat(),
                      delay_business_days=inc.duration_business_days, notified=["trustee", "originator"])
            notice = ReserveDelayNotice(today, until)
            self.send(self.trustee, notice)
            self.send(self.originator, notice)
        elif msg.kind == "servicer_transfer_failure" and msg.phase == "start":
            self._hold(today, explained=inc.explanation_accepted, reason="transfer withheld")
            if inc.explanation_accepted:
                self.emit("transfer_delay_explained", delay_business_days=inc.duration_business_days)
        elif msg.kind in ("servicer_outage", "servicer_transfer_failure") and msg.phase == "end":
            self._release()
        elif msg.kind == "servicer_insolvency" and msg.phase == "start":
            self._freeze(today)
        elif msg.kind in SWEEP_ERRORS:
            self._sweep_errors.append(inc)

    def _hold(self, today: dt.date, explained: bool, reason: str) -> None:
        self.holding_since = self.holding_since or today
        self.hold_explained = explained
        self.hold_reason = reason

    def _release(self) -> None:
        self.holding_since = None
        self.hold_explained = False
        self.hold_reason = None

    # ------------------------------------------------------------ failure and replacement
    def _freeze(self, today: dt.date) -> None:
        """Insolvency: the collection account is frozen — nothing leaves it for the trust.

        The servicer gives no explanation a trustee can accept (its administrator holds the
        money), so the transfers it owes are overdue from their sweep date: clause (c).
        """
        self.insolvent = True
        self.frozen_since = today
        self._hold(today, explained=False, reason="servicer insolvent: collection account frozen")
        held = self.env.ledger.balances[COLLECTION_ACCOUNT]
        self.emit("collection_account_frozen", balance_fen=held,
                  held_since=self._held[0][0].isoformat() if self._held else None)

    def _close_frozen_account(self) -> None:
        """No obligor pays the frozen account any more: what it holds passes to the estate."""
        balance = self.env.ledger.balances[COLLECTION_ACCOUNT]
        since = self.frozen_since
        self.frozen_since = None
        self._held.clear()
        self._release()
        if balance > 0:
            p = self.env.ledger.post(SERVICER_ESTATE, COLLECTION_ACCOUNT, balance,
                                     "collections commingled in the servicer's estate")
            self.emit("collections_commingled", debit=p.debit, credit=p.credit,
                      amount_fen=p.amount_fen, reason=p.reason, instruction=None,
                      frozen_on=since.isoformat() if since else None)

    def on_RedirectionNotice(self, msg: RedirectionNotice) -> None:
        """The trustee's notice reached the obligors: from today they pay the trust account."""
        if self.redirected_on is None:
            self.redirected_on = msg.date

    def on_BackupActivation(self, msg: BackupActivation) -> None:
        """A servicer termination event: the servicing is transferred until the takeover."""
        self._transfer = msg
        self.env.process(self._take_over(msg))

    def _take_over(self, msg: BackupActivation):
        yield self.env.until(msg.takeover_date, TAKEOVER)
        if self.stopped or self._transfer is not msg:
            return
        today = self.env.today
        self._transfer = None
        self.insolvent = False
        owed_p, owed_i = self._deferred
        self._deferred = [0, 0]
        s = self._servicing
        pct = s.degraded_shortfall_recovered_pct
        paid_p, paid_i = round_fen(owed_p * pct / 100), round_fen(owed_i * pct / 100)
        days = s.degraded_shortfall_collected_over_days
        self.emit("servicing_taken_over", backup=msg.backup, event_date=msg.date.isoformat(),
                  deferred_principal_fen=owed_p, deferred_income_fen=owed_i,
                  collected_principal_fen=paid_p, collected_income_fen=paid_i,
                  collected_over_days=days)
        self.send(self.trustee, ServicingTakenOver(today, msg.backup))
        self._arrears = [paid_p, paid_i, days, paid_p // days, paid_i // days] \
            if paid_p + paid_i > 0 else [0, 0, 0, 0, 0]

    def _collect_arrears(self, today: dt.date) -> None:
        """The successor works through what obligors owe from the transfer, evenly over the
        deal's days from the takeover (the last day takes what division leaves): into the
        trust account after a redirection, never into a frozen account."""
        p, i, days, daily_p, daily_i = self._arrears
        take_p, take_i = (p, i) if days == 1 else (daily_p, daily_i)
        self._arrears = [p - take_p, i - take_i, days - 1, daily_p, daily_i]
        self.arrears_collected_fen += take_p + take_i
        reason = "obligor arrears paid to the successor"
        if self.redirected_on is not None or self.frozen_since is not None:
            self._pay_trust_account(today, take_p, take_i, {}, reason)
        else:
            self._receive(today, take_p, take_i, {}, reason)

    # ------------------------------------------------------------ cash errors (issue 13)
    def _wrong_sweep(self, inc, principal: int, income: int,
                     received: tuple[dt.date | None, dt.date | None],
                     overdue_since: dt.date | None) -> None:
        """A sweep that moves another amount than the servicer reports, or lands later."""
        env, today = self.env, self.env.today
        total = principal + income
        sweep = self._next_sweep()
        self.send(self.trustee, CollectionsSwept(today, principal, income, sweep))   # what it reports
        if inc.kind == "sweep_wrong_day":
            land = env.calendar.add_business_days(today, inc.late_by_business_days)
            self._sweep_made[today] = (inc, total, None, sweep)
            env.process(self._land_late(today, land))
            return
        if inc.kind == "partial_sweep":
            moved = round_fen(Decimal(total) * inc.swept_pct / 100)
        else:
            moved = max(0, total + round_fen(inc.error_cny * FEN_PER_CNY))
        part = min(moved, total)
        if moved > 0:
            if part > 0:
                self._swept_today = today
            # a sweep that does not move the receipts in full names none of them
            named = [d if part == total else None for d in received]
            self._instruct(SweepInstruction(sweep, today, moved, part, min(principal, part),
                                            part - min(principal, part), named[0], named[1],
                                            overdue_since))
        self._sweep_made[today] = (inc, total - moved, None, sweep)

    def _land_late(self, swept: dt.date, land: dt.date):
        yield self.env.until(land, clock.SERVICER_SWEEP)
        self._correct_sweep(swept)

    def on_CorrectionRequest(self, req: CorrectionRequest) -> None:
        """The trustee found a break in a sweep: correct it after the incident's lag (a sweep
        value-dated late lands on its own date)."""
        day = dt.date.fromisoformat(req.ref) if req.ref else None
        made = self._sweep_made.get(day) if day else None
        if day is None or made is None:
            return   # no error of the servicer's explains it: never corrected
        inc, short, _, sweep = made
        self._sweep_made[day] = (inc, short, req.break_id, sweep)
        if inc.kind == "sweep_wrong_day":
            return
        lag = inc.corrected_after_business_days
        self.env.process(self._correct_later(day, lag))

    def _correct_later(self, day: dt.date, lag: int):
        env = self.env
        if lag > 0:
            yield env.until(env.calendar.add_business_days(env.today, lag), clock.SERVICER_SWEEP)
        else:
            yield env.timeout(0)
        self._correct_sweep(day)

    def _correct_sweep(self, day: dt.date) -> None:
        """Reverse a wrong sweep: sweep what it left (an insolvent servicer's frozen account
        keeps it: nothing to sweep), or ask the trustee to return the excess."""
        made = self._sweep_made.pop(day, None)
        if made is None:
            return
        _inc, short, break_id, sweep = made
        env = self.env
        if short < 0:   # the excess came from the servicer's own funds: it asks for it back
            if break_id is not None:
                self.send(self.trustee, Correction(break_id, env.today, -short,
                                                   return_to=SERVICER_OWN_FUNDS))
            return
        amount = min(short, env.ledger.balances[COLLECTION_ACCOUNT])
        if amount <= 0 or self.frozen_since is not None:
            return   # a frozen account: nothing leaves it for the trust
        # the custodian's advice of this payment tells the trustee the break is corrected
        self._instruct(SweepInstruction(self._next_sweep(), env.today, amount, amount, 0, 0,
                                        corrects=sweep, sweep_date=day, break_id=break_id))

    def on_FundsHeldApart(self, msg: FundsHeldApart) -> None:
        self._held_apart = msg.amount_fen
