"""The event catalogue: every event the log can hold, who logs it, and its fields' types.

Why one declaration per event: the log is read by the audit (DuckDB), by reports and by
people, and each reader needs a field name to mean one thing of one type wherever it
appears — ``notes_outstanding_fen`` is a number of fen in every event that has it, and a
per-class mapping has its own name. Declaring the fields here, once, lets a test check
every line a run writes against the declaration (unknown field, missing field, wrong
type) without paying for the check on every emit: :meth:`trustsim.eventlog.EventLog.emit`
only checks that the event is catalogued.

Types are a small vocabulary (:class:`FieldType`): ``fen`` (integer money, named
``*_fen``), ``int``, ``str``, ``date`` (``YYYY-MM-DD``), ``decimal`` (an exact number
written as a string, e.g. a percentage), ``bool``, lists and mappings of those, and
records whose own fields are declared here too (a trigger's figures, an offer's
eligibility evidence). ``T | None`` marks a field that may be null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

INT64 = 2**63  # the audit reads integers as DuckDB BIGINT


def _is_int(v: Any) -> bool:
    return type(v) is int and -INT64 <= v < INT64


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_date(v: Any) -> bool:
    if type(v) is not str or not _DATE.fullmatch(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_decimal(v: Any) -> bool:
    if type(v) is not str:
        return False
    try:
        return Decimal(v).is_finite()
    except InvalidOperation:
        return False


@dataclass(frozen=True, slots=True)
class FieldType:
    """A field's type: its name in the docs, a check of a JSON value, and for records the
    record's own fields (``required`` always present, ``optional`` present in some)."""

    name: str
    accepts: Callable[[Any], bool] = field(repr=False, compare=False)
    nullable: bool = False
    required: Mapping[str, FieldType] | None = None
    optional: Mapping[str, FieldType] | None = None

    def __or__(self, other: None) -> FieldType:
        """``INT | None``: the same type, or null."""
        if other is not None:
            return NotImplemented
        return FieldType(self.name, self.accepts, True, self.required, self.optional)

    @property
    def label(self) -> str:
        return f"{self.name} | null" if self.nullable else self.name


def _list_of(item: FieldType) -> FieldType:
    return FieldType(f"list[{item.name}]",
                     lambda v: type(v) is list and all(item.accepts(x) for x in v))


def _dict_of(value: FieldType) -> FieldType:
    return FieldType(f"dict[str, {value.name}]",
                     lambda v: type(v) is dict and all(value.accepts(x) for x in v.values()))


def record(name: str, required: Mapping[str, FieldType] | None = None,
           optional: Mapping[str, FieldType] | None = None) -> FieldType:
    """A JSON object whose fields are declared (checked field by field by :func:`problems`)."""
    return FieldType(name, lambda v: type(v) is dict, False, required or {}, optional or {})


FEN = FieldType("fen", _is_int)
INT = FieldType("int", _is_int)
STR = FieldType("str", lambda v: type(v) is str)
DATE = FieldType("date", _is_date)
DECIMAL = FieldType("decimal", _is_decimal)
BOOL = FieldType("bool", lambda v: type(v) is bool)
STRS = _list_of(STR)
INTS = _list_of(INT)
INT_BY_NAME = _dict_of(INT)
FEN_BY_NAME = _dict_of(FEN)
#: a waterfall step's payees: payee -> [due fen, paid fen]
PAYEES = FieldType("dict[str, [fen due, fen paid]]", lambda v: type(v) is dict and all(
    type(x) is list and len(x) == 2 and all(_is_int(y) for y in x) for x in v.values()))

#: the figures behind a trigger (trustsim.contract.triggers, and a declared event's
#: meeting): each clause logs its own few of these
FIGURES = record("figures", optional={
    "originator_insolvent": BOOL,                                      # automatic (a)
    "days_without_successor": INT, "limit_days": INT,                  # (b), (d)
    "overdue_fen": FEN, "due_since": DATE | None,                      # (c)
    "npl_ratio_by_day_ppm": INTS, "threshold_ppm": INT,                # (e): the last N days
    "npl_balance_fen": FEN, "initial_cutoff_fen": FEN,
    "originator_rating": STR, "floor": STR,                            # (f)
    "pool_balance_fen": FEN, "notes_outstanding_fen": FEN,             # (g)
    "pct": DECIMAL, "cumulative_business_days": INT,
    "series": INT,                                                     # (h)
    "cumulative_default_fen": FEN,                                     # cumulative default rate
    "business_days_overdue": INT, "grace": INT,                        # events of default
    "occurred": DATE, "resolution": DATE, "description": STR,          # declared events
    "break_id": STR, "party": STR, "opened": DATE,                     # unresolved break
    "business_days_open": INT, "amount_fen": FEN, "limit_business_days": INT,
})

#: the worst of each eligibility criterion among a loan-level offer's receivables
ELIGIBILITY = record("eligibility", required={
    "max_obligor_balance_fen": FEN, "overdue_loans": INT, "max_worst_overdue_days": INT,
    "credit_levels": INT_BY_NAME, "max_last_instalment": DATE, "min_days_since_use": INT,
})

#: the business-day calendar a run counted (trustsim.config.calendar.CalendarSection.record):
#: which days, each rule family's, the years the package supplied, and a hash of the days
CALENDAR = record("calendar", required={
    "business_days": STR, "rules": _dict_of(STR), "package_years": STR,
    "holiday_file": record("holiday_file", required={
        "path": STR | None, "sha256": STR | None, "years": INTS}) | None,
    "unpublished_years": STR, "assumed_years": INTS, "days_sha256": STR,
})

#: a ledger posting, carried by every event that moves money (instruction: null for money
#: coming in that no trustee instruction moved)
POSTING: dict[str, FieldType] = {"debit": STR, "credit": STR, "amount_fen": FEN, "reason": STR,
                                 "instruction": STR | None}

#: an incident's parameters, as its scenario gave them (trustsim.config.incidents); which
#: appear depends on the incident's kind
INCIDENT_PARAMETERS: dict[str, FieldType] = {
    "start": DATE, "duration_business_days": INT | None, "series": INT,
    "explanation_accepted": BOOL, "explained_before_1600": BOOL,
    "recovery_rate": DECIMAL, "recovery_delay_days": INT, "successor_after_days": INT | None,
    "rating": STR, "purchase_rate_pct": DECIMAL, "lost_pct_per_month": DECIMAL,
    "default_multiplier": DECIMAL, "loss_pct": DECIMAL,
    "effect": STR, "clause": STR, "description": STR, "meeting_after_business_days": INT,
    "declared": BOOL, "cured_after_days": INT | None, "incurable": BOOL,
    # cash errors (issue 13)
    "error_cny": DECIMAL, "swept_pct": DECIMAL, "amount_cny": DECIMAL, "paid_to": STR,
    "payer": STR, "late_by_business_days": INT, "corrected_after_business_days": INT,
    "returned_after_business_days": INT, "identified_after_business_days": INT,
}

ACTORS = ("originator", "servicer", "trustee", "custodian", "environment")

#: the stamp every line starts with (trustsim.eventlog)
STAMP: dict[str, FieldType] = {"seq": INT, "day": INT, "date": DATE, "actor": STR, "event": STR}


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One catalogued event: the actor that logs it, what it records, and its fields."""

    actor: str
    description: str
    fields: Mapping[str, FieldType]
    optional: Mapping[str, FieldType] = field(default_factory=dict)


def _e(actor: str, description: str, optional: Mapping[str, FieldType] | None = None, /,
       **fields: FieldType) -> EventSpec:
    return EventSpec(actor, description, fields, optional or {})


#: event name -> its declaration. The single place an event is documented.
EVENTS: dict[str, EventSpec] = {
    # environment
    "run_started": _e("environment", "A run begins: deal name, seed, pool kind, initial pool principal, "
                      "business-day calendar.",
                      deal=STR, seed=INT, pool=STR, initial_pool_fen=FEN, calendar=CALENDAR),
    "run_finished": _e("environment", "A run ends: termination date, final ledger totals.",
                       termination_date=DATE, total_in_fen=FEN, total_out_fen=FEN, held_fen=FEN),
    "day_closed": _e(
        "environment",
        "24:00 of a business day: every account's balance and the pool by status, NPL ratio (ppm); "
        "the overdue balance by days past due (1-30, 31-60, 61-90: they add up to "
        "pool_overdue_fen; pool_non_performing_fen is 90+), and cumulative since the start the "
        "principal prepaid, the principal that fell due by schedule and the principal that "
        "entered the pool (docs/model.md, Pool performance).",
        {"reserve_accounts_fen": FEN_BY_NAME},
        period=STR, collection_account_fen=FEN, trust_account_fen=FEN,
        issuance_proceeds_account_fen=FEN, eligible_investments_fen=FEN,
        pool_performing_fen=FEN, pool_overdue_fen=FEN, pool_non_performing_fen=FEN,
        pool_charged_off_fen=FEN, pool_outstanding_fen=FEN, pool_loans=INT | None,
        pool_npl_fees_fen=FEN, npl_ratio_ppm=INT, notes_outstanding_fen=FEN,
        commingling_at_risk_fen=FEN,
        pool_overdue_1_30_fen=FEN, pool_overdue_31_60_fen=FEN, pool_overdue_61_90_fen=FEN,
        pool_prepaid_fen=FEN, pool_scheduled_principal_fen=FEN, pool_bought_fen=FEN),
    "incident_started": _e("environment", "An injected incident begins (kind and parameters).",
                           INCIDENT_PARAMETERS, incident=INT, kind=STR),
    "incident_ended": _e("environment",
                         "An injected incident ends, or reaches its resolving milestone.",
                         {**INCIDENT_PARAMETERS, "milestone": STR}, incident=INT, kind=STR),
    # originator
    "initial_pool_transferred": _e(
        "originator", "The originator transfers the initial pool to the trust.",
        principal_fen=FEN, loans=INT | None, price_fen=FEN, pool_reference_date=DATE),
    "purchase_requested": _e(
        "originator", "The originator's purchase request (base date, loans, principal, price).",
        {"eligibility": ELIGIBILITY},
        request=STR, base_date=DATE, purchase_date=DATE, principal_fen=FEN, price_fen=FEN,
        loans=INT | None, available_fen=FEN, late=BOOL, cc=STR),
    "receivables_transferred": _e(
        "originator", "Purchased receivables enter the pool on the purchase date.",
        request=STR, principal_fen=FEN, price_fen=FEN, loans=INT | None),
    "clean_up_repurchased": _e(
        "originator",
        "The originator repurchases the remaining pool (clean-up call) for its price.",
        principal_fen=FEN, performing_fen=FEN, overdue_fen=FEN, non_performing_fen=FEN,
        price_fen=FEN),
    "purchase_request_delayed": _e(
        "originator", "A late purchase request, explained before 16:00: grace granted.",
        base_date=DATE, explained_before=STR, grace_business_days=INT, supersedes=DATE | None),
    "purchase_request_missed": _e(
        "originator", "A base date passes with no request and no explanation.",
        base_date=DATE, reason=STR),
    "purchase_request_lapsed": _e(
        "originator", "A delayed request is beyond the grace period and lapses.",
        base_date=DATE, grace_business_days=INT),
    "pool_change_proposed": _e(
        "originator", "The originator proposes to the trustee a change of the pool for lost assets: "
        "replacement (receivables in), compensation (cash in: the assets leave when it is "
        "received) or write_off (an insolvent originator: the extinguished assets only leave). "
        "Nothing changes until the trustee confirms.",
        change=STR, kind=STR, removed_fen=FEN, removed_loans=INT | None, added_fen=FEN,
        added_loans=INT | None, price_fen=FEN, notified=STRS),
    "lost_assets_replaced": _e(
        "originator", "The trustee having confirmed the change, the lost assets leave the pool and "
        "eligible receivables of no lower balance come in.",
        change=STR, removed_fen=FEN, removed_loans=INT | None, added_fen=FEN,
        added_loans=INT | None),
    "replacement_failed": _e(
        "originator", "Lost assets could not be replaced (insolvent originator).",
        principal_fen=FEN, loans=INT | None, reason=STR),
    "over_term_repurchased": _e(
        "originator", "Over-term assets leave the pool on the day the trust receives their price "
        "(delivery against payment): what is left of them then (principal_fen) and its price "
        "(price_fen), what the notice priced (noticed_principal_fen, noticed_price_fen), the "
        "notice's date and clause.",
        clause=STR, notice=STR, noticed_on=DATE, principal_fen=FEN, noticed_principal_fen=FEN,
        loans=INT | None, cutoff=DATE, price_fen=FEN, noticed_price_fen=FEN, pay_by=DATE),
    "repurchase_failed": _e(
        "originator", "A repurchase (over-term or clean-up) the originator cannot make.",
        principal_fen=FEN, reason=STR),
    "rating_changed": _e("originator", "The originator's long-term rating changes.",
                         old=STR, new=STR),
    # servicer
    "collections_received": _e(
        "servicer", "Obligor payments land in the JD collection account (posting); frozen: the "
        "account of an insolvent servicer (at risk); deferred: what obligors did not pay while "
        "the servicing is transferred.",
        {"frozen": BOOL, "deferred_principal_fen": FEN, "deferred_income_fen": FEN},
        principal_fen=FEN, income_fen=FEN, sweep_due=DATE, **POSTING),
    "collections_redirected": _e(
        "servicer", "Obligors redirected by the trustee's notice pay the trust account directly "
        "(the custodian's transfer_received is the posting); old_account_share_ppm: the share "
        "still paying the frozen account that day.",
        {"old_account_share_ppm": INT, "deferred_principal_fen": FEN, "deferred_income_fen": FEN},
        principal_fen=FEN, income_fen=FEN, pay_to=STR),
    "collection_account_frozen": _e(
        "servicer", "The servicer is insolvent: its collection account, and what it holds, is "
        "frozen; nothing leaves it for the trust.",
        balance_fen=FEN, held_since=DATE | None),
    "servicing_taken_over": _e(
        "servicer", "The successor (a backup servicer, or one a scenario appoints) takes the "
        "servicing over; it collects the stated share of what obligors owe from the transfer, "
        "evenly over the stated days.",
        backup=STR, event_date=DATE, deferred_principal_fen=FEN, deferred_income_fen=FEN,
        collected_principal_fen=FEN, collected_income_fen=FEN, collected_over_days=INT),
    "sweep_instructed": _e(
        "servicer", "The servicer instructs the custodian to pay collections from its collection "
        "account into the trust account (sweep: the instruction; corrects / break_id: a "
        "correction of an earlier sweep and the trustee's break). Nothing is posted.",
        sweep=STR, amount_fen=FEN, corrects=STR | None, break_id=STR | None),
    "available_funds_notified": _e(
        "servicer", "The servicer tells trustee and originator the cash for purchase.",
        base_date=DATE, amount_fen=FEN),
    "reserve_delay_notified": _e(
        "servicer", "The servicer notifies, the same day, that its systems delay the reserve.",
        until=DATE, delay_business_days=INT, notified=STRS),
    "transfer_delay_explained": _e(
        "servicer", "The servicer's written explanation for a late transfer, accepted.",
        delay_business_days=INT),
    "collections_commingled": _e(
        "servicer",
        "The frozen collection account's balance falls into the insolvent servicer's estate "
        "(posting), the day no obligor pays it any more or the trust ends; frozen_on: the "
        "insolvency.",
        {"frozen_on": DATE | None},
        **POSTING),
    "lost_assets_found": _e(
        "servicer", "Returned or cancelled receivables found; the originator is notified.",
        principal_fen=FEN, loans=INT | None, notified=STRS),
    "servicer_purchase_requested": _e(
        "servicer", "The servicer (affiliate) asks to buy non-performing assets.",
        request=STR, principal_fen=FEN, price_fen=FEN, loans=INT | None, npl_ratio_ppm=INT,
        buyer=STR),
    # trustee
    "period_changed": _e(
        "trustee", "The trust enters a period (revolving, amortization); cause and date.",
        period=STR, cause=STR),
    "accrual_period_started": _e(
        "trustee", "A new accrual period: required amount computed for the next payment date.",
        target_payment_date=DATE, required_amount_fen=FEN, taxes_fen=FEN, fees_fen=FEN,
        interest_by_class_fen=FEN_BY_NAME, factor_pct=DECIMAL, reserved_fen=FEN),
    "required_amount_reserved": _e(
        "trustee", "The required amount is set aside; purchases may proceed (notice).",
        required_amount_fen=FEN, reserved_fen=FEN, target_payment_date=DATE, notified=STRS),
    "purchase_confirmed": _e(
        "trustee", "The trustee confirms a purchase request and instructs the custodian.",
        request=STR, instruction=STR, value_date=DATE, amount_fen=FEN, principal_fen=FEN,
        notified=STRS),
    "purchase_rejected": _e("trustee", "The trustee rejects a purchase request, with the reason.",
                            request=STR, reason=STR),
    "payment_date": _e(
        "trustee", "A payment date: the waterfall used and the cash available (grace_for: the "
        "payment date whose arrears are paid late within event of default (a)'s grace).",
        {"grace_for": DATE}, waterfall=STR, available_fen=FEN, remaining_fen=FEN, calculation_index=INT | None,
        series_maturity=INT | None, amortization_index=INT | None, final=BOOL),
    "waterfall_step": _e(
        "trustee", "One step of a waterfall: due, paid and shortfall per payee (a release: the "
        "account's balance added to the cash).",
        {"released_fen": FEN},
        pay=STR, clause=STR, due_fen=FEN, paid_fen=FEN, shortfall_fen=FEN, gated_by=STR | None,
        payees=PAYEES),
    "series_issued": _e(
        "trustee", "A series of a rolling class is placed; proceeds due into the issuance proceeds account.",
        note_class=STR, series=INT, amount_fen=FEN, expected_maturity=DATE),
    "issuance_terminated": _e(
        "trustee", "A rolling class's next series cannot be issued: an issuance termination event.",
        series=INT, maturing_series=INT, outstanding_fen=FEN),
    "expected_maturity_missed": _e(
        "trustee", "A class still owes principal at the close of its expected maturity (logged once).",
        note_class=STR, expected_maturity=DATE, principal_outstanding_fen=FEN),
    "clean_up_call_noticed": _e(
        "trustee",
        "Pool below the clean-up threshold: the trustee notifies the originator of the price.",
        pool_outstanding_fen=FEN, threshold_pct=DECIMAL, price_fen=FEN),
    "liquidation_sale": _e(
        "trustee",
        "After an event of default the trust terminates with notes unpaid: its receivables are "
        "sold to an outside buyer at the configured price, paid on the settlement date.",
        clause=STR, buyer=STR, principal_fen=FEN, performing_fen=FEN, overdue_fen=FEN,
        non_performing_fen=FEN, price_fen=FEN, settlement_date=DATE,
        notes_outstanding_by_class_fen=FEN_BY_NAME),
    "trigger_fired": _e("trustee", "A trigger clause fires: kind, clause, figures behind it (a "
                        "waterfall switch: the waterfall that applies from now on).",
                        {"waterfall": STR}, kind=STR, clause=STR, figures=FIGURES),
    "trust_terminated": _e(
        "trustee", "The trust terminates: cause, remaining pool distributed, each class's notes left.",
        cause=STR, pool_released_fen=FEN, released_to=STR, final_distribution_fen=FEN,
        notes_outstanding_by_class_fen=FEN_BY_NAME),
    "reconciliation_break": _e(
        "trustee", "A statement disagrees with the trustee's book: the break, its amount, the "
        "accounts, the statement that showed it and what the trustee believes caused it.",
        break_id=STR, cause=STR, account=STR, counterparty=STR, amount_fen=FEN,
        difference_fen=FEN, held_apart_fen=FEN, party=STR, statement=STR,
        instruction=STR | None, ref=STR | None, explanation=STR),
    "correction_requested": _e(
        "trustee", "The trustee asks the party at fault to correct a break.",
        break_id=STR, party=STR, amount_fen=FEN),
    "reconciliation_break_resolved": _e(
        "trustee", "A break's correction is booked: how long it stayed open.",
        break_id=STR, cause=STR, party=STR, amount_fen=FEN, opened=DATE, days_open=INT,
        business_days_open=INT),
    "instruction_issued": _e(
        "trustee", "A trustee instruction to the custodian (id, value date, amount, payee).",
        instruction=STR, value_date=DATE, from_account=STR, to_account=STR, amount_fen=FEN,
        reason=STR, ref=STR | None),
    "servicer_termination_event": _e(
        "trustee", "A servicer termination event; the successor deadline.",
        cause=STR, successor_deadline=DATE),
    "trustee_replacement_event": _e(
        "trustee", "The trustee must be replaced; the successor deadline.",
        successor_deadline=DATE),
    "successor_appointed": _e("trustee", "A successor servicer or trustee takes office.",
                              role=STR),
    "backup_servicer_activated": _e(
        "trustee", "After a servicer termination event the trustee activates the backup "
        "servicer (hot, warm, cold; successor: one the scenario appoints) to take over on a date.",
        backup=STR, takeover_date=DATE, takeover_business_days=INT | None, notified=STRS),
    "obligors_notified": _e(
        "trustee", "The perfection event's notice: obligors are told to pay the trust account, "
        "not the insolvent servicer's frozen account.",
        pay_to=STR, insolvency_date=DATE, notice_after_business_days=INT,
        still_paying_old_account_pct=DECIMAL, decay_days=INT),
    "servicer_fee_stepped_up": _e(
        "trustee", "The successor servicer's fee: the servicer's fee plus the step-up, from the "
        "takeover date.",
        fee=STR, payee=STR, pct_per_year=DECIMAL, step_up_pct_per_year=DECIMAL),
    "declared_event_occurred": _e("trustee", "An event that needs a noteholder meeting occurs "
                                  "(a D(h) or default (c) failure: the end of its cure period, "
                                  "or incurable).",
                                  {"cure_deadline": DATE, "incurable": BOOL},
                                  clause=STR, effect=STR, description=STR),
    "declared_event_cured": _e(
        "trustee", "A D(h) or default (c) failure is cured within its cure period: no event.",
        clause=STR, cured_on=DATE, cure_deadline=DATE),
    "noteholder_meeting_convened": _e(
        "trustee", "The trustee convenes a noteholder meeting (date).",
        clause=STR, meeting_date=DATE),
    "noteholder_meeting_resolved": _e(
        "trustee", "The meeting resolves whether the event has occurred.",
        clause=STR, declared=BOOL),
    "declared_event_notified": _e(
        "trustee", "The trustee notifies the parties of a declared event.",
        clause=STR, notified=STRS),
    "servicer_purchase_confirmed": _e(
        "trustee", "The trustee confirms the servicer's purchase (price >= fair value).",
        request=STR, price_fen=FEN, fair_value_fen=FEN, reason=STR | None),
    "servicer_purchase_rejected": _e(
        "trustee", "The trustee refuses the servicer's purchase (price below fair value).",
        request=STR, price_fen=FEN, fair_value_fen=FEN, reason=STR | None),
    "servicer_purchase_completed": _e(
        "trustee", "The custodian advised the servicer's price received: the assets leave the pool "
        "(delivery against payment; paid_fen: what the advice says arrived).",
        request=STR, principal_fen=FEN, price_fen=FEN, loans=INT | None, paid_fen=FEN,
        clause=STR | None),
    "pool_change_confirmed": _e(
        "trustee", "The trustee confirms a proposed pool change against the deal's rules "
        "(replacement: no lower balance, from the originator's eligibility screen; compensation: "
        "cash of equal value); against_payment: the assets leave only when the price is received.",
        change=STR, kind=STR, removed_fen=FEN, added_fen=FEN, price_fen=FEN, clause=STR | None,
        against_payment=BOOL, reason=STR | None),
    "pool_change_refused": _e(
        "trustee", "The trustee refuses a proposed pool change (reason): nothing changes.",
        change=STR, kind=STR, removed_fen=FEN, added_fen=FEN, price_fen=FEN, clause=STR | None,
        against_payment=BOOL, reason=STR | None),
    "lost_assets_compensated": _e(
        "trustee", "The custodian advised the originator's cash for lost assets: the assets leave "
        "the pool (delivery against payment; cash_fen: what the advice says arrived).",
        change=STR, removed_fen=FEN, removed_loans=INT | None, cash_fen=FEN, clause=STR | None),
    "lost_assets_written_off": _e(
        "trustee", "Lost assets an insolvent originator can neither replace nor pay for leave the "
        "pool, extinguished (the trustee's confirmation of the write-off).",
        change=STR, removed_fen=FEN, removed_loans=INT | None, clause=STR | None),
    "disclosure_issued": _e(
        "trustee", "A major-event notice the market's disclosure rules require (trustsim/disclosure/markets/"
        "<market>.yaml): rule, event, subject, the event's date, the due date, the issue date.",
        rule=STR, kind=STR, subject=STR, market=STR, event_date=DATE, due_date=DATE,
        issue_date=DATE),
    "over_term_repurchase_noticed": _e(
        "trustee", "After an issuance failure the trustee notifies the originator of the over-term "
        "assets (last instalment after cutoff) and their price, due by pay_by with reference notice.",
        clause=STR, notice=STR, cutoff=DATE, principal_fen=FEN, loans=INT | None, price_fen=FEN,
        pay_by=DATE, notified=STRS),
    "over_term_price_received": _e(
        "trustee", "The custodian's credit advice shows a repurchase notice's price in the trust "
        "account — the notice's rate on the over-term assets as they stand (what was collected "
        "on them since the notice was the trust's) —: they are delivered (delivery against "
        "payment).",
        clause=STR, notice=STR, price_fen=FEN, noticed_price_fen=FEN, noticed_principal_fen=FEN,
        delivered_principal_fen=FEN, notified=STRS),
    # custodian
    "transfer_received": _e(
        "custodian", "Money paid into the trust account by a party (posting).",
        payer=STR, ref=STR | None, **POSTING),
    "collections_swept": _e(
        "custodian", "The custodian executes the servicer's sweep instruction: collections from the "
        "collection account into the trust account (posting; sweep: the servicer's instruction).",
        principal_fen=FEN, income_fen=FEN, received_from=DATE | None, received_to=DATE | None,
        late_since=DATE | None, sweep=STR, **POSTING),
    "sweep_overpaid": _e(
        "custodian", "A sweep instruction pays more than the servicer collected: the excess from "
        "the servicer's own funds (posting; a cash error).",
        sweep_date=DATE, sweep=STR, **POSTING),
    "sweep_corrected": _e(
        "custodian", "The custodian executes the servicer's correcting sweep: what a wrong sweep "
        "left in the collection account, or a sweep made late (posting; break_id: the trustee's "
        "break it corrects).",
        break_id=STR | None, sweep_date=DATE, sweep=STR, **POSTING),
    "sweep_advised": _e(
        "custodian", "The custodian's credit advice to the trustee of a sweep's money in the trust "
        "account: what arrived (the trustee counts the collections on it; break_id: a "
        "correction's break).",
        sweep=STR, amount_fen=FEN, break_id=STR | None),
    "investment_written_down": _e(
        "custodian", "An eligible investment loses value (posting).",
        loss_pct=DECIMAL, **POSTING),
    "instruction_executed": _e(
        "custodian", "The custodian executes a trustee instruction (posting).",
        **{**POSTING, "instruction": STR}, ref=STR | None),
    "instruction_failed": _e(
        "custodian", "The custodian cannot execute an instruction (insufficient funds): "
        "nothing is posted.",
        instruction=STR, from_account=STR, to_account=STR, amount_fen=FEN, reason=STR, error=STR),
    "instruction_deferred": _e(
        "custodian", "A same-day instruction reached the custodian after its cut-off: it "
        "executes on the next business day (nothing is posted).",
        instruction=STR, value_date=DATE, execute_on=DATE, reason=STR),
    "payment_corrected": _e(
        "custodian", "The custodian reverses its error: recovers a misdirected or excess payment, "
        "or pays the payee what it is owed (posting; break_id: the trustee's break).",
        break_id=STR, **POSTING),
    "payer_identified": _e(
        "custodian", "The custodian finds who paid a receipt that came with no reference.",
        break_id=STR, payer=STR, amount_fen=FEN),
    "proceeds_received": _e(
        "custodian", "Note proceeds paid into the issuance proceeds account (posting).",
        note_class=STR, series=INT | None, **POSTING),
}


def problems(event: Mapping[str, Any]) -> list[str]:
    """What is wrong with one logged event against the catalogue; empty if nothing.

    Checks the stamp, that the event is catalogued and logged by its actor, that every
    declared field is present, that no undeclared field is, and each value's type
    (records field by field).
    """
    name = event.get("event")
    where = f"seq {event.get('seq')} {name}"
    spec = EVENTS.get(name) if isinstance(name, str) else None
    if spec is None:
        return [f"{where}: not an event in the catalogue"]
    out = _check(where, event, {**STAMP, **spec.fields}, spec.optional)
    if event.get("actor") != spec.actor:
        out.append(f"{where}: logged by {event.get('actor')!r}, the catalogue says {spec.actor!r}")
    return out


def _check(where: str, obj: Mapping[str, Any], required: Mapping[str, FieldType],
           optional: Mapping[str, FieldType], prefix: str = "") -> list[str]:
    out = [f"{where}: field {prefix}{k!r} is missing" for k in required if k not in obj]
    for key, value in obj.items():
        ftype = required.get(key) or optional.get(key)
        path = f"{prefix}{key}"
        if ftype is None:
            out.append(f"{where}: field {path!r} is not declared")
        elif value is None:
            if not ftype.nullable:
                out.append(f"{where}: field {path!r} is null, expected {ftype.name}")
        elif not ftype.accepts(value):
            out.append(f"{where}: field {path!r} = {value!r:.60} is not {ftype.label}")
        elif ftype.required is not None:
            out += _check(where, value, ftype.required, ftype.optional or {}, f"{path}.")
    return out


def field_types() -> dict[str, set[str]]:
    """Every field name anywhere in the catalogue (records' fields too) -> its type names.

    One name, one type: a test holds each of these sets to a single entry (null aside).
    """
    out: dict[str, set[str]] = {}

    def walk(fields: Mapping[str, FieldType]) -> None:
        for key, ftype in fields.items():
            out.setdefault(key, set()).add(ftype.name)
            if ftype.required is not None:
                walk({**ftype.required, **(ftype.optional or {})})

    walk(STAMP)
    for spec in EVENTS.values():
        walk({**spec.fields, **spec.optional})
    return out


def _fields_md(required: Mapping[str, FieldType], optional: Mapping[str, FieldType]) -> str:
    """``name`` type, ...; optional ones marked ``?``, pipes escaped for a table cell."""
    cells = [f"`{k}` {t.label}" for k, t in required.items()]
    cells += [f"`{k}`? {t.label}" for k, t in optional.items()]
    return ", ".join(cells).replace("|", "\\|")


def markdown() -> str:
    """The catalogue as docs/events.md shows it (``trustsim events --markdown``)."""
    lines = ["| event | actor | fields | what it records |", "|---|---|---|---|"]
    for name, spec in EVENTS.items():
        lines.append(f"| `{name}` | {spec.actor} | {_fields_md(spec.fields, spec.optional)} "
                     f"| {spec.description} |")
    lines += ["", "Records inside events:", ""]
    for rec in (CALENDAR, (CALENDAR.required or {})["holiday_file"], FIGURES, ELIGIBILITY):
        lines.append(f"- `{rec.name}`: {_fields_md(rec.required or {}, rec.optional or {})}")
    return "\n".join(lines) + "\n"
