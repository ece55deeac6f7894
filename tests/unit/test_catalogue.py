"""The event catalogue declares each field once, with one type, and tells a bad line apart.

:func:`trustsim.catalogue.problems` is what the run tests hold every logged line to; these
tests show it catching each kind of mistake on a line built by hand.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

from typer.testing import CliRunner

from trustsim.catalogue import (
    ACTORS,
    EVENTS,
    FEN,
    FEN_BY_NAME,
    INCIDENT_PARAMETERS,
    field_types,
    markdown,
    problems,
)
from trustsim.cli import app
from trustsim.config.incidents import Incident

ROOT = Path(__file__).resolve().parents[2]

STAMP = {"seq": 7, "day": 0, "date": "2020-08-18", "actor": "trustee"}


def terminated(**changes):
    e = {**STAMP, "event": "trust_terminated", "cause": "notes repaid in full",
         "pool_released_fen": 12_345, "released_to": "sub_noteholders (in kind)",
         "final_distribution_fen": 0,
         "notes_outstanding_by_class_fen": {"senior": 0, "mezz": 0, "sub": 0}}
    e.update(changes)
    return e


def test_a_line_as_declared_has_no_problems():
    assert problems(terminated()) == []


def test_an_undeclared_field_is_named():
    assert problems(terminated(notes_outstanding_fen=0)) == [
        "seq 7 trust_terminated: field 'notes_outstanding_fen' is not declared"]


def test_a_missing_field_is_named():
    e = terminated()
    del e["released_to"]
    assert problems(e) == ["seq 7 trust_terminated: field 'released_to' is missing"]


def test_a_value_of_the_wrong_type_is_named_with_the_type_expected():
    assert problems(terminated(pool_released_fen="12345")) == [
        "seq 7 trust_terminated: field 'pool_released_fen' = '12345' is not fen"]
    # a bool is not an integer, nor an integer beyond what the audit's BIGINT holds
    assert problems(terminated(final_distribution_fen=True))
    assert problems(terminated(final_distribution_fen=2**63))
    assert problems(terminated(notes_outstanding_by_class_fen={"senior": 1.5}))


def test_null_only_where_declared():
    assert problems(terminated(cause=None)) == [
        "seq 7 trust_terminated: field 'cause' is null, expected str"]
    closed = {**STAMP, "actor": "environment", "event": "day_closed",
              **dict.fromkeys(EVENTS["day_closed"].fields, 0), "period": "revolving"}
    assert problems(closed) == []
    assert problems({**closed, "pool_loans": None}) == []   # a rep-line pool has no count


def test_a_date_must_be_a_real_iso_date():
    assert problems({**STAMP, "actor": "trustee", "event": "successor_appointed", "role": "servicer",
                     "date": "2020-02-30"}) == [
        "seq 7 successor_appointed: field 'date' = '2020-02-30' is not date"]


def test_a_record_is_checked_field_by_field():
    fired = {**STAMP, "event": "trigger_fired", "kind": "acceleration", "clause": "e",
             "figures": {"npl_ratio_by_day_ppm": [60_001, 60_002], "threshold_ppm": 60_000}}
    assert problems(fired) == []
    assert problems({**fired, "figures": {"npl_ratio_ppm": [60_001]}}) == [
        "seq 7 trigger_fired: field 'figures.npl_ratio_ppm' is not declared"]
    assert problems({**fired, "figures": {"threshold_ppm": "6%"}}) == [
        "seq 7 trigger_fired: field 'figures.threshold_ppm' = '6%' is not int"]


def test_a_run_started_with_a_holiday_file_is_checked_to_its_years():
    cal = {"business_days": "interbank", "rules": {}, "package_years": "2020-2026",
           "holiday_file": {"path": "tests/data/holidays.yaml", "sha256": "ab" * 32,
                            "years": [2027, 2028, 2029]},
           "unpublished_years": "refuse", "assumed_years": [], "days_sha256": "cd" * 32}
    started = {**STAMP, "actor": "environment", "event": "run_started", "deal": "d", "seed": 1,
               "pool": "rep_line", "initial_pool_fen": 100, "calendar": cal}
    assert problems(started) == []
    assert problems({**started, "calendar": {**cal, "holiday_file": None}}) == []
    bad = {**cal, "holiday_file": {**cal["holiday_file"], "years": ["2027"]}}
    assert problems({**started, "calendar": bad}) == [
        "seq 7 run_started: field 'calendar.holiday_file.years' = ['2027'] is not list[int]"]


def test_an_event_logged_by_another_actor_or_not_catalogued():
    assert problems(terminated(actor="servicer")) == [
        "seq 7 trust_terminated: logged by 'servicer', the catalogue says 'trustee'"]
    assert problems({**STAMP, "event": "replacement_transferred"}) == [
        "seq 7 replacement_transferred: not an event in the catalogue"]


def test_every_event_is_logged_by_one_of_the_five_actors():
    assert {spec.actor for spec in EVENTS.values()} == set(ACTORS)


def test_a_field_name_has_one_type_across_the_catalogue():
    clashes = {k: v for k, v in field_types().items() if len(v) > 1}
    assert clashes == {}


def test_money_is_fen_and_named_fen():
    for name, types in field_types().items():   # records' fields (a trigger's figures) too
        assert (types <= {FEN.name, FEN_BY_NAME.name}) == name.endswith("_fen"), name


def test_every_incident_parameter_a_scenario_can_give_is_declared():
    # incident_started/ended log the incident's parameters as its scenario gave them
    union = typing.get_args(Incident)[0]
    for model in typing.get_args(union):
        for name in model.model_fields:
            if name != "kind":
                assert name in INCIDENT_PARAMETERS, f"{model.__name__}.{name}"


def test_docs_list_every_event_with_its_fields():
    doc = (ROOT / "docs" / "events.md").read_text()
    assert markdown() in doc, "docs/events.md is behind: paste `trustsim events --markdown`"


def test_trustsim_events_prints_each_event_with_its_fields():
    out = CliRunner().invoke(app, ["events"]).output
    assert re.search(r"^trust_terminated +trustee +The trust terminates", out, re.M)
    assert "notes_outstanding_by_class_fen dict[str, fen]" in out
    md = CliRunner().invoke(app, ["events", "--markdown"]).output
    assert md == markdown()
