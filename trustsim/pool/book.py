"""The loan book: receivables as numpy columns, advanced day by day, touched only when due.

Why an index by day of the month: a Baitiao receivable falls due on the same day of each
month as its purchase (the month's last day if it is shorter), so on any calendar day the
receivables due are exactly those of one day-of-month (or, on a month's last day, of the
days it lacks). All receivables live in one set of columns (the *arena*); each
day-of-month keeps the rows of its receivables, so a due date is one vectorized pass over
about 1/30 of the book. Everything that happens between due dates (a full or partial
early repayment, a cure, a roll to non-performing, a charge-off, a return) is an event
drawn when its cause happens and queued for its day; a day's events of one kind are
applied in one vectorized step across the whole book. So a day costs work proportional
to what happens on it, never a pass over every loan.

Receivables that have left (repaid, prepaid, charged off, removed) are written to the
journal when their day-of-month is next due and their rows are recycled for new
purchases, so the columns do not grow with the deal's life; rows never move, so queued
events stay valid (each carries its loan id, which tells a recycled row apart).

Money is integer fen throughout; each amount is computed with integer arithmetic (the
instalment's principal is ``(principal - arrears) // remaining``, the last instalment
takes the rest), so a run is reproducible to the fen.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import functools
import heapq
import weakref
from dataclasses import dataclass

import numba
import numpy as np

from trustsim.pool.behaviour import Behaviour, draw_paths_from, window_probability
from trustsim.pool.event_queue import EventQueue
from trustsim.pool.kernels import book as kern
from trustsim.pool.memory import Prefaulter
from trustsim.pool.tape import (
    CURRENT,
    LOST,
    MAX_RECEIVABLE_FEN,
    NON_PERFORMING,
    NOTEHOLDERS,
    OVERDUE,
    PREPAID,
    REPAID,
    REPURCHASED,
    SOLD,
    TRUST,
    WRITTEN_OFF,
    date_of,
    day_of_month,
)

#: engine columns and their dtypes
#: (a receivable's amounts are stored in 32 bits — at most MAX_RECEIVABLE_FEN — to keep the
#: columns small: the book's memory is most of a run's, and the kernels reckon in 64 bits;
#: the arrears columns mean something only while a receivable is overdue or non-performing:
#: they are set when it falls past due, and a current receivable's row may hold old ones)
COLUMNS: dict[str, type] = {
    "loan_id": np.int64, "obligor_id": np.int64, "origination_day": np.int32,
    "instalments": np.int8, "remaining_instalments": np.int8, "annual_fee_rate": np.float64,
    "credit_level": np.int8, "region": np.int16, "principal_fen": np.int32,
    "original_principal_fen": np.int32, "fee_fen": np.int32, "status": np.int8,
    "holder": np.int8, "late_since": np.int32, "arrears_principal_fen": np.int32,
    "arrears_fee_fen": np.int32, "arrears_dayfen": np.int64, "worst_dpd": np.int16,
    "flags": np.uint8, "entered_day": np.int32, "entry_reason": np.int8, "left_day": np.int32,
    "ever30": np.bool_, "dom": np.int8,
}
#: the columns an entering receivable brings (the kernel's ``s_*`` arguments, in order)
ENTERING = ("loan_id", "obligor_id", "origination_day", "instalments", "remaining_instalments",
            "annual_fee_rate", "credit_level", "region", "principal_fen",
            "original_principal_fen", "fee_fen", "status", "worst_dpd", "flags", "late_since",
            "arrears_principal_fen", "arrears_fee_fen", "arrears_dayfen", "ever30", "dom",
            "lost_day")
#: ... of which the book sets these itself (a receivable enters current unless its ``dpd``
#: says otherwise, with no arrears; ``lost_day`` is read separately)
ENGINE_STATE = ("late_since", "arrears_principal_fen", "arrears_fee_fen", "arrears_dayfen",
                "ever30", "dom", "lost_day")
#: ... and of those, the state of a receivable past due: an entering receivable brings it
#: only if one is (others enter current, with the kernel's defaults)
LATE_STATE = ("late_since", "arrears_principal_fen", "arrears_fee_fen", "arrears_dayfen",
              "ever30")
FREE = kern.FREE  # holder code of a recycled (empty) row
#: the arena is allotted to days-of-month in blocks of 2 ** shift rows: 64 to 4,096 rows, about
#: a sixteenth of a day-of-month's share of the first receivables entered (so a small book
#: is not mostly empty blocks, and a large one's blocks are long runs of memory)
MIN_BLOCK_SHIFT, MAX_BLOCK_SHIFT = 6, 12
#: rows of the arena faulted in ahead of the last in use (see ``memory.Prefaulter``)
PREFAULT_AHEAD = 1 << 20
#: receivables entered at a time (below what the book's scratch keeps: see ``_Scratch``)
ENTRY_BATCH = 1 << 18
# event kinds, in the order they are applied within a day
CHARGE_OFF, NPL, CURE, PREPAY_FULL, PREPAY_PART, RETURN = (
    kern.CHARGE_OFF, kern.NPL, kern.CURE, kern.PREPAY_FULL, kern.PREPAY_PART, kern.RETURN)
EXIT_OF_STATUS = {PREPAID: 1, REPAID: 2, WRITTEN_OFF: 3, LOST: 4, REPURCHASED: 5, SOLD: 6}
EXIT_CODE = np.zeros(16, np.int8)  # status -> exit reason code (tape.EXIT_REASONS)
for _status, _code in EXIT_OF_STATUS.items():
    EXIT_CODE[_status] = _code
RELEASED_EXIT = 7
#: days past due of each overdue bucket (1-30, 31-60, 61-90 in the report's words; the day an
#: instalment is missed counts in the first): ages in days since the missed due date
BUCKET_AGES = (np.arange(0, 31), np.arange(31, 61), np.arange(61, kern.RING_DAYS))
#: day number (days since 1970-01-01, to 2069) -> day of the month
DOM_OF_DAY = day_of_month(np.arange(0, 36525))


def month_index(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, "int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def processing_day(dom: int, year: int, month: int) -> int:
    """The day number on which receivables of day-of-month ``dom`` fall due in that month."""
    last = _cal.monthrange(year, month)[1]
    return (dt.date(year, month, min(dom, last)) - dt.date(1970, 1, 1)).days


def next_processing_day(dom: int, after: int) -> int:
    """The first due day of ``dom`` strictly after day number ``after``."""
    d = date_of(after)
    p = processing_day(dom, d.year, d.month)
    if p > after:
        return p
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return processing_day(dom, y, m)


@functools.lru_cache(maxsize=4096)
def next_due_table(after: int) -> np.ndarray:
    """``table[dom]``: the first due day strictly after ``after`` of each day-of-month 1..31
    (read-only: one table per day, asked for by every purchase of the day)."""
    table = np.array([0] + [next_processing_day(s, after) for s in range(1, 32)], np.int64)
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=4096)
def doms_due(day: int) -> range:
    d = date_of(day)
    last = _cal.monthrange(d.year, d.month)[1]
    return range(d.day, 32) if d.day == last else range(d.day, d.day + 1)


@dataclass
class Flows:
    principal_fen: int = 0
    income_fen: int = 0


class Tracker:
    """Static-pool statistics by vintage (origination month), for calibration and curves."""

    def __init__(self) -> None:
        self.initial: dict[int, int] = {}
        self.opening: dict[int, int] = {}
        self.principal: dict[int, int] = {}
        self.income: dict[int, int] = {}
        self.npl: dict[int, int] = {}
        self.dpd30: dict[int, int] = {}  # vintage * 1000 + months since origination

    @staticmethod
    def add(target: dict, keys: np.ndarray, values: np.ndarray) -> None:
        if not len(keys):
            return
        u, inv = np.unique(keys, return_inverse=True)
        sums = np.bincount(inv, weights=values.astype(np.float64))
        for key, s in zip(u.tolist(), sums.tolist(), strict=True):
            target[key] = target.get(key, 0) + round(s)


class _Aggregate:
    """A book aggregate stored in ``LoanBook.agg`` (so compiled kernels can update it)."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, book: LoanBook, owner: type) -> int:
        return int(book.agg[self.index])

    def __set__(self, book: LoanBook, value: int) -> None:
        book.agg[self.index] = value


class _Scratch:
    """Buffers reused from call to call, grown as needed: the kernels' outputs would
    otherwise be fresh memory every day, paid for in page faults. What a caller keeps, it
    copies."""

    KEEP_AT_MOST = 1 << 20  # rows; a day's work is far below this

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, n: int, dtype: type = np.int64) -> np.ndarray:
        if n > self.KEEP_AT_MOST:  # a one-off (the initial pool): not kept for the run
            return np.empty(n, dtype)
        a = self._arrays.get(name)
        if a is None or len(a) < n:
            a = self._arrays[name] = np.empty(max(n, 2 * (0 if a is None else len(a))), dtype)
        return a[:n]


class _EventBuffer:
    """Room for ``n`` events drawn by a kernel: kind, row, day, extra (a delinquency's start
    day) and tag (the loan id, which tells a recycled row apart)."""

    def __init__(self, n: int, scratch: _Scratch) -> None:
        self.kind = scratch.get("ev_kind", n, np.int8)
        self.row = scratch.get("ev_row", n)
        self.day = scratch.get("ev_day", n)
        self.extra = scratch.get("ev_extra", n)
        self.tag = scratch.get("ev_tag", n)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.kind, self.row, self.day, self.extra, self.tag


class LoanBook:
    """Receivables held by the trust, advanced day by day; see the module docstring."""

    def __init__(self, behaviour: Behaviour, rng_credit: np.random.Generator,
                 rng_prepay: np.random.Generator, rng_returns: np.random.Generator,
                 start_day: int, track: bool = False, journal: bool = True,
                 tracked_obligors: int | None = None) -> None:
        self.b = behaviour
        self.rng_credit, self.rng_prepay, self.rng_returns = rng_credit, rng_prepay, rng_returns
        #: seeds of the receivables' own draws (kernels.book.uniform), one per stream
        self.seed_credit = int(rng_credit.integers(2**63))
        self.seed_prepay = int(rng_prepay.integers(2**63))
        # P(full), P(partial and not full) early repayment in a window of ``span`` days, as one
        # table each, indexed by span + 400 x has_fee (fee-free receivables first)
        spans = np.arange(0, kern.FEE_OFFSET)
        pf = {has_fee: window_probability(full, spans) for has_fee, full in
              ((False, behaviour.full_prepay_month_no_fee), (True, behaviour.full_prepay_month))}
        pp = {has_fee: window_probability(behaviour.partial_prepay_month, spans) * (1 - pf[has_fee])
              for has_fee in (False, True)}
        self._pf = np.concatenate([pf[False], pf[True]])
        self._pp = np.concatenate([pp[False], pp[True]])
        self.day = start_day  # last day processed
        self.c: dict[str, np.ndarray] = {k: np.zeros(0, t) for k, t in COLUMNS.items()}
        self.end = 0  # rows [0, end) are the arena's blocks so far (used or free)
        self._frontier = np.zeros(1, np.int64)  # ``end``, for the prefaulter's thread
        self._prefault: Prefaulter | None = None
        self._prefault_done: weakref.finalize | None = None  # stops the thread with the book
        self.block_shift = 0  # set by the first receivables entered
        #: the blocks of rows of each day-of-month (ascending block numbers); a block holds
        #: receivables of one day-of-month only, so a due date reads its rows in memory order
        self.blocks: list[np.ndarray] = [np.zeros(0, np.int64) for _ in range(32)]
        self.spare_blocks: list[int] = []  # (a heap) blocks emptied by their day-of-month
        #: each day-of-month's recycled rows in its blocks, ascending; those from ``free_at[s]``
        #: on are still free
        self.free: list[np.ndarray] = [np.zeros(0, np.int64) for _ in range(32)]
        self.free_at = [0] * 32
        #: events (kinds, rows, extras, tags) waiting for their day
        self.events = EventQueue(start_day)
        self.tracker = Tracker() if track else None
        self.journal_on = journal
        self.journal: list[dict[str, np.ndarray]] = []
        #: aggregates (fen, loans), kept exact by every change; read through the attributes
        #: below (the compiled kernels update them in place)
        self.agg = np.zeros(kern.N_AGG, np.int64)
        #: the overdue principal by the day its receivable fell past due (``late_since``), in a
        #: ring of days: every change to the overdue balance changes it too (see ``buckets``)
        self.overdue_ring = np.zeros(kern.RING_DAYS, np.int64)
        #: returned receivables not yet removed: (rows, loan ids)
        self.lost_pending: list[tuple[np.ndarray, np.ndarray]] = []
        #: each obligor's payable balance in the book (criterion (d)), indexed by obligor id.
        #: With ``tracked_obligors``, only ids below it are kept: the originator's new users
        #: (ids above the tape's) each hold a single receivable, so their balance in the trust
        #: is nil whenever it is asked (before their purchase); not tracking them keeps the
        #: table small enough to stay in cache while every payment updates it.
        self.tracked_obligors = tracked_obligors
        self.obligor_fen = np.zeros(tracked_obligors or 0, np.int64)
        self._scratch = _Scratch()

    performing = _Aggregate(kern.PERFORMING)    # current and lost-not-yet-removed principal
    overdue = _Aggregate(kern.OVERDUE_FEN)
    npl = _Aggregate(kern.NPL_FEN)
    npl_arrears_fee = _Aggregate(kern.NPL_ARREARS_FEE)
    npl_arrears = _Aggregate(kern.NPL_ARREARS)
    npl_dayfen = _Aggregate(kern.NPL_DAYFEN)    # sum of unpaid amount x its due day (late fees)
    loans = _Aggregate(kern.LOANS)
    entered = _Aggregate(kern.ENTERED)          # receivables that ever entered
    bought = _Aggregate(kern.BOUGHT)
    collected = _Aggregate(kern.COLLECTED)
    income = _Aggregate(kern.INCOME)
    charged_off = _Aggregate(kern.CHARGED_OFF)
    removed = _Aggregate(kern.REMOVED)
    npl_entered = _Aggregate(kern.NPL_ENTERED)  # cumulative principal at entry into non-performing
    prepaid = _Aggregate(kern.PREPAID_FEN)      # cumulative principal repaid early (full or part)
    scheduled = _Aggregate(kern.SCHEDULED_FEN)  # cumulative instalment principal falling due on
    #                                             current receivables, paid or missed

    # ------------------------------------------------------------------ rows
    def _allocate(self, dom: np.ndarray) -> np.ndarray:
        """Rows for new receivables of the given days-of-month, each in a block of its own
        day-of-month: its recycled rows first (lowest first, so its highest blocks drain and
        are given back), then new blocks.

        Returns each receivable's row: ascending, within a day-of-month, in the order the
        receivables are given."""
        k = len(dom)
        size = 1 << self.block_shift
        need = np.bincount(dom, minlength=32)
        doms = np.flatnonzero(need).tolist()
        free = np.array([len(f) - at for f, at in zip(self.free, self.free_at, strict=True)])
        short = np.maximum(0, need - free)
        new_blocks = int((-(-short // size)).sum()) - len(self.spare_blocks)
        self._reserve(self.end + max(0, new_blocks) * size)  # one growth at most
        starts = np.zeros(32, np.int64)  # where each day-of-month's rows start in ``taken``
        taken = []
        offset = 0
        for s in doms:
            n = int(need[s])
            if short[s]:
                self._add_blocks(s, -(-int(short[s]) // size))
            at = self.free_at[s]
            taken.append(self.free[s][at: at + n])
            self.free_at[s] = at + n
            starts[s] = offset
            offset += n
        rows = np.empty(k, np.int64)
        kern.place(dom, taken[0] if len(taken) == 1 else np.concatenate(taken), starts, rows)
        return rows

    def _reserve(self, rows: int) -> None:
        """Columns long enough for ``rows`` rows. The first reservation is four times what is
        asked: the columns are cut from one block of memory that the system zeroes lazily,
        page by page as rows are first used, so room not yet used costs address space, not
        memory, and a later growth (a copy of every column) is rare. (Column by column, the
        narrow ones would come from the C heap, zeroed up front: 150 MB touched for nothing
        at full scale.)"""
        cap = len(self.c["loan_id"])
        if rows <= cap:
            return
        new_cap = max(rows, 2 * cap) if cap else 4 * rows
        widths = {name: -(-new_cap * np.dtype(t).itemsize // 64) * 64 for name, t in COLUMNS.items()}
        block = np.zeros(sum(widths.values()), np.uint8)
        at = 0
        spans = []
        for name, arr in self.c.items():
            grown = block[at: at + new_cap * arr.itemsize].view(arr.dtype)
            grown[: self.end] = arr[: self.end]
            self.c[name] = grown
            spans.append((at, arr.itemsize))
            at += widths[name]
        if self._prefault is not None:  # the old block's thread lets it go
            self._prefault.stop()
            self._prefault_done.detach()
        # the rows about to be used are faulted in on another thread (see memory.Prefaulter)
        self._frontier[0] = rows
        self._prefault = Prefaulter.start(block, spans, new_cap, self._frontier, PREFAULT_AHEAD)
        if self._prefault is not None:
            self._prefault_done = weakref.finalize(self, self._prefault.stop)

    def _add_blocks(self, dom: int, n: int) -> None:
        """``n`` more blocks for ``dom``: spare ones (lowest first), else new ones at the end of
        the arena (the columns grow by doubling; rows never move)."""
        shift = self.block_shift
        got = [heapq.heappop(self.spare_blocks) for _ in range(min(n, len(self.spare_blocks)))]
        first_new = self.end >> shift
        got += range(first_new, first_new + n - len(got))
        end = max(self.end, (max(got) + 1) << shift)
        if end > self.end:  # new blocks: their rows start free
            self._reserve(end)
            self.c["holder"][self.end: end] = FREE
            self.c["loan_id"][self.end: end] = -1
            self.end = end
            self._frontier[0] = end
            if self._prefault is not None:
                self._prefault.nudge()
        new = np.array(got, np.int64)
        fresh = ((new[:, None] << shift) + np.arange(1 << shift)).ravel()
        left = self.free[dom][self.free_at[dom]:]
        free = np.concatenate([left, fresh])
        if len(left) and (len(got) > 1 or left[-1] > fresh[0]):
            free.sort(kind="stable")  # runs already in order: a merge, not a full sort
        self.free[dom] = free
        self.free_at[dom] = 0
        blocks = np.concatenate([self.blocks[dom], new])
        if len(blocks) > len(new) or len(new) > 1:
            blocks.sort()
        self.blocks[dom] = blocks

    # ------------------------------------------------------------------ entering
    def add(self, cols: dict[str, np.ndarray], day: int, reason: int) -> int:
        """Receivables enter the book on ``day``; returns their principal.

        ``cols`` holds the tape's columns (and optionally ``lost_day``, a day it will be
        returned); engine columns are initialised here. Receivables already past due
        (``dpd`` > 0) start with their arrears estimated from the schedule. A large entry
        (the initial pool) goes in batches of :data:`ENTRY_BATCH`, so its working buffers
        are the book's reused ones rather than fresh memory the size of the whole pool.
        """
        k = len(cols["loan_id"])
        if k == 0:
            return 0
        if not self.block_shift:  # blocks sized by the first receivables entered, all of them
            self.block_shift = int(np.clip(np.log2(max(1, k) / 31 / 16), MIN_BLOCK_SHIFT,
                                           MAX_BLOCK_SHIFT))
        # rows for all of them at once (the arena's layout does not depend on the batches)
        dom = DOM_OF_DAY[np.asarray(cols["origination_day"], np.int64)]
        rows = self._allocate(dom)
        fen, late = 0, []
        for a in range(0, k, ENTRY_BATCH):
            batch = cols if k <= ENTRY_BATCH else {
                name: v[a: a + ENTRY_BATCH] for name, v in cols.items()}
            batch_fen, batch_late = self._enter_batch(
                batch, dom[a: a + ENTRY_BATCH], rows[a: a + ENTRY_BATCH], day, reason)
            fen += batch_fen
            late.append(batch_late)
        late = late[0] if len(late) == 1 else np.concatenate(late)
        if len(late):
            self._ring_add(late, 1)
            self._schedule_initial_delinquency(late)
        return fen

    def _ring_add(self, rows: np.ndarray, sign: int) -> None:
        """The overdue ones of ``rows`` enter (``sign`` 1) or leave (-1) the overdue ring."""
        c = self.c
        od = rows[c["status"][rows] == OVERDUE]
        if len(od):
            np.add.at(self.overdue_ring, c["late_since"][od].astype(np.int64) & kern.RING_MASK,
                      sign * c["principal_fen"][od].astype(np.int64))

    def buckets(self) -> tuple[int, int, int]:
        """The overdue principal by days past due on the last day processed: 0-30, 31-60 and
        61 on (to non-performing), from the ring of the days receivables fell past due."""
        ring, day = self.overdue_ring, self.day
        return tuple(int(ring[(day - ages) & kern.RING_MASK].sum())  # type: ignore[return-value]
                     for ages in BUCKET_AGES)

    def _enter_batch(self, cols: dict[str, np.ndarray], dom: np.ndarray, rows: np.ndarray,
                     day: int, reason: int) -> tuple[int, np.ndarray]:
        """:meth:`add` for one batch (days-of-month ``dom``), entering ``rows``: its principal, and the rows of those
        already past due. The columns are read in the order given (each once, front to back)
        and written to each day-of-month's rows in ascending order: reading in row order
        instead would gather every column at random (a second for the initial pool)."""
        k = len(cols["loan_id"])
        src = self._incoming(cols, dom, day)
        self._grow_obligors(int(src["obligor_id"].max()) + 1)
        first = max(day, self.day)
        ev = _EventBuffer(2 * k, self._scratch)
        c = self.c
        n_ev = kern.enter(
            rows, day, reason, first, self.day, next_due_table(first), c["loan_id"],
            c["obligor_id"], c["origination_day"], c["instalments"], c["remaining_instalments"],
            c["annual_fee_rate"], c["credit_level"], c["region"], c["principal_fen"],
            c["original_principal_fen"], c["fee_fen"], c["status"], c["worst_dpd"], c["flags"],
            c["late_since"], c["arrears_principal_fen"], c["arrears_fee_fen"],
            c["arrears_dayfen"], c["ever30"], c["dom"],
            *(src[name] for name in ENTERING), c["holder"], c["entered_day"],
            c["entry_reason"], c["left_day"], self.obligor_fen, self._pf, self._pp,
            self.seed_prepay, self.agg, *ev.arrays(), self._scratch.get("owed_id", k),
            self._scratch.get("owed_fen", k), numba.get_num_threads())
        self._queue(ev, n_ev)
        status = src["status"]
        if self.tracker is not None:
            vintage = month_index(src["origination_day"])
            Tracker.add(self.tracker.initial, vintage, src["principal_fen"])
            Tracker.add(self.tracker.opening, vintage, src["principal_fen"])
        lost = rows[status == LOST]
        if len(lost):  # returned before it entered (between base and purchase date)
            self.lost_pending.append((lost, c["loan_id"][lost].copy()))
        return int(src["principal_fen"].sum()), rows[(status == OVERDUE) | (status == NON_PERFORMING)]

    def _incoming(self, cols: dict[str, np.ndarray], dom: np.ndarray, day: int
                  ) -> dict[str, np.ndarray]:
        """Every column an entering receivable needs, from ``cols`` or its default."""
        k = len(cols["loan_id"])
        for name in ("principal_fen", "original_principal_fen"):
            if name in cols and k and int(np.max(cols[name])) > MAX_RECEIVABLE_FEN:
                i = int(np.argmax(cols[name]))
                raise ValueError(f"receivable {int(cols['loan_id'][i])}: {name} {int(cols[name][i])} "
                                 f"is above the largest the loan book holds ({MAX_RECEIVABLE_FEN})")
        src = {name: np.asarray(cols[name], COLUMNS[name]) for name in ENTERING
               if name in cols and name not in ENGINE_STATE}
        src["lost_day"] = np.asarray(cols["lost_day"] if "lost_day" in cols else np.full(k, -1),
                                     np.int64)
        src["dom"] = dom
        if "fee_fen" not in src:
            # in the column's own type: an int64 here would compile a second ``enter`` (~8 s)
            src["fee_fen"] = fee_per_instalment(src["original_principal_fen"],
                                                src["annual_fee_rate"]).astype(COLUMNS["fee_fen"])
        dpd = np.asarray(cols["dpd"], np.int64) if "dpd" in cols else np.zeros(k, np.int64)
        past_due = np.isin(src["status"], (OVERDUE, NON_PERFORMING))
        if (past_due & (dpd == 0)).any():  # (a tape's validation says so first, naming the row)
            i = int(np.argmax(past_due & (dpd == 0)))
            raise ValueError(f"receivable {int(src['loan_id'][i])} is overdue or non-performing "
                             "but 0 days past due")
        late = bool((dpd > 0).any())
        for name in ENTERING:
            if name in src:
                continue
            if name in LATE_STATE and not late:  # none is past due: the kernel's defaults
                src[name] = np.zeros(0, COLUMNS[name])
            else:
                src[name] = np.full(k, -1 if name == "late_since" else 0, COLUMNS[name])
        if late:
            for name in ("status", *LATE_STATE):
                src[name] = src[name].copy()
            self._initial_arrears(src, dpd > 0, dpd, day)
        return src

    def _grow_obligors(self, top: int) -> None:
        if self.tracked_obligors is None and top > len(self.obligor_fen):
            grown = np.zeros(max(top, len(self.obligor_fen) * 2), np.int64)
            grown[: len(self.obligor_fen)] = self.obligor_fen
            self.obligor_fen = grown

    def _initial_arrears(self, full: dict, late: np.ndarray, dpd: np.ndarray, day: int) -> None:
        """A tape receivable already past due: one instalment per started month is in arrears."""
        n_missed = np.minimum(1 + (dpd - 1) // 30, np.maximum(full["instalments"], 1))
        rem = full["remaining_instalments"].astype(np.int64)
        principal = full["principal_fen"]
        per = principal // np.maximum(rem + n_missed, 1)
        arr_p = np.where(rem == 0, principal, np.minimum(principal, per * n_missed))
        arr_f = full["fee_fen"] * n_missed
        since = day - dpd
        full["arrears_principal_fen"][late] = arr_p[late]
        full["arrears_fee_fen"][late] = arr_f[late]
        full["arrears_dayfen"][late] = ((arr_p + arr_f) * since)[late]
        full["late_since"][late] = since[late]
        st = full["status"]
        st[late & (dpd > self.b.npl_after_days)] = NON_PERFORMING
        st[late & (dpd <= self.b.npl_after_days)] = OVERDUE
        full["ever30"][late & (dpd > 30)] = True

    def _schedule_initial_delinquency(self, rows: np.ndarray) -> None:
        b, c = self.b, self.c
        since = c["late_since"][rows].astype(np.int64)
        npl = c["status"][rows] == NON_PERFORMING
        co = np.maximum(since + b.charge_off_after_days + 1, self.day + 1)
        self._schedule_by_day(CHARGE_OFF, rows[npl], co[npl], since[npl])
        od = ~npl
        if od.any():
            end = draw_paths_from(self.rng_credit, self.day - since[od], b.cure,
                                  b.npl_after_days)
            npl_end = end > b.npl_after_days
            days = since[od] + end
            self._schedule_by_day(NPL, rows[od][npl_end], days[npl_end], since[od][npl_end])
            self._schedule_by_day(CURE, rows[od][~npl_end], days[~npl_end], since[od][~npl_end])

    # ------------------------------------------------------------------ scheduling
    def _schedule_by_day(self, kind: int, rows: np.ndarray, days: np.ndarray,
                         extra: np.ndarray | None) -> None:
        """Queue ``kind`` for each row on its day; the loan id guards against a recycled row."""
        k = len(rows)
        if not k:
            return
        ev = _EventBuffer(k, self._scratch)
        ev.kind[:] = kind
        ev.row[:] = rows
        ev.day[:] = days
        ev.extra[:] = 0 if extra is None else extra
        ev.tag[:] = self.c["loan_id"][rows]
        self._queue(ev, k)

    def _queue(self, ev: _EventBuffer, n: int) -> None:
        """Queue the first ``n`` events of ``ev``, each on its day."""
        self.events.push(ev.kind, ev.row, ev.day, ev.extra, ev.tag, n)

    # ------------------------------------------------------------------ advancing
    def advance(self, through: int) -> Flows:
        """Process every day after the last one processed, through ``through`` (incl.)."""
        self.agg[kern.FLOW_PRINCIPAL] = self.agg[kern.FLOW_INCOME] = 0
        for day in range(self.day + 1, through + 1):
            self.day = day
            if self.events.waiting(day):
                self._fire(day)
            for s in doms_due(day):
                if len(self.blocks[s]):
                    self._due(s, day)
        return Flows(int(self.agg[kern.FLOW_PRINCIPAL]), int(self.agg[kern.FLOW_INCOME]))

    def _fire(self, day: int) -> None:
        """Apply the day's events, kind by kind, across the whole book (one compiled pass)."""
        n = self.events.waiting(day)
        get = self._scratch.get
        kinds, rows, extras, tags = (get("day_kind", n, np.int8), get("day_row", n),
                                     get("day_extra", n), get("day_tag", n))
        self.events.pop(day, kinds, rows, extras, tags)
        c, b = self.c, self.b
        track = self.tracker is not None
        t_p, t_i, t_npl = (np.zeros(n if track else 0, np.int64) for _ in range(3))
        applied = self._scratch.get("applied", n, np.bool_)
        applied[:] = False
        ev = _EventBuffer(n, self._scratch)
        lo, hi = b.partial_fraction
        n_ev = kern.fire(
            kinds, rows, extras, tags, day, c["holder"], c["status"], c["principal_fen"],
            c["obligor_id"], self.obligor_fen, c["late_since"], c["arrears_principal_fen"],
            c["arrears_fee_fen"], c["arrears_dayfen"], c["worst_dpd"], c["left_day"],
            c["loan_id"], lo, hi, b.late_fee_ppm_per_day, b.charge_off_after_days,
            self.seed_prepay, self.agg, track, t_p, t_i, t_npl, applied, *ev.arrays(),
            *(self._scratch.get(name, n) for name in ("order", "owed_id", "owed_fen",
                                                      "left_overdue")), self.overdue_ring)
        self._queue(ev, n_ev)
        returned = applied & (kinds == RETURN)
        if returned.any():
            r = rows[returned]
            self.lost_pending.append((r, c["loan_id"][r].copy()))
        if track:
            r = rows[applied]
            self._track("principal", r, t_p[applied])
            self._track("income", r, t_i[applied])
            self._track("npl", r, t_npl[applied])

    def _track(self, target: str, rows: np.ndarray, values: np.ndarray) -> None:
        if self.tracker is not None and len(rows):
            Tracker.add(getattr(self.tracker, target),
                        month_index(self.c["origination_day"][rows]), values)

    def _owed_less(self, rows: np.ndarray, fen: np.ndarray) -> None:
        """Obligors of ``rows`` owe ``fen`` less (no longer payable to the trust)."""
        ids = self.c["obligor_id"][rows]
        known = ids < len(self.obligor_fen)
        np.subtract.at(self.obligor_fen, ids[known], np.asarray(fen)[known])

    def _npl_out(self, rows: np.ndarray) -> int:
        """Remove rows' figures from the non-performing aggregates; returns their principal."""
        c = self.c
        total = int(c["principal_fen"][rows].sum())
        self.npl -= total
        self.npl_arrears_fee -= int(c["arrears_fee_fen"][rows].sum())
        self.npl_arrears -= int(c["arrears_principal_fen"][rows].sum() + c["arrears_fee_fen"][rows].sum())
        self.npl_dayfen -= int(c["arrears_dayfen"][rows].sum())
        return total

    # ------------------------------------------------------------------ due dates
    def _due(self, dom: int, day: int) -> None:
        """Receivables of day-of-month ``dom`` fall due on ``day``: one compiled pass over its
        blocks, in memory order. Those that have left are journaled and their rows recycled;
        blocks left empty are given back."""
        c, b = self.c, self.b
        blocks = self.blocks[dom]
        shift = self.block_shift
        n = len(blocks) << shift
        track = self.tracker is not None
        t_p, t_i = (np.zeros(n if track else 0, np.int64) for _ in range(2))
        t_first30 = np.zeros(n if track else 0, np.bool_)
        gone, free = self._scratch.get("gone", n), self._scratch.get("free", n)
        ev = _EventBuffer(n, self._scratch)
        empty = self._scratch.get("empty", len(blocks))
        release = not self.journal_on  # else the journal reads the rows first
        overdue_before = self.agg[kern.OVERDUE_FEN]
        n_gone, n_free, n_ev, n_empty = kern.due_pass(
            blocks, shift, day, int(next_due_table(day)[dom]), c["holder"], c["status"],
            c["remaining_instalments"], c["principal_fen"], c["fee_fen"], c["credit_level"],
            c["obligor_id"], self.obligor_fen, c["late_since"], c["arrears_principal_fen"],
            c["arrears_fee_fen"], c["arrears_dayfen"], c["ever30"], c["left_day"],
            c["loan_id"], b.miss_by_level, np.asarray(b.cure, np.float64), b.npl_after_days,
            self._pf, self._pp, self.seed_credit, self.seed_prepay, self.agg, track,
            t_p, t_i, t_first30, *ev.arrays(), gone, free, empty, release,
            self._scratch.get("owed_id", n), self._scratch.get("owed_fen", n),
            numba.get_num_threads())
        self._queue(ev, n_ev)
        # the pass's only change to the overdue balance: instalments missed today
        self.overdue_ring[day & kern.RING_MASK] += self.agg[kern.OVERDUE_FEN] - overdue_before
        gone = gone[:n_gone]
        if track:
            rows = ((blocks[:, None] << shift) + np.arange(1 << shift)).ravel()
            self._track("principal", rows, t_p)
            self._track("income", rows, t_i)
            r30 = rows[t_first30]
            if len(r30):
                vintage = month_index(c["origination_day"][r30])
                months = month_index(np.full(len(r30), day + 31)) - vintage
                Tracker.add(self.tracker.dpd30, vintage * 1000 + months, c["principal_fen"][r30])
            st, h = c["status"][rows], c["holder"][rows]
            live = rows[(h == TRUST) & ((st == CURRENT) | (st == OVERDUE))]
            self._track("opening", live, c["principal_fen"][live])
        if n_gone and not release:  # receivables that have left: journaled, rows recycled
            self.journal.append(self.journal_rows(gone))
            c["holder"][gone] = FREE
            c["loan_id"][gone] = -1
        free = free[:n_free].copy()
        if n_empty:  # blocks with no receivable left (not in ``free``): given back
            empty = empty[:n_empty]
            for block in blocks[empty].tolist():
                heapq.heappush(self.spare_blocks, block)
            self.blocks[dom] = np.delete(blocks, empty)
        self.free[dom] = free
        self.free_at[dom] = 0

    # ------------------------------------------------------------------ leaving
    def journal_rows(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        c = self.c
        left = c["left_day"][rows]
        exit_code = EXIT_CODE[c["status"][rows]]
        exit_code[c["holder"][rows] == NOTEHOLDERS] = RELEASED_EXIT
        exit_code[left < 0] = 0
        return {"loan_id": c["loan_id"][rows], "entered_day": c["entered_day"][rows],
                "entry_reason": c["entry_reason"][rows], "left_day": left,
                "exit_reason": exit_code, "principal_fen": c["principal_fen"][rows]}

    def remove_rows(self, rows: np.ndarray, status: int | None, holder: int, day: int) -> int:
        """Rows leave the trust to ``holder`` (status set to ``status`` unless None); principal."""
        c = self.c
        st = c["status"][rows]
        p = c["principal_fen"][rows]
        total = int(p.sum())
        payable = st != LOST
        self._owed_less(rows[payable], p[payable])
        self.performing -= int(p[(st == CURRENT) | (st == LOST)].sum())
        self.overdue -= int(p[st == OVERDUE].sum())
        self._ring_add(rows, -1)
        npl_rows = rows[st == NON_PERFORMING]
        if len(npl_rows):
            self._npl_out(npl_rows)
        if status is not None:
            c["status"][rows] = status
        c["holder"][rows] = holder
        c["left_day"][rows] = day
        self.loans -= len(rows)
        self.removed += total
        return total

    # ------------------------------------------------------------------ views
    def npl_fees(self, day: int) -> int:
        """Accrued unpaid fees on non-performing receivables: arrears fees plus late fees."""
        late = (day * self.npl_arrears - self.npl_dayfen) * self.b.late_fee_ppm_per_day // 1_000_000
        return self.npl_arrears_fee + max(0, late)

    def live(self) -> np.ndarray:
        """Rows of every receivable the trust holds (incl. lost ones not yet removed)."""
        c = self.c
        st, h = c["status"][: self.end], c["holder"][: self.end]
        return np.flatnonzero((h == TRUST) & ((st == CURRENT) | (st == OVERDUE)
                                              | (st == NON_PERFORMING) | (st == LOST)))

    def find(self, loan_ids: np.ndarray) -> np.ndarray:
        """Rows of the given loan ids that are still in the arena."""
        return np.flatnonzero(np.isin(self.c["loan_id"][: self.end], loan_ids))

    def check(self) -> None:
        """Recompute every aggregate from the columns; raise if any disagrees (tests)."""
        c = self.c
        st, p, h = c["status"][: self.end], c["principal_fen"][: self.end], c["holder"][: self.end]
        t = h == TRUST
        m = t & (st == NON_PERFORMING)
        got = (self.performing, self.overdue, self.npl, self.loans, self.npl_arrears_fee,
               self.npl_arrears, self.npl_dayfen)
        want = (int(p[t & ((st == CURRENT) | (st == LOST))].sum()),
                int(p[t & (st == OVERDUE)].sum()), int(p[m].sum()),
                int((t & ((st == CURRENT) | (st == OVERDUE) | (st == NON_PERFORMING)
                          | (st == LOST))).sum()),
                int(c["arrears_fee_fen"][: self.end][m].sum()),
                int(c["arrears_principal_fen"][: self.end][m].sum()
                    + c["arrears_fee_fen"][: self.end][m].sum()),
                int(c["arrears_dayfen"][: self.end][m].sum()))
        if got != want:
            raise AssertionError(f"loan book aggregates {got} != recomputed {want}")
        od = t & (st == OVERDUE)
        age = self.day - c["late_since"][: self.end][od].astype(np.int64)
        want_b = tuple(int(p[od][np.isin(age, ages)].sum()) for ages in BUCKET_AGES)
        if self.buckets() != want_b or (age.size and age.max() >= kern.RING_DAYS):
            raise AssertionError(f"overdue buckets {self.buckets()} != recomputed {want_b}")
        owed = np.zeros(len(self.obligor_fen), np.int64)
        o = t & ((st == CURRENT) | (st == OVERDUE) | (st == NON_PERFORMING))
        o &= c["obligor_id"][: self.end] < len(owed)
        np.add.at(owed, c["obligor_id"][: self.end][o], p[o])
        if not np.array_equal(owed, self.obligor_fen):
            bad = np.flatnonzero(owed != self.obligor_fen)[:5]
            raise AssertionError(f"obligor balances disagree for obligors {bad.tolist()}")
        outstanding = self.performing + self.overdue + self.npl
        flow = self.bought - self.collected - self.charged_off - self.removed
        if outstanding != flow:
            raise AssertionError(f"outstanding {outstanding} != bought - collected - charged off"
                                 f" - removed = {flow}")


def fee_per_instalment(original_fen: np.ndarray, annual_rate: np.ndarray) -> np.ndarray:
    """The monthly fee on the original principal: ``original x annual rate / 12``, half up.

    Rates are read to 1/100 of a basis point so the fee is computed in integers.
    """
    rate_e6 = np.round(np.asarray(annual_rate, np.float64) * 1_000_000).astype(np.int64)
    return (np.asarray(original_fen, np.int64) * rate_e6 + 6_000_000) // 12_000_000
