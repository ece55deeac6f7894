"""Operational faults injected from a scenario, on their dates, into the actors and the pool.

The incident desk is the environment's hand: on an incident's start date (before the
day's business, 00:01) it tells the affected party — or changes the pool's behaviour —
and logs ``incident_started``; when the incident ends it tells the party again and logs
``incident_ended``. What the contract does about it (triggers, remedies) is the parties'
business, not the desk's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from trustsim.actors.messages import IncidentNotice, IncomingTransfer
from trustsim.config.incidents import CASH_ERROR_PARTY, SUCCESSOR_KINDS, span
from trustsim.config.servicing import notice_date
from trustsim.money import round_fen
from trustsim.sim.environment import TrustEnvironment

START = 0.01  # before the custodian settles (0.05): an incident governs the whole day

#: which pool parameter an incident kind adjusts, and the config field holding the value
POOL_EFFECTS: dict[str, tuple[str, str]] = {
    "asset_shortage": ("purchase_rate_pct", "purchase_rate_pct"),
    "return_surge": ("lost_pct_per_month", "lost_pct_per_month"),
    "credit_shock": ("default_multiplier", "default_multiplier"),
}


def _party(parties: Any, name: str) -> Callable[[], list]:
    """The party ``name`` of the wired parties, as a target list."""
    return lambda: [getattr(parties, name)]


class IncidentDesk:
    """Schedules every incident of the deal; records their start and end for the summary."""

    def __init__(self, env: TrustEnvironment, parties: Any) -> None:
        self.env = env
        self.p = parties
        self.records: list[dict[str, Any]] = []
        for i, inc in enumerate(env.deal.incidents):
            env.process(self._run(i, inc))

    # ------------------------------------------------------------ helpers
    def _at(self, d: dt.date):
        return self.env.until(d, START)

    def _end_date(self, inc) -> dt.date | None:
        if inc.kind in SUCCESSOR_KINDS:
            return None  # a successor ends it (_successor)
        return span(inc, self.env.calendar, self.env.deal.servicing)[1]

    def _log(self, event: str, i: int, inc, **fields: Any) -> None:
        params = inc.model_dump(mode="json", exclude={"kind"})
        self.env.log.emit("environment", event, incident=i, kind=inc.kind, **params, **fields)

    def _notify(self, actors: list, kind: str, phase: str, inc) -> None:
        for actor in actors:
            actor.inbox.put(IncidentNotice(kind, phase, inc))

    # ------------------------------------------------------------ the incidents
    def _run(self, i: int, inc):
        env, p = self.env, self.p
        kind = inc.kind
        if kind == "series_issuance_failure":
            maturity = env.timetable.series_maturities[inc.series - 2]
            self.records.append({"incident": i, "kind": kind, "series": inc.series,
                                 "start": maturity.isoformat(), "end": None})
            yield self._at(maturity)
            self._log("incident_started", i, inc)
            return
        record = {"incident": i, "kind": kind, "start": inc.start.isoformat(), "end": None}
        self.records.append(record)
        yield self._at(inc.start)
        self._log("incident_started", i, inc)
        targets: dict[str, Callable[[], list]] = {
            "servicer_outage": lambda: [p.servicer],
            "servicer_transfer_failure": lambda: [p.servicer],
            "servicer_insolvency": lambda: [p.servicer, p.trustee],
            "servicer_termination": lambda: [p.trustee],
            "trustee_replacement": lambda: [p.trustee],
            "originator_insolvency": lambda: [p.originator],
            "originator_downgrade": lambda: [p.originator],
            "late_purchase_requests": lambda: [p.originator],
            "investment_loss": lambda: [p.custodian],
            "declared_event": lambda: [p.trustee],
            # cash errors (issue 13): the party that makes the error
            **{k: _party(p, party) for k, party in CASH_ERROR_PARTY.items()},
        }
        if kind in POOL_EFFECTS:
            parameter, field = POOL_EFFECTS[kind]
            env.pool.adjust(parameter, float(getattr(inc, field)))
        else:
            self._notify(targets[kind](), kind, "start", inc)
        if kind in ("servicer_insolvency", "servicer_termination", "trustee_replacement"):
            yield from self._successor(i, inc, record)
            return
        end = self._end_date(inc)
        if end is None:
            return
        yield self._at(end)
        if kind in POOL_EFFECTS:
            env.pool.adjust(POOL_EFFECTS[kind][0], None)
        else:
            self._notify(targets[kind](), kind, "end", inc)
        record["end"] = end.isoformat()
        self._log("incident_ended", i, inc)

    def _successor(self, i: int, inc, record: dict[str, Any]):
        """Insolvency, termination, replacement: a recovery (insolvency) and a successor later.

        A trustee's successor is appointed by the desk's notice; a servicer's takes the
        servicing over on the date the trustee's activation names (the same
        :func:`~trustsim.config.servicing.takeover_date`): the desk only ends the incident.
        The estate's recovery comes ``recovery_delay_days`` after the insolvency, or the day
        after the frozen account stops receiving payments if that is later.
        """
        env, p = self.env, self.p
        start = env.today
        end = span(inc, env.calendar, env.deal.servicing)[1]
        assert end is not None
        milestones: list[tuple[dt.date, str]] = [(end, "successor_appointed")]
        estate_before = self._estate_net()
        if inc.kind == "servicer_insolvency":
            r = env.deal.servicing.redirection
            closes = notice_date(start, r, env.calendar) + dt.timedelta(
                days=r.decay_days if r.still_paying_old_account_pct > 0 else 0)
            when = max(start + dt.timedelta(days=inc.recovery_delay_days),
                       closes + dt.timedelta(days=1))
            milestones.append((when, "recovery"))
        for when, what in sorted(milestones, key=lambda m: (m[0], m[1] != "recovery")):
            yield self._at(when)
            if what == "recovery":
                self._recover(inc, self._estate_net() - estate_before)
                continue
            if inc.kind == "trustee_replacement":
                self._notify([p.trustee], inc.kind, "successor_appointed", inc)
            record["end"] = when.isoformat()
            self._log("incident_ended", i, inc, milestone="successor appointed")

    def _estate_net(self) -> int:
        """What the servicer's estate has taken from the trust, net of what it gave back."""
        ledger = self.env.ledger
        return ledger.outflows.get("servicer_estate", 0) - ledger.inflows.get("servicer_estate", 0)

    def _recover(self, inc, commingled: int) -> None:
        """The servicer's estate pays back ``recovery_rate`` of what this failure commingled."""
        amount = round_fen(commingled * inc.recovery_rate)
        if amount > 0:
            self.p.custodian.inbox.put(IncomingTransfer("servicer_estate", amount,
                                                        "recovery of commingled collections"))
