"""Deals that make no sense are refused instead of run: a waterfall that can never repay a class,
two incidents of one kind at once. Each used to run to the end without a word."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from trustsim.config import ConfigError, load_deal
from trustsim.config.waterfalls import Action
from trustsim.risk.operational import without_overlaps
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"


def steps(deal, waterfall: str) -> list[dict]:
    return [s.model_dump(exclude_none=True) for s in deal.waterfalls[waterfall]]


def step_id(action: dict) -> str:
    return Action.model_validate(action).step


# ---------------------------------------------------------------- waterfalls
def test_an_amortization_waterfall_without_mezz_principal_is_refused_not_a_total_loss_for_the_mezz(deal):
    amortization = [s for s in steps(deal, "amortization") if step_id(s) != "mezz_principal"]
    for s in amortization:
        s["after_paid_in_full"] = [g for g in s["after_paid_in_full"] if g != "mezz_principal"]
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"waterfalls": {"amortization": amortization}})
    assert (f"{DEAL}: waterfalls.amortization: no pay_principal action repays class 'mezz', so its "
            "principal could never be repaid") == str(err.value)


def test_a_principal_step_after_the_residual_is_refused_since_the_residual_takes_everything(deal):
    post = steps(deal, "post_default")
    residual = post.pop(next(i for i, s in enumerate(post) if step_id(s) == "residual_to_sub"))
    at = next(i for i, s in enumerate(post) if step_id(s) == "senior_principal")
    post.insert(at, residual)
    post.append({"retain": True, "clause": "test"})
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"waterfalls": {"post_default": post}})
    assert (f"waterfalls.post_default[{at}] (pay_residual: sub): pay_residual takes what is left, so it "
            "must be the last action") in str(err.value)


def test_after_revolving_a_waterfall_must_end_with_the_residual_since_nothing_is_bought(deal):
    amortization = steps(deal, "amortization")
    amortization[-1] = {"retain": True, "clause": "test"}
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"waterfalls": {"amortization": amortization}})
    assert ("waterfalls.amortization: ends with retain, but after revolving nothing is bought; end it "
            "with pay_residual") in str(err.value)


def test_the_revolving_waterfall_repays_no_principal_by_design(deal):
    assert not [a for a in deal.waterfalls["revolving"] if a.key == "pay_principal"]
    assert deal.waterfalls["revolving"][-1].key == "retain"


# ---------------------------------------------------------------- incidents of one kind at once
def outage(start: str, days: int) -> dict:
    return {"kind": "servicer_outage", "start": start, "duration_business_days": days}


def insolvency(start: str, successor_after_days: int = 60) -> dict:
    return {"kind": "servicer_insolvency", "start": start, "recovery_rate": 0.5, "recovery_delay_days": 90,
            "successor_after_days": successor_after_days}


def test_two_overlapping_outages_are_refused_naming_both_not_ended_early_by_the_first():
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"incidents": [outage("2021-03-05", 3), outage("2021-03-01", 7)]})
    assert ("incidents[0] (servicer_outage from 2021-03-05) overlaps incidents[1] (servicer_outage from "
            "2021-03-01, lasting until 2021-03-10): the servicer's systems cannot go down again while they are "
            "down; make them one incident, or start the later one after 2021-03-10") in str(err.value)


def test_an_outage_starting_on_the_day_the_first_ends_is_refused():
    with pytest.raises(ConfigError, match=r"incidents\[1\] \(servicer_outage from 2021-03-10\) overlaps"):
        load_deal(DEAL, overrides={"incidents": [outage("2021-03-01", 7), outage("2021-03-10", 3)]})


def test_back_to_back_outages_both_run_each_to_its_own_end():
    deal = load_deal(DEAL, overrides={"incidents": [outage("2021-03-01", 7), outage("2021-03-11", 3)]})
    stream = io.BytesIO()
    run_deal(deal, stream)
    log = stream.getvalue().decode()
    ends = [line for line in log.splitlines() if '"incident_ended"' in line]
    assert len(ends) == 2
    assert '"date":"2021-03-10"' in ends[0] and '"date":"2021-03-16"' in ends[1]


def test_the_originator_cannot_become_insolvent_twice():
    incidents = [{"kind": "originator_insolvency", "start": d} for d in ("2021-03-01", "2022-01-04")]
    with pytest.raises(ConfigError, match=r"incidents\[1\] \(originator_insolvency from 2022-01-04\) overlaps "
                                          r"incidents\[0\] .* lasting to the end of the deal\): the originator "
                                          r"cannot become insolvent twice .*; remove one"):
        load_deal(DEAL, overrides={"incidents": incidents})


def test_a_second_servicer_insolvency_before_the_successor_is_refused_after_it_is_accepted():
    with pytest.raises(ConfigError, match=r"incidents\[1\] \(servicer_insolvency from 2021-07-01\) overlaps "
                                          r"incidents\[0\] \(servicer_insolvency from 2021-06-10, lasting until "
                                          r"2021-08-09\)"):
        load_deal(DEAL, overrides={"incidents": [insolvency("2021-06-10"), insolvency("2021-07-01")]})
    later = load_deal(DEAL, overrides={"incidents": [insolvency("2021-06-10"), insolvency("2021-09-01")]})
    assert len(later.incidents) == 2   # the successor servicer can fail too


def test_a_monte_carlo_path_drops_a_sampled_outage_that_would_overlap_the_deals_own():
    deal = load_deal(DEAL, overrides={"incidents": [outage("2021-03-01", 7)]})
    sampled = [outage("2021-03-08", 2), {"kind": "originator_downgrade", "start": "2021-03-09", "rating": "A+"},
               outage("2021-04-01", 2), outage("2021-04-02", 5)]
    assert without_overlaps(deal, sampled) == [sampled[1], sampled[2]]


def test_a_sampled_incident_the_deal_would_refuse_is_left_for_the_path_to_name():
    deal = load_deal(DEAL)
    too_long = outage("2021-04-01", 10**6)
    assert without_overlaps(deal, [too_long]) == [too_long]


def test_a_scenario_switches_a_rule_to_another_shape() -> None:
    """An overlay's key of one shape drops the base's alternative: a monthly amortization
    schedule over one in business days, every 3rd calculation date over numbered ones."""
    from trustsim.config.load import deep_merge

    base = {"dates": {"amortization_schedule": {"every_business_days": 10}, "x": 1},
            "classes": [{"name": "mezz", "interest": {"revolving": {"calculation_dates": [4]}}}]}
    over = {"dates": {"amortization_schedule": {"every_months": 1}},
            "classes": [{"name": "mezz", "interest": {"revolving": {"every_n_calculation_dates": 3}}}]}
    merged = deep_merge(base, over)
    assert merged["dates"] == {"amortization_schedule": {"every_months": 1}, "x": 1}
    assert merged["classes"] == [{"name": "mezz", "interest": {"revolving": {"every_n_calculation_dates": 3}}}]


def test_a_pool_of_another_kind_replaces_the_pool() -> None:
    from trustsim.config.load import deep_merge

    merged = deep_merge({"pool": {"kind": "rep_line", "mpr_pct": 20}}, {"pool": {"kind": "loan_level", "scale": 1}})
    assert merged["pool"] == {"kind": "loan_level", "scale": 1}


def test_an_error_names_list_items_by_index_and_name_without_internal_tags() -> None:
    from trustsim.config.load import field_path

    data = {"fees": [{"name": "taxes"}, {"name": "counsel", "basis": "fixed_per_year", "cny_per_year": "x"}],
            "dates": {"amortization_schedule": {"every_business_days": 0}}}
    assert field_path(("fees", 1, "fixed_per_year", "cny_per_year"), data) == "fees[1] (counsel).cny_per_year"
    assert field_path(("dates", "amortization_schedule", "business_days", "every_business_days"), data) \
        == "dates.amortization_schedule.every_business_days"
    assert field_path(("fees", 0, "payee"), data) == "fees[0] (taxes).payee"   # a missing field is named
