"""The command line: `audit` exits by its verdict, `query` answers SQL, user errors exit 2.

Run through typer's test runner, as a user types them. A user error (missing folder, bad
SQL) prints one line and leaves nothing behind.
"""

from __future__ import annotations

import json

import pytest
from audit_support import read_events, run_folder, write_run
from typer.testing import CliRunner

from trustsim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return run_folder(tmp_path_factory)


def test_audit_of_an_honest_run_exits_0_and_writes_the_same_as_json(base, tmp_path):
    out = tmp_path / "audit.json"
    parquet = tmp_path / "views"
    res = runner.invoke(app, ["audit", str(base), "--quiet", "--json", str(out),
                              "--parquet", str(parquet)])
    assert res.exit_code == 0, res.output
    assert "all checks pass" in res.output
    data = json.loads(out.read_text())
    assert data["passed"] is True
    assert [c["name"] for c in data["checks"]][:2] == ["log_integrity",
                                                       "sweep_by_next_business_day"]
    assert {p.name for p in parquet.iterdir()} >= {"events.parquet", "postings.parquet",
                                                   "accounts_daily.parquet"}
    assert not list(tmp_path.glob(".*tmp*"))


def test_audit_of_a_forged_log_exits_1_and_names_the_seq(base, tmp_path):
    events = read_events(base)
    i = next(i for i, e in enumerate(events) if e["event"] == "instruction_executed"
             and e["reason"].startswith("taxes ("))
    events[i]["amount_fen"] += 1
    forged = write_run(base, tmp_path / "forged", events)
    res = runner.invoke(app, ["audit", str(forged), "--quiet", "--json", "-"])
    assert res.exit_code == 1
    data = json.loads(res.output)
    failing = {c["name"]: [f["seq"] for f in c["findings"]] for c in data["checks"]
               if c["status"] == "fail"}
    assert i + 1 in failing["custodian_payments_instructed"]


def test_audit_of_a_missing_folder_is_a_user_error(tmp_path):
    res = runner.invoke(app, ["audit", str(tmp_path / "nope")])
    assert res.exit_code == 2
    assert "no such run folder" in res.output


def test_audit_of_a_folder_that_is_not_a_run_is_a_user_error(tmp_path):
    (tmp_path / "events.jsonl").write_text("not json\n")
    res = runner.invoke(app, ["audit", str(tmp_path)])
    assert res.exit_code == 2
    assert "config.json: missing" in res.output


def test_query_answers_the_documented_example(base):
    sql = ("SELECT kind, count(*) AS payments, sum(amount_fen) AS fen FROM payments "
           "GROUP BY kind ORDER BY kind")
    res = runner.invoke(app, ["query", str(base), sql, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["kind"]: r for r in json.loads(res.output)}
    summary = json.loads((base / "summary.json").read_text())
    principal = sum(n["principal_paid_fen"] for n in summary["notes"].values())
    assert rows["principal"]["fen"] == principal
    assert rows["tax"]["fen"] == summary["cash"]["taxes_fen"]


def test_query_accounts_daily_reconciles_every_day(base):
    res = runner.invoke(app, ["query", str(base), "SELECT count(*) AS days, "
                              "sum(abs(difference_fen)) AS off FROM accounts_daily", "--format",
                              "csv"])
    assert res.exit_code == 0, res.output
    header, row = res.output.strip().splitlines()
    assert header == "days,off"
    days, off = row.split(",")
    assert int(days) > 1000 and off == "0"


def test_query_with_bad_sql_is_a_user_error(base):
    res = runner.invoke(app, ["query", str(base), "SELEC * FROM events"])
    assert res.exit_code == 2
    assert "bad SQL" in res.output and "SELEC" in res.output


def test_query_of_an_unknown_view_is_a_user_error(base):
    res = runner.invoke(app, ["query", str(base), "SELECT * FROM no_such_view"])
    assert res.exit_code == 2
    assert "no_such_view" in res.output


def test_query_without_sql_lists_the_views(base):
    res = runner.invoke(app, ["query", str(base)])
    assert res.exit_code == 0
    for view in ("events", "postings", "payments", "triggers", "pool_daily", "notes",
                 "accounts_daily"):
        assert view in res.output


def test_every_example_query_in_the_docs_runs(base):
    from audit_support import ROOT

    from trustsim.audit import load

    doc = (ROOT / "docs" / "audit.md").read_text()
    block = doc.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in block.split(";") if s.strip()]
    assert len(statements) >= 8
    db = load(base).db
    for sql in statements:
        db.execute(sql).fetchall()
