"""What replacing the servicer costs the trust (issue 13, item 5; docs/risk.md, "Servicer
replacement"): the successor's fee step-up, the collections obligors paid late during the
transfer and what of them was never collected, with the commingling loss of an insolvency
beside it — each recomputed here from the run's log and the deal's terms, in fen.

Dongdao No. 3's servicing section: the servicer's fee is 0.015% a year of the notes
(``servicer_fee``, ACT/365F), a successor's steps up by 0.485% a year from its takeover;
obligors pay 90% of their dues while the servicing is transferred and the successor collects
the shortfall (all of it, as bundled) evenly over the 30 days from the takeover.
``servicer_replaced_in_time``: a termination event on 2021-02-01, a successor 60 days later.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from trustsim.audit import audit
from trustsim.audit.checks.servicing import REPLACEMENT_COST
from trustsim.audit.log import AuditLog
from trustsim.audit.runfolder import load_run
from trustsim.config import load_deal
from trustsim.money import round_fen
from trustsim.risk.outcome import read_outcome
from trustsim.risk.paths import Draw, path_row
from trustsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
TERMINATED_ON = dt.date(2021, 2, 1)
TAKEOVER = TERMINATED_ON + dt.timedelta(days=60)
ARREARS = "obligor arrears paid to the successor"


class Run:
    def __init__(self, deal, out: Path) -> None:
        self.deal = deal
        self.dir = simulate(deal, out).out_dir
        self.summary = json.loads((self.dir / "summary.json").read_text())
        self.events = [json.loads(x) for x in (self.dir / "events.jsonl").read_text().splitlines()]
        self.cost = self.summary["servicer_replacement"]

    def of(self, *names: str) -> list[dict]:
        return [e for e in self.events if e["event"] in names]


@pytest.fixture(scope="module")
def replaced(tmp_path_factory):
    deal = load_deal(DEAL_FILE, ["servicer_replaced_in_time"])
    return Run(deal, tmp_path_factory.mktemp("replaced") / "run")


@pytest.fixture(scope="module")
def part_recovered(tmp_path_factory):
    """The same replacement, the successor recovering only 60% of the transfer's shortfall."""
    deal = load_deal(DEAL_FILE, ["servicer_replaced_in_time"])
    deal = deal.model_copy(update={"servicing": deal.servicing.model_copy(
        update={"degraded_shortfall_recovered_pct": Decimal(60)})})
    return Run(deal, tmp_path_factory.mktemp("part") / "run")


@pytest.fixture(scope="module")
def golden_week(tmp_path_factory):
    deal = load_deal(DEAL_FILE, ["servicer_fails_before_golden_week"])
    return Run(deal, tmp_path_factory.mktemp("gw") / "run")


def test_the_replacement_is_counted_once(replaced):
    (event,) = replaced.of("servicer_termination_event")
    (took,) = replaced.of("servicing_taken_over")
    assert (event["date"], took["date"]) == (TERMINATED_ON.isoformat(), TAKEOVER.isoformat())
    assert (replaced.cost["terminations"], replaced.cost["takeovers"]) == (1, 1)


def test_fee_step_up_is_the_successors_rate_above_the_original_fee_from_the_takeover(replaced):
    """On each payment date after the takeover: 0.485% a year on the notes outstanding at
    24:00 of the previous payment date, for the days from the later of that date and the
    takeover, ACT/365F, half up — never before the takeover."""
    fee = replaced.deal.fee(replaced.deal.servicing.fee)
    step = replaced.deal.servicing.successor_fee_step_up_pct_per_year
    assert (fee.payee, fee.day_count, step) == ("agent:servicer", "ACT/365F", Decimal("0.485"))
    notes = {e["date"]: e["notes_outstanding_fen"] for e in replaced.of("day_closed")}
    paid_fee_on = {e["date"] for e in replaced.of("waterfall_step") if fee.payee in (e.get("payees") or {})}
    start, want, periods = replaced.deal.dates.trust_effective_date, 0, 0
    for p in replaced.of("payment_date"):
        if p.get("grace_for") is not None:
            continue
        d = dt.date.fromisoformat(p["date"])
        if d > TAKEOVER and p["date"] in paid_fee_on:
            days = (d - max(start, TAKEOVER)).days
            want += round_fen(Decimal(notes[start.isoformat()]) * step * days / (100 * 365))
            periods += 1
        start = d
    assert periods > 5
    assert replaced.cost["fee_step_up_fen"] == want
    # the first period is the takeover's part of it: 2021-04-02 to 2021-05-18, 46 days
    first = next(e for e in replaced.of("payment_date") if e["date"] > TAKEOVER.isoformat())
    assert first["date"] == "2021-05-18"


def test_collections_deferred_during_the_transfer_are_collected_by_the_successor(replaced):
    """Each day from the termination event to the day before the takeover obligors pay 90%
    of what they owe (principal and income each, half up); the rest is deferred, and the
    successor collects all of it over the 30 days from the takeover."""
    deferred = 0
    days: set[str] = set()
    for e in replaced.of("collections_received", "collections_redirected"):
        late = e.get("deferred_principal_fen", 0) + e.get("deferred_income_fen", 0)
        if not late:
            continue
        assert TERMINATED_ON.isoformat() <= e["date"] < TAKEOVER.isoformat()
        for part in ("principal", "income"):
            owed = e[f"{part}_fen"] + e[f"deferred_{part}_fen"]
            assert e[f"{part}_fen"] == round_fen(Decimal(owed) * 90 / 100)
        deferred += late
        days.add(e["date"])
    assert len(days) == 60   # every calendar day of the transfer
    arrears = [e for e in replaced.of("collections_received", "transfer_received") if e.get("reason") == ARREARS]
    assert {e["date"] for e in arrears} <= {(TAKEOVER + dt.timedelta(days=i)).isoformat() for i in range(31)}
    assert len({e["date"] for e in arrears}) == 30
    collected = sum(e["amount_fen"] for e in arrears)
    assert deferred > 0
    assert (replaced.cost["deferred_fen"], replaced.cost["deferred_collected_fen"],
            replaced.cost["collections_lost_fen"]) == (deferred, collected, 0)
    assert collected == deferred


def test_the_shortfall_not_recovered_is_the_collections_lost(part_recovered):
    """60% recovered: the rest of the deferred principal and income (each 60% half up) is
    never collected, and counts in the replacement's cost beside the fee step-up."""
    (took,) = part_recovered.of("servicing_taken_over")
    owed_p, owed_i = took["deferred_principal_fen"], took["deferred_income_fen"]
    recovered = round_fen(Decimal(owed_p) * 60 / 100) + round_fen(Decimal(owed_i) * 60 / 100)
    lost = owed_p + owed_i - recovered
    arrears = sum(e["amount_fen"] for e in part_recovered.of("collections_received", "transfer_received")
                  if e.get("reason") == ARREARS)
    assert arrears == recovered
    assert part_recovered.cost["collections_lost_fen"] == lost > 0
    row = path_row(Draw(0, 0, {}, []), read_outcome(part_recovered.deal, part_recovered.summary))
    assert row["servicer_replaced"] is True
    assert row["replacement_collections_lost_fen"] == lost
    assert row["replacement_cost_fen"] == part_recovered.cost["fee_step_up_fen"] + lost


def test_an_insolvency_shows_its_commingling_loss_beside_the_cost_not_in_it(golden_week):
    """The servicer fails on 2020-09-30: what its estate keeps is the commingling loss
    (already measured); the replacement's cost is the step-up and the collections lost only."""
    s = golden_week.summary
    lost_to_estate = (s["ledger"]["out_by_counterparty_fen"].get("servicer_estate", 0)
                      - s["ledger"]["in_by_counterparty_fen"].get("servicer_estate", 0))
    assert lost_to_estate > 0
    row = path_row(Draw(0, 0, {}, []), read_outcome(golden_week.deal, s))
    assert row["commingling_lost_fen"] == lost_to_estate
    rep = s["servicer_replacement"]
    assert rep["terminations"] == 1 and rep["fee_step_up_fen"] > 0
    assert row["replacement_cost_fen"] == rep["fee_step_up_fen"] + rep["collections_lost_fen"]


def test_a_run_without_a_replacement_costs_nothing(tmp_path):
    run = Run(load_deal(DEAL_FILE), tmp_path / "base")
    assert run.cost == {"terminations": 0, "takeovers": 0, "fee_step_up_fen": 0, "deferred_fen": 0,
                        "deferred_collected_fen": 0, "collections_lost_fen": 0}
    row = path_row(Draw(0, 0, {}, []), read_outcome(run.deal, run.summary))
    assert (row["servicer_replaced"], row["replacement_cost_fen"]) == (False, 0)


def _replacement_check(run):
    (result,) = audit(AuditLog.from_run(run), [REPLACEMENT_COST]).results
    return result


def test_the_audit_recomputes_the_replacement_figures(part_recovered):
    result = _replacement_check(load_run(part_recovered.dir))
    assert (result.status, result.checked) == ("pass", 1)
    # a summary that overstates the step-up by one fen is caught
    run = load_run(part_recovered.dir)
    assert run.summary is not None
    run.summary["servicer_replacement"]["fee_step_up_fen"] += 1
    result = _replacement_check(run)
    assert result.status == "fail"
    assert any("servicer_replacement.fee_step_up_fen" in f.message for f in result.findings)
