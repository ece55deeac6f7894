"""The contract's dates [一.4.2, 一.4.4(2)]: periods, calculation and payment dates.

Revolving calculation dates fall every N months from the effective date (month end when
the month has no such day; Dongdao No. 3: 3); amortization calculation dates every N
business days or N months from the revolving-period end (a static pool's: from the
effective date). Payment dates follow calculation dates after the deal's lag. Each
expected maturity of a rolling class's series is also a payment date in the revolving
period (the series is repaid from the next one's proceeds and its interest falls due).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trustsim.calendar import BusinessCalendar, add_months, monthly_dates
from trustsim.config.models import DealConfig


@dataclass(frozen=True, slots=True)
class PaymentDate:
    """A revolving-period payment date and why it is one."""

    date: dt.date
    calculation_date: dt.date | None = None
    calculation_index: int | None = None   # 1-based revolving calculation date number
    series_maturity: int | None = None     # the rolling class's series maturing on this date


@dataclass(frozen=True)
class DealSchedule:
    effective_date: dt.date
    scheduled_revolving_end: dt.date
    accrual_starts: tuple[dt.date, ...]
    revolving_payment_dates: tuple[PaymentDate, ...]
    series_maturities: tuple[dt.date, ...]   # business-day adjusted, series 1..N
    legal_maturity: dt.date

    def next_payment_on_or_after(self, d: dt.date) -> PaymentDate | None:
        for pd in self.revolving_payment_dates:
            if pd.date >= d:
                return pd
        return None


def payment_date_for(cal: BusinessCalendar, calc: dt.date, deal: DealConfig) -> dt.date:
    d = cal.adjust(calc, deal.dates.payment_convention)
    lag = deal.dates.payment_lag_business_days
    return cal.add_business_days(d, lag) if lag else cal.following(d)


def build_schedule(deal: DealConfig, cal: BusinessCalendar) -> DealSchedule:
    dates = deal.dates
    eff = dates.trust_effective_date
    end_unadjusted = add_months(eff, dates.revolving_months)
    revolving_end = cal.adjust(end_unadjusted, dates.revolving_end_convention)
    calcs = monthly_dates(eff, dates.calculation_every_months, end_unadjusted) if deal.revolves else []
    rolling = deal.rolling_class
    series = tuple(cal.following(m) for m in rolling.rolling_series.expected_maturities) \
        if rolling is not None and rolling.rolling_series is not None else ()
    by_date: dict[dt.date, PaymentDate] = {}
    for k, calc in enumerate(calcs, start=1):
        pd = payment_date_for(cal, calc, deal)
        by_date[pd] = PaymentDate(pd, calc, k, None)
    for i, m in enumerate(series, start=1):
        if m >= revolving_end:
            continue
        old = by_date.get(m)
        by_date[m] = PaymentDate(m, old.calculation_date if old else None,
                                 old.calculation_index if old else None, i)
    accruals = (eff, *monthly_dates(eff, 1, end_unadjusted)) if deal.revolves else ()
    legal = cal.following(deal.legal_maturity_unadjusted)
    return DealSchedule(
        effective_date=eff,
        scheduled_revolving_end=revolving_end,
        accrual_starts=accruals,
        revolving_payment_dates=tuple(by_date[d] for d in sorted(by_date)),
        series_maturities=series,
        legal_maturity=legal,
    )


def amortization_calculation_date(cal: BusinessCalendar, deal: DealConfig, revolving_end: dt.date,
                                  n: int) -> dt.date:
    """The n-th amortization calculation date (n >= 1) after the revolving end: n * N
    business days after it; or, on a monthly schedule, the n-th of the dates every N months
    from the effective date (its day of the month, month end if none) that falls after it —
    so payment days keep the deal's day of the month whenever revolving ends."""
    sched = deal.dates.amortization_schedule
    if hasattr(sched, "every_business_days"):
        return cal.add_business_days(revolving_end, n * sched.every_business_days)
    eff, every = deal.dates.trust_effective_date, sched.every_months
    j = 1
    while add_months(eff, j * every) <= revolving_end:
        j += 1
    return add_months(eff, (j + n - 1) * every)


def next_amortization_payment(cal: BusinessCalendar, deal: DealConfig, revolving_end: dt.date,
                              after: dt.date, legal_maturity: dt.date) -> tuple[int, dt.date]:
    """The first amortization payment date after ``after``, and its number n [一.4.4(2)].

    A function of the revolving-period end alone, not of how often it is asked: asking on
    a payment date that falls on the end itself (a series maturity on which trigger (h)
    fires) gives the same first date as asking when revolving ends. The legal maturity
    date is always a payment date.
    """
    n = 0
    while True:
        n += 1
        nxt = payment_date_for(cal, amortization_calculation_date(cal, deal, revolving_end, n),
                               deal)
        if nxt > after:
            break
    if after < legal_maturity:
        nxt = min(nxt, legal_maturity)
    return n, nxt
