"""Cash conservation to the fen at the end of every business day, from the log alone.

The audit log's postings (every event with a ``debit``) are replayed: each internal
account's balance must equal the logged ``day_closed`` snapshot, and the sum of the
accounts must equal everything that came in less everything paid out. The pool's balance
must equal what was bought less what was collected, charged off or removed.
"""

import pytest
from support.cash import INTERNAL, replay

#: days each run at least lives (its business days or closes): the base run to 2022, the
#: stress run from 2020-08-18 to the over-term repurchase's distribution on 2021-01-04
LIVES = {"base_run": 400, "stress_run": 90}


@pytest.mark.parametrize("run_name", ["base_run", "stress_run"])
def test_accounts_reconcile_every_business_day(run_name, request):
    run = request.getfixturevalue(run_name)
    days = 0
    for snap, bal, came_in, paid_out in replay(run.events):
        days += 1
        for acct in INTERNAL:
            assert snap[f"{acct}_fen"] == bal[acct], (snap["date"], acct)
            assert bal[acct] >= 0
        assert sum(bal.values()) == came_in - paid_out, snap["date"]
    assert days > LIVES[run_name]


@pytest.mark.parametrize("run_name", ["base_run", "stress_run"])
def test_pool_balance_reconciles_with_purchases_and_collections(run_name, request):
    run = request.getfixturevalue(run_name)
    env = run.env
    b = env.pool.balances()
    assert b.bought_fen == run.summary["pool"]["initial_fen"] + sum(
        e["principal_fen"] for e in run.of("receivables_transferred"))
    swept_principal = sum(e["principal_fen"] for e in run.of("collections_swept"))
    received_principal = sum(e["principal_fen"] for e in run.of("collections_received"))
    assert swept_principal == received_principal == b.collected_fen
    # what left the pool otherwise than by collection or charge-off: the repurchases the log names
    assert b.removed_fen == sum(e["principal_fen"] for e in run.of(
        "clean_up_repurchased", "over_term_repurchased"))
    assert b.charged_off_fen == run.of("day_closed")[-1]["pool_charged_off_fen"]
    # every fen that entered left by one of the four ways, and none is left behind
    assert b.bought_fen - b.collected_fen - b.charged_off_fen - b.removed_fen == b.outstanding_fen == 0


@pytest.mark.parametrize("run_name", ["base_run", "stress_run"])
def test_pool_balance_reconciles_at_every_close(run_name, request):
    """Each day's closing pool (outstanding plus charged off) is what entered less what left."""
    run = request.getfixturevalue(run_name)
    entered = left = 0
    days = 0
    for e in run.events:
        if e["event"] in ("initial_pool_transferred", "receivables_transferred"):
            entered += e["principal_fen"]
        elif e["event"] in ("collections_received", "clean_up_repurchased", "over_term_repurchased"):
            left += e["principal_fen"]
        elif e["event"] == "day_closed":
            days += 1
            assert e["pool_outstanding_fen"] + e["pool_charged_off_fen"] == entered - left, e["date"]
    assert days > LIVES[run_name]


def test_run_finished_totals_balance(base_run):
    fin = base_run.of("run_finished")[0]
    assert fin["total_in_fen"] - fin["total_out_fen"] == fin["held_fen"] == 0
