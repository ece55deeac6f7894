"""Deals other than the bundled one, in the deal language, for the audit's tests.

Why edits of the bundled deal: a realistic deal needs a pool, parties, fees and dates;
each variant below changes only what its tests are about (class names, a static pool,
a trigger) and is validated by the language's own model, so a test never audits a deal
the simulator would refuse. Each returns the resolved config as a run's ``config.json``
holds it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from trustsim.config import DealConfig, load_deal
from trustsim.config.waterfalls import Action

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
CLASS_KEYS = ("pay_interest", "pay_principal", "pay_period_income", "pay_residual")

Config = dict[str, Any]


def bundled() -> Config:
    """The bundled deal's resolved config, as ``config.json`` holds it."""
    return load_deal(DEAL_FILE).model_dump(mode="json")


def validated(cfg: Config) -> Config:
    """``cfg`` checked by the deal language's model, and dumped as a run writes it."""
    return DealConfig.model_validate(cfg).model_dump(mode="json")


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [names.get(v, v) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def renamed(cfg: Config, names: dict[str, str]) -> Config:
    """``cfg`` with its classes renamed (old -> new) everywhere the deal names them."""
    out = copy.deepcopy(cfg)
    for c in out["classes"]:
        c["name"] = names.get(c["name"], c["name"])
    for status, actions in out["waterfalls"].items():
        ids: dict[str, str] = {}
        for old, new in zip(cfg["waterfalls"][status], actions, strict=True):
            for key in CLASS_KEYS:
                new[key] = _rename(new[key], names)
            ids[Action.model_validate(old).step] = Action.model_validate(new).step
        for a in actions:
            a["after_paid_in_full"] = [ids.get(g, g) for g in a["after_paid_in_full"]]
    for t in out["triggers"]:
        if t["kind"] == "interest_unpaid":
            t["classes"] = _rename(t["classes"], names)
    return validated(out)


def without_triggers(cfg: Config, *kinds: str) -> Config:
    """``cfg`` without its triggers of ``kinds``."""
    out = copy.deepcopy(cfg)
    out["triggers"] = [t for t in out["triggers"] if t["kind"] not in kinds]
    return validated(out)


def with_trigger(cfg: Config, trigger: dict[str, Any]) -> Config:
    out = copy.deepcopy(cfg)
    out["triggers"].append(trigger)
    return validated(out)


def static(cfg: Config, every_months: int) -> Config:
    """``cfg`` as a static pool: no revolving period, no rolling class, no purchases, its
    acceleration events made events of default; amortization payment dates every
    ``every_months`` months from the effective date."""
    out = copy.deepcopy(cfg)
    out["dates"]["revolving_months"] = 0
    out["dates"]["amortization_schedule"] = {"every_months": every_months}
    out["revolving_purchase"] = None
    del out["waterfalls"]["revolving"]
    for c in out["classes"]:
        if c["rolling_series"] is not None:
            c["expected_maturity"] = c["rolling_series"]["expected_maturities"][-1]
            c["rolling_series"] = None
        c["interest"]["revolving"] = "none"
        c["period_income"] = None       # paid only by the revolving waterfall
    out["triggers"] = [t for t in out["triggers"]
                       if t["kind"] not in ("pool_below_notes", "issuance_failure")]
    for t in out["triggers"]:       # no revolving period to end: the events are defaults
        if t["effect"] == "end_revolving":
            t["effect"] = "event_of_default"
    return validated(out)


RESERVE = "liquidity_reserve"


def with_reserve(cfg: Config, initial_wan: int = 1000, pct_of_notes: int = 1,
                 floor_wan: int = 500) -> Config:
    """``cfg`` with a reserve account funded at closing and, in revolving, topped up to its
    target after the first class's interest; amortization and post-default release it
    into the available funds first."""
    out = copy.deepcopy(cfg)
    out["accounts"]["reserves"] = [{"name": RESERVE, "initial_wan": initial_wan,
                                    "target": {"pct_of_notes": pct_of_notes,
                                               "floor_wan": floor_wan}}]
    first = out["classes"][0]["name"]
    rev = out["waterfalls"]["revolving"]
    at = next(i for i, a in enumerate(rev) if a["pay_interest"] == first) + 1
    rev.insert(at, {"fund_account": RESERVE, "clause": "reserve top-up"})
    for status in ("amortization", "post_default"):
        out["waterfalls"][status].insert(0, {"release_account": RESERVE,
                                             "clause": "reserve released"})
    return validated(out)


def with_switch(cfg: Config, waterfall: str, trigger: dict[str, Any]) -> Config:
    """``cfg`` with a waterfall ``waterfall`` (the amortization one's copy) that ``trigger``
    (its name, clause, kind and parameters) switches to."""
    out = copy.deepcopy(cfg)
    out["waterfalls"][waterfall] = copy.deepcopy(out["waterfalls"]["amortization"])
    out["triggers"].append({**trigger, "effect": {"use_waterfall": waterfall}})
    return validated(out)
