"""The required amount (必备金额) [一.4.3, note 10], worked by hand from the deal's terms.

What the trustee must hold before purchases may proceed: taxes, agents' fees and expenses
counted at the senior expense cap, senior interest, and mezz interest and sub period
income when the target payment date pays them, times the (flagged) factor. Fees run from
the last payment date to the target; income after today is projected at the daily rate.
Every fee is 100,000 CNY = 10,000,000 fen a year unless said; ACT/365F; half up.
"""

import datetime as dt

import pytest
from conftest import DEAL_FILE
from support.contract import deal_notes

from trustsim.config import load_deal
from trustsim.contract.dues import DuesBook
from trustsim.contract.reserve import required_amount
from trustsim.contract.schedule import PaymentDate

D = dt.date
EFF = D(2020, 8, 18)
SERIES_1 = PaymentDate(D(2020, 12, 18), series_maturity=1)      # pays senior interest only
FOURTH = PaymentDate(D(2021, 8, 18), D(2021, 8, 18), 4)          # pays mezz and sub income


def test_series_maturity_needs_taxes_fees_at_the_cap_carried_fees_and_senior_interest(deal):
    # 122 days from the last payment date (the effective date) to series 1's maturity
    book = DuesBook(deal, last_payment_date=EFF, income_since_last_fen=1_000_000,
                    carried={("rating_fees", "within"): 5_000})
    ra = required_amount(deal, D(2020, 10, 18), SERIES_1, book, deal_notes(deal, EFF),
                         income_per_day_fen=10_000, revolving=True)
    # taxes: 3.26% of the income so far plus 61 days (10-18 -> 12-18) at 10,000 fen a day
    assert ra.taxes_fen == 52_486  # (1,000,000 + 610,000) x 3.26%
    # counsel and rating 10,000,000 x 122/365 = 3,342,465.75 -> 3,342,466 each;
    # agents on 100,000 wan of notes (1e11 fen) x 122/365: trustee 0.05% 16,712,328.77 ->
    # 16,712,329, custodian 0.01% 3,342,466, servicer 0.015% 5,013,698.63 -> 5,013,699,
    # registrar 0.005% 1,671,232.88 -> 1,671,233; expenses at the 300,000 CNY cap (not the
    # 200,000 incurred): 30,000,000 x 122/365 = 10,027,397.26 -> 10,027,397; carried 5,000
    assert ra.fees_fen == 3_342_466 * 2 + 16_712_329 + 3_342_466 + 5_013_699 + 1_671_233 \
        + 10_027_397 + 5_000
    # 89,000 wan x 3.00% x 122/365, half up; the mezz and sub: not the 4th calculation date
    assert ra.interest_fen == {"senior": 892_438_356}
    # the log names every class, in seniority order, 0 where nothing is due
    assert list(ra.by_class(deal).items()) == [("senior", 892_438_356), ("mezz", 0), ("sub", 0)]
    assert ra.total_fen == 52_486 + 43_457_056 + 892_438_356
    assert ra.target_date == D(2020, 12, 18)


def test_the_fourth_calculation_date_adds_mezz_interest_and_sub_income(deal):
    book = DuesBook(deal, last_payment_date=D(2021, 5, 18))
    ra = required_amount(deal, D(2021, 5, 18), FOURTH, book, deal_notes(deal, EFF),
                         income_per_day_fen=0, revolving=True)
    assert ra.taxes_fen == 0
    assert "senior" not in ra.interest_fen
    # 92 days (05-18 -> 08-18): counsel and rating 2,520,547.95 -> 2,520,548 each; agents
    # 12,602,739.73 -> 12,602,740 + 2,520,548 + 3,780,821.92 -> 3,780,822 + 1,260,273.97 ->
    # 1,260,274; cap 30,000,000 x 92/365 = 7,561,643.84 -> 7,561,644
    assert ra.fees_fen == 2_520_548 * 2 + 12_602_740 + 2_520_548 + 3_780_822 + 1_260_274 + 7_561_644
    assert ra.interest_fen == {
        "mezz": 420_000_000,   # 6,000 wan x 7.00% for the 365 days since issue
        "sub": 250_000_000,    # 5,000 wan x the 5.00% cap, 365 days since the effective date
    }
    assert list(ra.by_class(deal).items()) == [("senior", 0), ("mezz", 420_000_000), ("sub", 250_000_000)]
    assert ra.total_fen == 32_767_124 + 420_000_000 + 250_000_000


def test_mezz_and_sub_are_not_reserved_for_another_calculation_date(deal):
    third = PaymentDate(D(2021, 5, 18), D(2021, 5, 18), 3)
    ra = required_amount(deal, D(2021, 2, 18), third, DuesBook(deal, D(2021, 2, 18)),
                         deal_notes(deal, EFF), income_per_day_fen=0, revolving=True)
    assert ra.interest_fen == {}
    assert ra.total_fen == ra.fees_fen > 0


@pytest.mark.parametrize(("factor", "total"), [
    (100, 702_767_124),
    (110, 773_043_836),   # 702,767,124 x 1.10 = 773,043,836.4 -> half up 773,043,836
])
def test_the_flagged_factor_scales_the_whole_amount(factor, total):
    deal = load_deal(DEAL_FILE, overrides={"revolving_purchase": {"required_amount_factor_pct": factor}})
    ra = required_amount(deal, D(2021, 5, 18), FOURTH, DuesBook(deal, D(2021, 5, 18)),
                         deal_notes(deal, EFF), income_per_day_fen=0, revolving=True)
    assert ra.total_fen == total
    assert ra.factor_pct == factor


def test_on_the_payment_date_itself_nothing_more_is_projected(deal):
    # computed on the target date, with the last payment date that same day: no income is
    # projected (taxes on what came in: 1,000,000 x 3.26%), no fee accrues, only the carry
    book = DuesBook(deal, last_payment_date=D(2021, 8, 18), income_since_last_fen=1_000_000,
                    carried={("trustee_counsel_fees", "within"): 700})
    ra = required_amount(deal, D(2021, 8, 18), FOURTH, book, deal_notes(deal, D(2021, 8, 18)),
                         income_per_day_fen=10_000, revolving=True)
    assert (ra.taxes_fen, ra.fees_fen) == (32_600, 700)


def test_the_first_amortization_payment_date_reserves_senior_interest_not_the_mezz(deal):
    """After the last accrual period the first payment date is an amortization one: it owes
    senior interest (89,000 wan x 3% x 638/365 since 2020-08-18 = 4,667,013,698.63 fen) and
    the mezz's only behind the senior's principal, so the mezz's is not reserved."""
    ra = required_amount(deal, D(2022, 4, 18), PaymentDate(D(2022, 5, 18)),
                         DuesBook(deal, last_payment_date=D(2022, 3, 18)),
                         deal_notes(deal, EFF), income_per_day_fen=0, revolving=False)
    assert ra.interest_fen == {"senior": 4_667_013_699}
