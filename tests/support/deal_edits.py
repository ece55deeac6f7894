"""Editing the bundled deal the way a user edits its YAML: as a mapping, one change at a time.

Shared by the deal-language tests (tests/unit/test_deal_language.py) and the command-line
battery (tests/functional/test_bad_inputs.py), so a rule is broken the same way in both.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
_CACHE: dict[Path, dict[str, Any]] = {}


def bundled(path: Path = DEAL) -> dict[str, Any]:
    """The deal file as a mapping (a fresh copy each time)."""
    if path not in _CACHE:
        _CACHE[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return copy.deepcopy(_CACHE[path])


def note_class(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in d["classes"] if c["name"] == name)


def action(d: dict[str, Any], status: str, **match: object) -> dict[str, Any]:
    """The action of waterfall ``status`` whose keys have these values (``pay_principal="mezz"``)."""
    return next(a for a in d["waterfalls"][status] if all(a.get(k) == v for k, v in match.items()))


def drop_gate(d: dict[str, Any], gate: str) -> None:
    """No action waits any more for step ``gate`` to be paid in full."""
    for actions in d["waterfalls"].values():
        for a in actions:
            if gate in a.get("after_paid_in_full", []):
                a["after_paid_in_full"] = [g for g in a["after_paid_in_full"] if g != gate]


def without_rolling(d: dict[str, Any]) -> None:
    """The rolling class issued once, to its last series' maturity (a valid revolving deal still)."""
    rolling = next(c for c in d["classes"] if "rolling_series" in c)
    rolling["expected_maturity"] = rolling.pop("rolling_series")["expected_maturities"][-1]
    rolling["interest"]["revolving"] = "every_payment_date"
    d["triggers"] = [t for t in d["triggers"] if t["kind"] != "issuance_failure"]


def make_static(d: dict[str, Any]) -> None:
    """The deal on a static pool: no revolving period, no rolling series, no revolving-period
    income, no trigger that applies only in revolving, acceleration events made events of
    default. Valid as it stands."""
    d["dates"]["revolving_months"] = 0
    del d["waterfalls"]["revolving"]
    d.pop("revolving_purchase", None)
    without_rolling(d)
    for c in d["classes"]:
        if c.pop("period_income", None) is not None:
            c["interest"] = {"revolving": "none", "amortization": "none"}
    d["triggers"] = [t for t in d["triggers"] if t["kind"] != "pool_below_notes"]
    for t in d["triggers"]:   # with no revolving period to end, an acceleration event is a default
        if t.get("effect", "end_revolving") == "end_revolving":
            t["effect"] = "event_of_default"


def static(path: Path = DEAL) -> dict[str, Any]:
    d = bundled(path)
    make_static(d)
    return d
