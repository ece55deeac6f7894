"""Money is integer fen with one rounding rule (half up) and exact pro-rata splits."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustsim.money import accrue, cny, fen_from_cny, fen_from_wan, floor_fen, pro_rata, round_fen, wan


def test_round_half_up_is_the_one_rule():
    assert round_fen(Decimal("2.5")) == 3
    assert round_fen(Decimal("2.4999")) == 2
    assert round_fen(Decimal("-2.5")) == -3


def test_wan_and_cny_convert_exactly_and_refuse_sub_fen():
    assert fen_from_wan("89000") == 89_000_000_000
    assert fen_from_wan("100002.38") == 100_002_380_000
    assert fen_from_cny("100000.00") == 10_000_000
    with pytest.raises(ValueError):
        fen_from_cny("0.001")


def test_senior_series_1_coupon_act365_122_days():
    # 89,000 wan at 3.00% for 122 days (2020-08-18 -> 2020-12-18), ACT/365F
    assert accrue(89_000_000_000, Decimal("3.00"), 122, 365) == 892_438_356


def test_pro_rata_shortfall_is_split_by_largest_remainder():
    assert pro_rata(10, [10, 10, 10]) == [4, 3, 3]
    assert pro_rata(100, [30, 70]) == [30, 70]
    assert pro_rata(50, [30, 70]) == [15, 35]
    assert pro_rata(0, [5, 5]) == [0, 0]


@given(st.integers(0, 10**12), st.lists(st.integers(0, 10**11), min_size=1, max_size=8))
def test_pro_rata_never_creates_or_loses_a_fen(amount, claims):
    shares = pro_rata(amount, claims)
    assert sum(shares) == min(amount, sum(claims))
    assert all(0 <= s <= c for s, c in zip(shares, claims, strict=True))


def test_no_interest_on_nothing_for_no_time_or_at_no_rate():
    assert accrue(0, Decimal("3.00"), 30, 365) == 0
    assert accrue(-100_000, Decimal("3.00"), 30, 365) == 0     # a negative balance earns nothing
    assert accrue(100_000, Decimal("3.00"), -5, 365) == 0      # nor a span that runs backwards
    assert accrue(100_000, Decimal(0), 30, 365) == 0


def test_the_smallest_accruals_are_not_dropped():
    assert accrue(36_500, Decimal(1), 1, 365) == 1     # 36,500 fen x 1% x 1/365 = exactly 1 fen
    assert accrue(1, Decimal(100), 365, 365) == 1      # 1 fen at 100% for a year
    assert accrue(1, Decimal(50), 365, 365) == 1       # half a fen rounds up
    assert accrue(1, Decimal(49), 365, 365) == 0


def test_sub_fen_amounts_are_refused_naming_the_amount():
    with pytest.raises(ValueError, match=r"^0\.001 CNY has more precision than a fen$"):
        fen_from_cny("0.001")
    with pytest.raises(ValueError, match=r"^0\.0000001 wan has more precision than a fen$"):
        fen_from_wan("0.0000001")


def test_reports_read_fen_back_as_wan_and_cny_exactly():
    assert wan(89_000_000_000) == Decimal(89_000)
    assert wan(1) == Decimal("0.000001")
    assert cny(12_345) == Decimal("123.45")


def test_a_behaviour_models_float_is_floored_to_whole_fen_and_never_negative():
    assert floor_fen(12.99) == 12
    assert floor_fen(-3.2) == 0


def test_pro_rata_gives_a_lone_fen_to_the_largest_remainder():
    assert pro_rata(1, [1, 1]) == [1, 0]        # a tie goes to the earlier claim
    # 2 fen over claims 1, 2, 3 (total 6): floors 0, 0, 1; remainders 2, 4, 0 (sixths):
    # the one fen left goes to the second claim
    assert pro_rata(2, [1, 2, 3]) == [0, 1, 1]
    assert pro_rata(6, [1, 2, 3]) == [1, 2, 3]  # exactly enough: every claim in full


def test_pro_rata_refuses_negative_claims():
    with pytest.raises(ValueError, match=r"^claims must be non-negative$"):
        pro_rata(10, [5, -1])
