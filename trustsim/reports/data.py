"""The figures a report shows, read from the run's log through the audit's DuckDB views.

Why through the views: a number in the report must be the number a user gets from
``trustsim query`` — one reading of the log, not two. Everything here is plain Python
data (dates, ints of fen) so that the plots, the HTML and the CSV/JSON writers share it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from trustsim.audit.log import COLLECTION_ACCOUNT, AuditLog

#: events that make the timeline, and how each is labelled
TIMELINE_EVENTS: dict[str, str] = {
    "period_changed": "period",
    "series_issued": "issuance",
    "issuance_terminated": "issuance",
    "incident_started": "incident",
    "incident_ended": "incident",
    "trigger_fired": "trigger",
    "declared_event_occurred": "incident",
    "noteholder_meeting_resolved": "trigger",
    "servicer_termination_event": "incident",
    "successor_appointed": "incident",
    "rating_changed": "incident",
    "collections_commingled": "incident",
    "clean_up_call_noticed": "period",
    "trust_terminated": "period",
}


def class_names(log: AuditLog) -> list[str]:
    """The run's note classes, most senior first, as its deal (``config.json``) lists them."""
    classes = (log.config or {}).get("classes") or []
    names = [str(c["name"]) for c in classes if isinstance(c, dict) and c.get("name")]
    return names or list((log.summary or {}).get("notes") or {})


def rolling_class(log: AuditLog) -> str | None:
    """The class the run's deal issues in rolling series, if any."""
    return next((str(c["name"]) for c in (log.config or {}).get("classes") or []
                 if isinstance(c, dict) and c.get("rolling_series")), None)


def npl_trigger(log: AuditLog) -> tuple[int | None, str | None]:
    """The deal's NPL-ratio trigger as (threshold in ppm, clause); (None, None) if it has none."""
    for t in (log.config or {}).get("triggers") or []:
        if isinstance(t, dict) and t.get("kind") == "npl_ratio":
            return int(Decimal(str(t["threshold_pct"])) * 10_000), str(t.get("clause"))
    return None, None


@dataclass(frozen=True, slots=True)
class Milestone:
    seq: int
    date: dt.date
    category: str     # period, issuance, incident, trigger
    label: str


@dataclass
class Exposure:
    """The servicer's collection account on every calendar day: 24:00 and intraday peak."""

    dates: list[dt.date] = field(default_factory=list)
    business_day: list[bool] = field(default_factory=list)
    balance: list[int] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)

    def top(self, business_day: bool | None = None, at_close: bool = False) -> tuple[int, dt.date | None]:
        """The largest balance (intraday peak, or 24:00 with ``at_close``) and its first date,
        over every day or only (non-)business days."""
        series = self.balance if at_close else self.peak
        best, when = 0, None
        for d, b, v in zip(self.dates, self.business_day, series, strict=True):
            if (business_day is None or b == business_day) and v > best:
                best, when = v, d
        return best, when


@dataclass
class ReportData:
    deal: str
    run_dir: str
    summary: dict[str, Any]
    dates: list[dt.date] = field(default_factory=list)              # business days closed
    accounts: dict[str, list[int]] = field(default_factory=dict)    # account -> fen per date
    pool_outstanding: list[int] = field(default_factory=list)
    npl_ratio_ppm: list[int] = field(default_factory=list)
    notes_outstanding: list[int] = field(default_factory=list)
    note_dates: list[dt.date] = field(default_factory=list)
    note_balances: dict[str, list[int]] = field(default_factory=dict)
    npl_threshold_ppm: int = 0
    npl_clause: str | None = None     # the NPL trigger's clause (None: the deal has none)
    classes: list[str] = field(default_factory=list)                # most senior first
    milestones: list[Milestone] = field(default_factory=list)
    #: payment date seq -> (date, waterfall, {category: fen})
    cash_flows: list[tuple[int, dt.date, str, dict[str, int]]] = field(default_factory=list)
    #: the money at the servicer on every calendar day (the exposure_daily view)
    exposure: Exposure = field(default_factory=Exposure)


def _label(e: dict[str, Any], rolling: str | None = None) -> str:
    name = e["event"]
    if name == "period_changed":
        return f"{e.get('period')} period ({e.get('cause')})"
    if name == "series_issued":
        cls = e.get("note_class") or rolling
        return f"{cls + ' ' if cls else ''}series {e.get('series')} issued"
    if name == "issuance_terminated":
        return f"series {e.get('series')} issuance terminated"
    if name in ("incident_started", "incident_ended"):
        verb = "starts" if name == "incident_started" else "ends"
        return f"incident {e.get('kind')} {verb}"
    if name == "trigger_fired":
        kind = "acceleration event" if e.get("kind") == "acceleration" else str(e.get("kind"))
        return f"{kind} ({e.get('clause')}) fired"
    if name == "noteholder_meeting_resolved":
        return f"noteholder meeting on {e.get('clause')}: " + (
            "declared" if e.get("declared") else "not declared")
    if name == "declared_event_occurred":
        return f"{e.get('clause')} occurs: {e.get('description')}"
    if name == "servicer_termination_event":
        return f"servicer termination event ({e.get('cause')})"
    if name == "successor_appointed":
        return f"successor {e.get('role')} appointed"
    if name == "rating_changed":
        return f"originator rating {e.get('old')} → {e.get('new')}"
    if name == "collections_commingled":
        return "collections commingled in the servicer's estate"
    if name == "clean_up_call_noticed":
        return "clean-up call noticed"
    if name == "trust_terminated":
        return f"trust terminated ({e.get('cause')})"
    return name


def cash_order(classes: list[str]) -> list[str]:
    """The cash-flow categories in order of priority: taxes and fees, then each class's
    interest or income and principal, most senior first."""
    return ["taxes and fees", *(f"{c} {k}" for c in classes for k in ("interest/income", "principal"))]


def cash_category(step: str | None, kind: str, note_class: str | None) -> str:
    """How a waterfall payment is grouped in the cash-flow plot and table."""
    if kind in ("tax", "fee"):
        return "taxes and fees"
    if note_class is not None:
        return f"{note_class} {'principal' if kind == 'principal' else 'interest/income'}"
    return step or kind


def collect(log: AuditLog) -> ReportData:
    db = log.db
    threshold, clause = npl_trigger(log)
    names = class_names(log)
    rd = ReportData(deal=str((log.config or {}).get("name") or "?"), run_dir=log.source,
                    summary=log.summary or {}, npl_threshold_ppm=threshold or 0, npl_clause=clause,
                    classes=names)
    rows = db.execute("SELECT date, outstanding_fen, npl_ratio_ppm, notes_outstanding_fen "
                      "FROM pool_daily ORDER BY seq").fetchall()
    rd.dates = [r[0] for r in rows]
    rd.pool_outstanding = [r[1] or 0 for r in rows]
    rd.npl_ratio_ppm = [r[2] or 0 for r in rows]
    rd.notes_outstanding = [r[3] or 0 for r in rows]
    for account in log.internal_accounts:
        vals = db.execute("SELECT reported_fen FROM accounts_daily WHERE account = ? "
                          "ORDER BY seq", [account]).fetchall()
        rd.accounts[account] = [v[0] or 0 for v in vals]
    rows = db.execute("SELECT date, business_day, balance_fen, peak_fen FROM exposure_daily "
                      "WHERE account = ? ORDER BY date", [COLLECTION_ACCOUNT]).fetchall()
    rd.exposure = Exposure([r[0] for r in rows], [bool(r[1]) for r in rows],
                           [r[2] or 0 for r in rows], [r[3] or 0 for r in rows])
    moves = db.execute("SELECT date, note_class, outstanding_fen FROM notes "
                       "WHERE note_class IS NOT NULL ORDER BY seq").fetchall()
    current = dict.fromkeys(names, 0)
    for date, cls, outstanding in moves:
        if cls not in current:
            continue
        current[cls] = outstanding
        if rd.note_dates and rd.note_dates[-1] == date:
            for c in names:
                rd.note_balances[c][-1] = current[c]
        else:
            rd.note_dates.append(date)
            for c in names:
                rd.note_balances.setdefault(c, []).append(current[c])
    rolling = rolling_class(log)
    for e in log.events:
        category = TIMELINE_EVENTS.get(e["event"])
        if category is not None:
            rd.milestones.append(Milestone(e["seq"], log.day(e), category, _label(e, rolling)))
    by_dist: dict[int, dict[str, int]] = {}
    first_on: dict[str, int] = {}
    for d in log.distributions:
        first_on.setdefault(d.date, d.seq)
    for p in log.payments:
        dist = p.distribution_seq
        cat = cash_category(p.step, p.kind, p.note_class)
        if dist is None and p.note_class is not None and p.date in first_on:
            dist, cat = first_on[p.date], f"{cat} (rolled from issuance proceeds)"
        if dist is None:
            continue
        flows = by_dist.setdefault(dist, {})
        flows[cat] = flows.get(cat, 0) + p.amount_fen
    for d in log.distributions:
        rd.cash_flows.append((d.seq, dt.date.fromisoformat(d.date), d.waterfall,
                              by_dist.get(d.seq, {})))
    return rd
