"""A deal at a fraction of its size: every amount of money shrinks, every rate stays.

The overrides name the deal's classes, fees and reserve accounts by name (named lists merge
item by item), so they apply to any deal, whatever its classes are called.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import DEAL_FILE, LOANS_FILE
from support.renamed import renamed_data, renamed_deal

from trustsim.config import load_deal
from trustsim.config.load import deep_merge, validate_deal
from trustsim.pool.scaling import scale_overrides


@pytest.fixture(scope="module")
def small(deal):
    return load_deal(DEAL_FILE, (), scale_overrides(deal, 0.01))


def test_each_class_shrinks_to_the_scale(deal, small):
    """Table 2's 89,000 / 6,000 / 5,000 wan at 1%, the rolling series unchanged."""
    assert [(c.name, c.size_wan) for c in small.classes] == [
        ("senior", Decimal("890")), ("mezz", Decimal("60")), ("sub", Decimal("50"))]
    assert [c.coupon_pct for c in small.classes] == [c.coupon_pct for c in deal.classes]
    assert small.note_class("senior").rolling_series == deal.note_class("senior").rolling_series


def test_fixed_fees_and_caps_shrink_rates_stay(deal, small):
    fees = {f.name: f for f in small.fees}
    assert fees["trustee_counsel_fees"].cny_per_year == Decimal("1000.00")     # 100,000 CNY a year
    assert fees["rating_fees"].cny_per_year == Decimal("1000.00")
    assert (fees["expenses"].cny_per_year, fees["expenses"].cap_cny_per_year) == (
        Decimal("2000.00"), Decimal("3000.00"))                               # 200,000 capped at 300,000
    for f in deal.fees:
        if f.basis != "fixed_per_year":
            assert fees[f.name] == f, f.name                                   # rates are scale-free
    assert [f.name for f in small.fees] == [f.name for f in deal.fees]


def test_the_pool_shrinks_with_the_notes(deal, small):
    assert small.pool.initial_principal_wan == Decimal("1000.0238")           # 100,002.38 wan at 1%
    loans = load_deal(LOANS_FILE)
    assert load_deal(LOANS_FILE, (), scale_overrides(loans, 0.5)).pool.scale == loans.pool.scale * Decimal("0.5")


def test_reserve_accounts_shrink(deal):
    """A reserve's opening balance and its target's floor are money; its share of the notes is not."""
    data = deal.model_dump(mode="json")
    data["accounts"]["reserves"] = [{"name": "liquidity", "initial_wan": "1200",
                                     "target": {"pct_of_notes": "1.5", "floor_wan": "800"}}]
    for acts in data["waterfalls"].values():
        acts.insert(len(acts) - 1, {"fund_account": "liquidity", "clause": "test: top up the reserve"})
    with_reserve = validate_deal(data, "a deal with a reserve")
    scaled = validate_deal(deep_merge(data, scale_overrides(with_reserve, 0.25)), "scaled")
    (r,) = scaled.accounts.reserves
    assert (r.initial_wan, r.target.floor_wan, r.target.pct_of_notes) == (Decimal("300"), Decimal("200"),
                                                                          Decimal("1.5"))


def test_any_class_names(deal):
    renamed = renamed_deal(deal)
    scaled = validate_deal(deep_merge(renamed_data(deal.model_dump(mode="json")),
                                      scale_overrides(renamed, 0.01)), "renamed, scaled")
    assert [(c.name, c.size_wan) for c in scaled.classes] == [
        ("tranche_a", Decimal("890")), ("tranche_b", Decimal("60")), ("equity", Decimal("50"))]


def test_a_scale_out_of_range_is_an_error(deal):
    for bad in (0, -1, 10.5):
        with pytest.raises(ValueError, match=r"scale must be in \(0, 10\]"):
            scale_overrides(deal, bad)
