"""Parties that know only what they are told (issue 13 item 4): the sweep goes through the
custodian, and a change of the pool counts only once the trustee has confirmed it.

The sweep [一.4.1]: the servicer instructs a payment from its collection account (outside the
trust) into the trust account; the custodian executes it on the trust account's side and
advises the trustee, which counts the collections on that advice. Pool changes [二.1(4)]: the
originator proposes a change for lost assets, the trustee checks it against the deal's rules
and confirms it; only then does the pool change, and a removal against payment takes effect
when the price is received. Each rule's test reads one run's log (Dongdao No. 3) and its
dates and amounts; the audit's two checks are shown to catch each step left out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from conftest import DEAL_FILE

from trustsim.actors.messages import PoolChangeProposal
from trustsim.audit.checks.information_flow import (
    pool_changes_confirmed_first,
    sweeps_instructed_and_advised,
)
from trustsim.audit.log import AuditLog
from trustsim.config import load_deal
from trustsim.contract.remedies import lost_asset_change_refused, servicer_purchase_refused
from trustsim.pool.base import Offer, Selection
from trustsim.sim.runner import build

SURGE = {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 2,
         "lost_pct_per_month": 5}


def one(events: list[dict]) -> dict:
    assert len(events) == 1, events
    return events[0]


def by_sweep(run, name: str) -> dict[str, dict]:
    return {e["sweep"]: e for e in run.of(name)}


def _audit(events: list[dict[str, Any]], deal) -> AuditLog:
    renumbered = [{**e, "seq": i} for i, e in enumerate(events, start=1)]
    return AuditLog.from_events(renumbered, deal.model_dump(mode="json"))


def _stopped_run(overrides: dict, until: dt.date, offer=None):
    """A run of the deal with ``overrides`` stopped at ``until``: its parties and parsed log;
    ``offer`` replaces the originator's replacement offer (None: the pool's own)."""
    d = load_deal(DEAL_FILE, (), overrides)
    stream = io.BytesIO()
    env, parties = build(d, stream)
    if offer is not None:
        env.pool.replacement_offer = offer
    env.run(until=env.day_of(until))
    return d, env, parties, [json.loads(x) for x in stream.getvalue().splitlines()]


# ---------------------------------------------------------------- the sweep [一.4.1]
def test_sweep_is_the_servicers_instruction_the_custodian_executes_and_advises(base_run):
    instructed = by_sweep(base_run, "sweep_instructed")
    swept = by_sweep(base_run, "collections_swept")
    advised = by_sweep(base_run, "sweep_advised")
    assert instructed and set(instructed) == set(swept) == set(advised)
    for sweep, ins in instructed.items():
        s, a = swept[sweep], advised[sweep]
        assert (ins["actor"], s["actor"], a["actor"]) == ("servicer", "custodian", "custodian")
        assert ins["date"] == s["date"] == a["date"]
        assert ins["seq"] < s["seq"] < a["seq"]
        assert ins["amount_fen"] == s["amount_fen"] == a["amount_fen"]
        assert (s["credit"], s["debit"]) == ("collection_account", "trust_account")
    # obligors pay from the day after delivery (Wednesday 2020-08-19): the first sweep moves
    # that day's receipt on Thursday 2020-08-20, the 1st business day after it
    first_receipt = base_run.of("collections_received")[0]
    first = min(instructed.values(), key=lambda e: e["seq"])
    assert (first_receipt["date"], first["date"]) == ("2020-08-19", "2020-08-20")
    assert first["amount_fen"] == first_receipt["amount_fen"]


def test_no_party_but_the_custodian_posts_into_the_trust_account(base_run):
    into = [e for e in base_run.events if e.get("debit") == "trust_account"]
    assert into and {e["actor"] for e in into} == {"custodian"}


def test_trustee_counts_collections_when_the_custodians_advice_says_they_arrived(scenario_run):
    """A sweep made on the wrong day: the servicer reports it on 2021-09-30; nothing arrives
    that day, the trustee logs the whole sweep short; the money arrives (and is advised) with
    the late sweep, which resolves the break on the advice's day."""
    run = scenario_run("sweep_wrong_day_golden_week")
    brk = one(run.of("reconciliation_break"))
    late = one([e for e in run.of("sweep_instructed") if e["corrects"] is not None])
    advice = by_sweep(run, "sweep_advised")[late["sweep"]]
    landed = one(run.of("sweep_corrected"))
    done = one(run.of("reconciliation_break_resolved"))
    assert (brk["date"], brk["cause"]) == ("2021-09-30", "sweep_short")
    assert late["break_id"] == advice["break_id"] == landed["break_id"] == brk["break_id"]
    assert advice["amount_fen"] == landed["amount_fen"] == brk["amount_fen"]
    assert done["date"] == advice["date"] == landed["date"] > brk["date"]
    assert advice["seq"] < done["seq"]
    # nothing the servicer said it swept that day reached the trust account that day
    assert [e for e in run.of("collections_swept") if e["date"] == "2021-09-30"] == []


def test_a_short_sweep_is_the_difference_between_the_report_and_the_advice(scenario_run):
    run = scenario_run("sweep_short_corrected")
    brk = one(run.of("reconciliation_break"))
    ins = one([e for e in run.of("sweep_instructed") if e["date"] == "2021-03-01"
               and e["corrects"] is None])
    advice = by_sweep(run, "sweep_advised")[ins["sweep"]]
    due = sum(e["amount_fen"] for e in run.of("collections_received") if e["sweep_due"] == "2021-03-01")
    assert advice["amount_fen"] == ins["amount_fen"] == due - 150_000_000
    assert (brk["date"], brk["amount_fen"]) == ("2021-03-01", due - advice["amount_fen"])


# ---------------------------------------------------------------- pool changes [二.1(4)]
def test_lost_assets_are_replaced_only_after_the_trustee_confirms(scenario_run):
    run = scenario_run("return_surge_replacement")
    found = run.of("lost_assets_found")
    proposed = run.of("pool_change_proposed")
    confirmed = {e["change"]: e for e in run.of("pool_change_confirmed")}
    replaced = {e["change"]: e for e in run.of("lost_assets_replaced")}
    assert found and len(found) == len(proposed) == len(confirmed) == len(replaced)
    for f, p in zip(found, proposed, strict=True):
        c, r = confirmed[p["change"]], replaced[p["change"]]
        assert f["date"] == p["date"] == c["date"] == r["date"]
        assert f["seq"] < p["seq"] < c["seq"] < r["seq"]
        assert (p["kind"], c["kind"], c["clause"], c["against_payment"]) == (
            "replacement", "replacement", "二.1(4)", False)
        assert f["principal_fen"] == p["removed_fen"] == c["removed_fen"] == r["removed_fen"]
        assert r["added_fen"] == c["added_fen"] >= r["removed_fen"]


def test_a_replacement_of_lower_balance_is_refused_and_the_pool_keeps_its_assets():
    _d, env, parties, _ = _stopped_run({}, dt.date(2021, 5, 11))
    trustee = parties.trustee
    sel = Selection("lost", env.today, 1_000_000, 0, 0)   # 10,000.00 CNY of lost receivables
    before = env.pool.balances().outstanding_fen
    short = Offer(env.today, sel.principal_fen - 1, 0)
    trustee.inbox.put(PoolChangeProposal("PCX", env.today, "replacement", sel, short, 0))
    stream_events: list[dict] = []
    env.log.emit = lambda actor, event, **f: stream_events.append({"event": event, **f})
    env.run(until=env.now + 0.001)
    refused = one([e for e in stream_events if e["event"] == "pool_change_refused"])
    assert refused["reason"] == (f"replacement of {sel.principal_fen - 1} fen is below the lost "
                                 f"assets' balance {sel.principal_fen} fen")
    assert env.pool.balances().outstanding_fen == before
    assert not [e for e in stream_events if e["event"] == "lost_assets_replaced"]


def test_compensated_assets_leave_the_pool_when_the_cash_is_received():
    """No replacement offered: the originator proposes cash of equal value; the trustee
    confirms it against payment; the assets leave when the custodian advises the cash."""
    _d, _env, _p, events = _stopped_run({"incidents": [SURGE]}, dt.date(2021, 5, 20),
                                        offer=lambda on, need: Offer(on, 0, 0))
    confirmed = [e for e in events if e["event"] == "pool_change_confirmed"]
    assert confirmed
    for c in confirmed:
        paid = one([e for e in events if e["event"] == "transfer_received" and e["ref"] == c["change"]])
        out = one([e for e in events if e["event"] == "lost_assets_compensated"
                   and e["change"] == c["change"]])
        assert (c["kind"], c["against_payment"], c["clause"]) == ("compensation", True, "二.1(4)")
        assert c["price_fen"] == c["removed_fen"] == paid["amount_fen"] == out["cash_fen"] \
            == out["removed_fen"]
        assert c["date"] == paid["date"] == out["date"]
        assert c["seq"] < paid["seq"] < out["seq"]
        assert (paid["payer"], paid["debit"], out["actor"]) == ("originator", "trust_account", "trustee")


def test_lost_assets_stay_in_the_pool_until_their_price_arrives():
    """The originator's cash never reaches the custodian: the trustee confirmed the
    compensation but no lost asset leaves the pool, and the audit finds the change undone."""
    d = load_deal(DEAL_FILE, (), {"incidents": [SURGE]})
    stream = io.BytesIO()
    env, parties = build(d, stream)
    env.pool.replacement_offer = lambda on, need: Offer(on, 0, 0)
    custodian = parties.custodian
    real = custodian.on_IncomingTransfer
    custodian._handlers = {}
    custodian.on_IncomingTransfer = lambda m: None if m.reason == "cash for lost assets" else real(m)
    env.run(until=env.day_of(dt.date(2021, 5, 20)))
    events = [json.loads(x) for x in stream.getvalue().splitlines()]
    confirmed = [e for e in events if e["event"] == "pool_change_confirmed"]
    assert confirmed and not [e for e in events if e["event"] == "lost_assets_compensated"]
    first = confirmed[0]
    # the same lost assets are still in the pool: found again the next business day
    again = [e for e in events if e["event"] == "lost_assets_found" and e["date"] > first["date"]]
    assert again and again[0]["principal_fen"] >= first["removed_fen"]
    out = pool_changes_confirmed_first(_audit(events, d))
    assert any(f.message.startswith(f"pool change {first['change']} (compensation) confirmed and "
                                    f"never carried out") for f in out.findings)


def test_an_insolvent_originators_lost_assets_are_written_off_by_the_trustee(scenario_run):
    run = scenario_run("return_surge_replacement", {"incidents": [
        {"kind": "originator_insolvency", "start": "2021-05-03"},
        {"kind": "return_surge", "start": "2021-05-10", "duration_business_days": 5,
         "lost_pct_per_month": 5}]})
    failed = run.of("replacement_failed")
    written = {e["change"]: e for e in run.of("lost_assets_written_off")}
    confirmed = {e["change"]: e for e in run.of("pool_change_confirmed")}
    assert failed and len(failed) == len(written) == len(confirmed)
    for f, (change, w) in zip(failed, written.items(), strict=True):
        c = confirmed[change]
        assert (c["kind"], c["price_fen"], c["clause"]) == ("write_off", 0, "二.1(4)")
        assert f["date"] == c["date"] == w["date"] and c["seq"] < w["seq"]
        assert f["principal_fen"] == w["removed_fen"] == c["removed_fen"]
    assert not run.of("lost_assets_replaced", "lost_assets_compensated")


def test_servicer_purchase_completes_when_its_price_is_received(scenario_run):
    run = scenario_run("npl_spike_4bd_no_trigger")
    confirmed = {e["request"]: e for e in run.of("servicer_purchase_confirmed")}
    done = run.of("servicer_purchase_completed")
    assert done and len(done) == len(confirmed)
    for d in done:
        c = confirmed[d["request"]]
        paid = one([e for e in run.of("transfer_received") if e["ref"] == d["request"]])
        assert c["seq"] < paid["seq"] < d["seq"] and c["date"] == paid["date"] == d["date"]
        assert c["price_fen"] == paid["amount_fen"] == d["paid_fen"] == d["price_fen"]
        assert (d["actor"], d["clause"]) == ("trustee", "二.1(4)")


@pytest.mark.parametrize(("kind", "removed", "offered", "price", "refused"), [
    ("replacement", 100, 100, 0, None),
    ("replacement", 100, 99, 0, "replacement of 99 fen is below the lost assets' balance 100 fen"),
    ("compensation", 100, 0, 100, None),
    ("compensation", 100, 0, 99, "cash of 99 fen is not the lost assets' value 100 fen"),
    ("write_off", 100, 0, 0, None),
])
def test_lost_asset_change_rules(kind, removed, offered, price, refused):
    assert lost_asset_change_refused(kind, removed, offered, price) == refused


def test_servicer_purchase_below_fair_value_refused():
    assert servicer_purchase_refused(1_000, 100, 10) is None
    assert servicer_purchase_refused(1_000, 99, 10) == "price 99 fen below fair value 100 fen"


# ---------------------------------------------------------------- the audit reads it from the log
def test_audit_finds_a_sweep_never_advised(base_run, deal):
    events = list(base_run.events)
    i = next(i for i, e in enumerate(events) if e["event"] == "sweep_advised" and e["date"] == "2021-03-01")
    gone = events.pop(i)
    out = sweeps_instructed_and_advised(_audit(events, deal))
    assert [f.message for f in out.findings] == [
        f"sweep {gone['sweep']} ({gone['amount_fen']} fen) instructed and never advised to the trustee"]


def test_audit_finds_a_sweep_posted_without_the_servicers_instruction(base_run, deal):
    events = list(base_run.events)
    i = next(i for i, e in enumerate(events) if e["event"] == "sweep_instructed" and e["date"] == "2021-03-01")
    gone = events.pop(i)
    out = sweeps_instructed_and_advised(_audit(events, deal))
    assert any(f.message.startswith("collections_swept moves") and f.date == "2021-03-01"
               for f in out.findings)
    assert any(f"advises sweep {gone['sweep']}, which was never instructed" in f.message
               for f in out.findings)
    assert sweeps_instructed_and_advised(_audit(base_run.events, deal)).findings == []


def test_audit_finds_a_replacement_before_its_confirmation(scenario_run, deal):
    run = scenario_run("return_surge_replacement")
    events = list(run.events)
    assert pool_changes_confirmed_first(_audit(events, deal)).findings == []
    r = next(i for i, e in enumerate(events) if e["event"] == "lost_assets_replaced")
    c = next(i for i, e in enumerate(events) if e["event"] == "pool_change_confirmed"
             and e["change"] == events[r]["change"])
    events.insert(c, events.pop(r))     # the pool changes before the trustee confirms
    out = pool_changes_confirmed_first(_audit(events, deal))
    assert [f.message for f in out.findings] == [
        f"lost_assets_replaced ({events[c]['change']}) takes effect before the trustee confirmed "
        f"the change"]


def test_audit_finds_a_servicer_purchase_before_its_price(scenario_run, deal):
    run = scenario_run("npl_spike_4bd_no_trigger")
    events = list(run.events)
    assert pool_changes_confirmed_first(_audit(events, deal)).findings == []
    done = next(i for i, e in enumerate(events) if e["event"] == "servicer_purchase_completed")
    paid = next(i for i, e in enumerate(events) if e["event"] == "transfer_received"
                and e["ref"] == events[done]["request"])
    events.insert(paid, events.pop(done))   # the assets leave before the price arrives
    out = pool_changes_confirmed_first(_audit(events, deal))
    e = events[paid]
    assert [f.message for f in out.findings] == [
        f"servicer_purchase_completed ({e['request']}): the assets leave the pool with 0 fen of "
        f"the price {e['price_fen']} fen received before it"]
