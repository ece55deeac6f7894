"""`trustsim report` builds for the base run and for a run in which a trigger fires.

The report folder holds a self-contained page, its plots as PNG, a trustee report per
payment date and a servicer report per month; their figures agree with the run's
summary, and the page references nothing outside itself.
"""

from __future__ import annotations

import csv
import json
import re

import pytest
from audit_support import TRIGGER_SCENARIO, run_folder
from conftest import ROOT
from support.renamed import renamed_deal
from typer.testing import CliRunner

from trustsim.audit import load
from trustsim.cli import app
from trustsim.config import load_deal
from trustsim.reports import build_report
from trustsim.sim.runner import simulate

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.IGNORECASE)


@pytest.fixture(scope="module", params=["base", TRIGGER_SCENARIO])
def built(request, tmp_path_factory):
    scenario = None if request.param == "base" else request.param
    run = run_folder(tmp_path_factory, scenario)
    out = tmp_path_factory.mktemp("report") / "report"
    result = build_report(load(run), out, langs=("en",), pdf=False)   # the PDFs: test_trustee_report
    return run, result


def test_the_page_and_its_plots_are_written(built):
    _run, result = built
    page = result.html.read_text()
    assert page.startswith("<!DOCTYPE html>")
    for section in ("timeline", "plots", "cash-flows", "trustee-reports", "servicer-reports"):
        assert f'<section id="{section}">' in page
    assert {p.name for p in result.plots} == {"balances.png", "pool.png", "notes.png",
                                              "cash_flows.png"}   # one timeline: the page's SVG
    for p in result.plots:
        png = p.read_bytes()
        assert png.startswith(PNG_MAGIC) and len(png) > 10_000
    assert page.count('src="data:image/png;base64,') == len(result.plots)


def test_the_page_is_self_contained(built):
    page = built[1].html.read_text()
    assert EXTERNAL.findall(page) == []
    assert "default-src 'none'" in page               # the browser may fetch nothing else
    assert not re.search(r"<(?:link|iframe|object|embed)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)


def test_trustee_reports_agree_with_the_summary(built):
    run, result = built
    summary = json.loads((run / "summary.json").read_text())
    reports = json.loads((result.folder / "trustee" / "reports.json").read_text())
    assert len(reports) == result.trustee_count > 0
    paid = {c: 0 for c in ("senior", "mezz", "sub")}
    for r in reports:
        for t in r["tranches"]:
            paid[t["class"]] += t["principal_paid_fen"]
            if t["class"] != "senior":   # the senior also rolls into new series
                assert t["closing_fen"] == t["opening_fen"] - t["principal_paid_fen"]
    for cls, n in summary["notes"].items():
        assert paid[cls] == n["principal_paid_fen"], cls
    with open(result.folder / "trustee" / "tranches.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 * len(reports)
    assert set(reports[0]["delinquency"]) >= {"current", "1-30 days past due", "31-60 days past due",
                                              "61-90 days past due",
                                              "90+ days past due (non-performing)"}


def test_the_trigger_shows_in_the_trustee_reports_after_it_fired(built):
    run, result = built
    summary = json.loads((run / "summary.json").read_text())
    reports = json.loads((result.folder / "trustee" / "reports.json").read_text())
    last = reports[-1]["triggers"]
    if summary["triggers"]:
        first = summary["triggers"][0]
        assert {"kind": first["kind"], "clause": first["clause"]}.items() <= \
            last["fired"][0].items()
        assert last["fired"][0]["fired_on"] == first["date"]
        before = [r for r in reports if r["payment_date"] < first["date"]]
        assert all(r["triggers"]["fired"] == [] for r in before)
    else:
        assert last["status"] == "no trigger has fired"


def test_servicer_reports_add_up_to_the_collections(built):
    run, result = built
    summary = json.loads((run / "summary.json").read_text())
    months = json.loads((result.folder / "servicer" / "monthly.json").read_text())
    assert len(months) == result.servicer_count
    assert sum(m["collections_fen"] for m in months) == summary["cash"]["collections_fen"]
    assert (result.folder / "servicer" / "monthly.csv").read_text().startswith("month,")


def test_report_command_writes_into_the_run_folder_and_rejects_a_missing_one(tmp_path_factory,
                                                                            tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(tmp_path / "missing"), "--quiet"])
    assert res.exit_code == 2 and "no such run folder" in res.output
    assert not (tmp_path / "missing").exists()
    run = run_folder(tmp_path_factory)
    out = tmp_path / "rep"
    res = runner.invoke(app, ["report", str(run), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").is_file() and (out / "plots" / "pool.png").is_file()
    assert not list(tmp_path.glob(".rep.tmp-*"))


STATIC = ROOT / "configs" / "deals" / "static_consumer_2021_illustrative.yaml"


@pytest.fixture(scope="module", params=["static", "renamed"])
def other(request, deal, tmp_path_factory):
    """A report of a deal of another shape (static, pro-rata seniors, no NPL trigger) and of
    the bundled deal with its classes renamed."""
    d = load_deal(STATIC) if request.param == "static" else renamed_deal(deal)
    run = tmp_path_factory.mktemp("other_runs") / request.param
    simulate(d, run)
    return d, run, build_report(load(run), tmp_path_factory.mktemp("report") / "report",
                                langs=("en",), pdf=False)


def test_a_report_names_the_deals_classes_most_senior_first(other):
    d, run, result = other
    summary = json.loads((run / "summary.json").read_text())
    reports = json.loads((result.folder / "trustee" / "reports.json").read_text())
    assert all([t["class"] for t in r["tranches"]] == d.class_names for r in reports)
    paid = dict.fromkeys(d.class_names, 0)
    for r in reports:
        for t in r["tranches"]:
            paid[t["class"]] += t["principal_paid_fen"]
    assert paid == {c: summary["notes"][c]["principal_paid_fen"] for c in d.class_names}
    page = result.html.read_text()
    summary_table = page[page.index('<section id="summary">'):page.index('<section id="audit">')]
    rows = re.findall(r'<tr><td class="l">([a-z0-9_]+)</td>', summary_table)
    assert rows == d.class_names       # the summary.json's keys are sorted; the table is by seniority
    cash = page[page.index('<section id="cash-flows">'):page.index('<section id="trustee-reports">')]
    assert f"{d.class_names[0]} principal" in cash


def test_the_npl_line_is_the_deals_trigger_or_none(other):
    d, _run, result = other
    page = result.html.read_text()
    reports = json.loads((result.folder / "trustee" / "reports.json").read_text())
    npl = [t for t in d.triggers if t.kind == "npl_ratio"]
    if npl:        # the renamed deal keeps Dongdao's trigger (e) at 6%
        assert 'alt="Pool balance and NPL ratio against the trigger (e) line"' in page
        assert reports[0]["triggers"]["npl_threshold_ppm"] == 60_000
    else:          # the static deal has none: no line, no threshold
        assert 'alt="Pool balance and NPL ratio"' in page
        assert reports[0]["triggers"]["npl_threshold_ppm"] is None
        assert " against " not in page[page.index('<section id="trustee-reports">'):]


def test_the_disclosures_are_written_with_their_due_dates(built):
    """The report's disclosures (trustsim.disclosure): each notice the market's rules required,
    its due date and whether the trustee issued it in time; a readable page that loads nothing."""
    _run, result = built
    data = json.loads((result.folder / "disclosures.json").read_text())
    assert data["market"] == "interbank"
    notices = [(n["rule"], n["subject"], n["event_date"], n["due_date"], n["issued_on"], n["status"])
               for n in data["notices"]]
    if _run.name.endswith("_base"):
        assert notices == []
    else:   # trigger (h) on Friday 2020-12-18: due 2 interbank working days later
        assert ("acceleration_event", "clause h", "2020-12-18", "2020-12-22", "2020-12-18",
                "on time") in notices
    page = (result.folder / "disclosures.html").read_text()
    assert EXTERNAL.findall(page) == [] and "default-src 'none'" in page
    md = (result.folder / "disclosures.md").read_text()
    assert md.startswith("## Major-event disclosure")
    for rule, _subject, event_date, due_date, issued_on, status in notices:
        assert status == "on time" and issued_on <= due_date
        assert f"| {event_date} | {rule} |" in md
