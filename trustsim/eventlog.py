"""The audit log: one JSON line per business action, and the catalogue of actions.

Why structlog with one logger per run: several runs may share a process (tests, Monte
Carlo), so nothing is configured globally. Each line is stamped with ``seq`` (order in
the run), ``day`` (calendar days since the trust effective date), ``date`` (the
simulated business date) — never wall-clock time, so the same seed gives the same bytes
— then ``actor`` and ``event``. Money fields are integer fen named ``*_fen``. Every
money movement is logged as the event that caused it, carrying its ledger posting
(``debit``, ``credit``, ``amount_fen``, ``reason``, ``instruction``), so the postings
view is the subset of events with a ``debit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import IO, Any

import orjson
import structlog

ACTORS = ("originator", "servicer", "trustee", "custodian", "environment")

#: event name -> what it records. The single place an event is documented.
EVENTS: dict[str, str] = {
    # environment
    "run_started": "A run begins: deal name, seed, pool kind, initial pool principal, business-day calendar.",
    "run_finished": "A run ends: termination date, final ledger totals.",
    "period_changed": "The trust enters a period (revolving, amortization); cause and date.",
    "day_closed": "24:00 of a business day: every account's balance and the pool by status, NPL ratio (ppm).",
    "incident_started": "An injected incident begins (kind and parameters).",
    "incident_ended": "An injected incident ends, or reaches its resolving milestone.",
    # originator
    "initial_pool_transferred": "The originator transfers the initial pool to the trust.",
    "purchase_requested": "The originator's purchase request (base date, loans, principal, price).",
    "receivables_transferred": "Purchased receivables enter the pool on the purchase date.",
    "clean_up_repurchased": "The originator repurchases the remaining pool (clean-up call) for its price (posting).",
    "purchase_request_delayed": "A late purchase request, explained before 16:00: grace granted.",
    "purchase_request_missed": "A base date passes with no request and no explanation.",
    "purchase_request_lapsed": "A delayed request is beyond the grace period and lapses.",
    "lost_assets_replaced": "Lost assets replaced by eligible receivables of no lower balance.",
    "lost_assets_compensated": "Lost assets compensated with cash of equal value.",
    "replacement_failed": "Lost assets could not be replaced (insolvent originator).",
    "over_term_repurchased": "Over-term assets leave the pool, repurchased at the noticed price.",
    "repurchase_failed": "A repurchase (over-term or clean-up) the originator cannot make.",
    "rating_changed": "The originator's long-term rating changes.",
    # servicer
    "collections_received": "Obligor payments land in the JD collection account (posting).",
    "collections_swept": "The servicer transfers collections to the trust account (posting).",
    "available_funds_notified": "The servicer tells trustee and originator the cash for purchase.",
    "reserve_delay_notified": "The servicer notifies, the same day, that its systems delay the reserve.",
    "transfer_delay_explained": "The servicer's written explanation for a late transfer, accepted.",
    "collections_commingled": "The collection account's balance falls into the insolvent servicer's estate.",
    "lost_assets_found": "Returned or cancelled receivables found; the originator is notified.",
    "servicer_purchase_requested": "The servicer (affiliate) asks to buy non-performing assets.",
    "servicer_purchase_completed": "The servicer's purchase is done: assets leave, price paid.",
    # trustee
    "accrual_period_started": "A new accrual period: required amount computed for the next payment date.",
    "required_amount_reserved": "The required amount is set aside; purchases may proceed (notice).",
    "purchase_confirmed": "The trustee confirms a purchase request and instructs the custodian.",
    "purchase_rejected": "The trustee rejects a purchase request, with the reason.",
    "payment_date": "A payment date: the waterfall used and the cash available.",
    "waterfall_step": "One step of a waterfall: due, paid and shortfall per payee.",
    "series_issued": "A senior series is placed; proceeds due into the issuance proceeds account.",
    "issuance_terminated": "A senior series cannot be issued: series-i issuance termination event.",
    "clean_up_call_noticed": "Pool below the clean-up threshold: the trustee notifies the originator of the price.",
    "trigger_fired": "A trigger clause fires: kind, clause, figures behind it.",
    "trust_terminated": "The trust terminates: cause, remaining pool distributed.",
    "instruction_issued": "A trustee instruction to the custodian (id, value date, amount, payee).",
    "servicer_termination_event": "A servicer termination event; the successor deadline.",
    "trustee_replacement_event": "The trustee must be replaced; the successor deadline.",
    "successor_appointed": "A successor servicer or trustee takes office.",
    "declared_event_occurred": "An event that needs a noteholder meeting occurs.",
    "noteholder_meeting_convened": "The trustee convenes a noteholder meeting (date).",
    "noteholder_meeting_resolved": "The meeting resolves whether the event has occurred.",
    "declared_event_notified": "The trustee notifies the parties of a declared event.",
    "servicer_purchase_confirmed": "The trustee confirms the servicer's purchase (price >= fair value).",
    "servicer_purchase_rejected": "The trustee refuses the servicer's purchase (price below fair value).",
    "over_term_repurchase_noticed": "The trustee notifies the originator of over-term assets and price.",
    # custodian
    "transfer_received": "Money paid into the trust account by a party (posting).",
    "investment_written_down": "An eligible investment loses value (posting).",
    "instruction_executed": "The custodian executes a trustee instruction (posting).",
    "instruction_failed": "The custodian cannot execute an instruction (insufficient funds).",
    "proceeds_received": "Note proceeds paid into the issuance proceeds account (posting).",
    "investment_income": "Income on an eligible investment credited to the trust (posting).",
}


class EventLog:
    """Writes the run's events as JSON lines to ``stream`` via a run-local structlog logger.

    ``stream=None`` is the no-op sink for runs whose log nobody reads (break-even searches,
    Monte Carlo paths): events are still checked against the catalogue and counted, but
    not formatted, which saves about a third of a rep-line run.
    """

    def __init__(self, stream: IO[bytes] | None, clock: Callable[[], tuple[int, dt.date]]) -> None:
        self._clock = clock
        self._seq = 0
        self._day, self._date = -1, ""  # the current day's ISO date, formatted once a day
        self.counts: dict[str, int] = {}
        self._logger = None if stream is None else structlog.wrap_logger(
            structlog.BytesLogger(stream),
            # one processor: stamp seq/day/date from the simulation clock (never wall time)
            # in a fixed key order, and render with orjson (compact, fast, deterministic)
            processors=[self._stamp_and_render],
            context_class=dict,
            cache_logger_on_first_use=True,
        )

    def _stamp_and_render(self, _logger: Any, _name: str, ed: dict[str, Any]) -> bytes:
        day, date = self._clock()
        if day != self._day:
            self._day, self._date = day, date.isoformat()
        self._seq += 1
        actor = ed.pop("actor")
        event = ed.pop("event")
        return orjson.dumps({"seq": self._seq, "day": day, "date": self._date, "actor": actor,
                             "event": event, **ed})

    def emit(self, actor: str, event: str, **fields: Any) -> None:
        if event not in EVENTS:
            raise KeyError(f"event {event!r} is not in the catalogue (trustsim.eventlog.EVENTS)")
        self.counts[event] = self.counts.get(event, 0) + 1
        if self._logger is None:
            self._seq += 1
            return
        self._logger.msg(event, actor=actor, **fields)
