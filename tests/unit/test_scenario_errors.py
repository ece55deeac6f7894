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
                              "incidents.0: Input tag 'alien_invasion' found using 'kind' does not match"),
    "date outside the deal": ({"kind": "originator_insolvency", "start": "2025-01-02"},
                              "incidents[0] (originator_insolvency): start 2025-01-02 is outside"),
    "negative duration": ({"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": -3},
                          "incidents.0.servicer_outage.duration_business_days"),
    "recovery rate above 1": ({"kind": "servicer_insolvency", "start": "2021-06-10", "recovery_rate": 1.2,
                               "recovery_delay_days": 10, "successor_after_days": 10},
                              "incidents.0.servicer_insolvency.recovery_rate"),
    "unknown field": ({"kind": "originator_downgrade", "start": "2021-04-15", "rating": "A+", "notch": 2},
                      "incidents.0.originator_downgrade.notch"),
    "not a rating": ({"kind": "originator_downgrade", "start": "2021-04-15", "rating": "ZZZ"},
                     "incidents.0.originator_downgrade.rating"),
    "a cure where the contract gives none": (
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration",
         "clause": "D(j)", "description": "material adverse effect",
         "meeting_after_business_days": 10, "declared": True, "cured_after_days": 10},
        "incidents.0.declared_event: Value error, cured_after_days: clause D(j) has no cure "
        "period (only D(h) and c do)"),
    "default (c) found incurable": (
        {"kind": "declared_event", "start": "2021-04-06", "effect": "default", "clause": "c",
         "description": "main obligation", "meeting_after_business_days": 10,
         "declared": True, "incurable": True},
        "incurable: only a D(h) failure can be found incurable, not clause c"),
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
    for p in sorted((ROOT / "configs" / "scenarios").glob("*.yaml")):
        first = p.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# Question:"), p.name
        load_deal(DEAL, [p])
