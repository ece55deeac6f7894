"""Money is integer fen with one rounding rule (half up) and exact pro-rata splits."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trustsim.money import accrue, fen_from_cny, fen_from_wan, pro_rata, round_fen


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
