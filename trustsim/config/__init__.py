"""Deal configuration: strict models (:mod:`.models`) and the loader (:mod:`.load`).

The names below load on first use (PEP 562), so importing :class:`ConfigError` — from here
or from :mod:`.errors` — does not build the pydantic models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from trustsim.config.errors import ConfigError

if TYPE_CHECKING:
    from trustsim.config.load import deep_merge, legal_maturity, load_deal, validate_deal
    from trustsim.config.models import DealConfig

_LAZY = {"DealConfig": "models", "deep_merge": "load", "legal_maturity": "load", "load_deal": "load",
         "validate_deal": "load"}

__all__ = ["ConfigError", "DealConfig", "deep_merge", "legal_maturity", "load_deal", "validate_deal"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
