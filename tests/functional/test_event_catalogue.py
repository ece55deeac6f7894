"""Every line a run writes is what the catalogue declares (trustsim.catalogue).

A reader of events.jsonl — the audit's DuckDB, a report, a person with jq — relies on a
field name meaning one thing of one type wherever it appears. Each test runs real deals
(the rep-line deal and every bundled scenario, the loan-level deal at a small scale, and
the overlays and partial runs that make the rarer events happen) and holds every line to
the catalogue: no undeclared field, none missing, each value of its declared type, logged
by its actor. Together they log every event the catalogue has.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from conftest import DEAL_FILE
from support.runs import small_loan_events
from support.scenarios import deal_run, other_deal_runs, scenarios_for

from trustsim.actors.messages import PoolChangeProposal
from trustsim.catalogue import EVENTS, field_types, problems
from trustsim.config import load_deal
from trustsim.pool.base import Offer, Selection
from trustsim.sim.runner import build

#: deals that log what no bundled scenario does: (scenario, overrides), as the remedy
#: tests run them (the same keys, so a session runs each once)
OVERLAYS: dict[str, tuple[str, dict[str, Any]]] = {
    "late requests explained, beyond the grace": ("base", {"incidents": [
        {"kind": "late_purchase_requests", "start": "2021-04-06", "duration_business_days": 12,
         "explained_before_1600": True}]}),
    "late requests explained, within the grace": ("base", {"incidents": [
        {"kind": "late_purchase_requests", "start": "2021-04-06", "duration_business_days": 3,
         "explained_before_1600": True}]}),
    "an insolvent originator cannot replace": ("return_surge_replacement", {"incidents": [
        {"kind": "originator_insolvency", "start": "2021-05-03"},
        {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 5,
         "lost_pct_per_month": 5}]}),
    "a servicer purchase below fair value": ("npl_spike_4bd_no_trigger", {"remedies": {
        "servicer_purchase": {"price_pct_of_principal": 5}}}),
    "senior arrears paid within the grace": ("senior_interest_default_event_a", {"incidents": [
        {"kind": "investment_loss", "start": "2021-03-17", "loss_pct": 100},
        {"kind": "servicer_transfer_failure", "start": "2021-03-17",
         "duration_business_days": 4, "explanation_accepted": True}]}),
    "a sweep that moves more than the servicer collected": ("sweep_short_corrected", {"incidents": [
        {"kind": "sweep_wrong_amount", "start": "2021-03-01", "error_cny": "250000.00",
         "corrected_after_business_days": 2}]}),
    "a D(h) failure cured, another found incurable": ("base", {"incidents": [
        {"kind": "declared_event", "start": "2021-04-06", "effect": "acceleration",
         "clause": "D(h)", "description": "main obligation not performed",
         "meeting_after_business_days": 10, "declared": True, "cured_after_days": 20},
        {"kind": "declared_event", "start": "2021-06-07", "effect": "acceleration",
         "clause": "D(h)", "description": "main obligation found incurable",
         "meeting_after_business_days": 10, "declared": True, "incurable": True}]}),
}

#: the bundled scenarios of the Dongdao deal (conftest's scenario_run runs them on it)
SCENARIOS = scenarios_for("dongdao3_2020_1")

#: loan-level runs: the base deal, and scenarios that move loans in and out of the pool
LOAN_SCENARIOS: list[tuple[str, ...]] = [(), ("return_surge_replacement",),
                                         ("npl_spike_4bd_no_trigger",), ("rollover_fails_series2",)]



def parse(stream: io.BytesIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def failed_instruction(deal) -> list[dict[str, Any]]:
    """The trustee instructs more than the trust account holds, on the day after issue."""
    stream = io.BytesIO()
    env, p = build(deal, stream)
    env.run(until=env.day_of(dt.date(2020, 8, 19)) + 0.5)
    p.trustee.instruct("senior_noteholders", "trust_account", 10**15, "more than the trust holds")
    env.run(until=env.day_of(dt.date(2020, 8, 20)))
    return parse(stream)


@pytest.fixture(scope="module")
def lost_assets_compensated(deal) -> list[dict[str, Any]]:
    """Lost assets when the originator has nothing to replace them with: it pays cash."""
    surge = {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 2,
             "lost_pct_per_month": 5}
    stream = io.BytesIO()
    env, _p = build(load_deal(DEAL_FILE, (), {"incidents": [surge]}), stream)
    env.pool.replacement_offer = lambda on, need: Offer(on, 0, 0)
    env.run(until=env.day_of(dt.date(2021, 5, 20)))
    return parse(stream)


@pytest.fixture(scope="module")
def pool_change_refused(deal) -> list[dict[str, Any]]:
    """The originator proposes a replacement of lower balance than the lost assets: refused."""
    stream = io.BytesIO()
    env, p = build(deal, stream)
    env.run(until=env.day_of(dt.date(2021, 5, 11)))
    sel = Selection("lost", env.today, 1_000_000, 0, 0)
    p.trustee.inbox.put(PoolChangeProposal("PC99999", env.today, "replacement", sel,
                                           Offer(env.today, 999_999, 0), 0))
    env.run(until=env.day_of(dt.date(2021, 5, 12)))
    return parse(stream)


def assert_matches_catalogue(events: list[dict[str, Any]]) -> None:
    assert events
    found = [p for e in events for p in problems(e)]
    assert not found, f"{len(found)} problem(s), first: " + "\n".join(found[:10])


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_line_of_a_bundled_scenario_is_as_catalogued(scenario_run, scenario):
    assert_matches_catalogue(scenario_run(scenario).events)


def test_every_line_of_the_base_run_is_as_catalogued(base_run):
    assert_matches_catalogue(base_run.events)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_line_of_a_rare_remedy_is_as_catalogued(scenario_run, overlay):
    assert_matches_catalogue(scenario_run(*OVERLAYS[overlay]).events)


@pytest.mark.parametrize("scenarios", LOAN_SCENARIOS, ids=lambda s: "+".join(("loans", *s)))
def test_every_line_of_a_loan_level_run_is_as_catalogued(scenarios):
    events = small_loan_events(scenarios)
    assert_matches_catalogue(events)
    # the loan-level pool counts its receivables, and shows the eligibility of each offer
    assert all(isinstance(e["loans"], int) for e in events if e["event"] == "receivables_transferred")
    assert any("eligibility" in e for e in events if e["event"] == "purchase_requested")


def test_every_line_of_a_failed_instruction_is_as_catalogued(failed_instruction):
    assert_matches_catalogue(failed_instruction)
    failed = [e for e in failed_instruction if e["event"] == "instruction_failed"]
    assert [(e["date"], e["from_account"], e["to_account"], e["amount_fen"]) for e in failed] == [
        ("2020-08-19", "trust_account", "senior_noteholders", 10**15)]
    # nothing moved, so it carries no posting: the postings are the events with a debit
    assert "debit" not in failed[0] and "credit" not in failed[0]


def test_every_line_of_a_refused_pool_change_is_as_catalogued(pool_change_refused):
    assert_matches_catalogue(pool_change_refused)
    refused = [e for e in pool_change_refused if e["event"] == "pool_change_refused"]
    assert [(e["change"], e["removed_fen"], e["added_fen"]) for e in refused] == [
        ("PC99999", 1_000_000, 999_999)]


def test_every_line_of_lost_assets_compensated_is_as_catalogued(lost_assets_compensated):
    assert_matches_catalogue(lost_assets_compensated)
    comp = [e for e in lost_assets_compensated if e["event"] == "lost_assets_compensated"]
    assert comp and all(e["cash_fen"] == e["removed_fen"] > 0 for e in comp)


@pytest.fixture
def every_log(base_run, scenario_run, failed_instruction, lost_assets_compensated,
              pool_change_refused):
    return [base_run.events, *(scenario_run(s).events for s in SCENARIOS),
            *(scenario_run(*o).events for o in OVERLAYS.values()),
            *(small_loan_events(s) for s in LOAN_SCENARIOS),
            # the other bundled deals (each line against the catalogue: test_bundled_deals.py)
            *(deal_run(*r).events for r in other_deal_runs()),
            failed_instruction, lost_assets_compensated, pool_change_refused]


def test_every_catalogued_event_is_checked_by_some_run(every_log):
    logged = {e["event"] for events in every_log for e in events}
    assert set(EVENTS) - logged == set()


def json_kind(value: Any) -> str:
    return {bool: "boolean", int: "number", str: "string", list: "array", dict: "object"}[type(value)]


def test_a_reader_finds_one_json_type_under_each_field_name(every_log):
    # what a jq or DuckDB user sees, whatever the catalogue says: across every event of
    # every log, a name (in a run's calendar, a trigger's figures and an offer's
    # eligibility too) holds values of one JSON type, null aside
    kinds: dict[str, set[str]] = {}
    for events in every_log:
        for e in events:
            for key, value in [*e.items(), *e.get("calendar", {}).items(),
                               *e.get("figures", {}).items(), *e.get("eligibility", {}).items()]:
                if value is not None:
                    kinds.setdefault(key, set()).add(json_kind(value))
    assert {k: v for k, v in kinds.items() if len(v) > 1} == {}
    assert kinds["notes_outstanding_fen"] == kinds["npl_ratio_ppm"] == {"number"}
    assert kinds["cc"] == kinds["business_days"] == {"string"}   # the calendar's kind of day
    assert kinds["delay_business_days"] == {"number"}


def test_the_fields_that_had_two_types_have_one_each():
    # notes_outstanding_fen was a number at each close and a per-class mapping at
    # termination; cc a string and a list; npl_ratio_ppm a number and a trigger's list
    types = field_types()
    assert types["notes_outstanding_fen"] == {"fen"}
    assert types["notes_outstanding_by_class_fen"] == {"dict[str, fen]"}
    assert types["cc"] == {"str"}
    assert types["notified"] == {"list[str]"}
    assert types["npl_ratio_ppm"] == {"int"}
    assert types["npl_ratio_by_day_ppm"] == {"list[int]"}
    assert "notes_outstanding_by_class_fen" in EVENTS["trust_terminated"].fields
    assert "notified" in EVENTS["purchase_confirmed"].fields


def test_the_renamed_fields_are_logged_under_their_new_names(base_run, scenario_run):
    end = base_run.of("trust_terminated")[0]
    assert end["notes_outstanding_by_class_fen"] == {"senior": 0, "mezz": 0, "sub": 0}
    assert "notes_outstanding_fen" not in end
    assert base_run.of("purchase_confirmed")[0]["notified"] == ["originator", "servicer"]
    fired = scenario_run("npl_spike_trigger_e").of("trigger_fired")[0]["figures"]
    assert len(fired["npl_ratio_by_day_ppm"]) == 5 and "npl_ratio_ppm" not in fired
