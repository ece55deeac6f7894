"""The bundled deal under other names, and in other shapes, for tests of code that must
know no deal.

Why: the risk studies and the reports take every class name from the deal (its
``classes``, waterfall actions and triggers). Run on the same contract with its classes
called something else, they must give the same figures keyed by the new names; a class
name written into the code shows up as a KeyError or a missing line. ``without_rolling``
gives a deal none of whose classes rolls, for code that reads the rolling class.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from trustsim.config import DealConfig
from trustsim.config.load import validate_deal
from trustsim.config.waterfalls import Action

#: the bundled deal's classes -> names no code could know
RENAMES = {"senior": "tranche_a", "mezz": "tranche_b", "sub": "equity"}
CLASS_KEYS = ("pay_interest", "pay_principal", "pay_period_income", "pay_residual")


def _rename_action(action: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    out = dict(action)
    for key in CLASS_KEYS:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = renames.get(value, value)
        elif isinstance(value, list):
            out[key] = [renames.get(v, v) for v in value]
    return out


def renamed_data(data: dict[str, Any], renames: dict[str, str] = RENAMES) -> dict[str, Any]:
    """A deal mapping (a file's, or a dump's) with its classes renamed everywhere they are
    named: the classes, the waterfalls' actions and the step ids their gates name (derived
    from class names), and the interest_unpaid triggers' classes."""
    data = copy.deepcopy(data)
    for c in data["classes"]:
        c["name"] = renames.get(c["name"], c["name"])
    for status, actions in data["waterfalls"].items():
        steps: dict[str, str] = {}
        new_actions = []
        for a in actions:
            new = _rename_action(a, renames)
            old_step = Action.model_validate({**a, "after_paid_in_full": []}).step
            steps[old_step] = Action.model_validate({**new, "after_paid_in_full": []}).step
            new["after_paid_in_full"] = [steps.get(g, g) for g in a.get("after_paid_in_full") or []]
            new_actions.append(new)
        data["waterfalls"][status] = new_actions
    for t in data.get("triggers") or []:
        if t.get("kind") == "interest_unpaid":
            t["classes"] = [renames.get(c, c) for c in t["classes"]]
    return data


def renamed_deal(deal: DealConfig, renames: dict[str, str] = RENAMES) -> DealConfig:
    """``deal`` with its classes renamed (see :func:`renamed_data`)."""
    return validate_deal(renamed_data(deal.model_dump(mode="json"), renames), f"{deal.name} (renamed)")


def renamed_names(keys: Any, renames: dict[str, str] = RENAMES) -> Any:
    """A structure of the bundled deal's results with every class name in its keys and in
    ``<class>_...`` prefixes renamed, to compare with the renamed deal's."""
    def name(k: str) -> str:
        for old, new in renames.items():
            if k == old:
                return new
            if k.startswith(old + "_"):
                return new + k[len(old):]
            if k.endswith("_" + old):          # residual_to_<class>
                return k[: -len(old)] + new
        return k

    if isinstance(keys, dict):
        return {name(k) if isinstance(k, str) else k: renamed_names(v, renames) for k, v in keys.items()}
    if isinstance(keys, list):   # a list of class names (the classes a comparison covers)
        return [renames.get(v, v) if isinstance(v, str) else renamed_names(v, renames) for v in keys]
    return keys


def write_renamed_deal(folder: Path, deal: DealConfig, renames: dict[str, str] = RENAMES) -> Path:
    """Write the renamed deal as ``folder/deal.yaml``."""
    path = folder / "deal.yaml"
    data = renamed_data(deal.model_dump(mode="json"), renames)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def without_rolling(deal: DealConfig) -> DealConfig:
    """``deal`` with no rolling class: its rolling class issued once, to the last series'
    expected maturity, paid interest at every payment date; no issuance_failure trigger."""
    data = deal.model_dump(mode="json")
    for c in data["classes"]:
        if c.get("rolling_series"):
            c["expected_maturity"] = c["rolling_series"]["expected_maturities"][-1]
            c["rolling_series"] = None
            c["interest"]["revolving"] = "every_payment_date"
    data["triggers"] = [t for t in data["triggers"] if t["kind"] != "issuance_failure"]
    return validate_deal(data, f"{deal.name} (no rolling class)")


def last_expected_maturity(deal: DealConfig) -> dt.date:
    return max(c.final_expected_maturity for c in deal.classes)
