"""The bundled deal moved in time: runs on packaged data, a holiday file, or a flagged assumption.

Shifted 3 years (effective 2023-08-18, legal maturity 2026-09-12) its whole life lies in
the packaged years; shifted 6 (effective 2026-08-18, legal maturity 2029-09-12) it reaches
years nobody has published: refused, unless a holiday file covers them or the deal
accepts ``weekends_only``, which the summary flags.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from support.shifted import write_shifted_deal

from trustsim.calendar import FIRST_YEAR, LAST_YEAR
from trustsim.config import ConfigError, load_deal
from trustsim.sim.runner import run_deal

HOLIDAY_FILE = Path(__file__).resolve().parents[1] / "data" / "holidays_2027_2029.yaml"


def run(deal) -> tuple[dict, list[dict]]:
    stream = io.BytesIO()
    _env, _parties, summary = run_deal(deal, stream)
    return summary, [json.loads(line) for line in stream.getvalue().splitlines()]


def first_amortization_payment(events: list[dict]) -> str:
    return next(e["date"] for e in events if e["event"] == "payment_date" and e.get("amortization_index") == 1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shifted")


def test_a_deal_inside_the_packaged_years_runs_on_that_data_alone(folder):
    summary, events = run(load_deal(write_shifted_deal(folder, 3)))
    cal = summary["calendar"]
    assert cal["holiday_file"] is None and cal["assumed_years"] == [] and cal["flagged_figures"] == []
    # 2025-05-18, 21 months after the effective date, is a Sunday: revolving ends Monday [一.4.2]
    assert summary["revolving_end"] == {"date": "2025-05-19", "cause": "revolving period expired"}
    # ten business days on [一.4.4(2)]: 2025-05-31 to 06-02 are the Dragon Boat Festival
    assert first_amortization_payment(events) == "2025-06-03"
    assert summary["notes"]["senior"]["paid_in_full"]
    assert dt.date.fromisoformat(summary["trust_termination_date"]) < dt.date(2026, 9, 14)


def test_a_deal_reaching_unpublished_years_is_refused_with_the_ways_forward(folder):
    with pytest.raises(ConfigError) as err:
        load_deal(write_shifted_deal(folder, 6))
    msg = str(err.value)
    assert "the first date not covered is 2027-01-01" in msg
    assert f"published for {FIRST_YEAR}-{LAST_YEAR} from chinesecalendar" in msg
    assert "holiday file covering 2027-2029 (calendar.holiday_file in the deal, or --holiday-file" in msg
    assert "calendar.unpublished_years: weekends_only" in msg


def test_a_holiday_file_in_tests_carries_the_deal_to_2029(folder):
    deal = load_deal(write_shifted_deal(folder, 6, {"holiday_file": str(HOLIDAY_FILE)}))
    summary, events = run(deal)
    sha = hashlib.sha256(HOLIDAY_FILE.read_bytes()).hexdigest()
    recorded = {"path": str(HOLIDAY_FILE), "sha256": sha, "years": [2027, 2028, 2029]}
    assert events[0]["event"] == "run_started" and events[0]["calendar"]["holiday_file"] == recorded
    assert summary["calendar"]["holiday_file"] == recorded and summary["calendar"]["flagged_figures"] == []
    assert summary["revolving_end"]["date"] == "2028-05-18"
    # the file's Dragon Boat break (Sat 2028-05-27 to Mon 05-29) pushes the 10th business day to 06-02
    assert first_amortization_payment(events) == "2028-06-02"
    assert summary["notes"]["sub"]["paid_in_full"]


def test_weekends_only_runs_and_flags_every_figure_resting_on_the_assumption(folder):
    deal = load_deal(write_shifted_deal(folder, 6, {"unpublished_years": "weekends_only"}))
    summary, events = run(deal)
    cal = summary["calendar"]
    assert cal["unpublished_years"] == "weekends_only" and cal["assumed_years"] == [2027, 2028, 2029]
    assert events[0]["calendar"]["assumed_years"] == [2027, 2028, 2029]
    # Monday 2028-05-29 counts as a business day here: the 10th after 2028-05-18 is 06-01
    assert first_amortization_payment(events) == "2028-06-01"
    assert dt.date.fromisoformat(summary["trust_termination_date"]).year >= 2027
    assert {"notes", "cash", "pool", "ledger", "revolving_end.date",
            "trust_termination_date"} <= set(cal["flagged_figures"])
    peak_in_assumed_year = summary["commingling"]["peak_date"] >= "2027-01-01"
    assert ("commingling.peak_date" in cal["flagged_figures"]) == peak_in_assumed_year


def test_exchange_days_never_fall_on_a_weekend_and_bank_days_include_make_up_sundays(deal, base_run):
    closed = {e["date"] for e in base_run.of("day_closed")}
    assert "2020-09-27" in closed  # a make-up Sunday: the bank-day environment closes its books
    exchange = deal.model_copy(update={"calendar": deal.calendar.model_copy(update={"business_days": "exchange"})})
    summary, events = run(exchange)
    ex_closed = [dt.date.fromisoformat(e["date"]) for e in events if e["event"] == "day_closed"]
    assert ex_closed and all(d.weekday() < 5 for d in ex_closed)
    assert summary["calendar"]["business_days"] == "exchange"


def test_the_report_marks_the_figures_and_reports_resting_on_assumed_days(folder):
    from trustsim.audit import load
    from trustsim.reports import build_report
    from trustsim.sim.runner import simulate

    deal = load_deal(write_shifted_deal(folder, 6, {"unpublished_years": "weekends_only"}))
    run_dir = simulate(deal, folder / "run").out_dir
    built = build_report(load(run_dir), folder / "report", langs=("en",), pdf=False)
    page = built.html.read_text(encoding="utf-8")
    assert "* ASSUMED CALENDAR: 2027, 2028, 2029 have no published holidays" in page
    assert '<td class="l">senior *</td>' in page
    trustee = json.loads((built.folder / "trustee" / "reports.json").read_text(encoding="utf-8"))
    flags = {r["payment_date"]: r["assumed_calendar"] for r in trustee}
    assert flags["2026-11-18"] is False and flags["2027-02-18"] is True
    assert all(flag == (d >= "2027-01-01") for d, flag in flags.items())
    servicer = json.loads((built.folder / "servicer" / "monthly.json").read_text(encoding="utf-8"))
    # the pool is repaid by criterion (g)'s date (2028-08-18): the trust ends in 2028
    assert {m["month"][:4] for m in servicer if m["assumed_calendar"]} == {"2027", "2028"}


def test_a_run_is_reproduced_from_its_config_json_without_the_holiday_file(tmp_path):
    import shutil

    from trustsim.sim.runner import simulate

    shutil.copy(HOLIDAY_FILE, tmp_path / "h.yaml")
    deal = load_deal(write_shifted_deal(tmp_path, 6, {"holiday_file": "h.yaml"}))
    first = simulate(deal, tmp_path / "run1").out_dir
    (tmp_path / "h.yaml").unlink()
    again = simulate(load_deal(first / "config.json"), tmp_path / "run2").out_dir
    assert (again / "events.jsonl").read_bytes() == (first / "events.jsonl").read_bytes()
    recorded = json.loads((first / "config.json").read_text(encoding="utf-8"))["calendar"]
    assert recorded["holiday_file"] == str(tmp_path / "h.yaml")
    assert recorded["years"]["2028"]["workdays"] == ["2028-01-22", "2028-02-05", "2028-04-29",
                                                     "2028-05-06", "2028-09-30"]


def test_a_legal_maturity_at_the_end_of_the_published_years_needs_its_grace_period_covered(tmp_path):
    import yaml
    from support.shifted import shifted_deal_data

    data = shifted_deal_data(3)
    data["termination"]["clean_up_call"] = None  # the notes cannot be repaid before legal maturity
    data["pool"]["last_instalment_months"] = None  # (a pool breaching criterion (g) leaves a tail)
    for cls in data["classes"]:   # every class's last expected maturity: 2025-12-31
        if "rolling_series" in cls:
            cls["rolling_series"]["expected_maturities"][-1] = dt.date(2025, 12, 31)
        else:
            cls["expected_maturity"] = dt.date(2025, 12, 31)
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    # legal maturity 2026-12-31 is published; the 10 business days of event of default (b) are not
    with pytest.raises(ConfigError, match=r"\+ 10 business days, the last deadline after it\): .*"
                                          r"the first date not covered is 2027-01-01"):
        load_deal(path)
    summary, _events = run(load_deal(path, overrides={"calendar": {"unpublished_years": "weekends_only"}}))
    assert summary["triggers"][0]["kind"] == "default" and summary["triggers"][0]["clause"] == "b"
    assert summary["triggers"][0]["date"] == "2027-01-14"  # the 10th weekday after 2026-12-31 (1 Jan assumed worked)
    assert "triggers[0].date" in summary["calendar"]["flagged_figures"]
