"""Business days: Chinese statutory working days, interbank or exchange, year by year.

Interbank (bank) days: weekends and public holidays off, weekend make-up days (调休) on.
Exchange trading days: the same holidays off, and every weekend (make-up days included).
"""

import datetime as dt

import pytest

from trustsim.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    BusinessCalendar,
    CalendarRangeError,
    YearDays,
    add_months,
    monthly_dates,
    packaged_years,
)

D = dt.date


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31))


@pytest.fixture(scope="module")
def exchange() -> BusinessCalendar:
    return BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31), kind="exchange")


@pytest.fixture(scope="module")
def latest() -> dict[str, BusinessCalendar]:
    assert LAST_YEAR >= 2026, "the packaged data must cover 2026 (chinesecalendar>=1.11)"
    return {k: BusinessCalendar(D(2026, 1, 1), D(2026, 12, 31), kind=k) for k in ("interbank", "exchange")}


# ---------------------------------------------------------------- 2020-2021, both kinds
def test_national_day_2020_is_off_for_banks_and_exchanges(cal, exchange):
    for c in (cal, exchange):
        assert [d for d in days(D(2020, 10, 1), D(2020, 10, 8)) if c.is_business_day(d)] == []
        assert c.is_business_day(D(2020, 10, 9))


def test_weekend_make_up_days_are_bank_days_but_not_trading_days(cal, exchange):
    make_up = [D(2020, 9, 27), D(2020, 10, 10), D(2021, 2, 7), D(2021, 2, 20)]
    assert [d.weekday() for d in make_up] == [6, 5, 6, 5]  # Sunday, Saturday, Sunday, Saturday
    assert all(cal.is_business_day(d) for d in make_up)
    assert not any(exchange.is_business_day(d) for d in make_up)


def test_spring_festival_2021_is_off(cal, exchange):
    for c in (cal, exchange):
        assert [d for d in days(D(2021, 2, 11), D(2021, 2, 17)) if c.is_business_day(d)] == []
        assert c.is_business_day(D(2021, 2, 10)) and c.is_business_day(D(2021, 2, 18))


def test_an_exchange_counts_past_a_make_up_sunday(cal, exchange):
    # Friday 2020-09-25: the next bank day is the make-up Sunday, the next trading day Monday
    assert cal.add_business_days(D(2020, 9, 25), 1) == D(2020, 9, 27)
    assert exchange.add_business_days(D(2020, 9, 25), 1) == D(2020, 9, 28)
    # 2020-09-30 to 2020-10-12: banks work Oct 9 and Sat Oct 10; the exchange only Oct 9
    assert cal.business_days_between(D(2020, 9, 30), D(2020, 10, 12)) == 3
    assert exchange.business_days_between(D(2020, 9, 30), D(2020, 10, 12)) == 2


# ---------------------------------------------------------------- the latest packaged year
def test_latest_year_make_up_days_are_bank_days_but_not_trading_days(latest):
    make_up = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]
    assert all(d.weekday() >= 5 for d in make_up)
    assert all(latest["interbank"].is_business_day(d) for d in make_up)
    assert not any(latest["exchange"].is_business_day(d) for d in make_up)


def test_latest_year_spring_festival_and_national_day_are_off(latest):
    for c in latest.values():
        off = days(D(2026, 2, 15), D(2026, 2, 23)) + days(D(2026, 10, 1), D(2026, 10, 7)) + [D(2026, 1, 2)]
        assert [d for d in off if c.is_business_day(d)] == []
        assert c.following(D(2026, 2, 15)) == D(2026, 2, 24)
        assert c.following(D(2026, 10, 1)) == D(2026, 10, 8)


# ---------------------------------------------------------------- helpers unchanged by the kind
def test_following_and_preceding(cal):
    assert cal.following(D(2021, 12, 18)) == D(2021, 12, 20)  # Saturday -> Monday
    assert cal.preceding(D(2021, 12, 18)) == D(2021, 12, 17)


def test_preceding_the_first_loaded_business_day_is_an_error_not_the_last_one(cal):
    assert cal.following(D(2020, 1, 1)) == D(2020, 1, 2)  # New Year's Day off
    with pytest.raises(CalendarRangeError, match="no business day on or before 2020-01-01"):
        cal.preceding(D(2020, 1, 1))


def test_add_business_days_skips_the_golden_week(cal):
    # 2020-09-30 is a Wednesday; Oct 1-8 are holidays; Oct 9 is the next business day
    assert cal.add_business_days(D(2020, 9, 30), 1) == D(2020, 10, 9)
    assert cal.add_business_days(D(2020, 10, 9), -1) == D(2020, 9, 30)
    assert cal.business_days_between(D(2020, 9, 30), D(2020, 10, 9)) == 1


def test_add_months_clamps_to_month_end():
    assert add_months(D(2020, 8, 31), 6) == D(2021, 2, 28)
    assert add_months(D(2020, 8, 18), 21) == D(2022, 5, 18)


def test_monthly_dates_are_strictly_before_the_end():
    assert monthly_dates(D(2020, 8, 18), 3, D(2021, 2, 18)) == [D(2020, 11, 18)]


# ---------------------------------------------------------------- the package's errata
def test_saturday_2005_12_31_was_worked_as_the_2006_notice_says():
    # 国办发明电〔2005〕35号: "12月31日(星期六)上班"; the package misses it (tests/unit/test_calendar_sources.py)
    c = BusinessCalendar(D(2005, 1, 1), D(2006, 12, 31))
    assert c.is_business_day(D(2005, 12, 31))
    assert not c.is_business_day(D(2006, 1, 3))


# ---------------------------------------------------------------- years nobody has published
def test_a_date_in_an_unpublished_year_is_refused_with_the_ways_forward():
    c = BusinessCalendar(D(2026, 6, 1), D(2027, 12, 31))
    assert c.first_uncovered == D(2027, 1, 1)
    assert c.add_business_days(D(2026, 12, 30), 1) == D(2026, 12, 31)
    with pytest.raises(CalendarRangeError) as err:
        c.add_business_days(D(2026, 12, 31), 1)
    msg = str(err.value)
    assert "the first date not covered is 2027-01-01" in msg
    assert f"published for {FIRST_YEAR}-{LAST_YEAR} from chinesecalendar" in msg
    assert "holiday file covering 2027" in msg and "calendar.unpublished_years: weekends_only" in msg
    with pytest.raises(CalendarRangeError, match="2027-03-01 is outside the business-day calendar"):
        c.is_business_day(D(2027, 3, 1))


def test_a_start_in_an_unpublished_year_is_refused_at_once():
    with pytest.raises(CalendarRangeError, match="the first date not covered is 2031-02-03"):
        BusinessCalendar(D(2031, 2, 3), D(2032, 1, 1))


def test_weekends_only_assumes_every_weekday_of_an_unpublished_year_is_a_business_day():
    c = BusinessCalendar(D(2026, 6, 1), D(2027, 12, 31), unpublished="weekends_only")
    assert c.assumed_years == (2027,)
    assert c.sources[2026] == "package"
    assert c.is_business_day(D(2027, 1, 1))  # a Friday, New Year's Day: assumed worked
    assert not c.is_business_day(D(2027, 1, 2))  # Saturday
    assert c.add_business_days(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_fixed_date_holidays_projects_new_year_labour_day_and_national_day_only():
    c = BusinessCalendar(D(2027, 1, 1), D(2027, 12, 31), unpublished="fixed_date_holidays")
    off = [D(2027, 1, 1), D(2027, 5, 1), D(2027, 5, 2), D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)]
    assert not any(c.is_business_day(d) for d in off)
    assert c.is_business_day(D(2027, 10, 4))  # Monday: no observed day is projected
    assert c.is_business_day(D(2027, 2, 8))  # Spring Festival week (lunar): not projected


# ---------------------------------------------------------------- the user's holiday file
def test_a_holiday_file_year_replaces_the_packaged_year():
    package = BusinessCalendar(D(2020, 1, 1), D(2020, 12, 31))
    mine = YearDays(holidays=frozenset({D(2020, 1, 1), D(2020, 10, 1), D(2020, 6, 1)}),
                    workdays=frozenset({D(2020, 6, 6)}))
    c = BusinessCalendar(D(2020, 1, 1), D(2020, 12, 31), years={2020: mine})
    assert c.sources == {2020: "holiday_file"}
    assert package.is_business_day(D(2020, 6, 1)) and not c.is_business_day(D(2020, 6, 1))
    assert not package.is_business_day(D(2020, 6, 6)) and c.is_business_day(D(2020, 6, 6))
    assert not package.is_business_day(D(2020, 10, 8)) and c.is_business_day(D(2020, 10, 8))


def test_a_holiday_file_extends_past_the_package():
    y2027 = YearDays(holidays=frozenset({D(2027, 1, 1), D(2027, 10, 1)}), workdays=frozenset())
    c = BusinessCalendar(D(2026, 6, 1), D(2027, 12, 31), years={2027: y2027})
    assert c.sources == {2026: "package", 2027: "holiday_file"} and c.assumed_years == ()
    assert c.add_business_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_the_days_fingerprint_changes_exactly_when_a_business_day_does(cal, exchange):
    again = BusinessCalendar(D(2020, 6, 1), D(2023, 6, 1))  # whole years are loaded: the same days
    assert again.days_sha256() == cal.days_sha256()
    assert exchange.days_sha256() != cal.days_sha256()
    one_more_holiday = packaged_years()[2021]
    moved = YearDays(one_more_holiday.holidays | {D(2021, 6, 1)}, one_more_holiday.workdays)
    assert BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31), years={2021: moved}).days_sha256() != cal.days_sha256()
