"""Recognising major events and when their notices are due: one desk, two ways in.

Why one desk for the simulator and the reader: the trustee issues notices as events
happen, and the audit recomputes from the log which notices were due and when; if the two
used different logic they would disagree about the rules rather than about the run. So the
:class:`Desk` takes *facts* (a trigger fired on a date, a payment date left interest unpaid,
a party's rating changed...) and answers with the notices due (:class:`Due`). The trustee
tells it facts as it learns them (trustsim/actors/trustee.py); :func:`detect` reads the
same facts from a run folder's log, line by line (:func:`observe`), with nothing from the
simulator.

Each fact, and what it is in the log:

* a trigger fires — ``trigger_fired`` (``kind: default``: an event of default; any other: an
  acceleration event, or a waterfall switch);
* a payment date's waterfall — ``payment_date`` then its ``waterfall_step`` lines (a grace
  payment, ``grace_for``, pays an earlier date's arrears: not a new payment date);
* a party's rating changes — ``rating_changed`` (the party is the line's actor);
* a party becomes insolvent — ``incident_started`` of kind ``originator_insolvency`` or
  ``servicer_insolvency``;
* a party must be replaced — ``servicer_termination_event``, ``trustee_replacement_event``;
* a successor takes office — ``successor_appointed``;
* a business day's close — ``day_closed`` (cumulative defaults: charged-off plus
  non-performing principal, as the deal's cumulative-default trigger counts them), until
  the trust begins to terminate (``liquidation_sale`` or ``trust_terminated``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from trustsim.config.base import RATING_SCALE
from trustsim.disclosure.rules import Rule, RuleSet

#: waterfall actions whose dues come ahead of principal (the cash-flow shortfall's measure)
AHEAD_OF_PRINCIPAL = ("pay_fees", "pay_interest")
#: a waterfall step as the desk needs it: its action and the classes (or fees) it names
StepInfo = tuple[str, tuple[str, ...]]


class Calendar(Protocol):
    def add_business_days(self, d: dt.date, n: int) -> dt.date: ...


@dataclass(frozen=True, slots=True)
class Due:
    """A notice the rules require: which rule, about what, the event's date and the due date."""

    rule: str
    kind: str               # the rule's event
    subject: str            # what it is about: a trigger's clause, a party, the short steps
    event_date: dt.date
    due_date: dt.date
    seq: int | None         # the log line that made it due (None: told by the simulator)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies a notice: its rule, event date and subject."""
        return self.rule, self.event_date.isoformat(), self.subject


@dataclass(slots=True)
class _PaymentDate:
    date: dt.date
    seq: int | None
    due_ahead_fen: int = 0        # dues of fees and interest (not gated)
    unpaid_ahead_fen: int = 0
    short_interest: list[str] = field(default_factory=list)   # steps leaving interest unpaid
    interest_unpaid_fen: int = 0


def due_date(rule: Rule, event_date: dt.date, calendar: Calendar) -> dt.date:
    """The rule's deadline after ``event_date``: business days as the market counts them."""
    days = rule.deadline.days
    if rule.deadline.basis == "calendar":
        return event_date + dt.timedelta(days=days)
    return calendar.add_business_days(event_date, days)


class Desk:
    """Holds a market's rules and the state a rule needs (a payment date being paid, a loss
    threshold already crossed); each fact returns the notices it makes due."""

    def __init__(self, rules: RuleSet, calendar: Calendar, steps: Mapping[str, StepInfo],
                 notes_at_issuance_fen: int, protected: Iterable[str] | None = None) -> None:
        """``steps``: step id -> (action, targets) over the deal's waterfalls; ``protected``:
        the classes whose interest the deal cannot defer (its interest_unpaid triggers'
        classes; None or empty: every class)."""
        self.rules = rules
        self.calendar = calendar
        self.steps = dict(steps)
        self.notes_at_issuance_fen = notes_at_issuance_fen
        self.protected = frozenset(protected or ())
        self._by_event: dict[str, list[Rule]] = {}
        for r in rules.rules:
            self._by_event.setdefault(r.event, []).append(r)
        self._open: _PaymentDate | None = None
        self._crossed: set[str] = set()      # cumulative_loss rules already due
        self.dues: list[Due] = []             # every notice made due so far

    def _due(self, rule: Rule, subject: str, d: dt.date, seq: int | None,
             **facts: Any) -> Due:
        out = Due(rule.id, rule.event, subject, d, due_date(rule, d, self.calendar), seq, facts)
        self.dues.append(out)
        return out

    def _rules(self, event: str) -> list[Rule]:
        return self._by_event.get(event, [])

    # ------------------------------------------------------------ facts
    def trigger_fired(self, d: dt.date, kind: str, clause: str, seq: int | None = None) -> list[Due]:
        event = "event_of_default" if kind == "default" else "acceleration_event"
        return [self._due(r, f"clause {clause}", d, seq, trigger_kind=kind, clause=clause)
                for r in self._rules(event)]

    def rating_changed(self, d: dt.date, party: str, old: str, new: str,
                       seq: int | None = None) -> list[Due]:
        if old not in RATING_SCALE or new not in RATING_SCALE:
            return []
        notches = RATING_SCALE.index(new) - RATING_SCALE.index(old)
        return [self._due(r, party, d, seq, old=old, new=new, notches=notches)
                for r in self._rules("rating_downgrade")
                if r.covers(party) and notches >= r.t("min_notches", 1)]

    def party_insolvent(self, d: dt.date, party: str, seq: int | None = None) -> list[Due]:
        return [self._due(r, party, d, seq) for r in self._rules("party_insolvency") if r.covers(party)]

    def replacement_required(self, d: dt.date, party: str, seq: int | None = None) -> list[Due]:
        return [self._due(r, party, d, seq) for r in self._rules("replacement_required")
                if r.covers(party)]

    def successor_appointed(self, d: dt.date, party: str, seq: int | None = None) -> list[Due]:
        return [self._due(r, party, d, seq) for r in self._rules("successor_appointed")
                if r.covers(party)]

    def payment_date(self, d: dt.date, grace: bool, seq: int | None = None) -> list[Due]:
        """A payment date's waterfall begins (its steps follow); a grace payment is not one."""
        out = self.close_payment()
        self._open = None if grace else _PaymentDate(d, seq)
        return out

    def waterfall_step(self, pay: str, due_fen: int, paid_fen: int, gated_by: str | None) -> None:
        p = self._open
        if p is None or gated_by is not None:
            return   # a grace payment's step, or one waiting by design for another's
        action, targets = self.steps.get(pay, ("", ()))
        if action not in AHEAD_OF_PRINCIPAL:
            return
        if action == "pay_interest" and self.protected and not self.protected & set(targets):
            return   # interest the deal lets wait (it protects other classes' only)
        unpaid = max(0, due_fen - paid_fen)
        p.due_ahead_fen += due_fen
        p.unpaid_ahead_fen += unpaid
        if action == "pay_interest" and unpaid > 0:
            p.short_interest.append(pay)
            p.interest_unpaid_fen += unpaid

    def close_payment(self) -> list[Due]:
        """The open payment date's steps are done: the notices its shortfalls make due."""
        p, self._open = self._open, None
        if p is None:
            return []
        out = []
        if p.short_interest:
            out += [self._due(r, ", ".join(p.short_interest), p.date, p.seq,
                              interest_unpaid_fen=p.interest_unpaid_fen)
                    for r in self._rules("missed_payment")
                    if p.interest_unpaid_fen > r.t("min_shortfall_fen", 0)]
        if p.due_ahead_fen > 0:
            out += [self._due(r, "dues ahead of principal", p.date, p.seq,
                              due_fen=p.due_ahead_fen, unpaid_fen=p.unpaid_ahead_fen)
                    for r in self._rules("cash_flow_shortfall")
                    # "20% or more": unpaid / due >= pct, exactly
                    if p.unpaid_ahead_fen * 100 >= r.t("pct") * p.due_ahead_fen]
        return out

    def day_closed(self, d: dt.date, cumulative_default_fen: int, notes_outstanding_fen: int,
                   seq: int | None = None) -> list[Due]:
        out = []
        for r in self._rules("cumulative_loss"):
            if r.id in self._crossed:
                continue
            base = self.notes_at_issuance_fen if r.t("of") == "notes_at_issuance" \
                else notes_outstanding_fen
            if base > 0 and cumulative_default_fen * 100 >= r.t("pct") * base:
                self._crossed.add(r.id)
                out.append(self._due(r, "pool", d, seq, cumulative_default_fen=cumulative_default_fen,
                                     base_fen=base))
        return out


# ---------------------------------------------------------------- reading the log
INSOLVENCY_INCIDENTS = {"originator_insolvency": "originator", "servicer_insolvency": "servicer"}
REPLACEMENT_EVENTS = {"servicer_termination_event": "servicer", "trustee_replacement_event": "trustee"}
#: lines a payment date's steps are interleaved with (the trustee's instructions for each)
_WITHIN_PAYMENT = frozenset({"waterfall_step", "instruction_issued"})
#: the trustee's own lines the desk reads (its other facts it is told directly)
TRUSTEE_FACTS = frozenset({"payment_date", "waterfall_step", "trigger_fired",
                           *REPLACEMENT_EVENTS, "successor_appointed"})


def _date(e: Mapping[str, Any]) -> dt.date:
    return dt.date.fromisoformat(str(e["date"]))


class LogReader:
    """Feeds a desk a run's log, line by line."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.terminating = False

    def observe(self, e: Mapping[str, Any]) -> list[Due]:
        desk, name = self.desk, e.get("event")
        seq = e.get("seq") if isinstance(e.get("seq"), int) else None
        out: list[Due] = []
        if name not in _WITHIN_PAYMENT:
            out += desk.close_payment()
        if name == "payment_date":
            out += desk.payment_date(_date(e), e.get("grace_for") is not None, seq)
        elif name == "waterfall_step":
            desk.waterfall_step(str(e.get("pay")), int(e.get("due_fen") or 0),
                                int(e.get("paid_fen") or 0), e.get("gated_by"))
        elif name == "trigger_fired":
            out += desk.trigger_fired(_date(e), str(e.get("kind")), str(e.get("clause")), seq)
        elif name == "rating_changed":
            out += desk.rating_changed(_date(e), str(e.get("actor")), str(e.get("old")),
                                       str(e.get("new")), seq)
        elif name == "incident_started" and e.get("kind") in INSOLVENCY_INCIDENTS:
            out += desk.party_insolvent(_date(e), INSOLVENCY_INCIDENTS[str(e["kind"])], seq)
        elif name in REPLACEMENT_EVENTS:
            out += desk.replacement_required(_date(e), REPLACEMENT_EVENTS[str(name)], seq)
        elif name == "successor_appointed":
            out += desk.successor_appointed(_date(e), str(e.get("role")), seq)
        elif name in ("liquidation_sale", "trust_terminated"):
            self.terminating = True
        elif name == "day_closed" and not self.terminating:
            cumulative = int(e.get("pool_charged_off_fen") or 0) + int(e.get("pool_non_performing_fen") or 0)
            out += desk.day_closed(_date(e), cumulative, int(e.get("notes_outstanding_fen") or 0), seq)
        return out

    def finish(self) -> list[Due]:
        return self.desk.close_payment()


def notes_at_issuance_fen(config: Mapping[str, Any]) -> int:
    """The classes' principal at issuance (a rolling class: one series' size), from the deal."""
    total = Decimal(0)
    for c in config.get("classes") or ():
        total += Decimal(str(c.get("size_wan") or 0))
    return int(total * 1_000_000)


def protected_classes(config: Mapping[str, Any]) -> frozenset[str]:
    """The classes whose interest the deal cannot defer: its interest_unpaid triggers' classes."""
    return frozenset(str(c) for t in config.get("triggers") or ()
                     if isinstance(t, Mapping) and t.get("kind") == "interest_unpaid"
                     for c in t.get("classes") or ())


def detect(events: Iterable[Mapping[str, Any]], rules: RuleSet, calendar: Calendar,
           steps: Mapping[str, StepInfo], config: Mapping[str, Any]) -> list[Due]:
    """Every notice a log makes due, in the order the events happened (``config``: the
    resolved deal, config.json)."""
    reader = LogReader(Desk(rules, calendar, steps, notes_at_issuance_fen(config),
                            protected_classes(config)))
    for e in events:
        reader.observe(e)
    reader.finish()
    return reader.desk.dues


def desk_for_deal(deal: Any, calendar: Calendar) -> LogReader | None:
    """The trustee's desk for a deal (its :class:`trustsim.config.DealConfig`, read by
    attribute only): the rules of the deal's market, its waterfalls' steps, its notes'
    principal at issuance, the classes its interest_unpaid triggers protect. None if there
    are no rules for the deal's market (no ``trustsim/disclosure/markets/<market>.yaml``)."""
    from trustsim.disclosure.rules import rules_for_market

    rules = rules_for_market(getattr(deal.calendar, "business_days", None))
    if rules is None:
        return None
    steps = {a.step: (a.key, tuple(a.targets)) for actions in deal.waterfalls.values() for a in actions}
    notes = int(sum((Decimal(str(c.size_wan)) for c in deal.classes), Decimal(0)) * 1_000_000)
    protected = [c for t in deal.triggers if t.kind == "interest_unpaid" for c in t.classes]
    return LogReader(Desk(rules, calendar, steps, notes, protected))
