"""The whole deal run loan by loan (``pool.kind: loan_level``) at a small scale.

At 1% of the report's pool, with the notes and fixed fees scaled alike
(:func:`trustsim.pool.scaling.scale_overrides`), the base run repays every class, the
trust's cash reconciles to the fen every business day, the pool's principal reconciles
with what entered and left, and the trustee can say what it held on a date and why.
"""

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from support.cash import INTERNAL, replay
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import deep_merge, load_deal
from trustsim.pool.loan_level import LoanLevelPool, load_tape
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
LOANS = ROOT / "configs/deals/dongdao3_2020_1_loans.yaml"
BASE = ROOT / "configs/deals/dongdao3_2020_1.yaml"
SCALE = 0.01


def small_deal(scale=SCALE, journal=True):
    """The bundled loan-level deal at ``scale``, keeping its journal (the movements are read)."""
    overrides = deep_merge(scale_overrides(load_deal(LOANS), scale), {"pool": {"journal": journal}})
    return load_deal(LOANS, overrides=overrides)


class LoanRun:
    def __init__(self, deal) -> None:
        self.deal = deal
        stream = io.BytesIO()
        self.env, self.parties, self.summary = run_deal(deal, stream)
        self.raw = stream.getvalue()
        self.events = [json.loads(line) for line in self.raw.splitlines()]

    def of(self, *names):
        return [e for e in self.events if e["event"] in names]


@pytest.fixture(scope="module")
def loan_run():
    return LoanRun(small_deal())


def test_pool_kind_loan_level_switches_the_pool(loan_run):
    assert isinstance(loan_run.env.pool, LoanLevelPool)
    assert loan_run.summary["pool_kind"] == "loan_level"
    # the initial pool is the whole tape the deal's generator makes at 1% of the report's pool
    tape = load_tape(loan_run.deal.pool, loan_run.deal.dates.pool_reference_date)
    start = loan_run.of("run_started")[0]
    assert start["pool"] == "loan_level" and start["initial_pool_fen"] == tape.principal_fen
    assert loan_run.of("initial_pool_transferred")[0]["loans"] == len(tape)


def test_the_base_run_repays_every_class(loan_run):
    s = loan_run.summary
    for cls in ("senior", "mezz", "sub"):
        assert s["notes"][cls]["paid_in_full"], cls
        assert s["notes"][cls]["loss_fen"] == 0
    assert s["revolving_end"]["cause"] == "revolving period expired"
    assert s["termination_cause"] == "notes repaid in full"
    assert s["triggers"] == []


def test_cash_is_conserved_to_the_fen_every_business_day(loan_run):
    days = 0
    for snap, bal, came_in, paid_out in replay(loan_run.events):
        days += 1
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct], (snap["date"], acct)
        assert sum(bal.values()) == came_in - paid_out
    fin = loan_run.of("run_finished")[0]
    assert fin["total_in_fen"] - fin["total_out_fen"] == fin["held_fen"] == 0
    assert days > 400


def test_the_pool_reconciles_with_what_entered_and_left(loan_run):
    pool = loan_run.env.pool
    pool.book.check()  # every aggregate recomputed from the loan columns
    b = pool.balances()
    bought = (loan_run.summary["pool"]["initial_fen"]
              + sum(e["principal_fen"] for e in loan_run.of("receivables_transferred"))
              + sum(e["added_fen"] for e in loan_run.of("lost_assets_replaced")))
    assert b.bought_fen == bought
    assert b.collected_fen == sum(e["principal_fen"] for e in loan_run.of("collections_received"))
    assert b.outstanding_fen == 0 and b.loans == 0


def test_each_purchase_and_replacement_names_its_loans_and_fen(loan_run):
    purchases = loan_run.of("receivables_transferred")
    assert len(purchases) > 300
    assert all(e["loans"] > 0 and e["principal_fen"] > 0 for e in purchases)
    replaced = loan_run.of("lost_assets_replaced")
    assert replaced and all(e["added_fen"] >= e["removed_fen"] and e["added_loans"] > 0
                            for e in replaced)
    movements = loan_run.env.pool.movements().to_pydict()
    entries = {}
    for reason in movements["entry_reason"]:
        entries[reason] = entries.get(reason, 0) + 1
    assert entries["initial"] == loan_run.of("initial_pool_transferred")[0]["loans"]
    assert entries["revolving_purchase"] == sum(e["loans"] for e in purchases)
    assert entries["replacement"] == sum(e["added_loans"] for e in replaced)


def test_rows_of_receivables_that_left_are_recycled_so_the_book_does_not_grow(loan_run):
    book = loan_run.env.pool.book
    peak = max(e["pool_loans"] for e in loan_run.of("day_closed"))
    assert book.entered > 4 * peak  # far more receivables passed through than were ever held
    # the columns hold at most about twice the most ever held at once: rows are allotted to
    # days-of-month in blocks, and a row is recycled on its day-of-month's next due date
    assert book.end <= 2 * peak


def test_the_npl_ratio_on_each_day_closed_follows_its_definition(loan_run):
    cutoff = loan_run.summary["pool"]["initial_fen"]
    for e in loan_run.of("day_closed"):
        assert e["npl_ratio_ppm"] == e["pool_non_performing_fen"] * 1_000_000 // cutoff


def test_same_seed_same_bytes_loan_by_loan():
    deal = small_deal(0.003)
    a, b = LoanRun(deal), LoanRun(deal)
    assert a.raw == b.raw


def test_tape_at_writes_the_holdings_and_movements_of_that_date(tmp_path):
    data = yaml.safe_load(LOANS.read_text(encoding="utf-8"))
    data = deep_merge(data, json.loads(json.dumps(scale_overrides(load_deal(LOANS), 0.003))))
    deal_file = tmp_path / "deal.yaml"
    deal_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(deal_file), "--out", str(out), "--quiet",
                                      "--tape-at", "2021-01-04"])
    assert result.exit_code == 0, result.output
    holdings = pq.read_table(out / "holdings_2021-01-04.parquet").to_pydict()
    closed = next(json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()
                  if '"day_closed"' in line and '"2021-01-04"' in line)
    assert sum(holdings["principal_fen"]) == closed["pool_outstanding_fen"]
    assert len(holdings["loan_id"]) == closed["pool_loans"]
    assert set(holdings["entry_reason"]) >= {"initial", "revolving_purchase"}
    moves = pq.read_table(out / "movements_2021-01-04.parquet").to_pydict()
    assert set(moves["exit_reason"]) >= {"", "repaid", "prepaid"}
    held_ids = set(holdings["loan_id"])
    gone = {i for i, left in zip(moves["loan_id"], moves["left_on"], strict=True) if left}
    assert not held_ids & gone


def test_tape_at_on_a_rep_line_deal_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(BASE), "--out", str(out), "--quiet",
                                      "--tape-at", "2021-01-04"])
    assert result.exit_code == 2 and "loan-level pool" in result.output
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(app, ["run", str(BASE), "--out", str(out), "--quiet",
                                      "--tape-at", "2021-13-01"])
    assert result.exit_code == 2 and "--tape-at" in result.output


def test_the_loans_deal_is_the_base_deal_but_for_its_pool():
    loans = yaml.safe_load(LOANS.read_text(encoding="utf-8"))
    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    for key in ("pool", "run"):
        loans.pop(key), base.pop(key)
    assert loans == base
