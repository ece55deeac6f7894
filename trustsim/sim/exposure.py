"""Exposure: the trust's money held by a party other than its custodian, every calendar day.

Why every calendar day: obligors pay every day, weekends and holidays included, but the
servicer sweeps only on business days, so collections pile up at the servicer over a
weekend, and most over a long holiday (Golden Week 2020: nine days' collections on the
night of 2020-10-08). What the trust loses if the servicer fails is what sits there at
that moment, so the exposure is read at 24:00 of every calendar day, with the day's
intraday peak: the highest balance at any moment of the day — the night's balance still
held until the morning sweep (:data:`~trustsim.sim.clock.SERVICER_SWEEP`), or the balance
just after the day's receipts (:data:`~trustsim.sim.clock.SERVICER_COLLECT`), before the
next sweep. The ledger raises the peak as postings raise a watched account
(``Ledger.peaks``), so no moment escapes whoever moves money, and when.

No log line is added for it: every movement of a watched account is a posting in the log
(``collections_received``, ``collections_swept``, ``collections_commingled``), so the audit
recomputes the same series from the postings and compares it with ``commingling.csv``
(check ``exposure_recomputed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustsim.ledger import COLLECTION_ACCOUNT, Ledger

#: internal accounts kept by a party whose failure costs the trust what they hold -> that
#: party. Today the servicer's JD collection account; another holder is another entry (and
#: two more columns of ``commingling.csv``).
HELD_AT: dict[str, str] = {COLLECTION_ACCOUNT: "servicer"}
#: the account the summary's figures are about: the servicer's
SERVICER_ACCOUNT = COLLECTION_ACCOUNT


class Exposure:
    """Each calendar day's 24:00 balance and intraday peak of the accounts in :data:`HELD_AT`."""

    def __init__(self, ledger: Ledger, accounts: tuple[str, ...] = tuple(HELD_AT)) -> None:
        self.accounts = accounts
        self._ledger = ledger
        for a in accounts:                   # the ledger keeps each one's peak from now on
            ledger.peaks[a] = ledger.balances[a]
        self.dates: list[str] = []
        self.business_days: list[bool] = []
        self.balances: dict[str, list[int]] = {a: [] for a in accounts}   # at 24:00
        self.peaks: dict[str, list[int]] = {a: [] for a in accounts}      # intraday

    def close(self, day: dt.date, business_day: bool) -> None:
        """24:00 of ``day``: record each account; the next day opens at tonight's balance."""
        ledger = self._ledger
        self.dates.append(day.isoformat())
        self.business_days.append(business_day)
        for a in self.accounts:
            balance = ledger.balances[a]
            self.balances[a].append(balance)
            self.peaks[a].append(ledger.peaks[a])
            ledger.peaks[a] = balance

    def csv(self) -> str:
        """``commingling.csv``: one row per calendar day (docs/model.md, "Exposure")."""
        head = ["date", "business_day"]
        for a in self.accounts:
            head += [f"{a}_fen", f"{a}_peak_fen"]
        lines = [",".join(head)]
        for i, d in enumerate(self.dates):
            cells = [d, "true" if self.business_days[i] else "false"]
            for a in self.accounts:
                cells += [str(self.balances[a][i]), str(self.peaks[a][i])]
            lines.append(",".join(cells))
        return "\n".join(lines) + "\n"

    def summary(self, lost_fen: int) -> dict[str, Any]:
        """``summary.commingling``: the servicer's peak over calendar days (the first day it
        was reached), the days it held trust money at 24:00, the largest balance on a day
        that was not a business day, and what its estate kept (``lost_fen``)."""
        peaks = self.peaks.get(SERVICER_ACCOUNT, [])
        closes = self.balances.get(SERVICER_ACCOUNT, [])
        top = _first_max(peaks, range(len(peaks)))
        off = _first_max(peaks, (i for i, b in enumerate(self.business_days) if not b))
        return {
            "peak_fen": peaks[top] if top is not None else 0,
            "peak_date": self.dates[top] if top is not None else None,
            "days": len(self.dates),
            "days_held": sum(1 for b in closes if b > 0),
            "non_business_day_peak_fen": peaks[off] if off is not None else 0,
            "non_business_day_peak_date": self.dates[off] if off is not None else None,
            "lost_fen": lost_fen,
        }


def _first_max(values: list[int], among) -> int | None:
    """Index of the largest of ``values`` among ``among`` (the first, on a tie); None if none
    is positive."""
    best: int | None = None
    for i in among:
        if values[i] > 0 and (best is None or values[i] > values[best]):
            best = i
    return best
