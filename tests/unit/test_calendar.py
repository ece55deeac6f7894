"""Business days are Chinese statutory working days, from the chinesecalendar package."""

import datetime as dt

import pytest

from trustsim.calendar import BusinessCalendar, CalendarRangeError, add_months, monthly_dates

D = dt.date


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31))


def test_national_day_holiday_is_not_a_business_day(cal):
    assert not cal.is_business_day(D(2020, 10, 1))
    assert not cal.is_business_day(D(2020, 10, 8))


def test_weekend_make_up_day_is_a_business_day(cal):
    assert D(2020, 9, 27).weekday() == 6  # a Sunday
    assert cal.is_business_day(D(2020, 9, 27))
    assert cal.is_business_day(D(2020, 10, 10))  # a Saturday make-up day


def test_following_and_preceding(cal):
    assert cal.following(D(2021, 12, 18)) == D(2021, 12, 20)  # Saturday -> Monday
    assert cal.preceding(D(2021, 12, 18)) == D(2021, 12, 17)


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


def test_a_year_outside_the_package_is_an_error_not_a_guess():
    with pytest.raises(CalendarRangeError, match="outside the business-day calendar"):
        BusinessCalendar(D(2020, 1, 1), D(2031, 1, 1))
