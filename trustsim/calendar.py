"""Business days, schedule dates and day counts for a Chinese trust.

Why one module: every deadline of the contract ("the 1st business day after receipt",
"every 10 business days", "5 business days after a payment date") is a question to the
calendar, so the answer must come from one place.

Where the days come from, year by year (docs/calendar.md):

1. the user's holiday file, for each year it covers — the last word;
2. the maintained ``chinesecalendar`` package (the State Council's yearly notices, with
   :data:`ERRATA` where the package and the notice disagree);
3. for a year nobody has published yet, nothing: the date is refused, unless the deal
   accepts an assumption (``weekends_only`` or ``fixed_date_holidays``), which the run
   records and flags.

Two kinds of business day: ``interbank`` (bank and interbank-market days: weekends and
public holidays off, weekend make-up days (调休) on) and ``exchange`` (trading days: the
same holidays off, and every weekend, make-up days included).
"""

from __future__ import annotations

import bisect
import calendar as _stdcal
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import chinese_calendar

DAY_COUNT_BASIS = {"ACT/365F": 365, "ACT/360": 360}
KINDS = ("interbank", "exchange")
POLICIES = ("refuse", "weekends_only", "fixed_date_holidays")
PACKAGE = f"chinesecalendar {version('chinesecalendar')}"

#: where the package disagrees with the official notice, the notice wins (date -> reference)
ERRATA_WORKDAYS: dict[dt.date, str] = {
    dt.date(2005, 12, 31): "国办发明电〔2005〕35号 (2006 notice): 12月31日(星期六)上班",
}

#: fixed-date statutory holidays (全国年节及纪念日放假办法, 2024 revision): the projection
#: of ``fixed_date_holidays``. Lunar-calendar holidays and make-up days are not projected.
FIXED_DATE_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


class CalendarRangeError(ValueError):
    """A date lies outside the years the business-day calendar covers."""


@dataclass(frozen=True, slots=True)
class YearDays:
    """One year's days off besides ordinary weekends, and the weekend days worked."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # make-up working days (调休上班): always a Saturday or Sunday

    def is_statutory_workday(self, d: dt.date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)


def _covered_years() -> tuple[int, int]:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    return min(years), max(years)


FIRST_YEAR, LAST_YEAR = _covered_years()


@lru_cache(maxsize=1)
def packaged_years() -> dict[int, YearDays]:
    """The package's years (FIRST_YEAR..LAST_YEAR), errata applied."""
    hol: dict[int, set[dt.date]] = {y: set() for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    work: dict[int, set[dt.date]] = {y: set() for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    for d in chinese_calendar.holidays:
        hol[d.year].add(d)
    for d in list(chinese_calendar.workdays) + list(ERRATA_WORKDAYS):
        if d.weekday() >= 5:
            work[d.year].add(d)
            hol[d.year].discard(d)
    return {y: YearDays(frozenset(hol[y]), frozenset(work[y])) for y in hol}


def assumed_year(year: int, policy: str) -> YearDays:
    """A year nobody has published, under the deal's explicit assumption."""
    if policy == "weekends_only":
        return YearDays(frozenset(), frozenset())
    if policy == "fixed_date_holidays":
        return YearDays(frozenset(dt.date(year, m, d) for m, d in FIXED_DATE_HOLIDAYS), frozenset())
    raise ValueError(f"no assumption for unpublished years under policy {policy!r}")


@lru_cache(maxsize=256)
def _year_business_days(year: int, kind: str, days: YearDays) -> tuple[dt.date, ...]:
    out = []
    d, one = dt.date(year, 1, 1), dt.timedelta(days=1)
    while d.year == year:
        if days.is_statutory_workday(d) and (kind == "interbank" or d.weekday() < 5):
            out.append(d)
        d += one
    return tuple(out)


def year_ranges(years) -> str:
    """``[2004, ..., 2026, 2028]`` -> ``"2004-2026, 2028"``."""
    ys, out = sorted(years), []  # type: list[int], list[list[int]]
    for y in ys:
        if out and out[-1][1] == y - 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in out) or "none"


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later; the month's last day if it has no such day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = _stdcal.monthrange(year, month)[1]
    return dt.date(year, month, min(d.day, last))


class BusinessCalendar:
    """Business days of one kind between ``start`` and ``end`` (whole years are loaded).

    ``years``: the user's holiday file, year by year (overrides the package). A year
    neither covers is assumed under ``unpublished`` or, by default (``refuse``), not
    loaded: any question reaching it raises :class:`CalendarRangeError` saying why and
    what to do.
    """

    def __init__(self, start: dt.date, end: dt.date, *, kind: str = "interbank",
                 years: Mapping[int, YearDays] | None = None, unpublished: str = "refuse") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown business-day calendar {kind!r} (expected one of {KINDS})")
        if unpublished not in POLICIES:
            raise ValueError(f"unknown unpublished-years policy {unpublished!r} (expected one of {POLICIES})")
        self.kind, self.unpublished = kind, unpublished
        self.start, self.end = start, end
        self._user = dict(years or {})
        package = packaged_years()
        self.sources: dict[int, str] = {}  # year -> "holiday_file" | "package" | "assumed"
        self.first_uncovered: dt.date | None = None
        days: list[dt.date] = []
        for y in range(start.year, end.year + 1):
            if y in self._user:
                self.sources[y], yd = "holiday_file", self._user[y]
            elif y in package:
                self.sources[y], yd = "package", package[y]
            elif unpublished != "refuse":
                self.sources[y], yd = "assumed", assumed_year(y, unpublished)
            else:
                self.first_uncovered = max(start, dt.date(y, 1, 1))
                break
            days.extend(_year_business_days(y, kind, yd))
        if not days:
            raise CalendarRangeError(self.uncovered_message(start))
        self._days = tuple(days)
        self._set = frozenset(self._days)
        self._last_loaded = dt.date(max(self.sources), 12, 31)

    # ------------------------------------------------------------ coverage
    @property
    def assumed_years(self) -> tuple[int, ...]:
        return tuple(y for y, s in self.sources.items() if s == "assumed")

    def published_years(self) -> list[int]:
        """Every year with published data: the package's and the holiday file's."""
        return sorted(set(packaged_years()) | set(self._user))

    def uncovered_message(self, d: dt.date) -> str:
        """Why ``d`` cannot be answered, and the two ways forward."""
        first = self.first_uncovered or d
        if d < first:
            first = d
        file_years = sorted(self._user)
        last = max(first.year, self.end.year)
        covered = f"{year_ranges(packaged_years())} from {PACKAGE}"
        if file_years:
            covered += f", {year_ranges(file_years)} from the holiday file"
        return (
            f"{d.isoformat()} is outside the business-day calendar: public holidays and make-up "
            f"working days are published for {covered}; the first date not covered is "
            f"{first.isoformat()}. Either give a holiday file covering {year_ranges(range(first.year, last + 1))} "
            f"(calendar.holiday_file in the deal, or --holiday-file; format in docs/calendar.md), "
            f"or set calendar.unpublished_years: weekends_only (or fixed_date_holidays) to run on "
            f"that assumption, which the run records and flags in its summary and report"
        )

    def _check(self, d: dt.date) -> None:
        if d < self._days[0].replace(month=1, day=1) or d > self._last_loaded:
            if self.first_uncovered is not None and d >= self.first_uncovered:
                raise CalendarRangeError(self.uncovered_message(d))
            raise CalendarRangeError(
                f"{d.isoformat()} is outside the loaded business-day calendar "
                f"({self._days[0].year}-{self._last_loaded.year})"
            )

    def _beyond(self, what: str) -> CalendarRangeError:
        if self.first_uncovered is not None:
            return CalendarRangeError(f"{what}: " + self.uncovered_message(self.first_uncovered))
        return CalendarRangeError(f"{what} is outside the loaded business-day calendar")

    def days_sha256(self) -> str:
        """A fingerprint of every business day loaded: two runs with it counted the same days."""
        return hashlib.sha256("\n".join(d.isoformat() for d in self._days).encode()).hexdigest()

    # ------------------------------------------------------------ questions
    def is_business_day(self, d: dt.date) -> bool:
        self._check(d)
        return d in self._set

    def following(self, d: dt.date) -> dt.date:
        """``d`` if it is a business day, else the next business day."""
        self._check(d)
        i = bisect.bisect_left(self._days, d)
        if i >= len(self._days):
            raise self._beyond(f"the business day on or after {d.isoformat()}")
        return self._days[i]

    def preceding(self, d: dt.date) -> dt.date:
        """``d`` if it is a business day, else the previous business day."""
        self._check(d)
        i = bisect.bisect_right(self._days, d) - 1
        if i < 0:
            raise CalendarRangeError(f"no business day on or before {d.isoformat()} is loaded")
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
        if i >= len(self._days):
            raise self._beyond(f"{n} business days from {d.isoformat()}")
        if i < 0:
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
    out: list[dt.date] = []
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
