"""The C allocator's settings for the loan-level engine (glibc only).

Why: every simulated day the engine allocates and frees buffers of a few MB (a due date's
rows, a purchase's columns, the events drawn). By default glibc hands such blocks back to
the system when they are freed, and the next day's buffers fault the pages in again,
zeroed by the kernel — on the 2-core reference VM, where first-touched memory is slow,
about a fifth of a full-scale run. Keeping freed memory in the process's own heap (no
``mmap`` below 32 MB, no trimming below 1 GB) removes that churn; the run holds about
200 MB more at its peak (measured with ``benchmarks/bench_loan_level.py``: 7.0-7.3 s
against 7.5-9.3 s, peak RSS 1.85 GB against 1.65 GB).

A user's own ``MALLOC_*`` environment settings win: nothing is changed if any is set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters
SETTINGS = {M_MMAP_THRESHOLD: 32 << 20, M_TRIM_THRESHOLD: 1 << 30, M_TOP_PAD: 64 << 20}
_done: bool | None = None


def keep_freed_memory() -> bool:
    """Apply :data:`SETTINGS` once per process; returns whether glibc took them."""
    global _done
    if _done is None:
        _done = False
        if not any(k.startswith("MALLOC_") for k in os.environ):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                mallopt = libc.mallopt
            except (OSError, AttributeError):  # not glibc: leave the allocator alone
                return False
            _done = all(mallopt(param, value) == 1 for param, value in SETTINGS.items())
    return _done
