"""A servicer that fails the way servicers fail (issue 13, item 2; docs/model.md, "A servicer
that fails"): one test per rule of the deal's ``servicing`` section, on the bundled
scenarios, with the amounts and dates read from the log and the calendar.

The worst day of the year: the servicer of Dongdao No. 3 becomes insolvent on 2020-09-30,
the last business day before Golden Week (2020-10-01 to 10-08; 10-10, a Saturday, is worked)
— ``servicer_fails_before_golden_week``: redirection 5 business days later, 30% of obligors
still paying the frozen account then, falling to none over 30 days; a warm backup taking
over 30 business days later; 30% recovered from the estate after 180 days.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from support.cash import INTERNAL, replay

from trustsim.audit import audit
from trustsim.audit.log import AuditLog
from trustsim.audit.runfolder import load_run
from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.config import load_deal
from trustsim.money import accrue, round_fen
from trustsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
FAILS_ON = dt.date(2020, 9, 30)
PPM = 1_000_000
AUDITED = ("redirection_notice_within_lag", "frozen_collections_at_risk",
           "successor_takes_over_on_time", "successor_fee_from_takeover")


class Folder:
    """A bundled scenario's run folder, read back: log, summary, commingling.csv, deal."""

    def __init__(self, scenario: str, out: Path) -> None:
        self.deal = load_deal(DEAL_FILE, [scenario])
        self.result = simulate(self.deal, out / scenario)
        self.dir = self.result.out_dir
        self.summary = self.result.summary
        self.events = [json.loads(x) for x in (self.dir / "events.jsonl").read_text().splitlines()]
        self.csv = list(csv.DictReader(io.StringIO((self.dir / "commingling.csv").read_text())))

    def of(self, *names: str) -> list[dict]:
        return [e for e in self.events if e["event"] in names]

    def one(self, name: str) -> dict:
        found = self.of(name)
        assert len(found) == 1, (name, found)
        return found[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache: dict[str, Folder] = {}
    out = tmp_path_factory.mktemp("servicer_failure")

    def get(name: str) -> Folder:
        if name not in cache:
            cache[name] = Folder(name, out)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def golden_week(runs) -> Folder:
    return runs("servicer_fails_before_golden_week")


def cal(run: Folder):
    from trustsim.config.load import deal_calendar

    return deal_calendar(run.deal)


def day(e: dict) -> dt.date:
    return dt.date.fromisoformat(e["date"])


def collection_balances(run: Folder) -> dict[dt.date, int]:
    """The collection account's balance at the end of every calendar day, from the postings."""
    out: dict[dt.date, int] = {}
    bal = 0
    for e in run.events:
        if e.get("debit") == "collection_account":
            bal += e["amount_fen"]
        elif e.get("credit") == "collection_account":
            bal -= e["amount_fen"]
        out[day(e)] = bal
    return out


def half_up(amount: int, ppm: int) -> int:
    return (amount * ppm + PPM // 2) // PPM


# ---------------------------------------------------------------- the freeze
def test_insolvency_freezes_the_collection_account_with_the_collections_not_yet_swept(golden_week):
    """2020-09-30, 00:01: the account holds 09-29's collections (due to be swept that
    morning) and nothing leaves it for the trust account from then on."""
    frozen = golden_week.one("collection_account_frozen")
    assert frozen["date"] == "2020-09-30" and frozen["held_since"] == "2020-09-29"
    received = [e for e in golden_week.of("collections_received") if e["date"] == "2020-09-29"]
    assert frozen["balance_fen"] == sum(e["amount_fen"] for e in received) > 0
    swept_after = [e for e in golden_week.of("collections_swept") if e["date"] >= "2020-09-30"]
    assert swept_after == []


def test_insolvency_fires_transfer_failure_c_at_the_close_of_that_day(golden_week):
    """The frozen collections of 09-29 were due in the trust account on 09-30: a transfer not
    made, with no explanation the trustee can accept — automatic event (c), that evening."""
    frozen = golden_week.one("collection_account_frozen")
    (c,) = [t for t in golden_week.summary["triggers"] if t["clause"] == "c"]
    assert c["date"] == "2020-09-30"
    assert c["figures"] == {"overdue_fen": frozen["balance_fen"], "due_since": "2020-09-30"}
    assert golden_week.summary["revolving_end"] == {"date": "2020-09-30",
                                                    "cause": "acceleration event (c)"}


# ---------------------------------------------------------------- until the notice
def test_the_notice_goes_out_5_business_days_after_the_insolvency(golden_week):
    """Business days after 09-30: 10-09, 10-10 (a worked Saturday), 10-12, 10-13, 10-14."""
    notice = golden_week.one("obligors_notified")
    assert cal(golden_week).add_business_days(FAILS_ON, 5) == dt.date(2020, 10, 14)
    assert notice["date"] == "2020-10-14"
    assert (notice["pay_to"], notice["insolvency_date"], notice["notice_after_business_days"],
            notice["still_paying_old_account_pct"], notice["decay_days"]) == \
        ("trust_account", "2020-09-30", 5, "30", 30)


def test_every_calendar_day_until_the_notice_obligors_pay_the_frozen_account(golden_week):
    """09-30 to 10-13, holidays and weekends included: each day's collections land in the
    frozen account (at risk), none in the trust account, and the account's balance — what
    the trust loses — grows by them every day."""
    frozen = golden_week.one("collection_account_frozen")
    days = [FAILS_ON + dt.timedelta(days=k) for k in range(14)]   # 09-30 .. 10-13
    receipts = {day(e): e for e in golden_week.of("collections_received") if FAILS_ON <= day(e) < days[-1]
                + dt.timedelta(days=1)}
    assert sorted(receipts) == days
    assert all(e["frozen"] is True for e in receipts.values())
    assert [e for e in golden_week.of("collections_redirected") if e["date"] < "2020-10-14"] == []
    balances = collection_balances(golden_week)
    expected = frozen["balance_fen"]
    for d in days:
        expected += receipts[d]["amount_fen"]
        assert balances[d] == expected, d
    # commingling.csv shows that balance on every day it has a row for (business days; every
    # calendar day once the file has a business_day column)
    rows = {r["date"]: int(r["collection_account_fen"]) for r in golden_week.csv}
    wanted = days if "business_day" in golden_week.csv[0] else [d for d in days if cal(golden_week).is_business_day(d)]
    assert wanted
    for d in wanted:
        assert rows[d.isoformat()] == balances[d], d


def test_after_the_notice_a_share_falling_to_none_over_30_days_still_pays_the_frozen_account(golden_week):
    """From 10-14: 30% on the notice day, 30% x (30 - k) / 30 on the k-th day after, of
    principal and income each, to the fen half up; the rest goes to the trust account."""
    notice = dt.date(2020, 10, 14)
    frozen = {day(e): e for e in golden_week.of("collections_received") if day(e) >= notice
              and e.get("frozen")}
    direct = {day(e): e for e in golden_week.of("collections_redirected")
              if "old_account_share_ppm" in e and day(e) <= notice + dt.timedelta(days=30)}
    assert sorted(direct) == [notice + dt.timedelta(days=k) for k in range(31)]
    for k in range(31):
        d = notice + dt.timedelta(days=k)
        share = 300_000 * (30 - k) // 30
        assert direct[d]["old_account_share_ppm"] == share, d
        old = frozen.get(d, {"principal_fen": 0, "income_fen": 0})
        for part in ("principal_fen", "income_fen"):
            assert old[part] == half_up(old[part] + direct[d][part], share), (d, part)
    assert max(frozen) == notice + dt.timedelta(days=29)   # the last day anyone pays it


def test_the_frozen_account_passes_to_the_estate_the_day_nobody_pays_it(golden_week):
    """2020-11-13 (30 days after the notice): everything at risk — the balance frozen on
    09-30 and every payment into it since — passes to the servicer's estate."""
    frozen = golden_week.one("collection_account_frozen")
    commingled = golden_week.one("collections_commingled")
    since = [e for e in golden_week.of("collections_received") if e["date"] >= "2020-09-30"
             and e["seq"] < commingled["seq"]]
    assert commingled["date"] == "2020-11-13" and commingled["frozen_on"] == "2020-09-30"
    assert commingled["amount_fen"] == frozen["balance_fen"] + sum(e["amount_fen"] for e in since)
    assert collection_balances(golden_week)[dt.date(2020, 11, 13)] == 0


def test_the_estate_gives_back_30pct_of_what_it_took_180_days_after_the_insolvency(golden_week):
    commingled = golden_week.one("collections_commingled")
    (recovery,) = [e for e in golden_week.of("transfer_received") if e["payer"] == "servicer_estate"]
    assert recovery["date"] == "2021-03-29" == (FAILS_ON + dt.timedelta(days=180)).isoformat()
    assert recovery["amount_fen"] == round_fen(Decimal(commingled["amount_fen"]) * Decimal("0.3"))
    assert golden_week.summary["commingling"]["lost_fen"] == \
        commingled["amount_fen"] - recovery["amount_fen"]


# ---------------------------------------------------------------- the handover
def test_the_warm_backup_takes_over_30_business_days_after_the_insolvency(golden_week):
    """2020-11-18, 49 calendar days on: within the 90 days of clause (b), which does not fire."""
    activated = golden_week.one("backup_servicer_activated")
    assert (activated["date"], activated["backup"], activated["takeover_business_days"],
            activated["takeover_date"]) == ("2020-09-30", "warm", 30, "2020-11-18")
    assert cal(golden_week).add_business_days(FAILS_ON, 30) == dt.date(2020, 11, 18)
    took = golden_week.one("servicing_taken_over")
    (appointed,) = [e for e in golden_week.of("successor_appointed") if e["role"] == "servicer"]
    assert took["date"] == appointed["date"] == "2020-11-18"
    assert [t["clause"] for t in golden_week.summary["triggers"]] == ["c"]


def test_collections_are_degraded_during_the_transfer_and_the_successor_collects_the_rest(golden_week):
    """09-30 to 11-17 obligors pay 90% of their dues (half up), the rest deferred; from
    11-18 the backup collects all of it into the trust account, evenly over 30 days (the
    last day taking what division leaves)."""
    paid = [e for e in golden_week.of("collections_received", "collections_redirected")
            if "2020-09-30" <= e["date"] < "2020-11-18"
            and (e["event"] == "collections_received" or "old_account_share_ppm" in e)]
    by_day: dict[str, list[dict]] = {}
    for e in paid:
        by_day.setdefault(e["date"], []).append(e)
    assert len(by_day) == 49
    deferred = [0, 0]
    for d, es in by_day.items():
        for part, i in (("principal", 0), ("income", 1)):
            late = sum(e.get(f"deferred_{part}_fen", 0) for e in es)
            on_time = sum(e[f"{part}_fen"] for e in es)
            owed = on_time + late
            assert on_time == round_fen(Decimal(owed) * Decimal("0.9")), (d, part)
            deferred[i] += late
    took = golden_week.one("servicing_taken_over")
    assert [took["deferred_principal_fen"], took["deferred_income_fen"]] == deferred
    assert [took["collected_principal_fen"], took["collected_income_fen"], took["collected_over_days"]] \
        == [*deferred, 30]
    arrears = [e for e in golden_week.of("collections_redirected") if "old_account_share_ppm" not in e]
    takeover = dt.date(2020, 11, 18)
    assert [e["date"] for e in arrears] == [(takeover + dt.timedelta(days=k)).isoformat() for k in range(30)]
    left = list(deferred)
    for k, e in enumerate(arrears):
        share = left if k == 29 else [deferred[0] // 30, deferred[1] // 30]
        assert [e["principal_fen"], e["income_fen"]] == share, e["date"]
        left = [left[0] - share[0], left[1] - share[1]]
    assert left == [0, 0]
    after = [e for e in golden_week.of("collections_redirected") if e["date"] > "2020-11-18"]
    assert after and not any("deferred_principal_fen" in e for e in after)


def test_the_successors_fee_steps_up_from_the_takeover_date(golden_week):
    """servicer_fee is 0.015% a year of the notes; the successor's is 0.50% (0.015 + 0.485)
    for the days from 2020-11-18: the payment date after it is owed both parts, on the notes
    outstanding at the period's start; the one before, the incumbent's rate only."""
    step = golden_week.one("servicer_fee_stepped_up")
    assert (step["date"], step["fee"], step["payee"], step["pct_per_year"],
            step["step_up_pct_per_year"]) == ("2020-11-18", "servicer_fee", "agent:servicer",
                                              "0.015", "0.485")
    dates = [e["date"] for e in golden_week.of("payment_date") if "grace_for" not in e]
    after = next(d for d in dates if d > "2020-11-18")
    before = dates[dates.index(after) - 1]
    prior = dates[dates.index(before) - 1]
    closes = {e["date"]: e["notes_outstanding_fen"] for e in golden_week.of("day_closed")}
    dues = {}
    for e in golden_week.of("waterfall_step"):
        if "agent:servicer" in e["payees"]:
            dues.setdefault(e["date"], e["payees"]["agent:servicer"])
    basis = DAY_COUNT_BASIS["ACT/365F"]
    p0, p1, p2 = (dt.date.fromisoformat(x) for x in (prior, before, after))
    carried = dues[before][0] - dues[before][1]
    assert dues[before][0] == dues[prior][0] - dues[prior][1] + accrue(
        closes[prior], Decimal("0.015"), (p1 - p0).days, basis)
    assert dues[after][0] == carried + accrue(closes[before], Decimal("0.015"), (p2 - p1).days, basis) \
        + accrue(closes[before], Decimal("0.485"), (p2 - dt.date(2020, 11, 18)).days, basis)
    assert dues[after][0] > 2 * dues[before][0]


# ---------------------------------------------------------------- a cold backup
def test_a_cold_backup_takes_90_business_days_and_b_fires_on_the_90th_calendar_day(runs):
    run = runs("cold_backup_too_slow_trigger_b")
    activated = run.one("backup_servicer_activated")
    assert (activated["date"], activated["backup"], activated["takeover_business_days"]) == \
        ("2021-02-01", "cold", 90)
    assert activated["takeover_date"] == cal(run).add_business_days(dt.date(2021, 2, 1), 90).isoformat() \
        == "2021-06-15"
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [("b", "2021-05-02")]
    assert run.summary["triggers"][0]["figures"] == {"days_without_successor": 90, "limit_days": 90}
    assert run.one("servicing_taken_over")["date"] == "2021-06-15"


def test_a_terminated_servicer_that_is_not_insolvent_keeps_sweeping_until_the_takeover(runs):
    run = runs("cold_backup_too_slow_trigger_b")
    assert run.of("collection_account_frozen", "collections_commingled", "obligors_notified") == []
    swept = [e for e in run.of("collections_swept") if "2021-02-01" <= e["date"] <= "2021-06-15"]
    assert swept and all(e["late_since"] is None for e in swept)
    assert run.summary["commingling"]["lost_fen"] == 0


# ---------------------------------------------------------------- the existing scenario, on purpose
def test_servicer_insolvency_commingling_now_loses_what_obligors_paid_until_redirected(runs):
    """2021-06-10 with a successor after 30 days: (c) fires that day; the account frozen
    with 06-09's collections takes in every payment until the notice (06-18, 5 business
    days on) and a falling share for 30 days more; it passes to the estate on 07-18."""
    run = runs("servicer_insolvency_commingling")
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [("c", "2021-06-10")]
    assert run.one("obligors_notified")["date"] == "2021-06-18"
    commingled = run.one("collections_commingled")
    assert commingled["date"] == "2021-07-18"
    frozen = run.one("collection_account_frozen")
    since = [e for e in run.of("collections_received") if e["date"] >= "2021-06-10"
             and e["seq"] < commingled["seq"]]
    assert commingled["amount_fen"] == frozen["balance_fen"] + sum(e["amount_fen"] for e in since)
    (recovery,) = [e for e in run.of("transfer_received") if e["payer"] == "servicer_estate"]
    assert recovery["date"] == "2021-12-07"   # 180 days after the insolvency
    assert run.summary["commingling"]["lost_fen"] == commingled["amount_fen"] - recovery["amount_fen"]
    assert run.one("servicing_taken_over")["date"] == "2021-07-10"   # successor_after_days: 30


# ---------------------------------------------------------------- cash and the audit
@pytest.mark.parametrize("scenario", ["servicer_fails_before_golden_week", "cold_backup_too_slow_trigger_b",
                                      "servicer_insolvency_commingling"])
def test_cash_is_conserved_to_the_fen_through_the_failure(runs, scenario):
    run = runs(scenario)
    for snap, bal, came_in, paid_out in replay(run.events):
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct], (snap["date"], acct)
        assert sum(bal.values()) == came_in - paid_out
    fin = run.one("run_finished")
    assert fin["held_fen"] == 0 and fin["total_in_fen"] == fin["total_out_fen"]


@pytest.mark.parametrize("scenario", ["servicer_fails_before_golden_week", "cold_backup_too_slow_trigger_b",
                                      "servicer_insolvency_commingling"])
def test_the_audit_checks_the_failure_rules_and_finds_them_kept(runs, scenario):
    run = runs(scenario)
    report = audit(AuditLog.from_run(load_run(run.dir)))
    assert report.passed, [(r.name, r.findings[:2]) for r in report.results if r.status == "fail"]
    checked = {name: report.result(name).checked for name in AUDITED}
    assert checked["successor_takes_over_on_time"] == 1 and checked["successor_fee_from_takeover"] > 1
    insolvent = scenario != "cold_backup_too_slow_trigger_b"
    assert checked["redirection_notice_within_lag"] == checked["frozen_collections_at_risk"] == int(insolvent)


def _audit(run: Folder, change) -> dict[str, list[str]]:
    """Audit ``run``'s log after ``change`` edits its events; the findings of the new checks."""
    folder = load_run(run.dir)
    events = [dict(e) for e in folder.events]
    change(events)
    log = AuditLog.from_events(events, folder.config)
    from trustsim.audit.checks import BY_NAME

    return {name: [f.message for f in BY_NAME[name].func(log).findings] for name in AUDITED}


def test_the_audit_finds_a_notice_sent_after_its_lag(golden_week):
    def late(events):
        for e in events:
            if e["event"] == "obligors_notified":
                e["date"] = "2020-10-15"
    found = _audit(golden_week, late)
    assert found["redirection_notice_within_lag"] == [
        "the notice to obligors goes out on 2020-10-15; the servicer became insolvent on 2020-09-30 "
        "and the notice was due by 2020-10-14 (5 business days)"]


def test_the_audit_finds_frozen_collections_not_accounted_as_at_risk(golden_week):
    """A holiday's payment booked into the trust account instead of the frozen one (before
    any notice): the estate is handed more than the frozen account took in."""
    moved = next(e for e in golden_week.of("collections_received") if e["date"] == "2020-10-05")
    estate = golden_week.one("collections_commingled")["amount_fen"]

    def elsewhere(events):
        next(e for e in events if e["seq"] == moved["seq"])["debit"] = "trust_account"
    found = _audit(golden_week, elsewhere)["frozen_collections_at_risk"]
    assert found[0].startswith(f"{estate} fen pass to the estate; the frozen account took in "
                               f"{estate - moved['amount_fen']} fen from 2020-09-30"), found
    assert "the estate gives back" in found[1] and len(found) == 2   # and so is its recovery


def test_the_audit_finds_a_split_that_is_not_the_deals_share(golden_week):
    def shifted(events):
        e = next(e for e in events if e["event"] == "collections_redirected" and e["date"] == "2020-10-20")
        e["old_account_share_ppm"] += 1
    found = _audit(golden_week, shifted)["frozen_collections_at_risk"]
    assert found == ["240001 ppm of obligors are said to pay the frozen account 6 days after the "
                     "notice; the deal's share then is 240000 ppm"]


def test_the_audit_finds_a_fee_stepped_up_before_the_takeover(golden_week):
    """The step-up dated a payment date early: the dues before the takeover are the
    incumbent's, so the first one after the forged date no longer adds up."""
    def early(events):
        for e in events:
            if e["event"] in ("servicer_fee_stepped_up", "servicing_taken_over"):
                e["date"] = "2020-11-17"
    found = _audit(golden_week, early)
    assert any("the successor takes over on 2020-11-17; it was due on 2020-11-18" in m
               for m in found["successor_takes_over_on_time"]), found
    assert found["successor_fee_from_takeover"] and all(
        "agent:servicer is owed" in m for m in found["successor_fee_from_takeover"])
