"""Helpers for the audit and report tests: run folders made once per session, and tampering.

Runs are cached per test session (simulating takes about half a second each); tests
that tamper write a copy of the log into their own folder and never touch the cached one.
Tampering renumbers ``seq`` as a careful forger would, so a test proves that the
substantive check — not the numbering — catches it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from trustsim.audit import AuditReport, audit, load
from trustsim.calendar import BusinessCalendar
from trustsim.config import load_deal
from trustsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[1]
DEALS = ROOT / "configs" / "deals"
DEAL_FILE = DEALS / "dongdao3_2020_1.yaml"
TRIGGER_SCENARIO = "stress_aaa_series2_fails"   # trigger (h) fires on 2020-12-18

_RUNS: dict[tuple[str, str], Path] = {}
Event = dict[str, Any]


def scenarios_of(deal_file: Path) -> list[str]:
    """The bundled scenarios that apply to a deal (``applies_to`` names it, or is absent)."""
    name = yaml.safe_load(deal_file.read_text(encoding="utf-8"))["name"]
    out = []
    for p in sorted((ROOT / "configs" / "scenarios").glob("*.yaml")):
        applies = yaml.safe_load(p.read_text(encoding="utf-8")).get("applies_to")
        if applies is None or name in applies:
            out.append(p.stem)
    return out


SCENARIOS = scenarios_of(DEAL_FILE)
#: every bundled rep-line deal but Dongdao No. 3, with each scenario that applies to it
OTHER_DEALS = [(p.stem, s) for p in sorted(DEALS.glob("*.yaml"))
               if p != DEAL_FILE and not p.stem.endswith("_loans")
               for s in (None, *scenarios_of(p))]


def run_folder(tmp_path_factory: Any, scenario: str | None = None,
               deal_file: Path = DEAL_FILE) -> Path:
    """The run folder of a deal (by default Dongdao No. 3; with ``scenario`` applied),
    simulated once per session."""
    key = (deal_file.stem, scenario or "_base")
    if key not in _RUNS:
        out = tmp_path_factory.mktemp("audit_runs") / "_".join(key)
        simulate(load_deal(deal_file, [scenario] if scenario else ()), out)
        _RUNS[key] = out
    return _RUNS[key]


def read_events(run: Path) -> list[Event]:
    return [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]


def write_run(src: Path, dst: Path, events: list[Event]) -> Path:
    """A copy of run folder ``src`` at ``dst`` whose log is ``events``, renumbered 1, 2, 3..."""
    dst.mkdir(parents=True)
    for name in ("config.json", "summary.json"):
        shutil.copy(src / name, dst / name)
    for i, e in enumerate(events, start=1):
        e["seq"] = i
    (dst / "events.jsonl").write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                                              for e in events))
    return dst


def index_of(events: list[Event], pred: Callable[[Event], bool]) -> int:
    return next(i for i, e in enumerate(events) if pred(e))


def move_to_date(events: list[Event], i: int, new_date: dt.date) -> int:
    """Move event ``i`` to ``new_date``, placed before that day's close; return its new index."""
    e = events.pop(i)
    origin = dt.date.fromisoformat(events[0]["date"])
    e["date"], e["day"] = new_date.isoformat(), (new_date - origin).days
    k = index_of(events, lambda x: x["date"] == e["date"] and x["event"] == "day_closed")
    events.insert(k, e)
    return k


def calendar() -> BusinessCalendar:
    return BusinessCalendar(dt.date(2020, 1, 1), dt.date(2024, 12, 31))


def audit_of(run: Path) -> AuditReport:
    return audit(load(run))


def cited(report: AuditReport, check: str) -> set[int]:
    """Every seq a check's findings cite, as offender or as related event."""
    out: set[int] = set()
    for f in report.result(check).findings:
        if f.seq is not None:
            out.add(f.seq)
        out.update(f.related)
    return out
