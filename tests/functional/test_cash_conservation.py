"""Cash conservation to the fen at the end of every business day, from the log alone.

The audit log's postings (every event with a ``debit``) are replayed: each internal
account's balance must equal the logged ``day_closed`` snapshot, and the sum of the
accounts must equal everything that came in less everything paid out. The pool's balance
must equal what was bought less what was collected, charged off or removed.
"""

import pytest

INTERNAL = ("collection_account", "trust_account", "issuance_proceeds_account",
            "eligible_investments")


def replay(events):
    bal = dict.fromkeys(INTERNAL, 0)
    came_in = paid_out = 0
    for e in events:
        if "debit" in e and e.get("amount_fen"):
            amt = e["amount_fen"]
            if e["credit"] in bal:
                bal[e["credit"]] -= amt
            else:
                came_in += amt
            if e["debit"] in bal:
                bal[e["debit"]] += amt
            else:
                paid_out += amt
        if e["event"] == "day_closed":
            yield e, dict(bal), came_in, paid_out


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
    assert days > 400


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
    assert b.outstanding_fen == 0
    assert (b.bought_fen - b.collected_fen - b.charged_off_fen - b.removed_fen
            == b.overdue_fen + b.non_performing_fen + b.performing_fen - b.performing_fen
            + b.performing_fen)


def test_run_finished_totals_balance(base_run):
    fin = base_run.of("run_finished")[0]
    assert fin["total_in_fen"] - fin["total_out_fen"] == fin["held_fen"] == 0
