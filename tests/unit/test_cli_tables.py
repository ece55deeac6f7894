"""The terminal's tables fit 100 columns: no figure, heading or check name is cut.

The run summary shows each class once (a rolling class's size, not the sum of its series,
beside what all its series issued), most senior first, a unit under every heading; the
audit's table keeps every heading and check name whole at 100 columns."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console

from trustsim.audit.model import AuditReport, CheckResult
from trustsim.cli.audit import audit_table
from trustsim.cli.deal import summary_table

SUMMARY = {"deal": "a_deal", "seed": 7, "pool_kind": "rep_line", "notes": {
    # summary.json's keys are sorted; the deal's order is given apart
    "junior": {"principal_fen": 5_000_000_000, "principal_paid_fen": 5_000_000_000,
               "interest_paid_fen": 1_566_481_612, "loss_fen": 0, "paid_in_full": True},
    "top": {"principal_fen": 89_000_000_000, "principal_issued_fen": 623_000_000_000,
            "principal_paid_fen": 623_000_000_000, "interest_paid_fen": 5_452_485_718,
            "loss_fen": 0, "paid_in_full": True},
}}


def _render(table) -> list[str]:
    console = Console(width=100, record=True, color_system=None)
    console.print(table)
    return console.export_text().splitlines()


def test_the_summary_shows_each_class_once_with_units_and_fits_100_columns():
    lines = _render(summary_table(SUMMARY, ["top", "junior"]))
    text = "\n".join(lines)
    assert "…" not in text and max(cell_len(x) for x in lines) <= 100
    rows = [x.split() for x in lines if x.strip().startswith(("top", "junior"))]
    assert [r[0] for r in rows] == ["top", "junior"]                 # most senior first
    assert rows[0][1:4] == ["89,000.00", "623,000.00", "623,000.00"]   # size once, then issued
    assert text.count("(万元)") == 5 and "(yes/no)" in text


def test_the_audit_table_fits_100_columns_without_cutting_a_name():
    names = ["reserve_accounts_move_by_their_actions", "purchased_receivables_eligible"]
    results = tuple(CheckResult(n, "accounts.reserves", "t", "pass", 123456, (), (), None)
                    for n in names)
    report = AuditReport("/some/run", "a_deal", 6067, results)
    lines = _render(audit_table(report, 10))
    text = "\n".join(lines)
    assert "…" not in text and max(cell_len(x) for x in lines) <= 100
    for heading in ("check", "clause", "result", "checked", "failures", "offending seq", *names):
        assert heading in text
