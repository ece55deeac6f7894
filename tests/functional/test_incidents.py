"""Every bundled scenario: cash conserved to the fen, incidents logged when they start and end,
and commingling reported."""

from __future__ import annotations

import pytest
from support.cash import INTERNAL, replay
from support.scenarios import deal_run, other_deal_runs, scenarios_for

#: the bundled scenarios of the Dongdao deal (conftest's scenario_run runs them on it)
DONGDAO = scenarios_for("dongdao3_2020_1")


def assert_cash_conserved(run, name, reserves=()) -> None:
    for snap, bal, came_in, paid_out in replay(run.events, reserves):
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct], (name, snap["date"], acct)
        # a deal's reserve accounts are logged by name
        assert snap.get("reserve_accounts_fen", {}) == {r: bal[r] for r in reserves}, (name, snap["date"])
        assert sum(bal.values()) == came_in - paid_out
    fin = run.of("run_finished")[0]
    assert fin["held_fen"] == 0 and fin["total_in_fen"] == fin["total_out_fen"]
    b = run.env.pool.balances()
    assert b.outstanding_fen == 0


def assert_incidents_logged(run) -> None:
    started = run.of("incident_started")
    assert len(started) == len(run.summary["incidents"])
    for rec, ev in zip(run.summary["incidents"], started, strict=True):
        assert (rec["incident"], rec["start"]) == (ev["incident"], ev["date"])
        if rec["end"]:
            ended = [e for e in run.of("incident_ended") if e["incident"] == rec["incident"]]
            assert [e["date"] for e in ended] == [rec["end"]]


@pytest.mark.parametrize("name", DONGDAO)
def test_cash_is_conserved_in_every_bundled_scenario(scenario_run, name):
    assert_cash_conserved(scenario_run(name), name)


@pytest.mark.parametrize(("deal_name", "name"), other_deal_runs())
def test_cash_is_conserved_in_every_scenario_of_the_other_bundled_deals(deal_name, name):
    run = deal_run(deal_name, name)
    assert_cash_conserved(run, name, [r.name for r in run.deal.accounts.reserves])


@pytest.mark.parametrize("name", DONGDAO)
def test_incidents_are_logged_at_start_and_end(scenario_run, name):
    assert_incidents_logged(scenario_run(name))


@pytest.mark.parametrize(("deal_name", "name"), other_deal_runs())
def test_incidents_are_logged_at_start_and_end_in_the_other_bundled_deals(deal_name, name):
    assert_incidents_logged(deal_run(deal_name, name))


def test_servicer_insolvency_commingles_the_collection_account(scenario_run):
    """The account frozen on 2021-06-10 holds what was not yet swept and takes in what obligors
    pay until they are redirected; all of it passes to the estate, 30% comes back 180 days
    after the insolvency (tests/functional/test_servicer_failure.py: each rule in detail)."""
    run = scenario_run("servicer_insolvency_commingling")
    before = [e for e in run.of("day_closed") if e["date"] < "2021-06-10"][-1]
    received_since = sum(e["amount_fen"] for e in run.of("collections_received")
                         if before["date"] < e["date"] < "2021-06-10")
    swept_since = sum(e["amount_fen"] for e in run.of("collections_swept")
                      if before["date"] < e["date"] <= "2021-06-10")
    frozen = run.of("collection_account_frozen")[0]
    assert frozen["date"] == "2021-06-10"
    assert frozen["balance_fen"] == before["collection_account_fen"] + received_since - swept_since
    commingled = run.of("collections_commingled")[0]
    at_risk = sum(e["amount_fen"] for e in run.of("collections_received")
                  if e["date"] >= "2021-06-10" and e["seq"] < commingled["seq"])
    assert commingled["amount_fen"] == frozen["balance_fen"] + at_risk
    recovery = next(e for e in run.of("transfer_received") if e["payer"] == "servicer_estate")
    assert recovery["date"] == "2021-12-07"  # 180 days later
    assert recovery["amount_fen"] == (commingled["amount_fen"] * 3 + 5) // 10
    c = run.summary["commingling"]
    assert c["lost_fen"] == commingled["amount_fen"] - recovery["amount_fen"]
    # the frozen transfers fire (c) that day; the successor takes over after 30 days: no (b)
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [("c", "2021-06-10")]
    assert [e["date"] for e in run.of("successor_appointed")] == ["2021-07-10"]


def test_pool_incidents_change_behaviour_only_while_they_last(scenario_run):
    run = scenario_run("return_surge_replacement")
    found = [e["date"] for e in run.of("lost_assets_found")]
    assert min(found) >= "2021-05-10" and max(found) <= "2021-06-07"
