"""The agency's stress method as data: the file, and how it lands on the deal (DEAL.md §11)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import ROOT
from support.renamed import RENAMES, renamed_deal

from trustsim.config import ConfigError
from trustsim.risk.method import (
    Levels,
    StressMethod,
    check_outflows,
    load_method,
    rating_levels,
    stressed_deal,
    stressed_pool,
)

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
    assert o.coupons_pct == {"senior": Decimal("4.00"), "mezz": Decimal("8.00")}
    assert o.period_income_cap_pct == {"sub": Decimal("5.00")}
    assert (o.tax_rate_pct, o.fees_pct_pa) == (Decimal("3.26"), Decimal("0.12"))


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
    assert [i.kind for i in d.incidents] == ["series_issuance_failure"] and d.incidents[0].series == 2
    assert d.remedies.over_term_repurchase is True   # the report counts on it in this case
    ok = stressed_deal(deal, method, "issuance_ok", rating_levels(method, "AAA"))
    assert ok.incidents == [] and ok.remedies.over_term_repurchase is True


def test_the_outflow_stresses_land_on_the_classes_they_name(deal, method):
    """Table 14: senior 3% + 100 bp, mezz 7% + 100 bp, the sub's period income capped at 5%;
    the rest of each class (size, rating, maturities) is the deal's."""
    d = stressed_deal(deal, method, "issuance_ok", rating_levels(method, "AAA"))
    assert [(c.name, c.coupon_pct) for c in d.classes] == [
        ("senior", Decimal("4")), ("mezz", Decimal("8")), ("sub", Decimal("0"))]
    assert d.note_class("sub").period_income.cap_pct == Decimal("5")
    assert [c.size_wan for c in d.classes] == [c.size_wan for c in deal.classes]
    assert d.note_class("senior").rolling_series == deal.note_class("senior").rolling_series


def test_the_all_in_fee_replaces_every_fee_but_the_tax(deal, method):
    """The report gives 0.12% a year of the notes, all in: the deal's first fee on the notes
    (the trustee's) carries it, every other fee and the expense cap are 0; the tax on income
    takes Table 14's 3.26%. The waterfalls still name every fee."""
    d = stressed_deal(deal, method, "issuance_ok", rating_levels(method, "AAA"))
    fees = {f.name: f for f in d.fees}
    assert list(fees) == [f.name for f in deal.fees]
    assert (fees["taxes"].basis, fees["taxes"].pct) == ("pct_of_income", Decimal("3.26"))
    assert (fees["trustee_fee"].basis, fees["trustee_fee"].pct_per_year) == ("pct_of_notes", Decimal("0.12"))
    assert [fees[n].pct_per_year for n in ("custodian_fee", "servicer_fee", "registrar_paying_agent_fee")] == [0, 0, 0]
    assert [fees[n].cny_per_year for n in ("trustee_counsel_fees", "rating_fees", "expenses")] == [0, 0, 0]
    assert fees["expenses"].cap_cny_per_year == 0
    assert d.waterfalls == deal.waterfalls


def test_a_deal_without_a_fee_on_the_notes_carries_the_all_in_rate_on_an_uncapped_fee(deal, method):
    data = deal.model_dump(mode="json")
    data["fees"] = [f for f in data["fees"] if f["basis"] != "pct_of_notes"]
    data["servicing"] = {**data["servicing"], "fee": None, "successor_fee_step_up_pct_per_year": "0"}
    for acts in data["waterfalls"].values():
        for a in acts:
            if a.get("id") == "fees_within_cap":
                a["pay_fees"] = ["expenses"]
    from trustsim.config.load import validate_deal

    d = stressed_deal(validate_deal(data, "no fee on the notes"), method, "issuance_ok", Levels.none())
    fees = {f.name: f for f in d.fees}
    assert (fees["trustee_counsel_fees"].basis, fees["trustee_counsel_fees"].pct_per_year) == (
        "pct_of_notes", Decimal("0.12"))   # the first uncapped fee that is not the tax
    assert fees["rating_fees"].cny_per_year == fees["expenses"].cap_cny_per_year == 0


def test_the_method_names_the_deals_classes_whatever_they_are_called(deal, method):
    renamed = renamed_deal(deal)
    with pytest.raises(ConfigError, match=r"outflows.coupons_pct.senior: the deal dongdao3_2020_1 has no class "
                                          r"named 'senior' \(classes: tranche_a, tranche_b, equity\)"):
        stressed_deal(renamed, method, "issuance_ok", Levels.none())
    outflows = method.outflows.model_copy(update={
        "coupons_pct": {RENAMES[c]: v for c, v in method.outflows.coupons_pct.items()},
        "period_income_cap_pct": {RENAMES[c]: v for c, v in method.outflows.period_income_cap_pct.items()}})
    d = stressed_deal(renamed, method.model_copy(update={"outflows": outflows}), "issuance_ok", Levels.none())
    assert [(c.name, c.coupon_pct) for c in d.classes] == [
        ("tranche_a", Decimal("4")), ("tranche_b", Decimal("8")), ("equity", Decimal("0"))]
    assert d.note_class("equity").period_income.cap_pct == Decimal("5")


def _with_outflows(method: StressMethod, **update) -> StressMethod:
    return method.model_copy(update={"outflows": method.outflows.model_copy(update=update)})


def test_a_class_the_deal_cannot_stress_so_is_an_error_naming_the_field(deal, method):
    with pytest.raises(ConfigError, match=r"m.yaml: outflows.coupons_pct.junior: the deal dongdao3_2020_1 has no "
                                          r"class named 'junior'"):
        check_outflows(_with_outflows(method, coupons_pct={"junior": Decimal(9)}), deal, "m.yaml")
    with pytest.raises(ConfigError, match=r"outflows.coupons_pct.sub: class 'sub' is paid period income, not a "
                                          r"coupon; stress it under outflows.period_income_cap_pct"):
        check_outflows(_with_outflows(method, coupons_pct={"sub": Decimal(9)}), deal)
    with pytest.raises(ConfigError, match=r"outflows.period_income_cap_pct.mezz: class 'mezz' has no period_income"):
        check_outflows(_with_outflows(method, period_income_cap_pct={"mezz": Decimal(9)}), deal)
    no_tax = deal.model_copy(update={"fees": [f for f in deal.fees if f.basis != "pct_of_income"]})
    with pytest.raises(ConfigError, match=r"outflows.tax_rate_pct: the deal dongdao3_2020_1 has no tax on income"):
        check_outflows(method, no_tax)
    capped = deal.model_copy(update={"fees": [f for f in deal.fees if f.cap_cny_per_year is not None
                                              or f.basis == "pct_of_income"]})
    with pytest.raises(ConfigError, match=r"outflows.fees_pct_pa: the deal dongdao3_2020_1 has no fee that can "
                                          r"carry the all-in rate"):
        check_outflows(method, capped)


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


def test_a_methods_cases_are_its_own(deal, method, tmp_path):
    """A case is any named overlay; all of them run, in the file's order, by default."""
    import yaml

    from trustsim.risk.stress import check_selection

    data = yaml.safe_load(METHOD.read_text())
    data["cases"] = {"rates_up": {"description": "coupons as stressed", "overlay": {}}}
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    m = load_method(path)
    assert check_selection(m, None, None) == (["rates_up"], ["AAA", "A-", "BBB+"])
    assert check_selection(method, None, ["AAA"]) == (["issuance_ok", "issuance_fails"], ["AAA"])
    with pytest.raises(ValueError, match=r"unknown case 'issuance_ok' \(known: rates_up\)"):
        check_selection(m, ["issuance_ok"], None)
    data["cases"] = {}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"m.yaml: cases: .*at least 1 item"):
        load_method(path)
