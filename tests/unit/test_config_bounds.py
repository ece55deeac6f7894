"""Values so large the run would crash on them (mid-simulation, after minutes) fail validation
instead, naming the field: bounds on money, seeds and spans of time live in the config's types."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from trustsim.config import ConfigError, load_deal
from trustsim.config.base import MAX_FEN, MAX_SEED
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
LOANS = ROOT / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"fees": [{"name": "trustee_counsel_fees", "cny_per_year": "1e30"}]},
     "fees[1] (trustee_counsel_fees).cny_per_year", "less than or equal to 10000000000000"),
    ({"fees": [{"name": "expenses", "cny_per_year": 10**18}]}, "fees[7] (expenses).cny_per_year",
     "less than or equal"),
    ({"classes": [{"name": "senior", "size_wan": "1e30"}]}, "classes[0] (senior).size_wan",
     "less than or equal to 1000000000"),
    ({"pool": {"initial_principal_wan": 10**10}}, "pool.initial_principal_wan", "less than or equal"),
    ({"run": {"seed": 2**70}}, "run.seed", "less than or equal to 9223372036854775807"),
    ({"dates": {"revolving_months": 10**18}}, "dates.revolving_months", "less than or equal to 240"),
    ({"dates": {"amortization_schedule": {"every_business_days": 10**18}}},
     "dates.amortization_schedule.every_business_days", "less than or equal to 250"),
    ({"triggers": [{"name": "servicer_not_replaced", "days": 10**18}]},
     "triggers[1] (servicer_not_replaced).days", "less than or equal to 3660"),
])
def test_a_huge_value_fails_validation_naming_its_field(overrides, field, words):
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides=overrides)
    assert f": {field}: " in str(err.value) and words in str(err.value)


def test_the_largest_seed_is_accepted_and_one_more_is_not():
    assert load_deal(DEAL, overrides={"run": {"seed": MAX_SEED}}).run.seed == 2**63 - 1
    with pytest.raises(ConfigError, match=r": run\.seed: "):
        load_deal(DEAL, overrides={"run": {"seed": MAX_SEED + 1}})
    with pytest.raises(ConfigError, match=r": pool\.tape_seed: "):
        load_deal(LOANS, overrides={"pool": {"tape_seed": 2**64}})


def test_the_largest_amount_moved_every_day_for_twenty_years_still_fits_in_int64():
    assert MAX_FEN * 366 * 20 < 2**63


def test_the_largest_fee_allowed_runs_to_the_end_without_overflow():
    deal = load_deal(DEAL, overrides={"fees": [{"name": "trustee_counsel_fees",
                                                "cny_per_year": MAX_FEN // 100}]})
    _env, _parties, summary = run_deal(deal, io.BytesIO())
    assert summary["trust_termination_date"] is not None
    assert summary["cash"]["fees_fen"] > 0


def test_a_revolving_period_outlasting_the_deal_is_refused_before_the_run():
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"dates": {"revolving_months": 60}})
    assert "dates.revolving_months: revolving would end on 2025-08-18, not before the legal maturity " \
           "2023-09-12" in str(err.value)


def test_an_incident_lasting_past_the_calendar_the_run_loads_is_refused():
    outage = {"kind": "servicer_outage", "start": "2023-06-01", "duration_business_days": 250}
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"incidents": [outage]})
    assert ("incidents[0] (servicer_outage).duration_business_days: 250 business days from 2023-06-01 is "
            "outside the loaded business-day calendar") in str(err.value)


def test_a_grace_ending_after_the_runs_last_day_is_refused_not_a_run_past_its_end():
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"triggers": [{"name": "principal_default", "grace_business_days": 40}]})
    assert ("triggers[9] (principal_default).grace_business_days: 40 business days of grace after the "
            "legal maturity 2023-09-12 end on 2023-11-13, after 2023-11-11, the last day a run of this "
            "deal simulates") in str(err.value)
    with pytest.raises(ConfigError, match=r"triggers\[8\] \(senior_interest_default\)\.grace_business_days: "
                                          r"45 business days"):
        load_deal(DEAL, overrides={"triggers": [{"name": "senior_interest_default", "grace_business_days": 45}]})
    assert load_deal(DEAL, overrides={"triggers": [{"name": "principal_default", "grace_business_days": 30}]})
