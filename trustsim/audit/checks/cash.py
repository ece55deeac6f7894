"""[Ledger, 一.4.1] Cash reconciled per account per day, and conserved over the run.

Each business day the environment snapshots every internal account at 24:00
(``day_closed``). Replaying the postings since the previous snapshot must give the same
balance, account by account (the ``accounts_daily`` view: ``difference_fen`` is zero; the
deal's reserve accounts are snapshotted in ``reserve_accounts_fen``, and one the snapshot
omits is reconciled over the run only, noted);
no internal account may ever go below zero; the run's closing totals (``run_finished``
and ``summary.json``: money in, money out, money held) must equal the postings'; and a
collection or sweep must add up from its principal and income.
"""

from __future__ import annotations

from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome

SPLIT_EVENTS = ("collections_received", "collections_swept")


def cash_reconciled_daily(log: AuditLog) -> Outcome:
    out = Outcome()
    # a wrong posting breaks every later day too: report the day a difference appears or changes
    rows = log.db.execute("""
        SELECT seq, date, account, closing_fen, reported_fen, difference_fen,
               COALESCE(LAG(difference_fen) OVER (PARTITION BY account ORDER BY seq), 0) AS before
        FROM accounts_daily ORDER BY seq, account""").fetchall()
    out.checked = len(rows)
    for seq, date, account, closing, reported, diff, before in rows:
        if reported is None:
            out.fail(seq, str(date), f"the snapshot gives no balance for {account}")
        elif diff != (before or 0):
            out.fail(seq, str(date), f"{account} closes at {reported} fen by the snapshot; "
                                     f"its postings give {closing} fen "
                                     f"(difference {diff:+} fen, {diff - (before or 0):+} fen "
                                     f"since the previous day)")
    internal = set(log.internal_accounts)
    for account in sorted(internal - set(log.snapshotted_accounts)):
        out.notes.append(f"{account}: day_closed carries no {account}_fen, so it is reconciled "
                         f"over the run (never below zero, in the totals), not day by day")
    balance = dict.fromkeys(internal, 0)
    total_in = total_out = 0
    for p in log.postings:
        amount = int(p["amount_fen"]) if type(p.get("amount_fen")) is int else 0
        if p["credit"] in internal:
            was = balance[p["credit"]]
            balance[p["credit"]] -= amount
            if balance[p["credit"]] < 0 <= was:   # once per overdraft, not on every posting
                out.fail(p["seq"], p["date"], f"{p['credit']} goes {balance[p['credit']]} fen "
                                              f"below zero")
        else:
            total_in += amount
        if p["debit"] in internal:
            balance[p["debit"]] += amount
        else:
            total_out += amount
        if p["event"] in SPLIT_EVENTS and {"principal_fen", "income_fen"} <= p.keys():
            out.checked += 1
            parts = int(p["principal_fen"]) + int(p["income_fen"])
            if parts != amount:
                out.fail(p["seq"], p["date"], f"{p['event']}: principal {p['principal_fen']} + "
                         f"income {p['income_fen']} = {parts} fen, but {amount} fen moved")
    held = sum(balance.values())
    figures = {"held_fen": held, "total_in_fen": total_in, "total_out_fen": total_out}
    for e in log.of("run_finished"):
        for key, value in figures.items():
            out.checked += 1
            if key in e and e[key] != value:
                out.fail(e["seq"], e["date"], f"run_finished states {key} = {e[key]}; the "
                                              f"postings give {value}")
    ledger = (log.summary or {}).get("ledger")
    if isinstance(ledger, dict):
        for key, value in {"held_fen": held, "in_fen": total_in, "out_fen": total_out}.items():
            out.checked += 1
            if key in ledger and ledger[key] != value:
                out.fail(None, None, f"summary.json ledger.{key} = {ledger[key]}; the postings "
                                     f"give {value}")
    return out


CHECK = Check("cash_reconciled_daily", "ledger / 一.4.1",
              "cash reconciled per account per day and conserved over the run",
              cash_reconciled_daily)
