"""Run folders of the deals in support.deals, simulated once per test session.

Why: the audit must pass on an honest run of any deal, and catch a defect put back into
one, not only the bundled deal's; these runs give the audit's tests other deals' logs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.deals import (
    bundled,
    renamed,
    static,
    with_reserve,
    with_switch,
    with_trigger,
)
from trustsim.config import DealConfig
from trustsim.sim.runner import simulate

RENAMED = {"senior": "class_a1", "mezz": "class_a2", "sub": "class_b"}
SWITCH = {"name": "npl_switch", "clause": "s", "kind": "npl_ratio", "threshold_pct": 0.5,
          "consecutive_business_days": 5}
CUMULATIVE = {"name": "cumulative_defaults", "clause": "i", "kind": "cumulative_default_rate",
              "threshold_pct": 1}


def _static_every_10_business_days() -> dict[str, Any]:
    cfg = static(bundled(), 3)
    cfg["dates"]["amortization_schedule"] = {"every_business_days": 10}
    return cfg


#: name -> how to build the deal's resolved config
VARIANTS = {
    "renamed_classes": lambda: renamed(bundled(), RENAMED),
    "static_every_3_months": lambda: static(bundled(), 3),
    "static_every_10_business_days": _static_every_10_business_days,
    "reserve_topped_up_then_released": lambda: with_reserve(bundled(), initial_wan=500),
    "npl_switches_to_a_sequential_waterfall": lambda: with_switch(bundled(), "sequential", SWITCH),
    "cumulative_default_trigger": lambda: with_trigger(bundled(), CUMULATIVE),
}

_RUNS: dict[str, Path] = {}


def variant_run(tmp_path_factory: Any, name: str) -> Path:
    """The run folder of deal variant ``name`` (see :data:`VARIANTS`)."""
    if name not in _RUNS:
        out = tmp_path_factory.mktemp("deal_runs") / name
        simulate(DealConfig.model_validate(VARIANTS[name]()), out)
        _RUNS[name] = out
    return _RUNS[name]
