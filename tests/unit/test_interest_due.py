"""What a payment date owes the note classes, written once [Table 2, 一.4.4(2)]."""

from __future__ import annotations

import datetime as dt

from trustsim.calendar import BusinessCalendar
from trustsim.contract.dues import InterestDue, interest_due, sub_period_income
from trustsim.contract.schedule import PaymentDate, build_schedule

D = dt.date


def _revolving_dates(deal) -> dict[dt.date, PaymentDate]:
    cal = BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31))
    return {p.date: p for p in build_schedule(deal, cal).revolving_payment_dates}


def test_revolving_senior_interest_is_due_at_each_series_maturity_only(deal):
    pds = _revolving_dates(deal)
    senior = sorted(d for d, p in pds.items() if interest_due(deal, p, revolving=True).senior)
    assert senior == [D(2020, 12, 18), D(2021, 3, 18), D(2021, 6, 18), D(2021, 9, 18),
                      D(2021, 12, 20), D(2022, 3, 18)]


def test_quarterly_senior_interest_is_also_due_at_each_calculation_date(deal):
    quarterly = deal.model_copy(update={"notes": deal.notes.model_copy(update={
        "senior": deal.notes.senior.model_copy(update={"interest_frequency": "quarterly"})})})
    pds = _revolving_dates(quarterly)
    assert interest_due(quarterly, pds[D(2020, 11, 18)], revolving=True).senior
    assert not interest_due(deal, pds[D(2020, 11, 18)], revolving=True).senior


def test_mezz_interest_and_sub_income_at_the_4th_revolving_payment_date(deal):
    pds = _revolving_dates(deal)
    assert interest_due(deal, pds[D(2021, 8, 18)], revolving=True) == InterestDue(
        senior=False, mezz=True, mezz_after_senior=False, sub_income=True)
    assert [d for d, p in sorted(pds.items())
            if interest_due(deal, p, revolving=True).sub_income] == [D(2021, 8, 18)]
    # 5,000 wan x 5% a year over the 365 days from the effective date
    assert sub_period_income(deal, 5_000_000_000, D(2021, 8, 18)) == 250_000_000


def test_in_amortization_senior_and_mezz_interest_on_every_payment_date(deal):
    due = InterestDue(senior=True, mezz=True, mezz_after_senior=True, sub_income=False)
    assert interest_due(deal, None, revolving=False) == due
    # a revolving payment date on which revolving ended pays in the amortization order
    assert interest_due(deal, _revolving_dates(deal)[D(2020, 12, 18)], revolving=False) == due
