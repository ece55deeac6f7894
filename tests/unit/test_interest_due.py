"""What a payment date owes the note classes, written once [Table 2, 一.4.4(2)]."""

from __future__ import annotations

import datetime as dt

from conftest import DEAL_FILE

from trustsim.calendar import BusinessCalendar
from trustsim.config import load_deal
from trustsim.contract.dues import interest_presented, period_income
from trustsim.contract.schedule import PaymentDate, build_schedule

D = dt.date


def _revolving_dates(deal) -> dict[dt.date, PaymentDate]:
    cal = BusinessCalendar(D(2020, 1, 1), D(2023, 12, 31))
    return {p.date: p for p in build_schedule(deal, cal).revolving_payment_dates}


def test_revolving_senior_interest_is_due_at_each_series_maturity_only(deal):
    pds = _revolving_dates(deal)
    senior = sorted(d for d, p in pds.items() if "senior" in interest_presented(deal, p, revolving=True))
    assert senior == [D(2020, 12, 18), D(2021, 3, 18), D(2021, 6, 18), D(2021, 9, 18),
                      D(2021, 12, 20), D(2022, 3, 18)]


def test_quarterly_senior_interest_is_also_due_at_each_calculation_date(deal):
    # the text's "quarterly" reading of the senior's interest: every revolving payment date
    quarterly = load_deal(DEAL_FILE, overrides={"classes": [
        {"name": "senior", "interest": {"revolving": "every_payment_date"}}]})
    pds = _revolving_dates(quarterly)
    assert "senior" in interest_presented(quarterly, pds[D(2020, 11, 18)], revolving=True)
    assert "senior" not in interest_presented(deal, pds[D(2020, 11, 18)], revolving=True)


def test_mezz_interest_and_sub_income_at_the_4th_revolving_payment_date(deal):
    pds = _revolving_dates(deal)
    assert pds[D(2021, 8, 18)].calculation_index == 4
    assert interest_presented(deal, pds[D(2021, 8, 18)], revolving=True) == {"mezz", "sub"}
    assert [d for d, p in sorted(pds.items())
            if "sub" in interest_presented(deal, p, revolving=True)] == [D(2021, 8, 18)]
    # 5,000 wan x 5% a year over the 365 days from the effective date
    assert period_income(deal, "sub", 5_000_000_000, D(2020, 8, 18), D(2021, 8, 18)) == 250_000_000


def test_in_amortization_senior_and_mezz_interest_on_every_payment_date(deal):
    # the sub is paid the residual in amortization (interest.amortization: none)
    assert interest_presented(deal, None, revolving=False) == {"senior", "mezz"}
    # a revolving payment date on which revolving ended pays in the amortization order
    assert interest_presented(deal, _revolving_dates(deal)[D(2020, 12, 18)], revolving=False) == {
        "senior", "mezz"}
