"""Incidents that change behaviour work on the loan-level pool too (Pool.adjust)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from trustsim.config import load_deal
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.runner import run_deal

LOANS = Path(__file__).resolve().parents[2] / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"


def small(scenario: str):
    return load_deal(LOANS, [scenario], scale_overrides(load_deal(LOANS), 0.01))


@pytest.fixture(scope="module")
def npl_spike():
    return run_deal(small("npl_spike_trigger_e"), io.BytesIO())


def test_credit_shock_fires_the_npl_trigger_loan_by_loan(npl_spike):
    _env, _p, s = npl_spike
    assert [(t["kind"], t["clause"]) for t in s["triggers"]] == [("acceleration", "e")]
    f = s["triggers"][0]["figures"]
    # each day's ratio was above 6%: its floored ppm figure at least 60,000, the exact ratio
    # of the day that fired above it
    assert len(f["npl_ratio_by_day_ppm"]) == 5 and min(f["npl_ratio_by_day_ppm"]) >= f["threshold_ppm"] == 60_000
    assert f["npl_balance_fen"] * 1_000_000 > f["threshold_ppm"] * f["initial_cutoff_fen"]


def test_adjust_changes_behaviour_and_restores_it():
    from trustsim.pool import build_pool
    from trustsim.sim.rng import RngStreams

    d = load_deal(LOANS, (), scale_overrides(load_deal(LOANS), 0.002))
    pool = build_pool(d, RngStreams(1))
    base = pool.book.b.miss_by_level.copy()
    pool.adjust("default_multiplier", 3.0)
    assert list(pool.book.b.miss_by_level) == pytest.approx(list(base * 3))
    pool.adjust("default_multiplier", None)
    assert (pool.book.b.miss_by_level == base).all()
    pool.adjust("purchase_rate_pct", 40)
    assert float(pool.purchase_rate) == 0.4
    pool.adjust("lost_pct_per_month", 5)
    assert pool.new_business.lost == 0.05
    with pytest.raises(ValueError, match="cannot adjust"):
        pool.adjust("weather", 1.0)


def test_loan_level_purchases_carry_eligibility_and_pass_the_audit(tmp_path):
    import json

    from trustsim.audit import audit, load
    from trustsim.sim.runner import simulate

    deal = load_deal(LOANS, (), scale_overrides(load_deal(LOANS), 0.003))
    run = simulate(deal, tmp_path / "run")
    first = next(json.loads(x) for x in (run.out_dir / "events.jsonl").read_text().splitlines()
                 if '"purchase_requested"' in x)
    ev = first["eligibility"]
    assert ev["overdue_loans"] == 0 and ev["max_worst_overdue_days"] <= 30
    assert set(ev["credit_levels"]) <= {"1", "2", "3", "4"}
    assert ev["max_obligor_balance_fen"] <= 5_000_000 and ev["min_days_since_use"] >= 2
    assert ev["max_last_instalment"] <= "2022-08-18"
    report = audit(load(run.out_dir))
    by_name = {r.name: r for r in report.results}
    assert by_name["purchased_receivables_eligible"].status == "pass"
    assert by_name["purchased_receivables_eligible"].checked > 100
    assert all(r.status in ("pass", "skipped") for r in report.results)
