"""The bundled scenarios and the deals each applies to (a scenario's ``applies_to``).

Why here: tests that run every bundled scenario run each on a deal it applies to; a
scenario without ``applies_to`` (base) applies to every deal. The bundled deals' scenarios
are mostly Dongdao No. 3's, whose dates and class names they use.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEAL_DIR = ROOT / "configs" / "deals"
SCENARIO_DIR = ROOT / "configs" / "scenarios"
#: the rep-line deals (the loan-level file is Dongdao No. 3's pool loan by loan)
REP_LINE_DEALS = ("dongdao3_2020_1", "jd_baitiao_2015", "static_consumer_2021_illustrative")


def applies_to(scenario: str) -> list[str] | None:
    """The deals a bundled scenario names (None: every deal)."""
    data = yaml.safe_load((SCENARIO_DIR / f"{scenario}.yaml").read_text(encoding="utf-8"))
    return data.get("applies_to")


def scenarios_for(deal_name: str) -> list[str]:
    """The bundled scenarios that apply to ``deal_name``, by name, sorted."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))
    return [s for s in names if (applies_to(s) is None or deal_name in applies_to(s))]


def other_deal_runs() -> list[tuple[str, str]]:
    """(deal, scenario) for every rep-line deal besides Dongdao No. 3 and each scenario of its
    own (scenario "base" stands for the deal as it is)."""
    return [(d, s) for d in REP_LINE_DEALS[1:] for s in scenarios_for(d)]


_RUNS: dict[tuple[str, str], object] = {}


def deal_run(deal_name: str, scenario: str):
    """A bundled deal's run with one of its scenarios, once per session: a conftest ``Run``
    (events, summary, env) with the loaded deal as ``.deal``."""
    from conftest import Run

    from trustsim.config import load_deal

    key = (deal_name, scenario)
    if key not in _RUNS:
        deal = load_deal(DEAL_DIR / f"{deal_name}.yaml", [scenario])
        run = Run(deal)
        run.deal = deal
        _RUNS[key] = run
    return _RUNS[key]
