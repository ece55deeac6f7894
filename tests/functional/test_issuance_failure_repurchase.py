"""A senior series that cannot be issued (trigger (h)) and the over-term repurchase [二.1(4),
一.4.4(1)(h), 一.4.4(2)]: the failure day pays the revolving period's interest and period income,
the originator repurchases the over-term assets within one business day of the notice, the
assets leave the pool the day the trust has the price (delivery against payment), the price is
distributed on the next amortization payment date, and a failure after an earlier trigger still
calls for the repurchase.

Dongdao No. 3, senior series 2 failing on series 1's expected maturity, Friday 2020-12-18.
"""

from __future__ import annotations

import datetime as dt

from audit_support import audit_of, cited, index_of, read_events, write_run
from support.issuance_failure import (
    EFFECTIVE,
    FAILURE,
    PRICE_DUE,
    failure_folder,
    failure_run,
    simple_interest_fen,
)

MEZZ_FEN = 6_000_000_000    # 6,000 万元
SUB_FEN = 5_000_000_000     # 5,000 万元
SENIOR_FEN = 89_000_000_000


# ------------------------------------------------------------ the failure day
def test_the_failure_day_pays_mezz_interest_for_the_elapsed_revolving_period():
    """interest.at_issuance_failure: 7.00% on 6,000 万元 for the 122 days since 2020-08-18."""
    run = failure_run()
    pd = run.on(FAILURE, "payment_date")
    assert [(e["waterfall"], e["series_maturity"]) for e in pd] == [("revolving", 1)]
    want = simple_interest_fen(MEZZ_FEN, "7.00", EFFECTIVE, FAILURE)
    assert want == 140_383_562
    step = run.step(FAILURE, "mezz_interest")
    assert (step["due_fen"], step["paid_fen"]) == (want, want)
    assert step["payees"] == {"mezz_noteholders": [want, want]}


def test_the_failure_day_pays_the_sub_its_period_income_at_its_cap():
    """The sub's period income, at most 5.00% a year, for the same 122 days."""
    run = failure_run()
    want = simple_interest_fen(SUB_FEN, "5.00", EFFECTIVE, FAILURE)
    assert want == 83_561_644
    step = run.step(FAILURE, "sub_income")
    assert (step["due_fen"], step["paid_fen"]) == (want, want)
    # nothing is presented twice: the next date presents the mezz interest accrued since the
    # failure day (the balance unchanged since the effective date, one span rounded once)
    nxt = dt.date.fromisoformat(next(e for e in run.of("payment_date")
                                     if e["date"] > FAILURE.isoformat())["date"])
    mezz = run.step(nxt, "mezz_interest")
    assert mezz["due_fen"] == simple_interest_fen(MEZZ_FEN, "7.00", EFFECTIVE, nxt) \
        - simple_interest_fen(MEZZ_FEN, "7.00", EFFECTIVE, FAILURE)


def test_the_failure_day_keeps_what_the_revolving_waterfall_leaves_for_amortization():
    """No revolving purchase after the event; the rest waits for the next payment date."""
    run = failure_run()
    pd = run.on(FAILURE, "payment_date")[0]
    paid = sum(e["paid_fen"] for e in run.on(FAILURE, "waterfall_step"))
    assert pd["remaining_fen"] == pd["available_fen"] - paid > 0
    assert not [e for e in run.of("purchase_confirmed") if e["date"] > FAILURE.isoformat()]
    assert "senior_principal" not in {e["pay"] for e in run.on(FAILURE, "waterfall_step")}


# ------------------------------------------------------------ the repurchase
def test_the_repurchase_is_noticed_on_the_failure_day_and_paid_within_one_business_day():
    run = failure_run()
    notice = run.of("over_term_repurchase_noticed")
    assert [(e["date"], e["clause"], e["cutoff"], e["pay_by"]) for e in notice] == [
        ("2020-12-18", "二.1(4)", "2020-11-18", PRICE_DUE.isoformat())]
    n = notice[0]
    assert n["price_fen"] == n["principal_fen"] > 0          # par of the principal noticed
    assert run.env.calendar.add_business_days(FAILURE, 1) == PRICE_DUE
    paid = [e for e in run.of("transfer_received") if e["ref"] == n["notice"]]
    assert [(e["date"], e["debit"], e["credit"]) for e in paid] == [
        (PRICE_DUE.isoformat(), "trust_account", "originator")]
    assert 0 < paid[0]["amount_fen"] <= n["price_fen"]
    # the notice follows the event that made it due
    seqs = {e["event"]: e["seq"] for e in run.on(FAILURE, "issuance_terminated", "trigger_fired",
                                                  "over_term_repurchase_noticed")}
    assert seqs["issuance_terminated"] < seqs["trigger_fired"] < seqs["over_term_repurchase_noticed"]


def test_the_assets_leave_the_pool_on_the_day_the_price_arrives():
    """Delivery against payment: at the close of the notice day and over the weekend the pool
    still holds the over-term assets; they leave on Monday, after the price is credited."""
    run = failure_run()
    n = run.of("over_term_repurchase_noticed")[0]
    done = run.of("over_term_repurchased")
    assert [(e["date"], e["notice"], e["noticed_on"], e["clause"]) for e in done] == [
        (PRICE_DUE.isoformat(), n["notice"], FAILURE.isoformat(), "二.1(4)")]
    d = done[0]
    credit = next(e for e in run.of("transfer_received") if e["ref"] == n["notice"])
    assert credit["seq"] < d["seq"]
    assert run.close(FAILURE)["pool_outstanding_fen"] >= d["noticed_principal_fen"]
    # what left is what the pool held of them on Monday: the noticed principal less what was
    # collected on them (or fell overdue) over the three days the trust still owned them
    assert 0 < d["principal_fen"] < d["noticed_principal_fen"] == n["principal_fen"]
    received = sum(e["principal_fen"] for e in run.of("collections_received")
                   if FAILURE.isoformat() <= e["date"] <= PRICE_DUE.isoformat())
    assert received <= d["noticed_principal_fen"] - d["principal_fen"]


def test_the_originator_pays_par_for_what_it_receives():
    """The notice's rate (par) on the principal delivered: what the trust collected on the
    assets before the price arrived was the trust's, and is not paid for twice."""
    run = failure_run()
    n = run.of("over_term_repurchase_noticed")[0]
    d = run.of("over_term_repurchased")[0]
    paid = next(e for e in run.of("transfer_received") if e["ref"] == n["notice"])
    assert paid["amount_fen"] == d["price_fen"] == d["principal_fen"]
    assert d["noticed_price_fen"] == n["price_fen"] == d["noticed_principal_fen"]
    got = run.of("over_term_price_received")
    assert [(e["date"], e["price_fen"], e["delivered_principal_fen"], e["clause"]) for e in got] == [
        (PRICE_DUE.isoformat(), paid["amount_fen"], d["principal_fen"], "二.1(4)")]
    # no money goes back: the originator paid exactly for what it took
    assert not [e for e in run.of("instruction_issued") if e["to_account"] == "originator"
                and e["date"] >= FAILURE.isoformat()]


def test_the_price_is_distributed_on_the_next_amortization_payment_date():
    """The first amortization payment date falls 10 business days after the revolving end
    [一.4.4(2)]: Monday 2021-01-04 (New Year's Day is a holiday). It holds the price kept and
    repays the senior in full."""
    run = failure_run()
    nxt = run.env.calendar.add_business_days(FAILURE, 10)
    assert nxt == dt.date(2021, 1, 4)
    after = [e for e in run.of("payment_date") if e["date"] > FAILURE.isoformat()]
    assert [(e["date"], e["waterfall"], e["amortization_index"]) for e in after[:1]] == [
        (nxt.isoformat(), "amortization", 1)]
    d = run.of("over_term_repurchased")[0]
    assert after[0]["available_fen"] >= d["price_fen"]
    senior = run.step(nxt, "senior_principal")
    assert (senior["due_fen"], senior["paid_fen"]) == (SENIOR_FEN, SENIOR_FEN)
    assert run.summary["notes"]["senior"]["loss_fen"] == 0


def test_an_originator_insolvent_before_paying_keeps_no_assets():
    """Delivery against payment protects the trust: no price, no delivery."""
    run = failure_run("insolvent")
    assert run.of("over_term_repurchase_noticed")
    assert [e["reason"] for e in run.of("repurchase_failed")][:1] == [
        "originator insolvent before paying the price"]
    assert not run.of("over_term_repurchased")
    assert not [e for e in run.of("transfer_received") if e["ref"] is not None
                and e["ref"].startswith("OT")]
    n = run.of("over_term_repurchase_noticed")[0]
    assert run.close(PRICE_DUE)["pool_outstanding_fen"] + sum(
        e["principal_fen"] for e in run.of("collections_received")
        if FAILURE.isoformat() <= e["date"] <= PRICE_DUE.isoformat()) >= n["principal_fen"]


# ------------------------------------------------------------ after an earlier trigger
def test_a_failure_after_an_earlier_trigger_still_repurchases():
    """Event (f) ends revolving on 2020-11-02; series 2 still cannot be issued on 2020-12-18:
    the issuance terminates, (h) is logged and the over-term assets are repurchased."""
    run = failure_run("after_trigger")
    assert run.summary["revolving_end"]["date"] == "2020-11-02"
    assert [(e["date"], e["series"]) for e in run.of("issuance_terminated")] == [("2020-12-18", 2)]
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [
        ("f", "2020-11-02"), ("h", "2020-12-18")]
    notice = run.of("over_term_repurchase_noticed")
    assert [(e["date"], e["cutoff"], e["pay_by"]) for e in notice] == [
        ("2020-12-18", "2020-11-18", "2020-12-21")]
    assert [e["date"] for e in run.of("over_term_repurchased")] == ["2020-12-21"]
    # revolving had ended: the failure day is no revolving payment date of its own
    assert not [e for e in run.of("payment_date") if e["waterfall"] == "revolving"
                and e["date"] > "2020-11-02"]


def test_an_earlier_trigger_alone_repurchases_nothing():
    run = failure_run("trigger_only")
    assert not run.of("issuance_terminated") and not run.of("over_term_repurchase_noticed")


# ------------------------------------------------------------ the audit
def test_the_audit_confirms_each_run(tmp_path):
    report = audit_of(failure_folder(tmp_path / "run"))
    assert report.result("over_term_repurchase").checked == 1
    assert report.passed, [f.message for r in report.results for f in r.findings]


def _tampered(tmp_path, edit) -> set[int]:
    src = failure_folder(tmp_path / "run")
    events = read_events(src)
    edit(events)
    report = audit_of(write_run(src, tmp_path / "tampered", events))
    return {f.message for f in report.result("over_term_repurchase").findings}


def test_the_audit_catches_assets_leaving_before_the_price(tmp_path):
    def edit(events):
        i = index_of(events, lambda e: e["event"] == "over_term_repurchased")
        e = events.pop(i)
        e["date"], e["day"] = FAILURE.isoformat(), (FAILURE - EFFECTIVE).days
        k = index_of(events, lambda x: x["event"] == "over_term_repurchase_noticed")
        events.insert(k + 1, e)
    found = _tampered(tmp_path, edit)
    assert any("delivery against payment" in m for m in found), found


def test_the_audit_catches_a_price_paid_late(tmp_path):
    def edit(events):
        for e in events:
            if e["event"] == "over_term_repurchase_noticed":
                e["pay_by"] = "2020-12-22"
    found = _tampered(tmp_path, edit)
    assert any("1 business day(s) after the notice is 2020-12-21" in m for m in found), found


def test_the_audit_catches_a_missing_notice(tmp_path):
    def edit(events):
        events[:] = [e for e in events if e["event"] != "over_term_repurchase_noticed"]
    found = _tampered(tmp_path, edit)
    assert any("noticed no over-term repurchase" in m for m in found), found


def test_the_check_cites_nothing_in_a_clean_run(tmp_path):
    src = failure_folder(tmp_path / "run")
    assert cited(audit_of(src), "over_term_repurchase") == set()
