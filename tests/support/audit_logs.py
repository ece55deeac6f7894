"""Logs written by hand for the audit's clause-level tests, as a trustee's clerk would.

A log here is a few lines long and names only the fields a check reads; each line is
stamped with seq, day and date as a run writes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustsim.audit.log import AuditLog

EFFECTIVE = dt.date(2020, 8, 18)


class Log:
    """Writes a log line by line, stamping seq, day and date."""

    def __init__(self, effective: dt.date = EFFECTIVE) -> None:
        self.events: list[dict[str, Any]] = []
        self.effective = effective

    def add(self, date: str, actor: str, event: str, **fields: Any) -> int:
        d = dt.date.fromisoformat(date)
        self.events.append({"seq": len(self.events) + 1, "day": (d - self.effective).days,
                            "date": date, "actor": actor, "event": event, **fields})
        return len(self.events)

    def post(self, date: str, actor: str, event: str, debit: str, credit: str, amount: int,
             **fields: Any) -> int:
        return self.add(date, actor, event, debit=debit, credit=credit, amount_fen=amount,
                        reason=fields.pop("reason", event), instruction=fields.pop("instruction", None),
                        **fields)

    def audit(self, config: dict[str, Any]) -> AuditLog:
        return AuditLog.from_events(self.events, config)


def close(log: Log, date: str, **balances: int) -> int:
    accounts = {"collection_account_fen": 0, "trust_account_fen": 0,
                "issuance_proceeds_account_fen": 0, "eligible_investments_fen": 0}
    accounts.update({f"{k}_fen": v for k, v in balances.items()})
    return log.add(date, "environment", "day_closed", period="revolving", **accounts)


def payment_date(log: Log, date: str, waterfall: str, available: int,
                 steps: list[tuple[str, str, dict[str, tuple[int, int]]]], **fields: Any
                 ) -> list[int]:
    """A payment date on ``available`` fen of new cash, its steps and their payments:
    ``steps`` is (step id, clause, {payee: (due, paid)}); returns the steps' seqs."""
    log.post(date, "servicer", "collections_swept", "trust_account", "collection_account",
             available)
    log.add(date, "trustee", "payment_date", waterfall=waterfall, available_fen=available,
            remaining_fen=available - sum(v[1] for _p, _c, ps in steps for v in ps.values()),
            **fields)
    seqs, issued = [], []
    for pay, clause, payees in steps:
        due = sum(v[0] for v in payees.values())
        paid = sum(v[1] for v in payees.values())
        seqs.append(log.add(date, "trustee", "waterfall_step", pay=pay, clause=clause,
                            due_fen=due, paid_fen=paid, shortfall_fen=due - paid, gated_by=None,
                            payees={k: list(v) for k, v in payees.items()}))
        for payee, (_due, amount) in payees.items():
            if amount:
                ins = f"I{len(log.events)}"
                log.add(date, "trustee", "instruction_issued", instruction=ins,
                        value_date=date, from_account="trust_account",
                        to_account=payee, amount_fen=amount, reason=f"{pay} ({clause})")
                issued.append((ins, payee, amount, pay, clause))
    for ins, payee, amount, pay, clause in issued:     # the custodian executes them in order
        log.post(date, "custodian", "instruction_executed", payee, "trust_account",
                 amount, instruction=ins, reason=f"{pay} ({clause})")
    return seqs
