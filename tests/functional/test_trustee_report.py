"""The trustee report of every payment date, for each bundled deal, agrees with the run's
summary.json and its log to the fen, and its trigger table is the audit's recomputation.

Each deal is run once (Dongdao No. 3 and the run in which its series 2 cannot be issued,
the JD Baitiao 2015 deal, the static illustrative deal, and Dongdao loan by loan at 1% of
its pool); every payment date's report is built in both languages. The figures are read
back from the report dicts, from the HTML documents (every date) and from the PDFs' text
(one date a deal), and compared with the log's events and the summary.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from audit_support import DEALS, TRIGGER_SCENARIO, run_folder
from support.runs import small_loan_deal
from typer.testing import CliRunner

from trustsim.audit import load
from trustsim.audit.checks.triggers import recompute
from trustsim.cli import app
from trustsim.reports.build import trustee_documents
from trustsim.reports.document import to_html, to_pdf, wan
from trustsim.reports.fonts import FontSet
from trustsim.reports.periodic import trustee_reports
from trustsim.sim.runner import simulate

RUNS = ["dongdao3_2020_1", TRIGGER_SCENARIO, "jd_baitiao_2015", "static_consumer_2021_illustrative",
        "loans_1pct"]


_REPORTED: dict[Path, Reported] = {}


def reported(run: Path) -> Reported:
    if run not in _REPORTED:
        _REPORTED[run] = Reported(run)
    return _REPORTED[run]


class Reported:
    def __init__(self, run: Path) -> None:
        self.run = run
        self.log = load(run)
        self.summary = json.loads((run / "summary.json").read_text())
        self.reports = trustee_reports(self.log)
        self.docs = trustee_documents(self.log, self.reports)
        self.fonts = FontSet("".join(d.text() for d in self.docs.values()))
        self.html = {k: to_html(d, self.fonts) for k, d in self.docs.items()}


@pytest.fixture(scope="module", params=RUNS)
def rep(request, tmp_path_factory) -> Reported:
    name = request.param
    if name == "loans_1pct":
        run = tmp_path_factory.mktemp("trustee_runs") / name
        simulate(small_loan_deal(), run)
    elif name == TRIGGER_SCENARIO:
        run = run_folder(tmp_path_factory, name)
    else:
        run = run_folder(tmp_path_factory, None, DEALS / f"{name}.yaml")
    return reported(run)


def _per_100(fen: int, face: int) -> str:
    return str((Decimal(fen) * 100 / Decimal(face)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def test_every_class_and_series_adds_up_to_the_summary_to_the_fen(rep):
    notes = rep.summary["notes"]
    assert [c["class"] for c in rep.reports[0]["classes"]] == list(rep.log.class_names)
    for cls in rep.log.class_names:
        rows = [next(c for c in r["classes"] if c["class"] == cls) for r in rep.reports]
        assert sum(c["principal_paid_fen"] for c in rows) == notes[cls]["principal_paid_fen"]
        assert sum(c["interest_paid_fen"] for c in rows) == notes[cls]["interest_paid_fen"]
        assert sum(c["issued_fen"] for c in rows) + rows[0]["opening_fen"] \
            == notes[cls].get("principal_issued_fen", notes[cls]["principal_fen"])
        for c in rows:       # each date: opening + issued - repaid = closing
            assert c["closing_fen"] == c["opening_fen"] + c["issued_fen"] - c["principal_paid_fen"]
            assert c["face_fen"] == notes[cls]["principal_fen"]
        if notes[cls]["paid_in_full"]:
            assert rows[-1]["closing_fen"] == 0 and rows[-1]["note_factor"] == "0.000000"
        for s in notes[cls].get("series", []):
            mine = [x for c in rows for x in c["series"] if x["series"] == s["series"]]
            assert sum(x["principal_paid_fen"] for x in mine) == s["repaid_fen"]
            assert {x["expected_maturity"] for x in mine} == {s["expected_maturity"]}
            assert mine[0]["issued_on"] == s["issued_on"] and mine[0]["face_fen"] == s["issued_fen"]
            for x in mine:
                assert x["principal_per_100_cny"] == _per_100(x["principal_paid_fen"], s["issued_fen"])


def test_every_payment_date_agrees_with_the_log_to_the_fen(rep):
    log = rep.log
    by_seq = {e["seq"]: e for e in log.events}
    steps = {d.seq: d for d in log.distributions}
    closes = {e["date"]: e for e in log.of("day_closed")}
    prev = None
    for r in rep.reports:
        pd_event = by_seq[r["seq"]]
        assert (r["available_fen"], r["remaining_fen"]) == (pd_event["available_fen"],
                                                            pd_event["remaining_fen"])
        logged = [(s.event["pay"], s.event["due_fen"], s.event["paid_fen"], s.event["shortfall_fen"])
                  for s in steps[r["seq"]].steps]
        assert [(s["pay"], s["due_fen"], s["paid_fen"], s["shortfall_fen"])
                for s in r["waterfall_steps"]] == logged
        close = closes.get(r["accounts"]["after_date"])
        assert close is not None and r["accounts"]["after"]["trust_account"] == close["trust_account_fen"]
        coll = [e for e in log.of("collections_received")
                if (prev is None or e["date"] > prev) and e["date"] <= r["payment_date"]]
        p = r["pool_performance"]
        assert p["collections_principal_fen"] == sum(e["principal_fen"] for e in coll)
        assert p["collections_income_fen"] == sum(e["income_fen"] for e in coll)
        defaulted = close["pool_non_performing_fen"] + close["pool_charged_off_fen"]
        assert p["cumulative_defaulted_fen"] == defaulted
        assert p["cumulative_default_rate_pct"] == str(
            (Decimal(defaulted) * 100 / log.initial_cutoff_fen).quantize(Decimal("0.0001"),
                                                                         ROUND_HALF_UP))
        prev = r["payment_date"]
    dates = [r["payment_date"] for r in rep.reports]
    assert [r["next_payment_date"] for r in rep.reports] == [*dates[1:], None]


BUCKET_FIELDS = {"1-30 days past due": "pool_overdue_1_30_fen",
                 "31-60 days past due": "pool_overdue_31_60_fen",
                 "61-90 days past due": "pool_overdue_61_90_fen",
                 "90+ days past due (non-performing)": "pool_non_performing_fen"}


def _close_on_or_before(closes, date):
    found = None
    for c in closes:
        if c["date"] > date:
            break
        found = c
    return found


def test_delinquency_buckets_defaults_and_prepayments_are_the_logs_to_the_fen(rep):
    log = rep.log
    closes = log.of("day_closed")
    cutoff = log.initial_cutoff_fen
    prev = None
    total_prepaid = 0
    for r in rep.reports:
        close = _close_on_or_before(closes, r["payment_date"])
        start = _close_on_or_before(closes, prev) if prev else None
        dq = r["delinquency"]
        for label, field in BUCKET_FIELDS.items():
            assert dq[label] == close[field], (r["payment_date"], label)
        assert sum(dq[x] for x in list(BUCKET_FIELDS)[:3]) == close["pool_overdue_fen"]
        npl_row = next((t for t in r["trigger_table"] if t["metric"] == "npl_ratio"), None)
        if npl_row is not None:      # the 90+ bucket is the figure the NPL trigger reads
            ninety = dq["90+ days past due (non-performing)"]
            assert npl_row["value"] == f"{(Decimal(ninety) * 100 / cutoff).quantize(Decimal('0.0001'), ROUND_HALF_UP)}%"
        p = r["pool_performance"]

        def moved(field, start=start, close=close):
            return close[field] - (start[field] if start else 0)

        assert p["prepayments_fen"] == moved("pool_prepaid_fen")
        assert p["scheduled_principal_fen"] == moved("pool_scheduled_principal_fen")
        assert p["entered_fen"] == moved("pool_bought_fen")
        base = (start["pool_performing_fen"] if start else 0) + p["entered_fen"] \
            - p["scheduled_principal_fen"]
        assert p["prepayment_base_fen"] == base
        days = (dt.date.fromisoformat(close["date"]) - (dt.date.fromisoformat(start["date"])
                if start else log.terms.effective_date)).days
        assert p["period_days"] == days
        if base > 0 and days > 0:
            period = p["prepayments_fen"] / base
            smm = 1 - (1 - period) ** (365 / 12 / days)
            assert abs(float(p["smm_pct"]) - 100 * smm) < 1e-4
            assert abs(float(p["cpr_pct"]) - 100 * (1 - (1 - smm) ** 12)) < 1e-4
        else:
            assert p["cpr_pct"] is None
        total_prepaid += p["prepayments_fen"]
        prev = r["payment_date"]
    last = _close_on_or_before(closes, rep.reports[-1]["payment_date"])
    assert total_prepaid == last["pool_prepaid_fen"] == rep.summary["pool"]["prepaid_fen"]
    if log.config["pool"]["kind"] == "loan_level":   # early repayments: a CPR in every period
        assert all(r["pool_performance"]["prepayments_fen"] > 0 for r in rep.reports[:-1])
    else:   # no bundled rep line repays faster than its schedule (docs/model.md)
        assert total_prepaid == 0


def test_the_documents_show_the_buckets_and_the_prepayment_rate(rep):
    for r in rep.reports:
        p = r["pool_performance"]
        for lang, ninety in (("zh", "逾期90天以上（不良）"), ("en", "90+ days past due (non-performing)")):
            page = rep.html[(r["seq"], lang)]
            assert ninety in page
            for label in BUCKET_FIELDS:
                assert f"<td>{wan(r['delinquency'][label])}</td>" in page
            assert f"<td>{wan(p['prepayments_fen'])}</td>" in page
            if p["cpr_pct"] is not None:
                assert f"<td>{p['cpr_pct']}%</td>" in page


def test_the_trigger_table_is_the_audits_recomputation(rep):
    log = rep.log
    expected, _notes = recompute(log)
    fired = {}
    for e in log.of("trigger_fired"):
        fired.setdefault((e["kind"], e["clause"]), e)
    cutoff = log.initial_cutoff_fen
    closes = {e["date"]: e for e in log.of("day_closed")}
    for r in rep.reports:
        table = r["trigger_table"]
        assert [t["name"] for t in table] == [t.name for t in log.terms.triggers]  # every clause
        day = r["accounts"]["after_date"]
        for t, terms in zip(table, log.terms.triggers, strict=True):
            want, got = expected.get(terms.key), fired.get(terms.key)
            assert t["condition_held_on"] == (want.date.isoformat()
                                              if want and want.date.isoformat() <= day else None)
            assert t["fired_on"] == (got["date"] if got and got["date"] <= day else None)
            if t["metric"] == "npl_ratio":      # today's value: the close's exact ratio
                npl = closes[day]["pool_non_performing_fen"]
                assert t["value"] == f"{(Decimal(npl) * 100 / cutoff).quantize(Decimal('0.0001'), ROUND_HALF_UP)}%"
                if t["count"] >= t["required"]:
                    assert t["condition_held_on"] is not None


def test_the_documents_show_every_figure_in_both_languages(rep):
    for r in rep.reports:
        for lang in ("zh", "en"):
            page = rep.html[(r["seq"], lang)]
            assert page.startswith("<!DOCTYPE html>") and "@font-face" in page
            for c in r["classes"]:
                for key in ("opening_fen", "principal_paid_fen", "interest_paid_fen", "closing_fen"):
                    assert f"<td>{wan(c[key])}</td>" in page, (r["payment_date"], c["class"], key)
            for t in r["trigger_table"]:
                assert f'<td class="l">{t["clause"]}</td><td class="l">{t["name"]}</td>' in page
            assert (r["next_payment_date"] or ("无" if lang == "zh" else "none")) in page


def test_a_pdf_says_what_its_html_says(rep):
    from pypdf import PdfReader

    r = rep.reports[len(rep.reports) // 2]
    for lang, title in (("zh", "受托机构报告"), ("en", "Trustee report")):
        pdf = to_pdf(rep.docs[(r["seq"], lang)], rep.fonts)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        flat = text.replace(" ", "").replace("\n", "")
        assert title.replace(" ", "") in flat
        for c in r["classes"]:
            assert wan(c["closing_fen"]) in flat and c["class"].replace(" ", "") in flat
        for s in r["waterfall_steps"]:
            assert wan(s["paid_fen"]) in flat


def test_a_roll_date_shows_the_series_that_matured_and_the_one_issued(tmp_path_factory):
    rep = reported(run_folder(tmp_path_factory))
    r = next(x for x in rep.reports if x["payment_date"] == "2020-12-18")
    rolling = next(c for c in r["classes"] if c["rolling"])
    assert (rolling["opening_fen"], rolling["issued_fen"], rolling["principal_paid_fen"],
            rolling["closing_fen"]) == (89_000_000_000,) * 4
    one, two = rolling["series"]
    assert (one["series"], one["opening_fen"], one["principal_paid_fen"], one["closing_fen"],
            one["principal_per_100_cny"], one["note_factor"]) == \
        (1, 89_000_000_000, 89_000_000_000, 0, "100.0000", "0.000000")
    assert (two["series"], two["issued_fen"], two["closing_fen"], two["expected_maturity"],
            two["note_factor"]) == (2, 89_000_000_000, 89_000_000_000, "2021-03-18", "1.000000")
    assert one["interest_paid_fen"] == rolling["interest_paid_fen"] > 0   # series 1's interest
    zh, en = rep.html[(r["seq"], "zh")], rep.html[(r["seq"], "en")]
    assert "第1期" in zh and "第2期" in zh and "以同日发行的第2期募集资金" in zh
    assert f"{rolling['class']} series 1" in en and "from the proceeds of series 2" in en


def test_the_report_command_writes_the_documents_in_the_language_asked(tmp_path_factory, tmp_path):
    run = run_folder(tmp_path_factory, None, DEALS / "static_consumer_2021_illustrative.yaml")
    runner = CliRunner()
    bad = runner.invoke(app, ["report", str(run), "--lang", "fr", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "--lang: 'fr' is not one of zh, en, both" in bad.output
    assert not (tmp_path / "x").exists()
    res = runner.invoke(app, ["report", str(run), "--lang", "zh", "--out", str(tmp_path / "r"),
                              "--quiet"])
    assert res.exit_code == 0, res.output
    payment_dates = len(load(run).distributions)
    assert len(list((tmp_path / "r" / "trustee" / "zh").glob("*.html"))) == payment_dates
    assert len(list((tmp_path / "r" / "trustee" / "zh").glob("*.pdf"))) == payment_dates
    assert not (tmp_path / "r" / "trustee" / "en").exists()
    page = (tmp_path / "r" / "report.html").read_text()
    assert page.count('href="trustee/zh/') == 2 * payment_dates    # HTML and PDF of each date
    first = sorted((tmp_path / "r" / "trustee" / "zh").glob("*.pdf"))[0]
    assert first.read_bytes().startswith(b"%PDF-")
    assert dt.date.fromisoformat(first.name[:10])
