"""Package data: the rating report's tables, machine-readable.

``dongdao3_2020_1_report.json`` is a copy of the project's shared transcription of the
Lianhe Ratings report on the Dongdao No. 3 JD Baitiao ABCP 2020-1 (the ``data`` folder
beside DEAL.md; tables 5-14 of the report). It ships inside the package so that nothing
reads files outside the repository at run or test time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=4)
def report(name: str = "dongdao3_2020_1_report.json") -> dict[str, Any]:
    """The rating report's tables (amounts in 10k CNY unless a key says otherwise)."""
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))
