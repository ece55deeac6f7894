"""Which of a run's figures rest on assumed business days (``calendar.unpublished_years``).

Why flag figures and not just the run: a deal that reaches an unpublished year only in
its last months has most of its figures on published days; a reader needs to know which
ones to take with care. A dated figure is flagged when its date lies in an assumed year;
a total (cash, notes, pool, ledger) when the trust lived into one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trustsim.calendar import PACKAGE

#: the summary's totals: every one of them adds up days of the trust's whole life
TOTALS = ("notes", "cash", "pool", "ledger", "commingling.peak_fen", "commingling.lost_fen",
          "commingling.days_held", "commingling.non_business_day_peak_fen")


def flagged_figures(summary: dict[str, Any], first_assumed: dt.date) -> list[str]:
    """Dotted names of the summary's figures that depend on a day on or after ``first_assumed``."""
    def on_or_after(value: str | None) -> bool:
        return value is not None and dt.date.fromisoformat(value) >= first_assumed

    out = []
    dated = {"revolving_end.date": (summary.get("revolving_end") or {}).get("date"),
             "trust_termination_date": summary.get("trust_termination_date"),
             "commingling.peak_date": (summary.get("commingling") or {}).get("peak_date"),
             "commingling.non_business_day_peak_date":
                 (summary.get("commingling") or {}).get("non_business_day_peak_date")}
    dated |= {f"triggers[{i}].date": t["date"] for i, t in enumerate(summary.get("triggers") or [])}
    out += [name for name, value in dated.items() if on_or_after(value)]
    if on_or_after(summary.get("trust_termination_date")):
        out += list(TOTALS)
    return sorted(out)


def calendar_summary(summary: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The summary's ``calendar`` block: the run's calendar record and the figures it flags."""
    assumed = record["assumed_years"]
    flagged = flagged_figures(summary, dt.date(min(assumed), 1, 1)) if assumed else []
    return {**record, "data": PACKAGE, "flagged_figures": flagged}
