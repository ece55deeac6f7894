"""Runs of Dongdao No. 3 in which senior series 2 cannot be issued (trigger (h), 2020-12-18),
and the figures a reader computes for them without the simulator.

Why here: the issuance-failure tests and their audit tests share these runs (each simulated
once per session) and the independent arithmetic: simple interest on a balance, half up to
the fen, and the business days of the deal's calendar.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from trustsim.config import load_deal
from trustsim.sim.runner import run_deal, simulate

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
SCENARIO = "rollover_fails_series2"

EFFECTIVE = dt.date(2020, 8, 18)
FAILURE = dt.date(2020, 12, 18)        # series 1's expected maturity, a Friday
PRICE_DUE = dt.date(2020, 12, 21)      # one business day later: the Monday
#: the originator falls below AA- on 2020-11-02: event (f) ends revolving before the failure
EARLIER_TRIGGER = {"kind": "originator_downgrade", "start": "2020-11-02", "rating": "A+"}
#: the originator becomes insolvent on the Saturday between the notice and the price
INSOLVENT_BEFORE_PAYING = {"kind": "originator_insolvency", "start": "2020-12-19"}

Event = dict[str, Any]


class FailureRun:
    """A finished run with its parsed log."""

    def __init__(self, overrides: dict[str, Any] | None = None, scenario: str | None = SCENARIO):
        self.deal = load_deal(DEAL_FILE, [scenario] if scenario else (), overrides)
        stream = io.BytesIO()
        self.env, _parties, self.summary = run_deal(self.deal, stream)
        self.events: list[Event] = [json.loads(x) for x in stream.getvalue().splitlines()]

    def of(self, *names: str) -> list[Event]:
        return [e for e in self.events if e["event"] in names]

    def on(self, date: dt.date, *names: str) -> list[Event]:
        return [e for e in self.of(*names) if e["date"] == date.isoformat()]

    def step(self, date: dt.date, pay: str) -> Event:
        return next(e for e in self.on(date, "waterfall_step") if e["pay"] == pay)

    def close(self, date: dt.date) -> Event:
        return self.on(date, "day_closed")[0]


_RUNS: dict[str, FailureRun] = {}


def failure_run(name: str = "failure") -> FailureRun:
    """``failure``: series 2 fails; ``after_trigger``: event (f) first, then series 2 fails;
    ``trigger_only``: event (f) and no failure; ``insolvent``: the originator fails between
    the notice and the price. Each simulated once per session."""
    if name not in _RUNS:
        runs = {
            "failure": lambda: FailureRun(),
            "after_trigger": lambda: FailureRun({"incidents": [
                EARLIER_TRIGGER, {"kind": "series_issuance_failure", "series": 2}]}),
            "trigger_only": lambda: FailureRun({"incidents": [EARLIER_TRIGGER]}, scenario=None),
            "insolvent": lambda: FailureRun({"incidents": [
                {"kind": "series_issuance_failure", "series": 2}, INSOLVENT_BEFORE_PAYING]}),
        }
        _RUNS[name] = runs[name]()
    return _RUNS[name]


def failure_folder(out: Path, overrides: dict[str, Any] | None = None) -> Path:
    """A run folder (config.json, events.jsonl...) of the failure case, for the audit."""
    simulate(load_deal(DEAL_FILE, [SCENARIO], overrides), out)
    return out


def simple_interest_fen(balance_fen: int, pct: str, start: dt.date, end: dt.date) -> int:
    """``balance_fen`` at ``pct`` a year, ACT/365, from ``start`` to ``end``, half up to the fen."""
    days = (end - start).days
    exact = Decimal(balance_fen) * Decimal(pct) / 100 * days / 365
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
