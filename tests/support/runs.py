"""Runs several test modules need: the bundled loan-level deal at a small scale.

At 1% of the report's pool, with the notes and fixed fees scaled alike
(:func:`trustsim.pool.scaling.scale_overrides`), a whole loan-by-loan run takes about a
second, so tests can afford it (and a few of its scenarios) once per session.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from trustsim.config import DealConfig, load_deal
from trustsim.pool.scaling import scale_overrides
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
LOANS_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"
SMALL_SCALE = 0.01

_EVENTS: dict[tuple[str, ...], list[dict[str, Any]]] = {}


def small_loan_deal(scenarios: tuple[str, ...] = (), scale: float = SMALL_SCALE) -> DealConfig:
    """The bundled loan-level deal (with ``scenarios`` applied) at ``scale`` of its pool."""
    return load_deal(LOANS_FILE, scenarios, scale_overrides(load_deal(LOANS_FILE), scale))


def small_loan_events(scenarios: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The parsed log of :func:`small_loan_deal` (run once per session and scenarios)."""
    if scenarios not in _EVENTS:
        stream = io.BytesIO()
        run_deal(small_loan_deal(scenarios), stream)
        _EVENTS[scenarios] = [json.loads(line) for line in stream.getvalue().splitlines()]
    return _EVENTS[scenarios]
