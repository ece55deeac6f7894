"""Replaying a run's postings from its log: the balances the ledger must have held.

Why here: cash conservation is checked from the log alone in several test modules
(bundled scenarios, random incidents, loan-level runs); they share this one replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

#: the trust's internal accounts, as logged on each ``day_closed`` (``<name>_fen``)
INTERNAL = ("collection_account", "trust_account", "issuance_proceeds_account",
            "eligible_investments")


def replay(events: Iterable[dict], reserves: Iterable[str] = ()
           ) -> Iterator[tuple[dict, dict[str, int], int, int]]:
    """Yield ``(day_closed event, balances, came in, paid out)`` at each day's close.

    Every event with a ``debit`` is a posting: it moves ``amount_fen`` from ``credit`` to
    ``debit``; an account outside :data:`INTERNAL` is a counterparty whose running total
    says what came in (as the credit) or went out (as the debit). ``reserves``: the deal's
    reserve accounts, internal too.
    """
    bal = dict.fromkeys((*INTERNAL, *reserves), 0)
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
