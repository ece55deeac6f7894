"""The disclosure rules files: strict, every rule sourced, errors naming the field; the
desk's deadlines in business and calendar days (trustsim.disclosure)."""

from __future__ import annotations

import datetime as dt
import typing

import pytest
import yaml

from trustsim.config.errors import ConfigError
from trustsim.disclosure.desk import Desk
from trustsim.disclosure.rules import (
    MARKETS,
    EventKind,
    load_rules,
    market_of,
    parse_rules,
    rules_path,
)

EVENTS = set(typing.get_args(EventKind))


@pytest.mark.parametrize("market", MARKETS)
def test_each_market_has_a_rule_for_every_event_each_with_a_source_and_a_deadline(market):
    rules = load_rules(rules_path(market))
    assert rules.market == market
    assert {r.event for r in rules.rules} == EVENTS
    for r in rules.rules:
        assert r.sources and r.deadline.days == 2 and r.deadline.basis == "business"
        for c in r.sources:
            assert rules.sources[c.ref].title and c.article


def test_the_market_is_the_deals_business_days():
    assert market_of({"calendar": {"business_days": "exchange"}}) == "exchange"
    assert market_of({"calendar": {"business_days": "interbank"}}) == "interbank"
    assert market_of({}) == "interbank"      # the calendar section's default


def _data() -> dict:
    return yaml.safe_load(rules_path("exchange").read_text(encoding="utf-8"))


def _error(data: dict) -> str:
    with pytest.raises(ConfigError) as exc:
        parse_rules(data, "rules.yaml")
    return str(exc.value)


def test_an_unknown_key_is_named():
    data = _data()
    data["rules"][0]["deadlines"] = data["rules"][0].pop("deadline")
    msg = _error(data)
    assert "rules.yaml: rules[0] (missed_payment).deadlines: Extra inputs are not permitted" in msg
    assert "rules.yaml: rules[0] (missed_payment).deadline: Field required" in msg


def test_a_threshold_that_does_not_fit_its_event_is_named():
    data = _data()
    rule = next(r for r in data["rules"] if r["id"] == "rating_downgrade")
    rule["threshold"] = {"pct": 10}
    assert "threshold.pct: not a threshold of event rating_downgrade (it takes min_notches)" \
        in _error(data)
    data = _data()
    rule = next(r for r in data["rules"] if r["id"] == "cumulative_loss")
    rule["threshold"] = {"pct": 10}
    assert "threshold.of: required for event cumulative_loss" in _error(data)


def test_a_citation_of_a_source_the_file_does_not_list_is_named():
    data = _data()
    data["rules"][1]["sources"][0]["ref"] = "csrc_2015"
    assert "rules[1] (cash_flow_shortfall).sources[0].ref: no source 'csrc_2015'" in _error(data)


def test_a_rule_id_used_twice_and_a_bad_basis_are_named():
    data = _data()
    data["rules"][2]["id"] = data["rules"][0]["id"]
    assert "rules[2] (missed_payment).id: used twice" in _error(data)
    data = _data()
    data["rules"][3]["deadline"]["basis"] = "trading"
    assert "rules.yaml: rules[3] (rating_downgrade).deadline.basis: Input should be 'business' or " \
        "'calendar'" in _error(data)


def test_a_missing_rules_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the disclosure rules"):
        load_rules(tmp_path / "none.yaml")
    (tmp_path / "bad.yaml").write_text("rules: [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: not valid YAML"):
        load_rules(tmp_path / "bad.yaml")


class _Weekdays:
    """Business days: Monday to Friday."""

    def add_business_days(self, d: dt.date, n: int) -> dt.date:
        while n > 0:
            d += dt.timedelta(days=1)
            n -= d.weekday() < 5
        return d


def test_deadlines_count_business_or_calendar_days():
    data = _data()
    for r in data["rules"]:
        if r["id"] == "party_insolvency":
            r["deadline"] = {"days": 3, "basis": "calendar"}
    desk = Desk(parse_rules(data, "rules.yaml"), _Weekdays(), {}, 1)
    friday = dt.date(2024, 3, 1)
    [insolvent] = desk.party_insolvent(friday, "servicer")
    [fired] = desk.trigger_fired(friday, "acceleration", "e")
    assert insolvent.due_date == dt.date(2024, 3, 4)        # 3 calendar days: Monday
    assert fired.due_date == dt.date(2024, 3, 5)            # 2 business days: Tuesday
    assert desk.party_insolvent(friday, "trustee") == []   # the rule covers originator, servicer


def test_a_downgrade_needs_its_notches_and_an_unrated_change_is_none():
    data = _data()
    for r in data["rules"]:
        if r["id"] == "rating_downgrade":
            r["threshold"] = {"min_notches": 2}
    desk = Desk(parse_rules(data, "rules.yaml"), _Weekdays(), {}, 1)
    day = dt.date(2024, 3, 1)
    assert desk.rating_changed(day, "originator", "AA+", "AA") == []       # one notch
    assert [d.facts["notches"] for d in desk.rating_changed(day, "originator", "AA+", "AA-")] == [2]
    assert desk.rating_changed(day, "originator", "AA+", "withdrawn") == []


# ---------------------------------------------------------------- the rules are package data
def test_the_bundled_rules_are_package_data_read_with_importlib_resources():
    from importlib import resources
    from pathlib import Path

    from trustsim.disclosure.rules import rules_for_market

    folder = resources.files("trustsim.disclosure") / "markets"
    for market in MARKETS:
        assert (folder / f"{market}.yaml").is_file()
        assert rules_for_market(market).market == market
    # one copy: the rules are not also kept beside the deals
    assert not (Path(__file__).resolve().parents[2] / "configs" / "disclosure").exists()


def test_trustsim_installed_from_a_wheel_finds_its_disclosure_rules(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    src = tmp_path / "src"     # the sources a wheel is built from (no caches, no run folders)
    shutil.copytree(root / "trustsim", src / "trustsim",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, src / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q",
                            "-w", str(tmp_path / "dist")], capture_output=True, text=True)
    if built.returncode and "No matching distribution" in built.stderr:
        pytest.skip("no package index to fetch the build backend from")
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("trustsim-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"trustsim/disclosure/markets/{m}.yaml" for m in MARKETS} <= set(names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    probe = ("import trustsim.disclosure as d, sys; "
             "assert d.__file__.startswith(sys.argv[1]), d.__file__; "
             "print(','.join(f'{m}:{len(d.rules_for_market(m).rules)}' for m in sys.argv[2:]))")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", probe, str(site), *MARKETS], cwd=tmp_path,
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ",".join(f"{m}:{len(load_rules(rules_path(m)).rules)}"
                                          for m in MARKETS)
