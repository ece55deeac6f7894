"""Memory for the loan-level engine: the C allocator's settings (glibc only), and faulting
the loan book's columns in ahead of their use (:class:`Prefaulter`, Linux only).

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
import mmap
import os
import threading

import numpy as np

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


MADV_POPULATE_WRITE = 23  # Linux 5.14 on: fault pages in, writable, without writing to them
PREFAULT_MIN_BYTES = 64 << 20  # smaller blocks are not worth a thread
PREFAULT_CHUNK_ROWS = 1 << 18  # a few calls a chunk: each waits for the GIL


class Prefaulter:
    """Faults in the pages of a block of columns ahead of their first use, on a thread of
    its own.

    Why: on the reference VM a page of memory touched for the first time costs about 2.5 s
    a GB (its host backs it then), and the loan book's columns grow into their reservation
    row by row as the deal revolves — half a gigabyte at full scale, a second or more of a
    run spent waiting on page faults. Faulting the next rows in on the machine's other core
    takes that off the run. The thread asks the kernel to fault the pages in without
    touching their content (``madvise(MADV_POPULATE_WRITE)``), so it can never disturb the
    engine's data, whatever it is doing; where the call is not available (another system,
    an older kernel) it stops and nothing else changes.

    ``spans``: each column's (byte offset in ``block``, item size); rows ``[0, frontier[0] +
    ahead)`` are faulted in, ``frontier`` being the owner's count of rows in use (updated
    by it, then :meth:`nudge`).
    """

    def __init__(self, block: np.ndarray, spans: list[tuple[int, int]], rows: int,
                 frontier: np.ndarray, ahead: int) -> None:
        self.block, self.spans, self.rows = block, spans, rows
        self.frontier, self.ahead = frontier, ahead
        self.done = 0  # rows faulted in
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="trustsim-prefault", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, block: np.ndarray, spans: list[tuple[int, int]], rows: int,
              frontier: np.ndarray, ahead: int) -> Prefaulter | None:
        """A prefaulter for ``block``, if it is large enough to be worth one and the system
        is Linux with glibc (and ``TRUSTSIM_PREFAULT`` is not ``0``)."""
        if (block.nbytes < PREFAULT_MIN_BYTES or os.environ.get("TRUSTSIM_PREFAULT") == "0"
                or _madvise() is None):
            return None
        return cls(block, spans, rows, frontier, ahead)

    def nudge(self) -> None:
        """The frontier moved."""
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()

    def _run(self) -> None:
        try:
            self._fault_in()
        finally:  # the block is the owner's again (freed with it, whatever happened here)
            self.block = None

    def _fault_in(self) -> None:
        madvise = _madvise()
        base = self.block.ctypes.data
        page = mmap.PAGESIZE
        while not self._stop:
            want = min(self.rows, int(self.frontier[0]) + self.ahead)
            if self.done >= want:
                self._wake.wait()
                self._wake.clear()
                continue
            upto = min(want, self.done + PREFAULT_CHUNK_ROWS)
            for offset, size in self.spans:
                start = base + offset + self.done * size
                end = base + offset + upto * size
                start -= start % page
                if madvise(start, end - start, MADV_POPULATE_WRITE) != 0:
                    return  # not supported here: the engine faults its pages in itself
            self.done = upto


_libc_madvise = None


def _madvise():
    """libc's ``madvise`` (arguments declared), or None if there is none."""
    global _libc_madvise
    if _libc_madvise is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            fn = libc.madvise
        except (OSError, AttributeError):
            _libc_madvise = False
            return None
        fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        fn.restype = ctypes.c_int
        _libc_madvise = fn
    return _libc_madvise or None
