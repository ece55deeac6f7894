"""Note classes [一.2, Table 2]: simple interest on the outstanding balance, restarted when it changes.

Worked on the senior class: 89,000 wan (8.9e10 fen) at 3.00%, ACT/365F, from 2020-08-18;
series 1 matures on 2020-12-18, 122 days later: 8.9e10 x 3% x 122/365 = 892,438,356.16.
"""

import datetime as dt
from decimal import Decimal

import pytest
from support.contract import deal_notes

from trustsim.contract.notes import period_income_cap

D = dt.date
EFF = D(2020, 8, 18)
MATURITY = D(2020, 12, 18)


@pytest.fixture
def senior(deal):
    return deal_notes(deal, EFF)["senior"]


def test_booking_often_adds_no_rounding_fen(senior):
    booked = [senior.book_interest(EFF + dt.timedelta(days=d)) for d in range(1, 123)]
    assert sum(booked) == senior.interest_unpaid_fen == 892_438_356
    assert booked[0] == 7_315_068   # one day: 8.9e10 x 3% / 365 = 7,315,068.49


def test_a_principal_payment_restarts_accrual_on_the_new_balance(senior):
    # half repaid on 2020-10-17, 60 days in: 8.9e10 x 3% x 60/365 = 438,904,109.59 booked,
    # then 4.45e10 for the 62 days to maturity: 226,767,123.29
    senior.pay_principal(44_500_000_000, D(2020, 10, 17))
    assert senior.interest_unpaid_fen == 438_904_110
    assert (senior.outstanding_fen, senior.principal_paid_fen) == (44_500_000_000, 44_500_000_000)
    assert senior.accrual_start == D(2020, 10, 17)
    assert senior.book_interest(MATURITY) == 226_767_123
    assert senior.interest_unpaid_fen == 438_904_110 + 226_767_123


def test_restart_accrual_books_to_the_day_and_counts_afresh(senior):
    senior.book_interest(D(2020, 9, 18))      # 31 days: 226,767,123.29
    senior.restart_accrual(D(2020, 10, 18))   # 61 days in all: 446,219,178.08
    assert senior.interest_unpaid_fen == 446_219_178
    assert (senior.accrual_start, senior.booked_since_start_fen) == (D(2020, 10, 18), 0)
    assert senior.book_interest(D(2020, 10, 18)) == 0


def test_projected_interest_is_unpaid_plus_what_would_accrue_and_books_nothing(senior):
    senior.book_interest(D(2020, 10, 18))     # 446,219,178 booked
    senior.pay_interest(400_000_000)
    assert (senior.interest_unpaid_fen, senior.interest_paid_fen) == (46_219_178, 400_000_000)
    # the whole 122 days' interest less what was paid
    assert senior.projected_interest(MATURITY) == 892_438_356 - 400_000_000
    assert senior.interest_unpaid_fen == 46_219_178 and senior.booked_since_start_fen == 446_219_178


def test_no_class_pays_more_than_is_due(senior):
    senior.book_interest(D(2020, 8, 19))
    with pytest.raises(ValueError, match=r"senior: paying 7315069 fen of interest, 7315068 due"):
        senior.pay_interest(7_315_069)
    with pytest.raises(ValueError, match=r"senior: repaying 89000000001 fen, 89000000000 outstanding"):
        senior.pay_principal(89_000_000_001, D(2020, 8, 19))


def test_paid_in_full_needs_principal_and_interest(senior):
    senior.pay_principal(89_000_000_000, MATURITY)
    assert senior.outstanding_fen == 0 and not senior.paid_in_full
    senior.pay_interest(892_438_356)
    assert senior.paid_in_full


def test_sub_period_income_is_capped_at_5pct_a_year_on_its_balance(deal):
    cap = deal.note_class("sub").period_income.cap_pct
    assert cap == Decimal("5.00")
    # 5,000 wan x 5%: a year 250,000,000; 92 days 63,013,698.63
    assert period_income_cap(5_000_000_000, cap, EFF, D(2021, 8, 18), "ACT/365F") == 250_000_000
    assert period_income_cap(5_000_000_000, cap, D(2021, 5, 18), D(2021, 8, 18), "ACT/365F") == 63_013_699


def test_payments_add_up_on_the_class(senior):
    senior.book_interest(MATURITY)
    senior.pay_interest(400_000_000)
    senior.pay_interest(492_438_356)
    senior.pay_principal(40_000_000_000, MATURITY)
    senior.pay_principal(49_000_000_000, MATURITY)
    assert (senior.interest_paid_fen, senior.principal_paid_fen) == (892_438_356, 89_000_000_000)
    assert senior.paid_in_full
