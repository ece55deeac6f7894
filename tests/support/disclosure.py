"""Runs and readings for the disclosure tests: a deal's run with its config.json, the
notices its log makes due (as the audit recomputes them), and the notices the trustee issued.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from support.scenarios import DEAL_DIR, deal_run
from trustsim.audit.log import AuditLog
from trustsim.config import DealConfig, load_deal
from trustsim.disclosure.notices import Review, review
from trustsim.sim.runner import run_deal

_RUNS: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {}


def run_of(deal_name: str, scenarios: tuple[str, ...] = (),
           overrides: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(events, config.json) of a bundled deal with ``scenarios`` and ``overrides``, once per
    session (a bundled scenario alone: the run support.scenarios shares with other tests)."""
    if overrides is None and len(scenarios) == 1:
        run: Any = deal_run(deal_name, scenarios[0])
        return run.events, run.deal.model_dump(mode="json")
    key = json.dumps([deal_name, scenarios, overrides], sort_keys=True, default=str)
    if key not in _RUNS:
        deal: DealConfig = load_deal(DEAL_DIR / f"{deal_name}.yaml", list(scenarios), overrides)
        stream = io.BytesIO()
        run_deal(deal, stream)
        events = [json.loads(line) for line in stream.getvalue().splitlines()]
        _RUNS[key] = (events, deal.model_dump(mode="json"))
    return _RUNS[key]


def audit_log(events: list[dict[str, Any]], config: dict[str, Any]) -> AuditLog:
    return AuditLog.from_events(list(events), config)


def reviewed(events: list[dict[str, Any]], config: dict[str, Any]) -> Review:
    rv = review(audit_log(events, config))
    assert rv is not None
    return rv


def due(events: list[dict[str, Any]], config: dict[str, Any], rule: str) -> list[tuple[str, str, str]]:
    """(subject, event date, due date) of each notice of ``rule`` the log makes due."""
    return [(n.due.subject, n.due.event_date.isoformat(), n.due.due_date.isoformat())
            for n in reviewed(events, config).notices if n.due.rule == rule]


def issued(events: list[dict[str, Any]], rule: str) -> list[tuple[str, str, str, str]]:
    """(subject, event date, due date, issue date) of each notice of ``rule`` the trustee issued."""
    return [(e["subject"], e["event_date"], e["due_date"], e["issue_date"]) for e in events
            if e["event"] == "disclosure_issued" and e["rule"] == rule]


def write_rules(tmp: Path, text: str) -> Path:
    path = tmp / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path
