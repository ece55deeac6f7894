"""The agency's stress method as data: the file, and how it lands on the deal (DEAL.md §11)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import ROOT

from trustsim.config import ConfigError
from trustsim.risk.method import Levels, load_method, rating_levels, stressed_deal, stressed_pool

METHOD = ROOT / "configs" / "stress" / "lianhe_2020.yaml"


@pytest.fixture(scope="module")
def method():
    return load_method(METHOD)


def test_the_file_holds_table_13_and_14(method):
    assert list(method.ratings) == ["AAA", "A-", "BBB+"]
    aaa = method.ratings["AAA"]
    assert (aaa.yield_haircut, aaa.write_off_multiple, aaa.mpr_haircut, aaa.purchase_haircut) == (
        Decimal("0.45"), Decimal("5.50"), Decimal("0.50"), Decimal("0.45"))
    o = method.outflows
    assert (o.senior_coupon_pct, o.mezz_coupon_pct, o.tax_rate_pct, o.fees_pct_pa, o.sub_revolving_income_pct) == (
        Decimal("4.00"), Decimal("8.00"), Decimal("3.26"), Decimal("0.12"), Decimal("5.00"))


@pytest.mark.parametrize("rating", ["AAA", "A-", "BBB+"])
def test_multiples_of_the_deal_base_match_the_report_finals(deal, method, rating):
    """The report's finals come from unrounded bases: ours agree to 0.03 pp (6.325 vs 6.35)."""
    pool = stressed_pool(deal, rating_levels(method, rating))
    report = method.ratings[rating].report
    for field in ("yield_pct", "write_off_pct", "mpr_pct", "purchase_rate_pct"):
        assert abs(Decimal(pool[field]) - getattr(report, field)) <= Decimal("0.03"), field


def test_the_aaa_stress_on_the_deal(deal, method):
    d = stressed_deal(deal, method, "issuance_fails", rating_levels(method, "AAA"))
    assert d.pool.write_off_pct == Decimal("6.325")       # 1.15 x 5.5
    assert d.pool.yield_pct == Decimal("3.9325")          # 7.15 x 0.55
    assert d.pool.mpr_pct == Decimal("10.385")            # 20.77 x 0.5
    assert d.pool.purchase_rate_pct == Decimal("55")
    assert (d.notes.senior.coupon_pct, d.notes.mezz.coupon_pct) == (Decimal("4"), Decimal("8"))
    assert d.notes.sub.revolving_income_cap_pct == Decimal("5")
    assert d.fees.agents_pct_pa == {"all_in": Decimal("0.12")}
    assert d.fees.trustee_counsel_cny_per_year == d.fees.expenses_cny_per_year == 0
    assert [(i.kind, i.series) for i in d.incidents] == [("series_issuance_failure", 2)]
    assert d.remedies.over_term_repurchase is False
    ok = stressed_deal(deal, method, "issuance_ok", rating_levels(method, "AAA"))
    assert ok.incidents == [] and ok.remedies.over_term_repurchase is True


def test_one_level_moves_the_others_stay(deal, method):
    lv = rating_levels(method, "A-").with_level("write_off", 4.0)
    assert lv == Levels(4.0, 0.17, 0.22, 0.17)
    assert stressed_pool(deal, lv)["write_off_pct"] == "4.6"


def test_errors_name_what_is_wrong(deal, method, tmp_path):
    with pytest.raises(ValueError, match=r"unknown rating 'AA' \(known: AAA, A-, BBB\+\)"):
        rating_levels(method, "AA")
    with pytest.raises(ValueError, match="below 100%"):
        stressed_pool(deal, Levels(90.0, 0, 0, 0))
    with pytest.raises(ValueError, match="unknown case"):
        stressed_deal(deal, method, "issuance_maybe", Levels.none())
    bad = tmp_path / "m.yaml"
    bad.write_text(METHOD.read_text().replace("yield_haircut: 0.45", "yield_haircut: -0.45"))
    with pytest.raises(ConfigError, match=r"m.yaml: ratings.AAA.yield_haircut: .*greater than or equal to 0"):
        load_method(bad)
    bad.write_text(METHOD.read_text().replace("ramp_months: 0", "ramp_months: 3"))
    with pytest.raises(ConfigError, match="ramp_months"):
        load_method(bad)


def test_the_method_and_credit_draws_need_a_rep_line_pool(deal, method):
    from types import SimpleNamespace

    from trustsim.risk.credit import CreditConfig
    from trustsim.risk.montecarlo import check_study
    from trustsim.risk.paths import Study

    loans = deal.model_copy(update={"pool": SimpleNamespace(kind="loan_level")})
    with pytest.raises(ConfigError, match="the agency's method needs a rep_line pool, not 'loan_level'"):
        stressed_pool(loans, Levels.none())
    credit = CreditConfig.model_validate({p: {"sigma": 0, "loading": 0}
                                          for p in ("write_off", "mpr", "yield", "purchase_rate")})
    with pytest.raises(ValueError, match=r"--credit: .* pool is 'loan_level'; use --no-credit"):
        check_study(Study(loans, credit, None, 1), 10)
