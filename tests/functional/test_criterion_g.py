"""Eligibility criterion (g) on the rep-line pool, and expected maturities the log watches.

[一.3 (g)] every receivable's last instalment falls within 24 months of the effective date:
for Dongdao No. 3, on or before 2022-08-18. The rep line repays its pool by that date (a
floor on each day's repayments: the performing balance over the days left; the date itself
pays what is left), so the notes are repaid before their expected maturity (2022-09-12)
instead of by a tail into 2023 (issue 14). A class still owed principal at the close of its
expected maturity is logged (`expected_maturity_missed`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from trustsim.config import load_deal
from trustsim.pool.rep_line import RepLinePool
from trustsim.sim.runner import run_deal

DEAL = Path(__file__).resolve().parents[2] / "configs" / "deals" / "dongdao3_2020_1.yaml"
LAST_DAY = dt.date(2022, 8, 18)


def _pool(last_instalment_months: int | None) -> RepLinePool:
    deal = load_deal(DEAL, overrides={"pool": {"last_instalment_months": last_instalment_months}})
    return RepLinePool(deal.pool, deal.dates.trust_effective_date)


def _collect_until(pool: RepLinePool, end: dt.date) -> list[tuple[dt.date, int, int]]:
    """(day, performing before the day, principal collected that day) for each day to ``end``."""
    out = []
    d = dt.date(2020, 8, 19)
    while d <= end:
        before = pool.balances().performing_fen
        out.append((d, before, pool.collect(d).principal_fen))
        d += dt.timedelta(days=1)
    return out


def test_the_pool_holds_no_performing_principal_after_criterion_g_s_date():
    pool = _pool(24)
    days = _collect_until(pool, LAST_DAY)
    assert days[-2][1] > 0                       # something was left the day before
    assert pool.balances().performing_fen == 0   # and none after the date's last instalments
    # the date collects what was left, but for that day's defaults (about 0.01% of it)
    assert days[-1][1] - days[-1][1] // 1000 <= days[-1][2] <= days[-1][1]


def test_each_day_repays_at_least_the_balance_over_the_days_left():
    """From about five months out the floor binds: on 2022-07-18, 31 days before the date,
    the day collects at least 1/32 of the performing balance (less the day's defaults and
    the fen floored into the next day)."""
    pool = _pool(24)
    days = {d: (before, paid) for d, before, paid in _collect_until(pool, dt.date(2022, 7, 18))}
    before, paid = days[dt.date(2022, 7, 18)]
    assert paid >= before // 32 - 1
    early_before, early_paid = days[dt.date(2021, 7, 18)]   # a year out the rate governs
    assert early_paid < early_before // 30


def test_without_the_criterion_the_pool_leaves_a_tail():
    pool = _pool(None)
    _collect_until(pool, LAST_DAY)
    assert pool.balances().performing_fen > 500_000_000   # more than 5 million CNY still paying


def _events(scenario: str | None) -> tuple[list[dict], dict]:
    stream = io.BytesIO()
    _env, _parties, summary = run_deal(load_deal(DEAL, [scenario] if scenario else []), stream)
    return [json.loads(line) for line in stream.getvalue().splitlines()], summary


def test_the_base_run_repays_every_class_before_its_expected_maturity():
    events, summary = _events(None)
    assert [e for e in events if e["event"] == "expected_maturity_missed"] == []
    last = summary["notes"]["senior"]["series"][-1]
    assert last["repaid_on"] <= last["expected_maturity"] == "2022-09-13"   # 09-12: Mid-Autumn
    assert summary["trust_termination_date"] <= "2022-08-18"


def test_a_class_owed_principal_at_its_expected_maturity_is_logged_once():
    """no_clean_up_principal_default_event_b breaches (g): at the close of 2022-09-13 (the
    business day after 2022-09-12, a Mid-Autumn holiday) every class is still owed principal;
    each is logged once, with what it is owed."""
    events, _summary = _events("no_clean_up_principal_default_event_b")
    missed = [e for e in events if e["event"] == "expected_maturity_missed"]
    assert [(e["date"], e["note_class"], e["expected_maturity"]) for e in missed] == [
        ("2022-09-13", "senior", "2022-09-13"), ("2022-09-13", "mezz", "2022-09-13"),
        ("2022-09-13", "sub", "2022-09-13")]
    by_class = {e["note_class"]: e["principal_outstanding_fen"] for e in missed}
    assert (by_class["mezz"], by_class["sub"]) == (6_000_000_000, 5_000_000_000)   # nothing repaid yet
    repaid = sum(e["paid_fen"] for e in events if e["event"] == "waterfall_step"
                 and e["pay"] == "senior_principal" and e["date"] <= "2022-09-13")
    assert by_class["senior"] == 89_000_000_000 - repaid   # series 7 less the principal paid on it
