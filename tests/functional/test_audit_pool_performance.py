"""The audit's ``pool_performance_reported`` [二.1(4)]: an honest run passes it, and a close whose
pool figures do not hang together is cited (docs/model.md, "Pool performance")."""

from __future__ import annotations

import pytest
from audit_support import audit_of, cited, read_events, run_folder, write_run


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return run_folder(tmp_path_factory)


def _forged(base, tmp_path, edit):
    events = read_events(base)
    closes = [e for e in events if e["event"] == "day_closed" and e["pool_overdue_61_90_fen"] > 0]
    target = closes[len(closes) // 2]
    edit(target)
    return audit_of(write_run(base, tmp_path / "run", events)), target["seq"]


def test_an_honest_run_reports_its_pool_consistently(base):
    result = audit_of(base).result("pool_performance_reported")
    assert result.status == "pass" and result.checked > 400


def test_buckets_that_do_not_add_up_to_the_overdue_balance_are_caught(base, tmp_path):
    def edit(e):
        e["pool_overdue_31_60_fen"] += 100      # 1 CNY too many 31-60 days past due
    report, seq = _forged(base, tmp_path, edit)
    assert cited(report, "pool_performance_reported") == {seq}


def test_a_90_plus_bucket_that_is_not_the_npl_ratios_figure_is_caught(base, tmp_path):
    def edit(e):     # 90+ moved to 61-90: the overdue balance and outstanding kept, the ratio not
        e["pool_non_performing_fen"] -= 1_000_000
        e["pool_overdue_61_90_fen"] += 1_000_000
        e["pool_overdue_fen"] += 1_000_000
    report, seq = _forged(base, tmp_path, edit)
    result = report.result("pool_performance_reported")
    assert {f.seq for f in result.findings} == {seq}
    assert "NPL ratio" in result.findings[0].message


def test_scheduled_principal_that_falls_is_caught(base, tmp_path):
    def edit(e):
        e["pool_scheduled_principal_fen"] -= 1_000_000_000    # 1,000万 less than the day before
    report, seq = _forged(base, tmp_path, edit)
    assert cited(report, "pool_performance_reported") == {seq}


def test_principal_entered_that_no_transfer_brought_is_caught(base, tmp_path):
    def edit(e):
        e["pool_bought_fen"] += 1
    report, seq = _forged(base, tmp_path, edit)
    assert cited(report, "pool_performance_reported") == {seq}
