"""Operational-risk config: strict validation, and a sampler whose frequencies are what it says."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from conftest import ROOT
from support.renamed import renamed_deal, without_rolling

from trustsim.config import ConfigError
from trustsim.risk.operational import (
    OperationalConfig,
    incident_kinds,
    load_operational,
    rolled_series,
    sample_incidents,
    window,
)

SHIPPED = ROOT / "configs" / "montecarlo" / "operational.yaml"


def write(tmp_path, text: str):
    p = tmp_path / "operational.yaml"
    p.write_text(text)
    return p


def test_the_shipped_file_covers_every_incident_kind(deal):
    cfg = load_operational(SHIPPED, deal)
    assert set(cfg.incidents) == set(incident_kinds())


def test_a_negative_probability_is_an_error_naming_the_field(tmp_path):
    p = write(tmp_path, "incidents:\n  servicer_outage:\n    annual_probability: -0.1\n")
    with pytest.raises(ConfigError, match=r"operational.yaml: incidents.servicer_outage.annual_probability: "
                                          r"Input should be greater than or equal to 0"):
        load_operational(p)


def test_unknown_kinds_fields_and_impossible_values_are_errors(tmp_path, deal):
    with pytest.raises(ConfigError, match=r"incidents\.meteor_strike: unknown incident kind"):
        load_operational(write(tmp_path, "incidents:\n  meteor_strike: {annual_probability: 0.1}\n"))
    with pytest.raises(ConfigError, match=r"incidents\.servicer_outage\.fields: minutes not a field"):
        load_operational(write(tmp_path, "incidents:\n  servicer_outage:\n    annual_probability: 0.1\n"
                                         "    fields: {minutes: {dist: fixed, value: 3}}\n"))
    with pytest.raises(ConfigError, match="give exactly one of"):
        load_operational(write(tmp_path, "incidents:\n  servicer_outage: {}\n"))
    with pytest.raises(ConfigError, match="per_series_probability is for series_issuance_failure only"):
        load_operational(write(tmp_path, "incidents:\n  servicer_outage: {per_series_probability: 0.1}\n"))
    with pytest.raises(ConfigError, match=r"incidents.servicer_outage.fields.duration_business_days.lognormal.sigma: "
                                          r"Input should be greater than or equal to 0"):
        load_operational(write(tmp_path, "incidents:\n  servicer_outage:\n    annual_probability: 0.1\n    fields:\n"
                                         "      duration_business_days: {dist: lognormal, median: 2, sigma: -1}\n"))
    # a duration of 0 business days is not an outage: the deal's incident model says so, up front
    p = write(tmp_path, "incidents:\n  servicer_outage:\n    annual_probability: 0.1\n    fields:\n"
                        "      duration_business_days: {dist: fixed, value: 0}\n")
    with pytest.raises(ConfigError, match=r"incidents.servicer_outage.fields.duration_business_days: "
                                          r"Input should be greater than or equal to 1"):
        load_operational(p, deal)


def test_starts_are_poisson_at_the_annual_rate_within_the_window(deal):
    cfg = OperationalConfig.model_validate({"incidents": {"servicer_outage": {
        "annual_probability": 0.3, "max_per_path": 50,
        "fields": {"duration_business_days": {"dist": "uniform_int", "low": 1, "high": 5}}}}})
    first, last = window(deal, "expected_life")
    years = ((last - first).days + 1) / 365
    rng = np.random.default_rng(1)
    draws = [sample_incidents(cfg, deal, rng) for _ in range(4000)]
    mean = np.mean([len(d) for d in draws])
    expected = -math.log(1 - 0.3) * years                      # 0.357 a year over 2.07 years
    assert abs(mean - expected) < 4 * math.sqrt(expected / 4000)
    starts = [i["start"] for d in draws for i in d]
    assert min(starts) >= first.isoformat() and max(starts) <= last.isoformat()
    assert {i["duration_business_days"] for d in draws for i in d} == {1, 2, 3, 4, 5}


def test_only_the_first_failing_series_is_an_incident(deal):
    assert rolled_series(deal) == [2, 3, 4, 5, 6, 7]
    cfg = OperationalConfig.model_validate({"incidents": {"series_issuance_failure": {
        "per_series_probability": 1.0}}})
    assert sample_incidents(cfg, deal, np.random.default_rng(0)) == [{"kind": "series_issuance_failure",
                                                                       "series": 2}]


def test_one_kinds_frequency_does_not_reshuffle_anothers(deal):
    def cfg(p_outage):
        return OperationalConfig.model_validate({"incidents": {
            "servicer_outage": {"annual_probability": p_outage,
                                "fields": {"duration_business_days": {"dist": "fixed", "value": 2}}},
            "originator_downgrade": {"annual_probability": 0.5,
                                     "fields": {"rating": {"dist": "choice", "values": ["AA", "A"]}}}}})
    a = sample_incidents(cfg(0.0), deal, np.random.default_rng(7))
    b = sample_incidents(cfg(0.9), deal, np.random.default_rng(7))
    assert [i for i in a if i["kind"] == "originator_downgrade"] == \
        [i for i in b if i["kind"] == "originator_downgrade"]
    assert not [i for i in a if i["kind"] == "servicer_outage"]


def test_the_windows_are_the_deals_dates(deal):
    """Revolving: effective date to the day before revolving's scheduled end (21 months);
    expected life: to the last expected maturity of any class (2022-09-12, all three's)."""
    assert window(deal, "revolving") == (dt.date(2020, 8, 18), dt.date(2022, 5, 17))
    assert window(deal, "expected_life") == (dt.date(2020, 8, 18), dt.date(2022, 9, 12))
    later = deal.model_dump(mode="json")
    later["classes"][2]["expected_maturity"] = "2022-12-12"
    from trustsim.config.load import validate_deal

    assert window(validate_deal(later, "a later sub"), "expected_life")[1] == dt.date(2022, 12, 12)


def test_series_are_the_rolling_classs_whatever_it_is_called(deal):
    assert rolled_series(renamed_deal(deal)) == [2, 3, 4, 5, 6, 7]
    static = without_rolling(deal)
    assert rolled_series(static) == []
    cfg = OperationalConfig.model_validate({"incidents": {"series_issuance_failure": {
        "per_series_probability": 1.0}}})
    assert sample_incidents(cfg, static, np.random.default_rng(0)) == []
