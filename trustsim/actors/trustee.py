"""The trustee (issuer): reserves, confirms purchases, runs waterfalls, recognises triggers.

What it does each business day, in the order of :mod:`trustsim.sim.clock`:

* morning — a rolling class's series roll on a series maturity [一.2]; payment dates
  (revolving calculation dates and series maturities; amortization dates) [一.4.4(2)];
  the revolving period's end [一.4.2]; each accrual period's required amount, reserved in
  an eligible investment before purchases may proceed [一.4.3];
* during the day — confirms purchase requests and instructs the custodian [一.4.3];
* close (24:00) — evaluates the triggers on the day's figures [一.4.4(1)].

The trustee keeps its own book of the trust's accounts from the custodian's statements
and the results of its instructions, and reconciles it with every statement it receives:
a difference is a reconciliation break, logged, whose correction it asks of the party at
fault (:mod:`trustsim.contract.reconciliation` holds the rules).

The contract's rules are functions of :mod:`trustsim.contract`; this class is a shell that
acts on messages. Its message handlers (``on_<Message>``) and its day (start, mornings,
closes) are here; what they share is in mixins, one layer each: the book and its breaks
(:mod:`.trustee_books`), incidents, pool changes and disclosure (:mod:`.trustee_events`),
payment dates (:mod:`.trustee_payments`) and the trust's end (:mod:`.trustee_wind_up`).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import replace

from trustsim.actors.base import Mailbox
from trustsim.actors.messages import (
    AvailableFunds,
    BalanceReport,
    CleanUpNotice,
    CollectionsRedirected,
    CollectionsSwept,
    Correction,
    CreditAdvice,
    IncidentNotice,
    InitialPoolConsideration,
    Instruction,
    InstructionResult,
    OriginatorStatus,
    PoolChangeDecision,
    PoolChangeProposal,
    ProceedsPaidIn,
    PurchaseRequest,
    PurchasesEnded,
    PurchasesMayProceed,
    RepurchaseNotice,
    ReserveDelayNotice,
    ServicerPurchaseDecision,
    ServicerPurchaseRequest,
    ServicerStatus,
    ServicingTakenOver,
)
from trustsim.actors.trustee_wind_up import TrusteeWindUp
from trustsim.config.structure import NotesFee, PoolFee
from trustsim.contract.arrears import held_for_grace
from trustsim.contract.dues import DuesBook, failure_closes_revolving
from trustsim.contract.notes import FAIL, NoteClass, holders, roll_outcome
from trustsim.contract.reconciliation import (
    SWEEP_CAUSES,
    BreakBook,
    Finding,
    differences,
    explain_balance,
    explain_result,
)
from trustsim.contract.remedies import (
    AGAINST_PAYMENT,
    fair_value_fen,
    lost_asset_change_refused,
    servicer_purchase_refused,
)
from trustsim.contract.reserve import income_per_day, purchase_refused, required_amount, top_up
from trustsim.contract.sale import pool_price
from trustsim.contract.schedule import PaymentDate
from trustsim.contract.termination import (
    PRINCIPAL_DEFAULT,
    clean_up_due,
    ends_after_payment,
    principal_default_fired,
    winds_up_after_legal_maturity,
)
from trustsim.contract.triggers import (
    DayFigures,
    Fired,
    IssuanceTermination,
    Trigger,
    build_triggers,
    days_without_successor,
    observed_at_close,
    transfer_explained,
)
from trustsim.contract.waterfalls import Claim
from trustsim.disclosure.desk import TRUSTEE_FACTS, desk_for_deal
from trustsim.ledger import (
    COLLECTION_ACCOUNT,
    ELIGIBLE_INVESTMENTS,
    ISSUANCE_PROCEEDS_ACCOUNT,
    TRUST_ACCOUNT,
)
from trustsim.money import fen_from_wan
from trustsim.sim import clock

ORIGINATOR = "originator"


class Trustee(TrusteeWindUp):
    name = "trustee"

    def __init__(self, env) -> None:
        super().__init__(env)
        deal, sched = env.deal, env.timetable
        self.deal = deal
        # major-event disclosure: the market's rules, told what happens (trustsim.disclosure)
        self.disclosure = desk_for_deal(deal, env.calendar)
        self.custodian: Mailbox | None = None
        self.servicer: Mailbox | None = None
        self.originator: Mailbox | None = None
        # what the other parties have told the trustee (it reads no party's state)
        self.originator_status = OriginatorStatus(env.origin, deal.parties.originator.long_term_rating, False)
        self.servicer_status = ServicerStatus(env.origin, 0, None, None, False, False)
        eff = deal.dates.trust_effective_date
        self.notes: dict[str, NoteClass] = {
            c.name: NoteClass(c.name, fen_from_wan(c.size_wan), c.coupon_pct, c.day_count, eff,
                              step_up=(c.step_up.date, c.step_up.coupon_pct) if c.step_up else None)
            for c in deal.classes}
        rolling = deal.rolling_class
        self.rolling: str | None = rolling.name if rolling is not None else None
        if self.rolling is not None:
            self.notes[self.rolling].first_series(eff)
        self.holder_class = {holders(c): c for c in self.notes}
        # the classes an interest_unpaid trigger protects: their arrears get a grace period
        self.protected = {c for t in deal.triggers if t.kind == "interest_unpaid" for c in t.classes}
        self.residual_class = next((a.targets[0] for a in deal.waterfalls["amortization"]
                                    if a.key == "pay_residual"), deal.classes[-1].name)
        self.reserves = {r.name: r for r in deal.accounts.reserves}
        self.dues = DuesBook(deal, last_payment_date=eff)
        self.triggers: list[Trigger] = build_triggers(deal)
        self.fired: list[Fired] = []
        self.period = "revolving" if deal.revolves else "amortization"
        self.amortization_waterfall = "amortization"   # a waterfall_switch trigger changes it
        pay_cal = env.calendars.of("payment_dates")
        self._expected_maturities = {c.name: pay_cal.following(c.final_expected_maturity)
                                     for c in deal.classes}   # still to watch
        self.post_default = False
        self.revolving_end: dt.date | None = None
        self.revolving_end_cause: str | None = None
        self.termination_date: dt.date | None = None
        self.termination_cause: str | None = None
        self.pool_released_fen = 0
        self.liquidation_price_fen: int | None = None   # a liquidation sale's price, principal
        self.liquidation_principal_fen = 0
        self.unpaid_at_liquidation: dict[str, int] = {}  # each class's principal owed at the sale
        # the trustee's book of the trust's accounts
        self.book = {TRUST_ACCOUNT: 0, ELIGIBLE_INVESTMENTS: 0, ISSUANCE_PROCEEDS_ACCOUNT: 0,
                     **dict.fromkeys(self.reserves, 0)}
        self.invested_on: dt.date | None = None   # when the invested balance last changed
        self._investment_income_fen = 0           # income earned before that, not yet paid
        # revolving purchase state
        self.purchases_open = False
        self.reserve_target = 0
        self.reserve_target_date: dt.date | None = None
        self._reserve_computed_on: dt.date | None = None
        self._awaiting: dict[str, PurchaseRequest] = {}
        self._unsettled: dict[str, Instruction] = {}   # booked, not yet reported executed
        # reconciliation: breaks, the sweeps reported since the last statement, what the
        # servicer was last told is held apart, purchases whose price a break left unpaid
        self.breaks = BreakBook()
        self._sweeps_reported: list[tuple[dt.date, int]] = []
        # sweeps: reported since the last statement (by instruction), what those reports say
        # less what the custodian advised, reports whose collections are not counted yet
        self._sweeps_pending: set[str] = set()
        self._sweep_gap = 0
        self._uncounted: dict[str, CollectionsSwept] = {}
        # removals that take effect when their price is advised (delivery against payment):
        # the payer's reference -> the confirmed change, servicer purchase or over-term notice
        self._against_payment: dict[
            str, PoolChangeProposal | ServicerPurchaseRequest | RepurchaseNotice] = {}
        self._remedies_clause = deal.remedies.clause
        self._held_apart_told = 0
        self._settle_when_resolved: dict[str, PurchaseRequest] = {}
        self._income_window: deque[tuple[dt.date, int]] = deque()
        # schedule lookups
        cal = env.calendars.of("purchases")  # an accrual period's reserve counts from its first business day
        self._pd_by_date = {pd.date: pd for pd in sched.revolving_payment_dates}
        self._accrual_by_bd = {cal.following(a): a for a in sched.accrual_starts}
        self._rolls = {m: i for i, m in enumerate(sched.series_maturities[:-1], start=1)
                       if m < sched.scheduled_revolving_end}
        self._failed_series = {inc.series for inc in deal.incidents
                               if inc.kind == "series_issuance_failure"}
        # an issuance failure that ends revolving on a payment date makes it the revolving
        # period's last when a class is presented then (interest.at_issuance_failure)
        self._closes_revolving_on: dt.date | None = None
        self._notices = 0
        self._amort_n = 0
        self.next_amortization_pd: dt.date | None = None
        self.arrears_since: dt.date | None = None  # protected classes' interest unpaid since
        self._unpaid: dict[str, list[Claim]] = {}  # last waterfall's arrears up to their interest
        self.initial_cutoff_fen = 0
        self.purchases_fen = 0
        self.purchases_principal_fen = 0
        self.waterfall_paid: dict[str, int] = {}
        self._instructions = 0
        self.terminated = False
        self.clean_up_called = False
        self.servicer_terminated_on: dt.date | None = None
        self.trustee_replacement_since: dt.date | None = None
        self.reserve_delayed_until: dt.date | None = None
        env.process(self._start())
        env.process(self._mornings())
        env.process(self._closes())

    def connect(self, custodian: Mailbox, servicer: Mailbox, originator: Mailbox) -> None:
        """The addresses of the parties the trustee writes to."""
        self.custodian, self.servicer, self.originator = custodian, servicer, originator

    # ------------------------------------------------------------ major-event disclosure
    def emit(self, event: str, **fields) -> None:
        """Log the event; the disclosure desk reads the trustee's own lines as the log has
        them (triggers, payment dates and their steps, replacements, successors)."""
        super().emit(event, **fields)
        if self.disclosure is not None and event in TRUSTEE_FACTS:
            self._disclose(self.disclosure.observe(
                {"event": event, "date": self.env.today.isoformat(), **fields}))

    # ------------------------------------------------------------ instructions and book
    def on_InstructionResult(self, res: InstructionResult) -> None:
        ins = res.instruction
        if res.deferred_to is not None:   # a missed cut-off: it stays unsettled a day
            self._open_break(Finding(
                "missed_cutoff", ins.credit, ins.debit, ins.amount_fen, 0, 0,
                f"instruction {ins.instruction_id} reached the custodian after its cut-off; "
                f"it executes on {res.deferred_to}"),
                "instruction_result", instruction=ins.instruction_id)
            return
        self._unsettled.pop(ins.instruction_id, None)
        for brk in self.breaks.of_instruction(ins.instruction_id) if self.breaks.open else ():
            if brk.cause in ("instruction_not_executed", "missed_cutoff"):
                self._resolve(brk)   # executed at last (or failed: nothing is owed any more)
            elif brk.returning == ins.instruction_id and res.executed:
                self._resolve(brk)   # the money held apart is returned (the return's own
                                     # error, if any, is a break of its own below)
        if res.executed_on is not None and res.executed and res.executed_on > ins.value_date \
                and ins.instruction_id not in self.breaks.named:
            # executed after its value date before any statement showed it unexecuted (the
            # first business day after a holiday): the advice itself shows it
            self._resolve(self._open_break(Finding(
                "instruction_not_executed", ins.credit, ins.debit, ins.amount_fen, 0, 0,
                f"instruction {ins.instruction_id} value-dated {ins.value_date} executed on "
                f"{res.executed_on}"), "instruction_result", instruction=ins.instruction_id))
        if not res.executed:
            if ins.credit in self.book:
                self.book[ins.credit] += ins.amount_fen
            if ins.debit in self.book:
                self.book[ins.debit] -= ins.amount_fen
            req = self._awaiting.pop(ins.instruction_id, None)
            if req is not None:
                self.emit("purchase_rejected", request=req.request_id,
                          reason="custodian could not pay the price")
            return
        req = self._awaiting.pop(ins.instruction_id, None)
        if res.paid_fen is not None or res.paid_to is not None:
            found = explain_result(ins.credit, ins.debit, ins.amount_fen,
                                   ins.amount_fen if res.paid_fen is None else res.paid_fen,
                                   res.paid_to or ins.debit, ins.instruction_id)
            if found is not None:
                b = self._open_break(found, "instruction_result", instruction=ins.instruction_id)
                if req is not None and found.cause != "instruction_overpaid":
                    self._settle_when_resolved[b.id] = req   # the price is not paid yet
                    return
        if req is not None:
            self._settle(req)

    def on_BalanceReport(self, msg: BalanceReport) -> None:
        """The morning statement: each account against the book (see
        :mod:`trustsim.contract.reconciliation`); a difference, or an instruction past its
        value date not reported executed, is a reconciliation break."""
        bank = {TRUST_ACCOUNT: msg.trust_account_fen,
                ELIGIBLE_INVESTMENTS: msg.eligible_investments_fen,
                ISSUANCE_PROCEEDS_ACCOUNT: msg.issuance_proceeds_fen,
                **dict(msg.reserve_accounts_fen)}
        if self._sweeps_pending:
            # the sweeps reported since the last statement: what the servicer said it moved
            # is what the trust is owed; an advice short of it (or none) is a break below
            self._sweeps_pending.clear()
            self.book[TRUST_ACCOUNT] += self._sweep_gap
            self._sweep_gap = 0
        if bank == self.book and not self._unsettled and not self.breaks.open:
            self._sweeps_reported.clear()   # the statement agrees: nothing else to look at
            return
        unsettled = self._unsettled.values()
        diffs = differences(bank, self.book, [(i.debit, i.credit, i.amount_fen) for i in unsettled],
                            self.breaks.held_apart())
        sweeps, self._sweeps_reported = self._sweeps_reported, []
        for account, diff in diffs.items():
            found = explain_balance(account, diff, sweeps, TRUST_ACCOUNT, COLLECTION_ACCOUNT,
                                    "servicer")
            ref = max(d for d, _ in sweeps).isoformat() if found.cause in SWEEP_CAUSES else None
            self._open_break(found, "balance_report", ref=ref)
        for ins in [i for i in unsettled if i.value_date <= msg.date]:
            if not self.breaks.of_instruction(ins.instruction_id):
                self._open_break(Finding(
                    "instruction_not_executed", ins.credit, ins.debit, ins.amount_fen, 0, 0,
                    f"instruction {ins.instruction_id} value-dated {ins.value_date} is not "
                    f"reported executed"), "balance_report", instruction=ins.instruction_id)

    # ------------------------------------------------------------ reconciliation breaks
    def on_Correction(self, msg: Correction) -> None:
        """The party at fault corrected a break — or asks for the money held apart back."""
        b = self.breaks.open.get(msg.break_id)
        if b is None:
            return
        if msg.return_to is None:
            self._resolve(b)
            return
        amount, b.held_apart_fen, b.difference_fen = b.held_apart_fen, 0, 0
        if amount <= 0:
            self._resolve(b)
            return
        self.book[b.account] += amount   # no longer apart: it leaves by instruction now
        ins = self.instruct(msg.return_to, b.account, amount, f"{b.cause} returned ({b.id})",
                            ref=b.id)
        b.returning, b.reversed_with = ins.instruction_id, msg.return_to

    def on_CollectionsSwept(self, msg: CollectionsSwept) -> None:
        """The servicer's report of a sweep: expected, counted when the custodian advises it."""
        amount = msg.principal_fen + msg.income_fen
        self._sweeps_reported.append((msg.date, amount))
        sweep = msg.sweep or ""
        self._sweeps_pending.add(sweep)
        self._sweep_gap += amount
        self._uncounted[sweep] = msg

    def on_CollectionsRedirected(self, msg: CollectionsRedirected) -> None:
        """Obligors paid the trust account directly (the custodian's advice booked the money)."""
        self._record_income(msg.date, msg.income_fen, msg.principal_fen)

    def on_AvailableFunds(self, msg: AvailableFunds) -> None:
        pass  # recorded in the servicer's event; the request is checked against the book

    def on_CreditAdvice(self, msg: CreditAdvice) -> None:
        """Money in (repurchase, compensation, recovery...) or a write-down, per the custodian;
        money with no reference is a break until its payer is found."""
        if msg.payer == COLLECTION_ACCOUNT:
            self._sweep_advised(msg)
            return
        if not msg.identified:
            self._open_break(Finding("unidentified_receipt", msg.account, msg.payer,
                                     msg.amount_fen, msg.amount_fen, msg.amount_fen,
                                     f"{msg.amount_fen} fen credited to {msg.account} with no "
                                     f"reference"), "credit_advice")
            return
        self.book[msg.account] += msg.amount_fen
        pending = self._against_payment.pop(msg.ref, None) if msg.ref is not None else None
        if isinstance(pending, RepurchaseNotice):
            self._deliver_over_term(pending, msg.date, msg.amount_fen)
        elif pending is not None:
            self._price_received(pending, msg.amount_fen)
        if msg.account == ELIGIBLE_INVESTMENTS and msg.amount_fen < 0 and self.period == "revolving":
            self.purchases_open = False  # the reserve is short again: top it up before buying

    # ------------------------------------------------------------ what the parties report
    def on_OriginatorStatus(self, msg: OriginatorStatus) -> None:
        old, self.originator_status = self.originator_status, msg
        if self.disclosure is not None:
            desk = self.disclosure.desk
            if msg.rating != old.rating:
                self._disclose(desk.rating_changed(msg.date, ORIGINATOR, old.rating, msg.rating))
            if msg.insolvent and not old.insolvent:
                self._disclose(desk.party_insolvent(msg.date, ORIGINATOR))

    def on_ServicerStatus(self, msg: ServicerStatus) -> None:
        self.servicer_status = msg

    # ------------------------------------------------------------ incidents the trustee is told of
    def on_IncidentNotice(self, msg: IncidentNotice) -> None:
        today = self.env.today
        if msg.kind in ("servicer_termination", "servicer_insolvency"):
            if msg.phase == "start":
                if msg.kind == "servicer_insolvency" and self.disclosure is not None:
                    self._disclose(self.disclosure.desk.party_insolvent(today, "servicer"))
                self.servicer_terminated_on = today
                self.emit("servicer_termination_event", cause=msg.kind,
                          successor_deadline=self._successor_deadline("servicer", today))
                self._replace_servicer(msg.incident, insolvent=msg.kind == "servicer_insolvency")
        elif msg.kind == "trustee_replacement":
            if msg.phase == "start":
                self.trustee_replacement_since = today
                self.emit("trustee_replacement_event",
                          successor_deadline=self._successor_deadline("trustee", today))
            elif msg.phase == "successor_appointed":
                self.trustee_replacement_since = None
                self.emit("successor_appointed", role="trustee")
        elif msg.kind == "declared_event" and msg.phase == "start":
            self.env.process(self._noteholder_meeting(msg.incident))

    def on_ServicingTakenOver(self, msg: ServicingTakenOver) -> None:
        """The successor services the pool: the successor clause (b) stops counting, and the
        servicer's fee steps up from today (``servicing.successor_fee_step_up_pct_per_year``)."""
        self.servicer_terminated_on = None
        self.emit("successor_appointed", role="servicer")
        s = self.deal.servicing
        if s.fee is None or not s.successor_fee_step_up_pct_per_year:
            return
        fee = self.deal.fee(s.fee)
        assert isinstance(fee, NotesFee | PoolFee)   # validation: the step-up is on a rate
        if s.fee in self.dues.step_ups:   # a successor's successor: the fee stays stepped up once
            return
        self.dues.step_ups[s.fee] = (msg.date, s.successor_fee_step_up_pct_per_year)
        self.emit("servicer_fee_stepped_up", fee=s.fee, payee=fee.payee,
                  pct_per_year=str(fee.pct_per_year),
                  step_up_pct_per_year=str(s.successor_fee_step_up_pct_per_year))

    def on_ReserveDelayNotice(self, msg: ReserveDelayNotice) -> None:
        """The servicer's systems delay the reserve: no purchase until it is calculated."""
        self.reserve_delayed_until = msg.until
        self.purchases_open = False

    def on_ServicerPurchaseRequest(self, req: ServicerPurchaseRequest) -> None:
        """Confirm the servicer's purchase only at no less than fair value [二.1(4)]; the
        assets leave the pool when the price is advised (delivery against payment)."""
        pol = self.deal.remedies.servicer_purchase
        fair = fair_value_fen(req.selection.principal_fen, pol.fair_value_pct_of_principal)
        reason = servicer_purchase_refused(req.selection.principal_fen, req.price_fen,
                                           pol.fair_value_pct_of_principal)
        ok = reason is None
        self.emit("servicer_purchase_confirmed" if ok else "servicer_purchase_rejected",
                  request=req.request_id, price_fen=req.price_fen, fair_value_fen=fair,
                  reason=reason)
        if ok and req.price_fen > 0:
            self._against_payment[req.request_id] = req
        self.send(self.servicer, ServicerPurchaseDecision(req, ok, reason))
        if ok and req.price_fen <= 0:
            self._price_received(req, 0)

    # ------------------------------------------------------------ pool changes [二.1(4)]
    def on_PoolChangeProposal(self, msg: PoolChangeProposal) -> None:
        """The originator proposes a change of the pool for lost assets: check it against the
        deal's rules (:mod:`trustsim.contract.remedies`) and confirm or refuse it. A write-off
        takes effect at once; a compensation when its price is advised; a replacement when
        the originator, told it is confirmed, delivers the receivables."""
        sel = msg.selection
        offered = msg.offer.principal_fen if msg.offer is not None else 0
        reason = lost_asset_change_refused(msg.kind, sel.principal_fen, offered, msg.price_fen)
        ok = reason is None
        self.emit("pool_change_confirmed" if ok else "pool_change_refused", change=msg.change,
                  kind=msg.kind, removed_fen=sel.principal_fen, added_fen=offered,
                  price_fen=msg.price_fen, clause=self._remedies_clause,
                  against_payment=msg.kind in AGAINST_PAYMENT, reason=reason)
        if ok and msg.kind in AGAINST_PAYMENT:
            self._against_payment[msg.change] = msg
        self.send(self.originator, PoolChangeDecision(msg, ok, reason))
        if ok and msg.kind == "write_off":
            self.env.pool.remove(sel, self.env.today)
            self.emit("lost_assets_written_off", change=msg.change, removed_fen=sel.principal_fen,
                      removed_loans=sel.loans, clause=self._remedies_clause)

    def _issuance_fails(self, d: dt.date, maturing: int) -> None:
        """Series ``maturing + 1`` of the rolling class cannot be issued on series
        ``maturing``'s expected maturity: the issuance termination event — trigger (h) — and
        the over-term repurchase, whether revolving is still on or another trigger ended it."""
        assert self.rolling is not None
        name, note, new = self.rolling, self.notes[self.rolling], maturing + 1
        revolving = self.period == "revolving"
        self.emit("issuance_terminated", series=new, maturing_series=maturing,
                  outstanding_fen=note.outstanding_fen)
        figures = replace(self.figures(d), issuance_failed_series=new)
        fired = next((f for t in self.triggers if isinstance(t, IssuanceTermination)
                      and (f := t.observe(figures)) is not None), None)
        if fired is not None:
            self._fire(fired)
        else:   # the deal names no issuance_failure trigger: revolving cannot go on unfunded
            self._end_revolving(d, f"series {new} of {name} not issued")
        if failure_closes_revolving(self.deal, revolving, d in self._pd_by_date):
            self._closes_revolving_on = d
        self._over_term_repurchase(d, maturing)

    # ------------------------------------------------------------ start of the trust
    def _start(self):
        env = self.env
        yield env.timeout(clock.TRUSTEE_MORNING)
        total = 0
        for name, note in self.notes.items():
            amount = note.original_fen
            self.send(self.custodian, ProceedsPaidIn(name, 1 if name == self.rolling else None, amount))
            self.book[ISSUANCE_PROCEEDS_ACCOUNT] += amount
            total += amount
        if self.rolling is not None:
            self.emit("series_issued", note_class=self.rolling, series=1,
                      amount_fen=self.notes[self.rolling].original_fen,
                      expected_maturity=env.timetable.series_maturities[0].isoformat())
        for r in self.reserves.values():   # reserve accounts funded from the proceeds at closing
            if (initial := fen_from_wan(r.initial_wan)) > 0:
                self.instruct(r.name, ISSUANCE_PROCEEDS_ACCOUNT, initial,
                              f"{r.name} initial deposit")
                total -= initial
        self.instruct(ORIGINATOR, ISSUANCE_PROCEEDS_ACCOUNT, total,
                      "consideration for the initial pool")
        self.send(self.originator, InitialPoolConsideration(total))
        self.initial_cutoff_fen = env.pool.balances().outstanding_fen
        self.dues.pool_at_last_fen = self.initial_cutoff_fen
        self.emit("period_changed", period=self.period, cause="trust effective date")
        if self.period == "amortization":   # a static pool: no revolving period
            self.revolving_end, self.revolving_end_cause = env.origin, "static pool"
            ended = PurchasesEnded(env.origin, "static pool")
            self.send(self.servicer, ended)
            self.send(self.originator, ended)
            self._schedule_next_amortization_pd(env.origin)

    # ------------------------------------------------------------ morning
    def _mornings(self):
        for wake in self.env.business_days_from(self.env.origin, clock.TRUSTEE_MORNING):
            yield wake
            if self.terminated:
                return
            self.morning(self.env.today)

    def morning(self, d: dt.date) -> None:
        sched = self.env.timetable
        if d in self._rolls:
            self._roll_series(d, self._rolls[d])
        pd = self._pd_by_date.get(d)
        if pd is not None and self.revolving_end in (None, d):
            self._payment_date(d, pd)
        if self.period == "revolving" and d >= sched.scheduled_revolving_end:
            self._end_revolving(d, "revolving period expired")
        if self.period == "amortization" and d == self.next_amortization_pd:
            self._payment_date(d, None)
            if self.terminated:
                return
        if winds_up_after_legal_maturity(d, sched.legal_maturity,
                                         principal_default_fired(self.deal, self.fired)):
            # event of default (b) took effect at yesterday's close: wind the trust up
            self._payment_date(d, None)
            if not self.terminated:
                self._terminate(d, PRINCIPAL_DEFAULT)
            return
        if self.arrears_since is not None and not self.post_default:
            self._grace_payment(d)
        if self.period == "revolving":
            delay_ended = False
            if self.reserve_delayed_until is not None:
                if d < self.reserve_delayed_until:
                    return  # the servicer's systems cannot calculate the reserve yet
                self.reserve_delayed_until = None
                delay_ended = True
            # one required amount a day: a payment date on an accrual period's first
            # business day (the 18th, in this deal) has already computed it [一.4.3]
            if (delay_ended or d in self._accrual_by_bd) and self._reserve_computed_on != d:
                self._start_reserve(d)
            if not self.purchases_open:
                self._top_up_reserve(d)

    # ------------------------------------------------------------ rolling series
    def _roll_series(self, d: dt.date, maturing: int) -> None:
        """A series maturity: the next series is issued, or cannot be (contract.notes.roll_outcome)."""
        revolving = self.period == "revolving"
        outcome = roll_outcome(maturing, revolving, self._failed_series)
        if outcome is None:
            return
        assert self.rolling is not None
        name, note = self.rolling, self.notes[self.rolling]
        new = maturing + 1
        if revolving:
            note.book_interest(d)
        if outcome == FAIL:
            self._issuance_fails(d, maturing)
            return
        size = fen_from_wan(self.deal.note_class(name).size_wan)
        self.send(self.custodian, ProceedsPaidIn(name, new, size))
        self.book[ISSUANCE_PROCEEDS_ACCOUNT] += size
        self.emit("series_issued", note_class=name, series=new, amount_fen=size,
                  expected_maturity=self.env.timetable.series_maturities[new - 1].isoformat())
        repaid = note.outstanding_fen
        self.instruct(holders(name), ISSUANCE_PROCEEDS_ACCOUNT, repaid,
                      f"{name} series {maturing} principal from series {new} proceeds")
        note.pay_principal(repaid, d)
        note.issue_series(new, size, d)

    # ------------------------------------------------------------ payment dates
    def _payment_date(self, d: dt.date, pd: PaymentDate | None) -> None:
        self._redeem_investments(d)
        revolving = self._distribute(d, pd) and self.period == "revolving"
        if not revolving:
            self._schedule_next_amortization_pd(d)
            cause = ends_after_payment((n.outstanding_fen for n in self.notes.values()),
                                       self.clean_up_called, self.env.pool.balances().outstanding_fen)
            if cause is not None:
                self._terminate(d, cause)
        else:
            self._start_reserve(d)

    # ------------------------------------------------------------ revolving period
    def _end_revolving(self, d: dt.date, cause: str) -> None:
        if self.period != "revolving":
            return
        self.period = "amortization"
        self.revolving_end, self.revolving_end_cause = d, cause
        self.purchases_open = False
        self.emit("period_changed", period="amortization", cause=cause)
        ended = PurchasesEnded(d, cause)
        self.send(self.servicer, ended)
        self.send(self.originator, ended)
        self._redeem_investments(d)
        self._schedule_next_amortization_pd(d)

    def _start_reserve(self, d: dt.date) -> None:
        """A new accrual period (or a payment date inside one): compute the required amount."""
        sched = self.env.timetable
        starts = [a for a in sched.accrual_starts if a > d]
        period_end = starts[0] if starts else sched.scheduled_revolving_end
        target = sched.next_payment_on_or_after(period_end)
        revolving = target is not None   # else the first payment date is an amortization one
        if target is None:
            target = PaymentDate(sched.scheduled_revolving_end)
        ra = required_amount(self.deal, d, target, self.dues, self.notes, income_per_day(self._income_window),
                             revolving=revolving)
        self.reserve_target, self.reserve_target_date = ra.total_fen, ra.target_date
        self._reserve_computed_on = d
        self.purchases_open = False
        self.emit("accrual_period_started", target_payment_date=ra.target_date.isoformat(),
                  required_amount_fen=ra.total_fen, taxes_fen=ra.taxes_fen, fees_fen=ra.fees_fen,
                  interest_by_class_fen=ra.by_class(self.deal), factor_pct=str(ra.factor_pct),
                  reserved_fen=self.book[ELIGIBLE_INVESTMENTS])

    def _top_up_reserve(self, d: dt.date) -> None:
        move, short = top_up(self.reserve_target, self.book[ELIGIBLE_INVESTMENTS],
                             self.book[TRUST_ACCOUNT], self._arrears_hold())
        if move > 0:
            # the balance held so far has earned to today; the larger balance earns from today
            self._investment_income_fen += self._accrued_on_investment(self.book[ELIGIBLE_INVESTMENTS], d)
            self.instruct(ELIGIBLE_INVESTMENTS, TRUST_ACCOUNT, move,
                          "required amount into eligible investment")
            self.invested_on = d
        if short <= 0:
            self.purchases_open = True
            self.emit("required_amount_reserved", required_amount_fen=self.reserve_target,
                      reserved_fen=self.book[ELIGIBLE_INVESTMENTS],
                      target_payment_date=self.reserve_target_date.isoformat(),
                      notified=["servicer", "originator"])
            notice = PurchasesMayProceed(d, self.reserve_target)
            self.send(self.servicer, notice)
            self.send(self.originator, notice)

    def _arrears_hold(self) -> int:
        """Cash kept for a grace payment (contract.arrears)."""
        return held_for_grace(self.arrears_since, self._unpaid)

    def on_PurchaseRequest(self, req: PurchaseRequest) -> None:
        free = self.book[TRUST_ACCOUNT] - self._arrears_hold()
        reason = purchase_refused(self.period == "revolving", self.purchases_open,
                                  req.offer.price_fen, free)
        if reason:
            self.emit("purchase_rejected", request=req.request_id, reason=reason)
            return
        ins = self.instruct(ORIGINATOR, TRUST_ACCOUNT, req.offer.price_fen, "revolving purchase",
                            value_date=req.purchase_date, ref=req.request_id)
        self._awaiting[ins.instruction_id] = req
        self.emit("purchase_confirmed", request=req.request_id, instruction=ins.instruction_id,
                  value_date=req.purchase_date.isoformat(), amount_fen=req.offer.price_fen,
                  principal_fen=req.offer.principal_fen, notified=["originator", "servicer"])

    # ------------------------------------------------------------ close of day: triggers
    def _closes(self):
        """24:00 of every calendar day: a business day's close evaluates every trigger; a
        weekend's or holiday's only those whose condition is a calendar day's fact, so an
        automatic event takes effect on the day it occurs [一.4.4(1)], not at the next
        business day's close (90 days without a successor ending on a Sunday)."""
        env, cal = self.env, self.env.calendar
        d = env.origin
        while True:
            yield env.until(d, clock.TRUSTEE_CLOSE)
            if self.terminated:
                return
            if cal.is_business_day(d):
                self.close(d)
            else:
                self._calendar_day_close(d)
            d += dt.timedelta(days=1)

    def _calendar_day_close(self, d: dt.date) -> None:
        """A weekend's or holiday's 24:00: the calendar-day facts only (no pool reading —
        the counting clauses never look at these figures)."""
        f = DayFigures(
            date=d, revolving=self.period == "revolving", npl_balance_fen=0,
            initial_cutoff_fen=self.initial_cutoff_fen, pool_balance_fen=0,
            notes_outstanding_fen=0, originator_rating=self.originator_status.rating,
            originator_insolvent=self.originator_status.insolvent,
            servicer_unreplaced_days=days_without_successor(self.servicer_terminated_on, d),
            trustee_unreplaced_days=days_without_successor(self.trustee_replacement_since, d))
        for trig in self.triggers:
            if trig.calendar_day and (fired := trig.observe(f)) is not None:
                self._fire(fired)

    def figures(self, d: dt.date) -> DayFigures:
        b = self.env.pool.balances()
        cal = self.env.calendars.of("events_of_default")
        legal = self.env.timetable.legal_maturity
        principal_left = sum(n.outstanding_fen for n in self.notes.values())
        sv = self.servicer_status   # the servicer's report of today (what it still holds)
        overdue, since = (sv.overdue_fen, sv.overdue_since) if sv.date == d else (0, None)
        return DayFigures(
            date=d,
            revolving=self.period == "revolving",
            npl_balance_fen=b.non_performing_fen,
            npl_fees_fen=b.npl_fees_fen,
            initial_cutoff_fen=self.initial_cutoff_fen,
            pool_balance_fen=b.outstanding_fen,
            notes_outstanding_fen=principal_left,
            originator_rating=self.originator_status.rating,
            originator_insolvent=self.originator_status.insolvent,
            transfer_overdue_fen=overdue,
            transfer_overdue_since=since,
            transfer_explained=self._transfer_explained(d),
            servicer_unreplaced_days=days_without_successor(self.servicer_terminated_on, d),
            trustee_unreplaced_days=days_without_successor(self.trustee_replacement_since, d),
            interest_overdue_bd=(cal.business_days_between(self.arrears_since, d)
                                 if self.arrears_since else None),
            cumulative_default_fen=b.charged_off_fen + b.non_performing_fen,
            principal_overdue_bd=(cal.business_days_between(legal, d)
                                  if d >= legal and principal_left else None),
            open_breaks=self.breaks.at_close(self.env.calendar, d) if self.breaks.open else (),
        )

    def _transfer_explained(self, d: dt.date) -> bool:
        """An accepted explanation covers a held sweep for at most the reserve-delay limit
        (contract.triggers.transfer_explained). An insolvent servicer's frozen account is no
        explanation: clause (c) fires at the close of the first business day a transfer is
        overdue (docs/contract.md, §8), while clause (b) counts the days to its successor."""
        sv = self.servicer_status
        if not sv.hold_explained or sv.holding_since is None:
            return transfer_explained(self.deal, None)
        held = self.env.calendars.of("collections").business_days_between(sv.holding_since, d)
        return transfer_explained(self.deal, held)

    def close(self, d: dt.date) -> None:
        f = self.figures(d)
        for trig in self.triggers:
            if not observed_at_close(trig, f, self.fired):
                continue
            fired = trig.observe(f)
            if fired is not None:
                self._fire(fired)
        if self.disclosure is not None:   # losses beyond the rules' share of the notes
            self._disclose(self.disclosure.desk.day_closed(d, f.cumulative_default_fen,
                                                           f.notes_outstanding_fen))
        if self.period == "amortization" and not self.clean_up_called:
            self._maybe_clean_up(d)
        self._note_missed_maturities(d)

    def _note_missed_maturities(self, d: dt.date) -> None:
        """A class still owed principal at the close of its (final) expected maturity — the
        following business day when it falls on another day — is logged once: investors
        were told to expect their money that day [Table 2]."""
        for name, due in self._expected_maturities.items():
            if d >= due and self.notes[name].outstanding_fen > 0:
                self.emit("expected_maturity_missed", note_class=name, expected_maturity=due.isoformat(),
                          principal_outstanding_fen=self.notes[name].outstanding_fen)
        self._expected_maturities = {n: due for n, due in self._expected_maturities.items() if d < due}

    def _maybe_clean_up(self, d: dt.date) -> None:
        """Clean-up call (config ``termination.clean_up_call``): notify the originator."""
        cfg = self.deal.termination.clean_up_call
        if cfg is None:
            return
        b = self.env.pool.balances()
        if not clean_up_due(cfg, b.outstanding_fen, self.initial_cutoff_fen):
            return
        price = pool_price(b, cfg)
        self.clean_up_called = True
        self.emit("clean_up_call_noticed", pool_outstanding_fen=b.outstanding_fen,
                  threshold_pct=str(cfg.pool_below_pct_of_initial), price_fen=price)
        self.send(self.originator, CleanUpNotice(d, price))


    def _fire(self, fired: Fired) -> None:
        """A trigger or declared event takes effect: log it, then its effect — switch the
        amortization waterfall, or end revolving (an event of default: for good, with the
        post-default waterfall)."""
        self.fired.append(fired)
        self.emit("trigger_fired", kind=fired.kind, clause=fired.clause, figures=fired.figures,
                  **({"waterfall": fired.waterfall} if fired.waterfall else {}))
        if fired.waterfall is not None:
            self.amortization_waterfall = fired.waterfall
            return
        if fired.kind == "default":
            self.post_default = True
        label = "acceleration event" if fired.kind == "acceleration" else "event of default"
        self._end_revolving(fired.date, f"{label} ({fired.clause})")
