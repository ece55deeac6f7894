"""Asset remedies move the right receivables and cash between the right accounts on the
right business days [二.1(4), 一.4.3]."""

from __future__ import annotations

import datetime as dt

from conftest import DEAL_FILE

from trustsim.config import load_deal


def test_lost_assets_are_replaced_by_no_lower_balance_the_day_they_are_found(scenario_run):
    run = scenario_run("return_surge_replacement")
    found = run.of("lost_assets_found")
    replaced = run.of("lost_assets_replaced")
    assert found and len(found) == len(replaced)
    window = run.env.calendar.business_days_in(dt.date(2021, 5, 10), dt.date(2021, 6, 4))
    assert {e["date"] for e in found} <= {d.isoformat() for d in window} | {"2021-06-07"}
    for f, r in zip(found, replaced, strict=True):
        assert f["date"] == r["date"]
        assert r["removed_fen"] == f["principal_fen"] and r["added_fen"] >= r["removed_fen"]
    # a replacement is a swap of receivables: no cash moves, the notes are untouched
    assert not run.of("lost_assets_compensated")
    assert all(v["loss_fen"] == 0 for v in run.summary["notes"].values())


def test_lost_assets_compensated_in_cash_when_no_replacement_is_offered(deal):
    surge = {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 2,
             "lost_pct_per_month": 5}
    d = load_deal(DEAL_FILE, (), {"incidents": [surge]})
    import io

    from trustsim.pool.base import Offer
    from trustsim.sim.runner import build

    stream = io.BytesIO()
    env, _parties = build(d, stream)
    env.pool.replacement_offer = lambda on, need: Offer(on, 0, 0)  # the originator has none
    env.run(until=env.day_of(dt.date(2021, 5, 20)))
    import json

    events = [json.loads(x) for x in stream.getvalue().splitlines()]
    comp = [e for e in events if e["event"] == "lost_assets_compensated"]
    paid = [e for e in events if e["event"] == "transfer_received" and e["reason"] == "cash for lost assets"]
    assert comp and [e["amount_fen"] for e in paid] == [e["cash_fen"] for e in comp]
    assert [e["date"] for e in paid] == [e["date"] for e in comp]


def test_insolvent_originator_cannot_replace(scenario_run):
    run = scenario_run("return_surge_replacement", {"incidents": [
        {"kind": "originator_insolvency", "start": "2021-05-03"},
        {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 5,
         "lost_pct_per_month": 5}]})
    assert run.of("replacement_failed") and not run.of("lost_assets_replaced")


def test_over_term_assets_repurchased_and_paid_within_one_business_day(scenario_run):
    run = scenario_run("rollover_fails_series2")
    notice = run.of("over_term_repurchase_noticed")
    assert [(e["date"], e["cutoff"], e["pay_by"]) for e in notice] == [
        ("2020-12-18", "2020-11-18", "2020-12-21")]
    done = run.of("over_term_repurchased")[0]
    assert done["noticed_principal_fen"] == notice[0]["principal_fen"] == notice[0]["price_fen"]
    paid = [e for e in run.of("transfer_received") if e["reason"] == "over-term repurchase price"]
    assert [(e["date"], e["amount_fen"], e["debit"]) for e in paid] == [
        ("2020-12-21", done["price_fen"], "trust_account")]
    assert done["price_fen"] == done["principal_fen"] <= notice[0]["price_fen"]   # par, delivered
    # the price pays the senior down at the next amortization payment date
    assert run.summary["notes"]["senior"]["loss_fen"] == 0


def test_no_repurchase_when_the_deal_has_none(scenario_run):
    run = scenario_run("rollover_fails_series2", {"remedies": {"over_term_repurchase": False}})
    assert run.of("issuance_terminated") and not run.of("over_term_repurchase_noticed")
    assert not run.of("over_term_repurchased")


def test_servicer_buys_non_performing_assets_at_no_less_than_fair_value(scenario_run):
    run = scenario_run("npl_spike_4bd_no_trigger")
    req = run.of("servicer_purchase_requested")
    conf = run.of("servicer_purchase_confirmed")
    done = run.of("servicer_purchase_completed")
    assert req and len(req) == len(conf) == len(done)
    paid = [e for e in run.of("transfer_received") if e["payer"] == "servicer_affiliate"]
    for r, c, d, p in zip(req, conf, done, paid, strict=True):
        assert r["date"] == c["date"] == d["date"] == p["date"]
        assert r["price_fen"] == c["price_fen"] == p["amount_fen"] >= c["fair_value_fen"]
        assert r["price_fen"] == (r["principal_fen"] * 10 + 50) // 100  # 10% of principal, half up


def test_servicer_purchase_below_fair_value_is_refused(scenario_run):
    run = scenario_run("npl_spike_4bd_no_trigger", {"remedies": {"servicer_purchase": {
        "price_pct_of_principal": 5}}})
    assert run.of("servicer_purchase_rejected") and not run.of("servicer_purchase_completed")
    assert [t["clause"] for t in run.summary["triggers"]][:1] == ["e"]


def test_reserve_delay_holds_purchases_and_sweeps_until_the_outage_ends(scenario_run):
    run = scenario_run("servicer_outage_7bd")
    start, end = "2021-03-01", "2021-03-10"
    assert not [e for e in run.of("collections_swept") if start <= e["date"] < end]
    assert not [e for e in run.of("purchase_confirmed") if start <= e["date"] < end]
    backlog = next(e for e in run.of("collections_swept") if e["date"] == end)
    # Friday's receipts were due on Monday 2021-03-01: the backlog starts there
    assert backlog["late_since"] == start and backlog["received_from"] == "2021-02-26"
    assert run.summary["commingling"]["peak_date"] == "2021-03-09"
    peak = next(e for e in run.of("day_closed") if e["date"] == "2021-03-09")
    assert run.summary["commingling"]["peak_fen"] == peak["collection_account_fen"]


def _late_requests(scenario_run, days, explained=True):
    return scenario_run("base", {"incidents": [
        {"kind": "late_purchase_requests", "start": "2021-04-06", "duration_business_days": days,
         "explained_before_1600": explained}]})


def test_late_purchase_request_explained_gets_grace(scenario_run):
    run = _late_requests(scenario_run, 3)
    delayed = run.of("purchase_request_delayed")
    assert [e["date"] for e in delayed] == ["2021-04-06", "2021-04-07", "2021-04-08"]
    late = [e for e in run.of("purchase_requested") if e["late"]]
    assert [(e["date"], e["base_date"], e["purchase_date"]) for e in late] == [
        ("2021-04-09", "2021-04-08", "2021-04-12")]


def test_late_purchase_request_beyond_10_business_days_lapses(scenario_run):
    run = _late_requests(scenario_run, 12)
    # grace covers base dates 2021-04-06 .. 04-20 (10 business days); on 04-21 it is spent
    lapsed = run.of("purchase_request_lapsed")
    assert [(e["date"], e["base_date"]) for e in lapsed] == [("2021-04-21", "2021-04-20")]
    assert [e["base_date"] for e in run.of("purchase_request_missed")] == ["2021-04-21"]
    assert not [e for e in run.of("purchase_requested") if e["late"]]


def test_late_purchase_request_without_explanation_is_missed(scenario_run):
    run = _late_requests(scenario_run, 2, explained=False)
    assert len(run.of("purchase_request_missed")) == 2
    assert not run.of("purchase_request_delayed")


def test_clean_up_call_pays_performing_principal_at_par(base_run):
    notice = base_run.of("clean_up_call_noticed")[0]
    done = base_run.of("clean_up_repurchased")[0]
    assert done["price_fen"] == notice["price_fen"] == done["performing_fen"]
    assert notice["pool_outstanding_fen"] * 10 < base_run.summary["pool"]["initial_fen"]
