"""The contract's dates for the bundled deal [一.4.2, 一.4.4(2)]."""

import datetime as dt

from conftest import DEAL_FILE

from trustsim.calendar import BusinessCalendar
from trustsim.config import load_deal
from trustsim.config.models import EveryMonths
from trustsim.contract.schedule import (
    amortization_calculation_date,
    build_schedule,
    next_amortization_payment,
)

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
    assert (fourth.date, fourth.calculation_date, fourth.series_maturity) == (
        D(2021, 8, 18), D(2021, 8, 18), None)


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


def test_amortization_calculation_dates_every_ten_business_days(deal):
    cal = BusinessCalendar(D(2022, 1, 1), D(2022, 12, 31))
    end = D(2022, 5, 18)
    assert amortization_calculation_date(cal, deal, end, 1) == D(2022, 6, 1)
    assert amortization_calculation_date(cal, deal, end, 2) == D(2022, 6, 16)  # Dragon Boat 6-3


def test_amortization_calculation_dates_every_n_months_keep_the_deal_s_day_of_the_month(deal):
    # (an override mapping merges into the deal's {every_business_days: 10}, so the
    # schedule is swapped on the model)
    monthly = deal.model_copy(update={"dates": deal.dates.model_copy(update={
        "amortization_schedule": EveryMonths(every_months=1)})})
    cal = BusinessCalendar(D(2020, 1, 1), D(2022, 12, 31))
    # the dates fall monthly on the effective date's 18th: after a revolving end on
    # 2022-05-18 the 1st and 2nd are 06-18 (a Saturday: a calculation date need not be a
    # business day) and 07-18
    assert amortization_calculation_date(cal, monthly, D(2022, 5, 18), 1) == D(2022, 6, 18)
    assert amortization_calculation_date(cal, monthly, D(2022, 5, 18), 2) == D(2022, 7, 18)
    # revolving ended early by a trigger on 2021-01-05: the first date is still an 18th
    assert amortization_calculation_date(cal, monthly, D(2021, 1, 5), 1) == D(2021, 1, 18)
    assert amortization_calculation_date(cal, monthly, D(2021, 1, 5), 3) == D(2021, 3, 18)


def _schedule_of(overrides):
    deal = load_deal(DEAL_FILE, overrides=overrides)
    return build_schedule(deal, BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31)))


def test_a_payment_lag_counts_business_days_after_the_calculation_date():
    s = _schedule_of({"dates": {"payment_lag_business_days": 2}})
    first = s.revolving_payment_dates[0]
    # calculation date Wednesday 2020-11-18; two business days on: Friday 2020-11-20
    assert (first.date, first.calculation_date, first.calculation_index) == (
        D(2020, 11, 20), D(2020, 11, 18), 1)
    # from Thursday 2021-02-18: Friday 19th, then Saturday 20th, a make-up working day
    # (调休) after the Spring Festival
    assert s.revolving_payment_dates[2].date == D(2021, 2, 20)


def test_a_series_maturing_on_a_calculation_payment_date_keeps_both_roles():
    maturities = ["2020-12-18", "2021-02-18", "2021-06-18", "2021-09-18", "2021-12-18",
                  "2022-03-18", "2022-09-12"]
    s = _schedule_of({"classes": [{"name": "senior", "rolling_series": {"expected_maturities": maturities}}]})
    both = next(p for p in s.revolving_payment_dates if p.date == D(2021, 2, 18))
    assert (both.calculation_date, both.calculation_index, both.series_maturity) == (
        D(2021, 2, 18), 2, 2)
    assert [p.date for p in s.revolving_payment_dates].count(D(2021, 2, 18)) == 1


def test_a_series_maturing_on_the_revolving_end_is_not_a_revolving_payment_date():
    maturities = ["2020-12-18", "2021-03-18", "2021-06-18", "2021-09-18", "2021-12-18",
                  "2022-05-18", "2022-09-12"]
    s = _schedule_of({"classes": [{"name": "senior", "rolling_series": {"expected_maturities": maturities}}]})
    assert s.scheduled_revolving_end == D(2022, 5, 18)
    assert [p.series_maturity for p in s.revolving_payment_dates if p.series_maturity] == [1, 2, 3, 4, 5]
    assert s.series_maturities[5] == D(2022, 5, 18)


def test_the_next_payment_date_on_or_after_a_day(deal):
    _, s = _schedule(deal)
    assert s.next_payment_on_or_after(D(2020, 11, 18)).date == D(2020, 11, 18)
    assert s.next_payment_on_or_after(D(2020, 11, 19)).date == D(2020, 12, 18)
    assert s.next_payment_on_or_after(D(2022, 3, 19)) is None   # none left in revolving


def test_first_amortization_payment_date_does_not_depend_on_how_often_it_is_asked(deal):
    """[一.4.4(2)] Trigger (h) on series 1's maturity 2020-12-18 ends revolving on a payment
    date: asked when revolving ends and again after that date's distribution, the first
    amortization payment date is 10 business days later, 2021-01-04, not the 2nd one."""
    cal, s = _schedule(deal)
    end = D(2020, 12, 18)
    assert next_amortization_payment(cal, deal, end, end, s.legal_maturity) == (1, D(2021, 1, 4))
    assert next_amortization_payment(cal, deal, end, end, s.legal_maturity) == (1, D(2021, 1, 4))
    assert next_amortization_payment(cal, deal, end, D(2021, 1, 4), s.legal_maturity) == (
        2, D(2021, 1, 18))


def test_legal_maturity_is_a_payment_date_and_the_schedule_goes_on_after_it(deal):
    """[一.4.4(2)] Revolving ends 2022-05-18: the date due after 2023-09-08 is the legal
    maturity 2023-09-12; after that one the 34th calculation date, 2023-09-22, still comes."""
    cal, s = _schedule(deal)
    end = s.scheduled_revolving_end
    assert next_amortization_payment(cal, deal, end, D(2023, 9, 8), s.legal_maturity)[1] == \
        D(2023, 9, 12)
    assert next_amortization_payment(cal, deal, end, D(2023, 9, 12), s.legal_maturity) == (
        34, D(2023, 9, 22))
