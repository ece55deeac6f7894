"""How big a study may be: refuse, before it starts, one whose results would not fit in memory.

Why: a study keeps every path's (or grid point's) results in memory until it writes them,
so ``--paths 10**12`` grew to gigabytes in seconds and would end in the kernel's OOM killer,
or in swap, with nothing written. The estimate is what the study keeps per item (counted
from the values it stores, :func:`deep_size`) times the items; the limit is a share of the
memory available now (``MemAvailable`` in /proc/meminfo, else the free pages). The message
names the flag, the estimate, the limit and the largest size that fits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

#: hard bounds on the size flags, whatever the memory: beyond them a study would run for a year
MAX_PATHS = 100_000_000   # --paths (at the measured 2-5 paths/s)
MAX_AXIS_POINTS = 1_000   # each break-even grid axis (--grid-write-off, --grid-purchase)
MAX_WORKERS = 1_024       # --workers: more processes than any machine here has cores for

#: share of the memory available now that a study's results may take (the run itself, the
#: workers and the written tables need the rest)
SHARE_OF_AVAILABLE = 0.5


class StudyTooLarge(ValueError):
    """A study asks for more than memory allows; the message names the flag."""


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation now (None where the system does not say)."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def deep_size(obj: Any) -> int:
    """Bytes a result row takes: the container and each value it holds (keys are shared)."""
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        return size + sum(deep_size(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return size + sum(deep_size(v) for v in obj)
    return size


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def check_fits(flag: str, count: int, noun: str, bytes_each: int, what: str,
               available: int | None = None) -> None:
    """Raise :class:`StudyTooLarge` if ``count`` items of ``bytes_each`` exceed the share of memory."""
    available = available_memory() if available is None else available
    if available is None:
        return
    limit = int(available * SHARE_OF_AVAILABLE)
    need = count * bytes_each
    if need <= limit:
        return
    most = limit // bytes_each
    raise StudyTooLarge(
        f"{flag}: {count:,} {noun} would keep about {human(need)} of results in memory ({human(bytes_each)} "
        f"each: {what}), more than the {human(limit)} a study may use ({SHARE_OF_AVAILABLE:.0%} of the "
        f"{human(available)} available now); at most {most:,} {noun} fit - ask for fewer")
