"""The Monte Carlo's reading of reconciliation breaks: each path's breaks and how long each
stayed open, and a cash error a correction reversed being neither cash in nor a payment."""

from __future__ import annotations

from types import SimpleNamespace

from trustsim.risk.montecarlo import StudyResult, break_table
from trustsim.risk.outcome import _net_of_corrections
from trustsim.risk.paths import Draw, Study, path_row


def _row(path: int, breaks: str) -> dict:
    return {"path": path, "breaks": breaks}


def test_each_cause_s_breaks_their_paths_and_days_open(deal):
    rows = [_row(0, ""), _row(1, "sweep_short=3; sweep_short=7"),
            _row(2, "sweep_short=12*; missed_cutoff=1"), _row(3, "missed_cutoff=3")]
    by = {b["cause"]: b for b in break_table(StudyResult(Study(deal, None, None, 0), rows, [], "local", 1))}
    assert by["sweep_short"] == {
        "cause": "sweep_short", "breaks": 3, "paths": 2, "frequency": 0.5, "never_resolved": 1,
        "mean_days_open": 22 / 3, "days_open_p50": 7.0, "days_open_p90": 12.0, "days_open_p99": 12.0,
        "max_days_open": 12}
    assert (by["missed_cutoff"]["paths"], by["missed_cutoff"]["max_days_open"]) == (2, 3)


def test_a_path_row_lists_its_breaks_with_days_open(deal):
    outcome = SimpleNamespace(   # what read_outcome gives
        loss_fen=dict.fromkeys(deal.class_names, 0), classes={}, commingling={}, replacement={},
        revolving_end="2022-01-10", termination_date="2022-01-10", triggers=(),
        breaks=({"cause": "sweep_short", "opened": "2021-03-01", "resolved": "2021-03-04", "days_open": 3},
                {"cause": "instruction_misdirected", "opened": "2022-01-01", "resolved": None,
                 "days_open": None}))
    row = path_row(Draw(0, 1, {}, []), outcome)   # type: ignore[arg-type]
    assert (row["breaks"], row["n_breaks"]) == ("sweep_short=3; instruction_misdirected=9*", 2)


def test_a_reversed_cash_error_is_neither_cash_in_nor_a_payment():
    inflows = {"obligors": 1_000, "another_trust": 700, "originator": 50}
    outflows = {"originator": 900, "another_trust": 700, "senior_noteholders": 80}
    breaks = ({"reversed_fen": 700, "reversed_with": "another_trust"},
              {"reversed_fen": 0, "reversed_with": None})
    assert _net_of_corrections(inflows, outflows, breaks) == (
        {"obligors": 1_000, "originator": 50}, {"originator": 900, "senior_noteholders": 80})
