"""Exposure measured on every calendar day: what sits at the servicer over weekends and
holidays is what a servicer failure costs, and commingling.csv, the summary, the audit, the
reports and the Monte Carlo all see it. Amounts in fen, recomputed from the log.

Golden Week 2020: 2020-10-01 to 2020-10-08 are holidays, 2020-09-30 and 2020-10-09 business
days. Collections land at the servicer every day at 0.80 and are swept at 0.10 of the next
business day; a servicer insolvency takes effect at 00:01 of its start date.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from trustsim.audit import audit, load
from trustsim.config import load_deal
from trustsim.reports.periodic import servicer_reports
from trustsim.risk.outcome import evaluate
from trustsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
GOLDEN_WEEK = [(dt.date(2020, 10, 1) + dt.timedelta(days=i)).isoformat() for i in range(8)]


def insolvency(start: str) -> dict[str, Any]:
    return {"incidents": [{"kind": "servicer_insolvency", "start": start, "recovery_rate": 0,
                           "recovery_delay_days": 180, "successor_after_days": 30}]}


class Folder:
    """A run folder read back: its log, summary and commingling.csv rows by date."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events = [json.loads(x) for x in (path / "events.jsonl").read_text().splitlines()]
        self.summary = json.loads((path / "summary.json").read_text())
        with (path / "commingling.csv").open(newline="") as f:
            self.rows = {r["date"]: r for r in csv.DictReader(f)}

    def of(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]

    def received(self, first: str, last: str) -> int:
        """Collections received from ``first`` to ``last`` (dates included)."""
        return sum(e["amount_fen"] for e in self.of("collections_received") if first <= e["date"] <= last)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    made: dict[str, Folder] = {}

    def get(name: str, overrides: dict[str, Any] | None = None) -> Folder:
        if name not in made:
            out = tmp_path_factory.mktemp("exposure") / name
            simulate(load_deal(DEAL_FILE, ["base"], overrides), out)
            made[name] = Folder(out)
        return made[name]

    return get


def test_a_servicer_failing_the_day_before_golden_week_loses_what_was_collected_since_the_last_sweep(folders):
    run = folders("fails_2020-09-30", insolvency("2020-09-30"))
    last_sweep = [e for e in run.of("collections_swept") if e["date"] < "2020-09-30"][-1]
    assert last_sweep["date"] == "2020-09-29"
    since = [e for e in run.of("collections_received") if e["seq"] > last_sweep["seq"]
             and e["date"] < "2020-09-30"]
    assert [e["date"] for e in since] == ["2020-09-29"]
    [frozen] = run.of("collection_account_frozen")
    assert frozen["date"] == "2020-09-30" and frozen["balance_fen"] == sum(e["amount_fen"] for e in since) > 0
    # the frozen account also keeps what obligors pay into it until they are redirected
    # (docs/model.md, "A servicer that fails"): all of it passes to the estate, and is lost
    [lost] = run.of("collections_commingled")
    assert lost["credit"] == "collection_account"
    after = [e for e in run.of("collections_received") if e["date"] >= "2020-09-30" and e["seq"] < lost["seq"]]
    assert lost["amount_fen"] == frozen["balance_fen"] + sum(e["amount_fen"] for e in after)
    assert run.summary["commingling"]["lost_fen"] == lost["amount_fen"]   # nothing recovered
    # the servicer failed at 00:01: the day's sweep never came, and the trust account got nothing
    assert not [e for e in run.of("collections_swept") if "2020-09-30" <= e["date"] <= "2020-10-29"]


def test_commingling_csv_shows_the_balance_at_the_failed_servicer_on_every_day_of_golden_week(folders):
    run = folders("fails_2020-09-30", insolvency("2020-09-30"))
    for day in GOLDEN_WEEK:
        row = run.rows[day]
        assert row["business_day"] == "false"
        held = run.received("2020-09-29", day)    # the frozen 09-29 and every receipt since, still there
        assert int(row["collection_account_fen"]) == held, day
        assert int(row["collection_account_peak_fen"]) == held, day   # no sweep: 24:00 is the peak
    # 2020-10-01 holds three days' collections (09-29 to 10-01), 10-08 ten days'
    assert int(run.rows["2020-10-08"]["collection_account_fen"]) == run.received("2020-09-29", "2020-10-08")
    assert run.rows["2020-09-30"]["business_day"] == run.rows["2020-10-09"]["business_day"] == "true"


def test_a_servicer_can_fail_on_a_holiday_and_loses_the_holiday_collections(folders):
    run = folders("fails_2020-10-03", insolvency("2020-10-03"))   # a Saturday of Golden Week
    [started] = run.of("incident_started")
    assert started["date"] == "2020-10-03"
    [frozen] = run.of("collection_account_frozen")
    assert frozen["date"] == "2020-10-03"
    # the last sweep was 2020-09-30 at 0.10: 09-30, 10-01 and 10-02 were still at the servicer
    assert frozen["balance_fen"] == run.received("2020-09-30", "2020-10-02")
    assert frozen["balance_fen"] == int(run.rows["2020-10-02"]["collection_account_fen"])
    # frozen, the account keeps them and takes in the holiday's payments
    assert int(run.rows["2020-10-03"]["collection_account_fen"]) == run.received("2020-09-30", "2020-10-03")
    assert int(run.rows["2020-10-03"]["collection_account_peak_fen"]) == run.received("2020-09-30", "2020-10-03")
    # the successor came within clause (b)'s 90 days; 09-30's collections, due in the trust account
    # on the first business day after the holiday, were not transferred: clause (c) that day
    assert [(t["clause"], t["date"]) for t in run.summary["triggers"]] == [("c", "2020-10-09")]


def test_the_base_runs_calendar_day_peak_is_the_night_of_2020_10_08_above_every_business_day_close(folders):
    run = folders("base")
    c = run.summary["commingling"]
    assert c["peak_date"] == c["non_business_day_peak_date"] == "2020-10-08"
    # what the servicer held that night: nine days' collections, swept on 2020-10-09
    held = run.received("2020-09-30", "2020-10-08")
    [sweep] = [e for e in run.of("collections_swept") if e["date"] == "2020-10-09"]
    assert c["peak_fen"] == c["non_business_day_peak_fen"] == held == sweep["amount_fen"]
    assert int(run.rows["2020-10-08"]["collection_account_fen"]) == held
    business_day_peak = max(e["collection_account_fen"] for e in run.of("day_closed"))
    assert c["peak_fen"] > business_day_peak
    assert c["lost_fen"] == 0


def test_commingling_csv_has_one_row_per_calendar_day_until_the_day_before_the_trust_ends(folders):
    run = folders("base")
    first = run.events[0]["date"]
    [ended] = run.of("trust_terminated")
    dates = list(run.rows)
    assert dates[0] == first
    assert dt.date.fromisoformat(dates[-1]) == dt.date.fromisoformat(ended["date"]) - dt.timedelta(days=1)
    days = (dt.date.fromisoformat(dates[-1]) - dt.date.fromisoformat(first)).days + 1
    assert len(dates) == days == run.summary["commingling"]["days"]
    closes = {e["date"]: e for e in run.of("day_closed")}
    assert {d for d, r in run.rows.items() if r["business_day"] == "true"} >= set(closes)
    for d, e in closes.items():   # on a business day the row is the environment's snapshot
        assert int(run.rows[d]["collection_account_fen"]) == e["collection_account_fen"]
    held = sum(1 for r in run.rows.values() if int(r["collection_account_fen"]) > 0)
    assert run.summary["commingling"]["days_held"] == held


def test_the_audit_recomputes_the_calendar_day_exposure_and_catches_a_forged_row(folders, tmp_path):
    run = folders("fails_2020-09-30", insolvency("2020-09-30"))
    assert audit(load(run.path)).result("exposure_recomputed").status == "pass"
    forged = tmp_path / "forged"
    shutil.copytree(run.path, forged)
    text = (forged / "commingling.csv").read_text()
    row = next(x for x in text.splitlines() if x.startswith("2020-10-05,"))
    date, flag, balance, peak = row.split(",")
    (forged / "commingling.csv").write_text(text.replace(row, f"{date},{flag},{int(balance) - 1},{peak}"))
    findings = audit(load(forged)).result("exposure_recomputed").findings
    assert [(f.date, f.seq) for f in findings] == [
        ("2020-10-05", next(e["seq"] for e in run.of("collections_received") if e["date"] == "2020-10-05"))]
    assert f"{int(balance) - 1} fen at 24:00" in findings[0].message


def test_the_servicer_report_and_the_query_view_use_the_calendar_day_series(folders):
    run = folders("base")
    log = load(run.path)
    october = next(m for m in servicer_reports(log) if m["month"] == "2020-10")
    assert october["collection_account_peak_fen"] == run.summary["commingling"]["peak_fen"]
    assert october["collection_account_peak_date"] == "2020-10-08"
    assert october["collection_account_month_end_fen"] == int(run.rows["2020-10-31"]["collection_account_fen"])
    top = log.db.execute("SELECT date, peak_fen FROM exposure_daily WHERE account = 'collection_account' "
                         "ORDER BY peak_fen DESC, date LIMIT 1").fetchone()
    assert (top[0].isoformat(), top[1]) == ("2020-10-08", run.summary["commingling"]["peak_fen"])


def test_the_monte_carlo_reads_the_calendar_day_peak(folders):
    run = folders("base")
    outcome = evaluate(load_deal(DEAL_FILE, ["base"]))   # a path's run: no log, the same summary
    assert outcome.commingling["peak_fen"] == run.summary["commingling"]["peak_fen"]
    assert outcome.commingling["peak_date"] == "2020-10-08"
