"""Whatever goes wrong, the books balance: random combinations of incidents (property test).

Hypothesis draws up to three incidents with random kinds, dates and parameters; every run
must finish, conserve cash to the fen on every business day, never pay a class more than
it is owed, and leave no money in the trust's accounts at termination.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os

from conftest import DEAL_FILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cash import INTERNAL, replay

from trustsim.config import load_deal
from trustsim.sim.runner import run_deal

START = dt.date(2020, 9, 1)
dates = st.integers(0, 600).map(lambda n: (START + dt.timedelta(days=n)).isoformat())
bd = st.integers(1, 15)

incident = st.one_of(
    st.fixed_dictionaries({"kind": st.just("servicer_outage"), "start": dates,
                           "duration_business_days": bd}),
    st.fixed_dictionaries({"kind": st.just("servicer_transfer_failure"), "start": dates,
                           "duration_business_days": bd, "explanation_accepted": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("servicer_insolvency"), "start": dates,
                           "recovery_rate": st.sampled_from([0, 0.3, 1]),
                           "recovery_delay_days": st.integers(0, 200),
                           "successor_after_days": st.integers(0, 120)}),
    st.fixed_dictionaries({"kind": st.just("originator_insolvency"), "start": dates}),
    st.fixed_dictionaries({"kind": st.just("credit_shock"), "start": dates,
                           "duration_business_days": st.integers(1, 80),
                           "default_multiplier": st.sampled_from([2, 8, 20])}),
    st.fixed_dictionaries({"kind": st.just("return_surge"), "start": dates,
                           "duration_business_days": bd, "lost_pct_per_month": st.sampled_from([1, 5])}),
    st.fixed_dictionaries({"kind": st.just("asset_shortage"), "start": dates,
                           "purchase_rate_pct": st.sampled_from([0, 30, 80])}),
    st.fixed_dictionaries({"kind": st.just("investment_loss"), "start": dates,
                           "loss_pct": st.sampled_from([10, 100])}),
    st.fixed_dictionaries({"kind": st.just("late_purchase_requests"), "start": dates,
                           "duration_business_days": bd, "explained_before_1600": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("series_issuance_failure"), "series": st.integers(2, 7)}),
)


# 25 runs in the suite (about 4 s); TRUSTSIM_RANDOM_RUNS=400 for a deeper hunt
@settings(max_examples=int(os.environ.get("TRUSTSIM_RANDOM_RUNS", "25")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(incident, min_size=1, max_size=3,
                unique_by=lambda i: (i["kind"], i.get("series"))))
def test_books_balance_whatever_happens(incidents):
    deal = load_deal(DEAL_FILE, (), {"incidents": incidents})
    stream = io.BytesIO()
    env, _parties, summary = run_deal(deal, stream)
    events = [json.loads(x) for x in stream.getvalue().splitlines()]
    for snap, bal, came_in, paid_out in replay(events):
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct] >= 0
        assert sum(bal.values()) == came_in - paid_out
    assert summary["ledger"]["held_fen"] == 0
    for name, note in summary["notes"].items():
        assert 0 <= note["principal_paid_fen"] <= note["principal_issued_fen"], name
        assert note["loss_fen"] == note["principal_issued_fen"] - note["principal_paid_fen"]
        for series in note.get("series", ()):
            assert series["issued_fen"] == note["principal_fen"], name  # each the class's size
    assert env.pool.balances().outstanding_fen == 0
