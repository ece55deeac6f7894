"""The contract's dates for the bundled deal [一.4.2, 一.4.4(2)]."""

import datetime as dt

from trustsim.calendar import BusinessCalendar
from trustsim.contract.schedule import amortization_calculation_date, build_schedule

D = dt.date


def _schedule(deal):
    cal = BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31))
    return cal, build_schedule(deal, cal)


def test_revolving_ends_21_months_after_the_effective_date(deal):
    _, s = _schedule(deal)
    assert s.effective_date == D(2020, 8, 18)
    assert s.scheduled_revolving_end == D(2022, 5, 18)  # a Wednesday: no adjustment needed


def test_revolving_calculation_dates_every_three_months(deal):
    _, s = _schedule(deal)
    quarterly = [p.date for p in s.revolving_payment_dates if p.calculation_index]
    assert quarterly == [D(2020, 11, 18), D(2021, 2, 18), D(2021, 5, 18), D(2021, 8, 18),
                         D(2021, 11, 18), D(2022, 2, 18)]
    fourth = next(p for p in s.revolving_payment_dates if p.calculation_index == 4)
    assert fourth.date == D(2021, 8, 18)


def test_series_maturities_are_payment_dates_adjusted_to_business_days(deal):
    _, s = _schedule(deal)
    by_series = {p.series_maturity: p.date for p in s.revolving_payment_dates if p.series_maturity}
    assert by_series == {1: D(2020, 12, 18), 2: D(2021, 3, 18), 3: D(2021, 6, 18),
                         4: D(2021, 9, 18), 5: D(2021, 12, 20), 6: D(2022, 3, 18)}
    assert s.series_maturities[-1] == D(2022, 9, 13)  # 2022-09-12 is Mid-Autumn Festival


def test_legal_maturity_12_months_after_the_sub_expected_maturity(deal):
    _, s = _schedule(deal)
    assert s.legal_maturity == D(2023, 9, 12)


def test_accrual_periods_are_monthly_from_the_effective_date(deal):
    _, s = _schedule(deal)
    assert s.accrual_starts[:3] == (D(2020, 8, 18), D(2020, 9, 18), D(2020, 10, 18))
    assert len(s.accrual_starts) == 21


def test_amortization_calculation_dates_every_ten_business_days():
    cal = BusinessCalendar(D(2022, 1, 1), D(2022, 12, 31))
    end = D(2022, 5, 18)
    assert amortization_calculation_date(cal, end, 1, 10) == D(2022, 6, 1)
    assert amortization_calculation_date(cal, end, 2, 10) == D(2022, 6, 16)  # Dragon Boat 6-3
