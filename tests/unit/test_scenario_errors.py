"""A bad scenario is a clear error naming the field, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import ConfigError, load_deal

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"

BAD = {
    "unknown incident kind": ({"kind": "alien_invasion", "start": "2021-01-04"},
                              "incidents[0]: Input tag 'alien_invasion' found using 'kind' does not match"),
    "date outside the deal": ({"kind": "originator_insolvency", "start": "2025-01-02"},
                              "incidents[0] (originator_insolvency): start 2025-01-02 is outside"),
    "negative duration": ({"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": -3},
                          "incidents[0].duration_business_days"),
    "recovery rate above 1": ({"kind": "servicer_insolvency", "start": "2021-06-10", "recovery_rate": 1.2,
                               "recovery_delay_days": 10, "successor_after_days": 10},
                              "incidents[0].recovery_rate"),
    "unknown field": ({"kind": "originator_downgrade", "start": "2021-04-15", "rating": "A+", "notch": 2},
                      "incidents[0].notch"),
    "not a rating": ({"kind": "originator_downgrade", "start": "2021-04-15", "rating": "ZZZ"},
                     "incidents[0].rating"),
    "a cure where the contract gives none": (
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration",
         "clause": "D(j)", "description": "material adverse effect",
         "meeting_after_business_days": 10, "declared": True, "cured_after_days": 10},
        "incidents[0].cured_after_days: clause D(j) has no cure period "
        "(declared_events.curable_clauses: D(h), c)"),
    "an incurable failure under a clause with no cure period": (
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration", "clause": "D(j)",
         "description": "material adverse effect", "meeting_after_business_days": 10,
         "declared": True, "incurable": True},
        "incidents[0].incurable: a failure under clause D(j) cannot be found incurable "
        "(declared_events.may_be_found_incurable: D(h))"),
    "an incurable failure cured": (
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration", "clause": "D(h)",
         "description": "servicer duties", "meeting_after_business_days": 10,
         "declared": True, "incurable": True, "cured_after_days": 5},
        "incidents[0]: cured_after_days: an incurable failure is not cured"),
}


def scenario(tmp_path: Path, incident: dict) -> Path:
    p = tmp_path / "bad_scenario.yaml"
    p.write_text(yaml.safe_dump({"incidents": [incident]}), encoding="utf-8")
    return p


@pytest.mark.parametrize("case", BAD)
def test_bad_scenario_names_the_field(tmp_path, case):
    incident, expected = BAD[case]
    path = scenario(tmp_path, incident)
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, [path])
    assert "bad_scenario.yaml" in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize("case", BAD)
def test_bad_scenario_on_the_command_line_writes_nothing(tmp_path, case):
    incident, _expected = BAD[case]
    path = scenario(tmp_path, incident)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(DEAL), "--scenario", str(path), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert "bad_scenario.yaml" in result.output
    assert not out.exists()


def test_every_bundled_scenario_says_what_question_it_answers():
    deals = {p.stem: p for p in (ROOT / "configs" / "deals").glob("*.yaml")}
    for p in sorted((ROOT / "configs" / "scenarios").glob("*.yaml")):
        first = p.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Question:"), p.name
        # a scenario loads on each deal it applies to (absent applies_to: the Dongdao deal)
        for name in yaml.safe_load(p.read_text(encoding="utf-8")).get("applies_to") or [DEAL.stem]:
            load_deal(deals[name], [p])


def test_a_scenario_for_another_deal_is_refused_naming_the_deals_it_applies_to():
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, ["static_defaults_turn_sequential"])
    assert "static_defaults_turn_sequential.yaml: this scenario applies to " in str(err.value)
    assert "not to deal 'dongdao3_2020_1'" in str(err.value)
