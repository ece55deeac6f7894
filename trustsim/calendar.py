"""Business days, schedule dates and day counts for a Chinese trust.

Why one module: every deadline of the contract ("the 1st business day after receipt",
"every 10 business days", "5 business days after a payment date") is a question to the
calendar, so the answer must come from one place. Business days are Chinese statutory
working days — weekends and public holidays off, weekend make-up days (调休) on — taken
from the maintained ``chinesecalendar`` package. A date outside the years the package
covers is an error, never a guess.
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import datetime as dt
from functools import lru_cache

import chinese_calendar

DAY_COUNT_BASIS = {"ACT/365F": 365, "ACT/360": 360}


class CalendarRangeError(ValueError):
    """A date lies outside the years the business-day calendar covers."""


def _covered_years() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


FIRST_YEAR, LAST_YEAR = _covered_years()


@lru_cache(maxsize=8)
def _business_days(first_year: int, last_year: int) -> tuple[dt.date, ...]:
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    days = []
    d = start
    one = dt.timedelta(days=1)
    while d <= end:
        if chinese_calendar.is_workday(d):
            days.append(d)
        d += one
    return tuple(days)


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; the month's last day if it has no such day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = _stdcal.monthrange(year, month)[1]
    return dt.date(year, month, min(d.day, last))


class BusinessCalendar:
    """Chinese business days between ``start`` and ``end`` (whole years are loaded)."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        for d in (start, end):
            if not FIRST_YEAR <= d.year <= LAST_YEAR:
                raise CalendarRangeError(
                    f"{d.isoformat()} is outside the business-day calendar "
                    f"({FIRST_YEAR}-{LAST_YEAR}, from the chinesecalendar package)"
                )
        self.start, self.end = start, end
        self._days = _business_days(start.year, end.year)
        self._set = frozenset(self._days)

    def _check(self, d: dt.date) -> None:
        if not (self._days[0] <= d <= self._days[-1]):
            raise CalendarRangeError(
                f"{d.isoformat()} is outside the loaded business-day calendar "
                f"({self._days[0].year}-{self._days[-1].year})"
            )

    def is_business_day(self, d: dt.date) -> bool:
        self._check(d)
        return d in self._set

    def following(self, d: dt.date) -> dt.date:
        """``d`` if it is a business day, else the next business day."""
        self._check(d)
        i = bisect.bisect_left(self._days, d)
        if i >= len(self._days):
            raise CalendarRangeError(f"no business day on or after {d.isoformat()} is loaded")
        return self._days[i]

    def preceding(self, d: dt.date) -> dt.date:
        """``d`` if it is a business day, else the previous business day."""
        self._check(d)
        i = bisect.bisect_right(self._days, d) - 1
        return self._days[i]

    def add_business_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th business day after ``d`` (n >= 1), or before it (n <= -1).

        ``n == 0`` returns ``following(d)``.
        """
        self._check(d)
        if n == 0:
            return self.following(d)
        if n > 0:
            i = bisect.bisect_right(self._days, d) + n - 1
        else:
            i = bisect.bisect_left(self._days, d) + n
        if not 0 <= i < len(self._days):
            raise CalendarRangeError(f"{n} business days from {d.isoformat()} is outside the calendar")
        return self._days[i]

    def business_days_between(self, a: dt.date, b: dt.date) -> int:
        """Business days in (a, b]: how many business days after ``a`` ``b`` is."""
        self._check(a)
        self._check(b)
        return bisect.bisect_right(self._days, b) - bisect.bisect_right(self._days, a)

    def business_days_in(self, a: dt.date, b: dt.date) -> list[dt.date]:
        """Business days in [a, b]."""
        lo = bisect.bisect_left(self._days, a)
        hi = bisect.bisect_right(self._days, b)
        return list(self._days[lo:hi])

    def adjust(self, d: dt.date, rule: str) -> dt.date:
        """Apply a business-day convention: ``following``, ``preceding`` or ``unadjusted``."""
        if rule == "following":
            return self.following(d)
        if rule == "preceding":
            return self.preceding(d)
        if rule == "unadjusted":
            return d
        raise ValueError(f"unknown business-day convention {rule!r}")


def monthly_dates(start: dt.date, every_months: int, before: dt.date) -> list[dt.date]:
    """``start`` + k * ``every_months`` months (k >= 1, month-end clamped), strictly before ``before``."""
    out = []
    k = 1
    while True:
        d = add_months(start, k * every_months)
        if d >= before:
            return out
        out.append(d)
        k += 1


def year_fraction_days(a: dt.date, b: dt.date) -> int:
    """Actual days from ``a`` (incl.) to ``b`` (excl.): the numerator of ACT/365F and ACT/360."""
    return max(0, (b - a).days)
