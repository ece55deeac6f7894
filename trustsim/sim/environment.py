"""The trust's SimPy environment: clock, calendar, schedule, ledger, pool, log, random streams.

Everything an actor needs that is not a message lives here, created once per run.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

import simpy

from trustsim.calendar import BusinessCalendar
from trustsim.config.models import DealConfig
from trustsim.contract.schedule import DealSchedule, build_schedule
from trustsim.eventlog import EventLog
from trustsim.ledger import Ledger
from trustsim.pool import Pool, build_pool
from trustsim.sim.rng import RngStreams

_ONE_DAY = dt.timedelta(days=1)


class TrustEnvironment(simpy.Environment):
    """A SimPy environment whose ``now`` counts calendar days from the trust effective date."""

    def __init__(self, deal: DealConfig, log_stream: IO[bytes] | None, seed: int | None = None) -> None:
        super().__init__()
        self.deal = deal
        self.origin: dt.date = deal.dates.trust_effective_date
        from trustsim.config.load import legal_maturity

        last = legal_maturity(deal) + dt.timedelta(days=60)
        self.calendars = deal.calendar.build_rules(self.origin, last)  # each rule family's days
        self.calendar: BusinessCalendar = self.calendars.default  # the trust's operating days
        self.timetable: DealSchedule = build_schedule(deal, self.calendars.of("payment_dates"))
        self.ledger = Ledger(tuple(r.name for r in deal.accounts.reserves))
        self.rng = RngStreams(deal.run.seed if seed is None else seed)
        self.log = EventLog(log_stream, self.clock)
        self.pool: Pool = build_pool(deal, self.rng)
        self.terminated = self.event()
        self._dates = [self.origin + dt.timedelta(days=i)
                       for i in range((last - self.origin).days + 1)]

    # ------------------------------------------------------------ time
    def day_of(self, d: dt.date) -> int:
        return (d - self.origin).days

    @property
    def today(self) -> dt.date:
        return self._dates[int(self.now)]

    def clock(self) -> tuple[int, dt.date]:
        day = int(self.now)
        return day, self._dates[day]

    def until(self, d: dt.date, time_of_day: float) -> simpy.Timeout:
        """A timeout that fires at ``time_of_day`` on date ``d`` (not in the past)."""
        return self.timeout(max(0.0, self.day_of(d) + time_of_day - self.now))

    def business_days_from(self, start: dt.date, time_of_day: float):
        """Yield timeouts for each business day from ``start`` (incl.) at ``time_of_day``."""
        d = self.calendar.following(start)
        while True:
            yield self.until(d, time_of_day)
            d = self.calendar.add_business_days(d, 1)
