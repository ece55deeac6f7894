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
from dataclasses import dataclass

import numpy as np

from trustsim.pool.behaviour import Behaviour, draw_paths, draw_paths_from, window_probability
from trustsim.pool.tape import (
    CURRENT,
    LOST,
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
COLUMNS: dict[str, type] = {
    "loan_id": np.int64, "obligor_id": np.int64, "origination_day": np.int32,
    "instalments": np.int8, "remaining_instalments": np.int8, "annual_fee_rate": np.float64,
    "credit_level": np.int8, "region": np.int16, "principal_fen": np.int64,
    "original_principal_fen": np.int64, "fee_fen": np.int64, "status": np.int8,
    "holder": np.int8, "late_since": np.int32, "arrears_principal_fen": np.int64,
    "arrears_fee_fen": np.int64, "arrears_dayfen": np.int64, "worst_dpd": np.int16,
    "flags": np.uint8, "entered_day": np.int32, "entry_reason": np.int8, "left_day": np.int32,
    "ever30": np.bool_, "dom": np.int8,
}
FREE = 9  # holder code of a recycled (empty) row
# event kinds, in the order they are applied within a day
CHARGE_OFF, NPL, CURE, PREPAY_FULL, PREPAY_PART, RETURN = range(6)
EXIT_OF_STATUS = {PREPAID: 1, REPAID: 2, WRITTEN_OFF: 3, LOST: 4, REPURCHASED: 5, SOLD: 6}
EXIT_CODE = np.zeros(16, np.int8)  # status -> exit reason code (tape.EXIT_REASONS)
for _status, _code in EXIT_OF_STATUS.items():
    EXIT_CODE[_status] = _code
RELEASED_EXIT = 7
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


def next_due_table(after: int) -> np.ndarray:
    """``table[dom]``: the first due day strictly after ``after`` of each day-of-month 1..31."""
    return np.array([0] + [next_processing_day(s, after) for s in range(1, 32)], np.int64)


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


class LoanBook:
    """Receivables held by the trust, advanced day by day; see the module docstring."""

    def __init__(self, behaviour: Behaviour, rng_credit: np.random.Generator,
                 rng_prepay: np.random.Generator, rng_returns: np.random.Generator,
                 start_day: int, track: bool = False, journal: bool = True) -> None:
        self.b = behaviour
        self.rng_credit, self.rng_prepay, self.rng_returns = rng_credit, rng_prepay, rng_returns
        # window length in days -> P(full), P(partial and not full); fee-free receivables first
        spans = np.arange(0, 400)
        self._window_p = {}
        for has_fee, full in ((False, behaviour.full_prepay_month_no_fee),
                              (True, behaviour.full_prepay_month)):
            pf = window_probability(full, spans)
            self._window_p[has_fee] = (
                pf, window_probability(behaviour.partial_prepay_month, spans) * (1 - pf))
        # the same, as one table each, indexed by span + 400 x has_fee (one gather, no select)
        self._pf = np.concatenate([self._window_p[False][0], self._window_p[True][0]])
        self._pp = np.concatenate([self._window_p[False][1], self._window_p[True][1]])
        self.day = start_day  # last day processed
        self.c: dict[str, np.ndarray] = {k: np.zeros(0, t) for k, t in COLUMNS.items()}
        self.end = 0          # rows [0, end) have been used; rows at or after end are free
        #: recycled rows below ``end`` (sorted runs), by the day-of-month of the receivables
        #: that left them: a new receivable takes a row freed by its own day-of-month first,
        #: so each day's rows stay close together in the columns (its gathers read few lines)
        self.free: list[list[np.ndarray]] = [[] for _ in range(32)]
        self.n_free = np.zeros(32, np.int64)
        self.by_dom: list[list[np.ndarray]] = [[] for _ in range(32)]  # rows due on each day
        self.events: dict[int, list[tuple[int, np.ndarray, np.ndarray | None, np.ndarray]]] = {}
        self.tracker = Tracker() if track else None
        self.journal_on = journal
        self.journal: list[dict[str, np.ndarray]] = []
        # aggregates (fen), kept exact by every change
        self.performing = self.overdue = self.npl = 0
        self.npl_arrears_fee = self.npl_arrears = self.npl_dayfen = 0
        self.loans = 0
        self.entered = 0  # receivables that ever entered
        self.bought = self.collected = self.income = self.charged_off = self.removed = 0
        self.npl_entered = 0  # cumulative principal at entry into non-performing
        #: returned receivables not yet removed: (rows, loan ids)
        self.lost_pending: list[tuple[np.ndarray, np.ndarray]] = []
        #: each obligor's payable balance in the book (criterion (d)), indexed by obligor id
        self.obligor_fen = np.zeros(0, np.int64)
        self._flows = Flows()

    # ------------------------------------------------------------------ rows
    def _grow_arena(self, need: int) -> None:
        cap = len(self.c["loan_id"])
        if need <= cap:
            return
        new_cap = max(need, cap * 2, 4096)
        for name, arr in self.c.items():
            grown = np.zeros(new_cap, arr.dtype)
            grown[: self.end] = arr[: self.end]
            if name == "holder":
                grown[self.end:] = FREE
            self.c[name] = grown

    def _take_free(self, dom: int, need: int, parts: list[np.ndarray]) -> int:
        """Up to ``need`` recycled rows freed by day-of-month ``dom``; returns how many are left."""
        runs = self.free[dom]
        while need and runs:
            run = runs[-1]  # the most recent runs first: they are the warmest
            if len(run) > need:
                parts.append(run[-need:])
                runs[-1] = run[:-need]
                got = need
            else:
                parts.append(runs.pop())
                got = len(run)
            need -= got
            self.n_free[dom] -= got
        return need

    def _allocate(self, dom: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Rows for new receivables of the given days-of-month: recycled rows of the same
        day-of-month first, then recycled rows of other days, then fresh ones.

        Returns the rows, the receivables by day-of-month (``order``, stable) and where each
        day-of-month starts in it (``bounds[s - 1]:bounds[s]``); ``rows[order]`` is sorted
        within each day-of-month."""
        k = len(dom)
        rows = np.empty(k, np.int64)
        order = np.argsort(dom, kind="stable")  # radix sort: receivables by day-of-month
        bounds = np.searchsorted(dom[order], np.arange(1, 33)).tolist()
        groups: list[tuple[int, int, list[np.ndarray], int]] = []
        for s in range(1, 32):
            a, z = bounds[s - 1], bounds[s]
            if z == a:
                continue
            parts: list[np.ndarray] = []
            groups.append((a, z, parts, self._take_free(s, z - a, parts)))
        fresh = self.end
        for a, z, parts, need in groups:  # then other days' rows, then fresh rows, in one growth
            if need:
                for other in np.argsort(-self.n_free, kind="stable").tolist():
                    if not need or not self.n_free[other]:
                        break
                    need = self._take_free(other, need, parts)
            if need:
                parts.append(np.arange(fresh, fresh + need))
                fresh += need
            got = parts[0] if len(parts) == 1 else np.concatenate(parts)
            rows[order[a:z]] = np.sort(got)
        if fresh > self.end:
            self._grow_arena(fresh)
            self.end = fresh
        return rows, order, bounds

    # ------------------------------------------------------------------ entering
    def add(self, cols: dict[str, np.ndarray], day: int, reason: int) -> int:
        """Receivables enter the book on ``day``; returns their principal.

        ``cols`` holds the tape's columns (and optionally ``lost_day``, a day it will be
        returned); engine columns are initialised here. Receivables already past due
        (``dpd`` > 0) start with their arrears estimated from the schedule.
        """
        k = len(cols["loan_id"])
        if k == 0:
            return 0
        full = {name: np.asarray(cols[name], dtype) for name, dtype in COLUMNS.items()
                if name in cols}
        fixed = {"holder": TRUST, "entered_day": day, "entry_reason": reason, "left_day": -1,
                 "late_since": -1, "arrears_principal_fen": 0, "arrears_fee_fen": 0,
                 "arrears_dayfen": 0, "ever30": False}
        for name in fixed:
            full.pop(name, None)
        full["dom"] = DOM_OF_DAY[full["origination_day"]]
        if "status" not in full:
            full["status"] = np.zeros(k, np.int8)
        if "fee_fen" not in full:
            full["fee_fen"] = fee_per_instalment(full["original_principal_fen"],
                                                 full["annual_fee_rate"])
        dpd = np.asarray(cols.get("dpd", np.zeros(0)), np.int64)
        if (dpd > 0).any():
            for name in ("late_since", "arrears_principal_fen", "arrears_fee_fen",
                         "arrears_dayfen", "ever30"):
                full[name] = np.full(k, fixed.pop(name), COLUMNS[name])
            full["status"] = full["status"].copy()
            self._initial_arrears(full, dpd > 0, dpd, day)
        rows, order, bounds = self._allocate(full["dom"])
        at = rows[order]  # written in row order within each day-of-month: few cache lines
        for name, arr in full.items():
            self.c[name][at] = arr[order]
        for name, value in fixed.items():
            self.c[name][at] = value
        for name in COLUMNS:
            if name not in full and name not in fixed:
                self.c[name][at] = 0
        for s in range(1, 32):
            if bounds[s] > bounds[s - 1]:  # each day's rows kept sorted: gathers run in order
                self.by_dom[s].append(at[bounds[s - 1]: bounds[s]])
        self._count_in(full, k)
        status = full["status"]
        # what happens next: early repayments before the first due date, returns, delinquency
        first = max(day, self.day)
        cur = np.flatnonzero(status == CURRENT)
        self._draw_window(rows[cur], first, next_due_table(first)[full["dom"][cur]],
                          full["fee_fen"][cur] > 0)
        if "lost_day" in cols:
            ld = np.asarray(cols["lost_day"], np.int64)
            m = (ld > self.day) & (status == CURRENT)
            self._schedule_by_day(RETURN, rows[m], ld[m], None)
        lost = rows[status == LOST]
        if len(lost):  # returned before it entered (between base and purchase date)
            self.lost_pending.append((lost, self.c["loan_id"][lost].copy()))
        late = rows[(status == OVERDUE) | (status == NON_PERFORMING)]
        if len(late):
            self._schedule_initial_delinquency(late)
        return int(full["principal_fen"].sum())

    def _count_in(self, full: dict[str, np.ndarray], k: int) -> None:
        principal, status = full["principal_fen"], full["status"]
        zero = np.zeros(k, np.int64)
        top = int(full["obligor_id"].max()) + 1
        if top > len(self.obligor_fen):
            grown = np.zeros(max(top, len(self.obligor_fen) * 2), np.int64)
            grown[: len(self.obligor_fen)] = self.obligor_fen
            self.obligor_fen = grown
        payable = status != LOST
        np.add.at(self.obligor_fen, full["obligor_id"][payable], principal[payable])
        self.bought += int(principal.sum())
        self.entered += k
        self.loans += k
        self.performing += int(principal[(status == CURRENT) | (status == LOST)].sum())
        self.overdue += int(principal[status == OVERDUE].sum())
        npl = status == NON_PERFORMING
        if npl.any():
            arr_p = full.get("arrears_principal_fen", zero)
            arr_f = full.get("arrears_fee_fen", zero)
            self.npl += int(principal[npl].sum())
            self.npl_arrears_fee += int(arr_f[npl].sum())
            self.npl_arrears += int((arr_p + arr_f)[npl].sum())
            self.npl_dayfen += int(full.get("arrears_dayfen", zero)[npl].sum())
        if self.tracker is not None:
            vintage = month_index(full["origination_day"])
            Tracker.add(self.tracker.initial, vintage, principal)
            Tracker.add(self.tracker.opening, vintage, principal)

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
            self._schedule_path(rows[od], since[od], end)

    # ------------------------------------------------------------------ scheduling
    def _schedule_by_day(self, kind: int, rows: np.ndarray, days: np.ndarray,
                         extra: np.ndarray | None) -> None:
        """Queue ``kind`` for each row on its day; the loan id guards against a recycled row."""
        if not len(rows):
            return
        lo = int(days.min())
        order = np.argsort((days - lo).astype(np.int16), kind="stable")  # radix sort
        rows, days = rows[order], days[order]
        extra = None if extra is None else extra[order]
        tags = self.c["loan_id"][rows]
        cuts = np.flatnonzero(np.diff(days)) + 1
        starts = np.concatenate([[0], cuts]).tolist()
        ends = np.concatenate([cuts, [len(days)]]).tolist()
        events = self.events
        for a, z in zip(starts, ends, strict=True):
            events.setdefault(int(days[a]), []).append(
                (kind, rows[a:z], None if extra is None else extra[a:z], tags[a:z]))

    def _schedule_path(self, rows: np.ndarray, since: np.ndarray, end_dpd: np.ndarray) -> None:
        npl = end_dpd > self.b.npl_after_days
        days = since + end_dpd
        self._schedule_by_day(NPL, rows[npl], days[npl], since[npl])
        self._schedule_by_day(CURE, rows[~npl], days[~npl], since[~npl])

    def _draw_window(self, rows: np.ndarray, start: int, due: np.ndarray | int,
                     has_fee: np.ndarray | None = None) -> None:
        """Early repayments of current receivables after ``start``, before each next due date
        (``has_fee``: whether each bears a fee, if the caller has it already)."""
        if not len(rows):
            return
        if has_fee is None:
            has_fee = self.c["fee_fen"][rows] > 0
        span = np.asarray(due - start, np.int64)
        if span.ndim == 0:
            span = np.full(len(rows), span)
        at = span + 400 * has_fee
        pf, pp = self._pf[at], self._pp[at]
        # one uniform decides and, rescaled within its band, gives the day (uniform too)
        u = self.rng_prepay.random(len(rows))
        full = u < pf
        part = ~full & (u < pf + pp)
        width = np.maximum(span - 1, 0)  # event days start+1 .. due-1
        if full.any():
            d = start + 1 + (u[full] / pf[full] * width[full]).astype(np.int64)
            ok = width[full] > 0
            self._schedule_by_day(PREPAY_FULL, rows[full][ok], d[ok], None)
        if part.any():
            d = start + 1 + ((u[part] - pf[part]) / pp[part] * width[part]).astype(np.int64)
            ok = width[part] > 0
            self._schedule_by_day(PREPAY_PART, rows[part][ok], d[ok], None)

    # ------------------------------------------------------------------ advancing
    def advance(self, through: int) -> Flows:
        """Process every day after the last one processed, through ``through`` (incl.)."""
        self._flows = Flows()
        for day in range(self.day + 1, through + 1):
            self.day = day
            groups = self.events.pop(day, None)
            if groups:
                self._fire(day, groups)
            for s in doms_due(day):
                if self.by_dom[s]:
                    self._due(s, day)
        return self._flows

    def _fire(self, day: int, groups) -> None:
        """Apply the day's events, one vectorized step per kind across the whole book."""
        for kind, rows, extra, tags in sorted(_coalesce(groups), key=lambda g: g[0]):
            self._event(day, kind, rows, extra, tags)

    def _pay(self, principal: int, income: int) -> None:
        self._flows.principal_fen += principal
        self._flows.income_fen += income
        self.collected += principal
        self.income += income

    def _owed_less(self, rows: np.ndarray, fen: np.ndarray) -> None:
        """Obligors of ``rows`` owe ``fen`` less (paid, or no longer payable to the trust)."""
        np.subtract.at(self.obligor_fen, self.c["obligor_id"][rows], fen)

    def _track(self, target: str, rows: np.ndarray, values: np.ndarray) -> None:
        if self.tracker is not None and len(rows):
            Tracker.add(getattr(self.tracker, target),
                        month_index(self.c["origination_day"][rows]), values)

    def _leave(self, rows: np.ndarray, status: int, day: int) -> None:
        self.c["status"][rows] = status
        self.c["left_day"][rows] = day
        self.loans -= len(rows)

    def _event(self, day: int, kind: int, rows: np.ndarray, extra: np.ndarray | None,
               tag: np.ndarray) -> None:
        c = self.c
        ok = (c["loan_id"][rows] == tag) & (c["holder"][rows] == TRUST)
        st = c["status"][rows]
        if kind in (CURE, NPL):
            ok &= (st == OVERDUE) & (c["late_since"][rows] == extra)
        elif kind == CHARGE_OFF:
            ok &= (st == NON_PERFORMING) & (c["late_since"][rows] == extra)
        else:
            ok &= st == CURRENT
        if not ok.all():
            rows = rows[ok]
        if not len(rows):
            return
        if kind == CURE:
            self._cure(rows, day)
        elif kind == NPL:
            self._to_npl(rows, day)
        elif kind == CHARGE_OFF:
            self._charge_off(rows, day)
        elif kind == PREPAY_FULL:
            paid = c["principal_fen"][rows]
            total = int(paid.sum())
            c["principal_fen"][rows] = 0
            self._owed_less(rows, paid)
            self.performing -= total
            self._pay(total, 0)
            self._track("principal", rows, paid)
            self._leave(rows, PREPAID, day)
        elif kind == PREPAY_PART:
            p = c["principal_fen"][rows]
            lo, hi = self.b.partial_fraction
            frac = lo + (hi - lo) * self.rng_prepay.random(len(rows))
            paid = np.clip(np.floor(p * frac).astype(np.int64), 0, p - 1)
            c["principal_fen"][rows] = p - paid
            self._owed_less(rows, paid)
            total = int(paid.sum())
            self.performing -= total
            self._pay(total, 0)
            self._track("principal", rows, paid)
        elif kind == RETURN:
            c["status"][rows] = LOST
            self._owed_less(rows, c["principal_fen"][rows])
            self.lost_pending.append((rows, c["loan_id"][rows].copy()))

    def _cure(self, rows: np.ndarray, day: int) -> None:
        c = self.c
        arr_p = c["arrears_principal_fen"][rows]
        arr_f = c["arrears_fee_fen"][rows]
        late = ((day * (arr_p + arr_f) - c["arrears_dayfen"][rows])
                * self.b.late_fee_ppm_per_day) // 1_000_000
        income = arr_f + late
        p = c["principal_fen"][rows]
        c["principal_fen"][rows] = p - arr_p
        self._owed_less(rows, arr_p)
        c["worst_dpd"][rows] = np.maximum(c["worst_dpd"][rows], day - c["late_since"][rows])
        c["status"][rows] = CURRENT
        c["late_since"][rows] = -1
        c["arrears_principal_fen"][rows] = 0
        c["arrears_fee_fen"][rows] = 0
        c["arrears_dayfen"][rows] = 0
        total_p = int(arr_p.sum())
        self.overdue -= int(p.sum())
        self.performing += int(p.sum()) - total_p
        self._pay(total_p, int(income.sum()))
        self._track("principal", rows, arr_p)
        self._track("income", rows, income)
        done = rows[c["principal_fen"][rows] == 0]
        if len(done):
            self._leave(done, REPAID, day)

    def _to_npl(self, rows: np.ndarray, day: int) -> None:
        c = self.c
        p = c["principal_fen"][rows]
        c["status"][rows] = NON_PERFORMING
        total = int(p.sum())
        self.overdue -= total
        self.npl += total
        self.npl_entered += total
        self.npl_arrears_fee += int(c["arrears_fee_fen"][rows].sum())
        self.npl_arrears += int((c["arrears_principal_fen"][rows] + c["arrears_fee_fen"][rows]).sum())
        self.npl_dayfen += int(c["arrears_dayfen"][rows].sum())
        since = c["late_since"][rows].astype(np.int64)
        c["worst_dpd"][rows] = np.maximum(c["worst_dpd"][rows], day - since)
        self._track("npl", rows, p)
        self._schedule_by_day(CHARGE_OFF, rows, since + self.b.charge_off_after_days + 1, since)

    def _npl_out(self, rows: np.ndarray) -> int:
        """Remove rows' figures from the non-performing aggregates; returns their principal."""
        c = self.c
        total = int(c["principal_fen"][rows].sum())
        self.npl -= total
        self.npl_arrears_fee -= int(c["arrears_fee_fen"][rows].sum())
        self.npl_arrears -= int((c["arrears_principal_fen"][rows] + c["arrears_fee_fen"][rows]).sum())
        self.npl_dayfen -= int(c["arrears_dayfen"][rows].sum())
        return total

    def _charge_off(self, rows: np.ndarray, day: int) -> None:
        self._owed_less(rows, self.c["principal_fen"][rows])
        self.charged_off += self._npl_out(rows)
        self._leave(rows, WRITTEN_OFF, day)

    # ------------------------------------------------------------------ due dates
    def _due(self, dom: int, day: int) -> None:
        c = self.c
        chunks = self.by_dom[dom]
        # sorted runs merge in linear time (timsort): the rows stay in arena order
        idx = chunks[0] if len(chunks) == 1 else np.sort(np.concatenate(chunks), kind="stable")
        st = c["status"][idx]
        holder = c["holder"][idx]
        mine = holder == TRUST
        active = mine & (c["remaining_instalments"][idx] > 0)
        cur = idx[active & (st == CURRENT)]
        late = idx[active & ((st == OVERDUE) | (st == NON_PERFORMING))]
        if len(late):
            self._fall_due_unpaid(late, day)
        if len(cur):
            miss = self.rng_credit.random(len(cur)) < self.b.miss_by_level[c["credit_level"][cur]]
            still, has_fee = self._pay_instalment(cur[~miss], day)
            if miss.any():
                self._miss(cur[miss], day)
            self._draw_window(still, day, next_processing_day(dom, day), has_fee)
        st = c["status"][idx]
        kept = mine & ((st == CURRENT) | (st == OVERDUE) | (st == NON_PERFORMING) | (st == LOST))
        if self.tracker is not None:
            live = idx[mine & ((st == CURRENT) | (st == OVERDUE))]
            self._track("opening", live, c["principal_fen"][live])
        gone = idx[~kept]
        if len(gone):  # receivables that have left: journaled, their rows recycled
            if self.journal_on:
                self.journal.append(self.journal_rows(gone))
            c["holder"][gone] = FREE
            c["loan_id"][gone] = -1
            self.free[dom].append(gone)
            self.n_free[dom] += len(gone)
        self.by_dom[dom] = [idx[kept]]

    def _scheduled_principal(self, rows: np.ndarray) -> np.ndarray:
        c = self.c
        p = c["principal_fen"][rows] - c["arrears_principal_fen"][rows]
        r = c["remaining_instalments"][rows].astype(np.int64)
        return np.where(r > 1, p // np.maximum(r, 1), p)

    def _pay_instalment(self, rows: np.ndarray, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Current receivables pay their instalment; returns the rows still current (in order)
        and whether each bears a fee."""
        if not len(rows):
            return rows, np.zeros(0, bool)
        c = self.c
        r = c["remaining_instalments"][rows]
        p = c["principal_fen"][rows]  # current receivables carry no arrears
        sched = np.where(r > 1, p // np.maximum(r, 1), p)
        fee = c["fee_fen"][rows]
        c["principal_fen"][rows] = p - sched
        self._owed_less(rows, sched)
        c["remaining_instalments"][rows] = r - 1
        total = int(sched.sum())
        self.performing -= total
        self._pay(total, int(fee.sum()))
        self._track("principal", rows, sched)
        self._track("income", rows, fee)
        last = r == 1
        if not last.any():
            return rows, fee > 0
        self._leave(rows[last], REPAID, day)
        return rows[~last], fee[~last] > 0

    def _miss(self, rows: np.ndarray, day: int) -> None:
        c = self.c
        sched = self._scheduled_principal(rows)
        fee = c["fee_fen"][rows]
        c["status"][rows] = OVERDUE
        c["late_since"][rows] = day
        c["arrears_principal_fen"][rows] = sched
        c["arrears_fee_fen"][rows] = fee
        c["arrears_dayfen"][rows] = (sched + fee) * day
        c["remaining_instalments"][rows] -= 1
        total = int(c["principal_fen"][rows].sum())
        self.performing -= total
        self.overdue += total
        ends = draw_paths(self.rng_credit, len(rows), self.b.cure, self.b.npl_after_days)
        first30 = (ends > 30) & ~c["ever30"][rows]
        if first30.any():
            r30 = rows[first30]
            c["ever30"][r30] = True
            if self.tracker is not None:
                vintage = month_index(c["origination_day"][r30])
                months = month_index(np.full(len(r30), day + 31)) - vintage
                Tracker.add(self.tracker.dpd30, vintage * 1000 + months, c["principal_fen"][r30])
        self._schedule_path(rows, np.full(len(rows), day, np.int64), ends)

    def _fall_due_unpaid(self, rows: np.ndarray, day: int) -> None:
        """Another instalment of a delinquent receivable falls due, unpaid."""
        c = self.c
        sched = self._scheduled_principal(rows)
        fee = c["fee_fen"][rows]
        c["arrears_principal_fen"][rows] += sched
        c["arrears_fee_fen"][rows] += fee
        c["arrears_dayfen"][rows] += (sched + fee) * day
        c["remaining_instalments"][rows] -= 1
        npl = c["status"][rows] == NON_PERFORMING
        if npl.any():
            self.npl_arrears_fee += int(fee[npl].sum())
            self.npl_arrears += int((sched + fee)[npl].sum())
            self.npl_dayfen += int(((sched + fee) * day)[npl].sum())

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
                int((c["arrears_principal_fen"][: self.end][m]
                     + c["arrears_fee_fen"][: self.end][m]).sum()),
                int(c["arrears_dayfen"][: self.end][m].sum()))
        if got != want:
            raise AssertionError(f"loan book aggregates {got} != recomputed {want}")
        owed = np.zeros(len(self.obligor_fen), np.int64)
        o = t & ((st == CURRENT) | (st == OVERDUE) | (st == NON_PERFORMING))
        np.add.at(owed, c["obligor_id"][: self.end][o], p[o])
        if not np.array_equal(owed, self.obligor_fen):
            bad = np.flatnonzero(owed != self.obligor_fen)[:5]
            raise AssertionError(f"obligor balances disagree for obligors {bad.tolist()}")
        outstanding = self.performing + self.overdue + self.npl
        flow = self.bought - self.collected - self.charged_off - self.removed
        if outstanding != flow:
            raise AssertionError(f"outstanding {outstanding} != bought - collected - charged off"
                                 f" - removed = {flow}")


def _coalesce(groups: list) -> list:
    """One event group per kind (rows, extras and tags concatenated)."""
    by_kind: dict[int, list] = {}
    for g in groups:
        by_kind.setdefault(g[0], []).append(g)
    out = []
    for kind, gs in by_kind.items():
        if len(gs) == 1:
            out.append(gs[0])
            continue
        extra = None if gs[0][2] is None else np.concatenate([g[2] for g in gs])
        out.append((kind, np.concatenate([g[1] for g in gs]), extra,
                    np.concatenate([g[3] for g in gs])))
    return out


def fee_per_instalment(original_fen: np.ndarray, annual_rate: np.ndarray) -> np.ndarray:
    """The monthly fee on the original principal: ``original x annual rate / 12``, half up.

    Rates are read to 1/100 of a basis point so the fee is computed in integers.
    """
    rate_e6 = np.round(np.asarray(annual_rate, np.float64) * 1_000_000).astype(np.int64)
    return (np.asarray(original_fen, np.int64) * rate_e6 + 6_000_000) // 12_000_000
