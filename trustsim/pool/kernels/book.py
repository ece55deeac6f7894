"""Compiled loops of the loan book (:mod:`trustsim.pool.book`): due dates, events, entries.

Each kernel does for a batch of rows, in one pass, what the book's docstring says happens
to them; the book decides which rows and keeps the policy. Changes to the book's
aggregates are returned as deltas in ``agg`` (indices below), so the kernels never hold
state of their own. Events drawn here (early repayments, delinquency paths, charge-offs)
are written to ``ev_*`` buffers for the book to queue by day: one per row at most in a
due pass, two in an entry, one per applied event at most when events fire. Every buffer
is the caller's (reused from day to day: fresh memory every call is paid in page faults).

The kernels that take time release the GIL (``nogil``): the thread that faults the book's
memory in ahead of its use (:class:`trustsim.pool.memory.Prefaulter`) runs meanwhile.

Money is integer fen; a probability is compared with a uniform that is a function of a
stream's seed, the receivable's loan id, the day and which draw it is (:func:`uniform`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from trustsim.pool.kernels import default_threads
from trustsim.pool.kernels.prefetch import prefetch
from trustsim.pool.tape import CURRENT, LOST, NON_PERFORMING, OVERDUE, PREPAID, REPAID, TRUST, WRITTEN_OFF

default_threads()  # once, when the kernels are first imported

# indices of ``agg``: the book's aggregates (fen, or loans) and this advance's flows
PERFORMING, OVERDUE_FEN, NPL_FEN, NPL_ARREARS_FEE, NPL_ARREARS, NPL_DAYFEN, LOANS, \
    COLLECTED, INCOME, CHARGED_OFF, NPL_ENTERED, FLOW_PRINCIPAL, FLOW_INCOME, \
    BOUGHT, ENTERED, REMOVED, PREPAID_FEN, SCHEDULED_FEN = range(18)
N_AGG = 18
#: the overdue balance by the day it fell past due is kept in a ring of this many days (a
#: receivable is overdue for at most ``npl_after`` + 1 days, far fewer), indexed ``day & RING_MASK``
RING_DAYS = 256
RING_MASK = RING_DAYS - 1
FREE = 9  # holder code of a recycled (empty) row (as in trustsim.pool.book)
# event kinds, in the order they are applied within a day (as in trustsim.pool.book)
CHARGE_OFF, NPL, CURE, PREPAY_FULL, PREPAY_PART, RETURN = range(6)
FEE_OFFSET = 400  # window tables: span + FEE_OFFSET x has_fee
# which draw of a receivable on a day (see ``uniform``)
DRAW_MISS, DRAW_PATH_BUCKET, DRAW_PATH_DAY, DRAW_WINDOW, DRAW_ENTRY_WINDOW, DRAW_PARTIAL = range(6)
AHEAD = 16  # events (or notes) ahead whose rows are prefetched
CHUNKS = 16  # a pass is shared out in this many chunks (run in parallel), if threads there are


@njit(cache=True, inline="always")
def _n_chunks(n: int, threads: int) -> int:
    """How many chunks a pass over ``n`` items is shared out in on ``threads`` threads (the
    caller's ``numba.get_num_threads()``): one on one thread (no stretches of output to
    close up afterwards), else :data:`CHUNKS`."""
    return 1 if threads == 1 else max(1, min(n, CHUNKS))


@njit(cache=True, inline="always")
def _mix(x):
    """splitmix64's finaliser: a bijection of 64-bit integers that scrambles every bit."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@njit(cache=True, inline="always")
def uniform(seed, loan_id, day, draw) -> float:
    """A uniform in [0, 1) that is a function of (seed, loan id, day, which draw).

    Why counter-based: a receivable's draws do not depend on the order receivables are
    visited in, so chunks of the book can run in parallel and a run is the same on any
    number of threads (and a receivable behaves alike in two scenarios until they differ
    for it)."""
    x = _mix(np.uint64(seed) ^ _mix(np.uint64(loan_id) * np.uint64(0x9E3779B97F4A7C15)
                                    + np.uint64(day) * np.uint64(0xD1B54A32D192ED03)
                                    + np.uint64(draw)))
    return float(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _window(u: float, span: int, has_fee: bool, start: int, pf_table, pp_table):
    """The early repayment (kind, day) a uniform ``u`` draws in the window after ``start``
    of ``span`` days, or (-1, 0): one uniform decides and, rescaled in its band, gives the day."""
    at = span + (FEE_OFFSET if has_fee else 0)
    pf = pf_table[at]
    pp = pp_table[at]
    width = span - 1
    if width <= 0:
        return -1, 0
    if u < pf:
        return PREPAY_FULL, start + 1 + int(u / pf * width)
    if u < pf + pp:
        return PREPAY_PART, start + 1 + int((u - pf) / pp * width)
    return -1, 0


@njit(cache=True, inline="always")
def _owe(ids, fen, n: int, obligor: int, less: int, n_tracked: int) -> int:
    """Note that ``obligor`` owes ``less`` fen less (settled by :func:`_settle`), if the book
    tracks it: ids past the table's end are new users, who hold one receivable (see
    ``LoanBook.obligor_fen``). Returns the notes' new count."""
    if obligor < n_tracked:
        ids[n] = obligor
        fen[n] = less
        return n + 1
    return n


@njit(cache=True)
def _settle(obligor_fen, ids, fen, n: int) -> None:
    """Obligors ``ids[:n]`` owe ``fen[:n]`` less. Why a loop of its own: the table is read at
    random, and a tight loop asking for the entries ahead keeps many reads in flight."""
    for j in range(n):
        if j + AHEAD < n:
            prefetch(obligor_fen, ids[j + AHEAD])
        obligor_fen[ids[j]] -= fen[j]


@njit(cache=True, inline="always")
def _prefetch_row(r, loan_id, holder, status, principal, obligor, left_day) -> None:
    """The columns an event reads, for row ``r``."""
    prefetch(loan_id, r)
    prefetch(holder, r)
    prefetch(status, r)
    prefetch(principal, r)
    prefetch(obligor, r)
    prefetch(left_day, r)


@njit(cache=True, inline="always")
def _pay(agg, principal: int, income: int) -> None:
    agg[FLOW_PRINCIPAL] += principal
    agg[FLOW_INCOME] += income
    agg[COLLECTED] += principal
    agg[INCOME] += income


@njit(cache=True, parallel=True, nogil=True)
def due_pass(blocks, block_shift, day, next_due, holder, status, remaining, principal, fee, level,
             obligor, obligor_fen, late_since, arr_p, arr_f, arr_dayfen, ever30, left_day,
             loan_id, miss_by_level, cure, npl_after, pf_table, pp_table, seed_credit,
             seed_prepay, agg, track, t_principal, t_income, t_first30,
             ev_kind, ev_row, ev_day, ev_extra, ev_tag, gone, free, empty, release, owed_id,
             owed_fen, threads):
    """The receivables in ``blocks`` (one day-of-month's, ascending; 2 ** ``block_shift`` rows
    each) fall due on ``day``.

    A current receivable pays its instalment (principal ``p // remaining``, the last takes
    the rest, plus the month's fee) unless it misses it (chance by credit level): then its
    delinquency path is drawn — a cure on a day of 1-90 days past due, or non-performing —
    and queued. One still current after paying draws its early repayment before
    ``next_due``. A delinquent receivable adds the instalment to its arrears. Rows whose
    receivable has left the trust (or just did) go to ``gone`` (and, with ``release``, are
    freed at once: nobody journals them); they and the rows already free go to ``free``,
    except those of blocks left with no receivable at all, whose positions in ``blocks`` go
    to ``empty`` instead (to be given back). ``t_*`` are indexed by position in the blocks.

    The blocks are shared out in chunks run in parallel; each chunk writes its own stretch
    of the output buffers, which are then closed up in block order, and every draw is a
    function of (seed, loan id, day), so the result is the same whatever the number of
    threads. Returns the (gone, free, events, empty) counts, each in block order.
    """
    nb = blocks.shape[0]
    per = max(1, -(-nb // _n_chunks(nb, threads)))
    n_chunks = -(-nb // per)
    counts = np.zeros((n_chunks, 5), np.int64)  # gone, free, events, obligor notes, empty
    deltas = np.zeros((n_chunks, N_AGG), np.int64)
    for c in prange(n_chunks):
        _due_rows(blocks, c * per, min(nb, (c + 1) * per), block_shift, day, next_due, holder,
                  status, remaining, principal, fee, level, obligor, obligor_fen.shape[0],
                  late_since, arr_p, arr_f, arr_dayfen, ever30, left_day, loan_id,
                  miss_by_level, cure, npl_after, pf_table, pp_table, seed_credit, seed_prepay,
                  deltas[c], track, t_principal, t_income, t_first30, ev_kind, ev_row, ev_day,
                  ev_extra, ev_tag, gone, free, empty, release, owed_id, owed_fen, counts[c])
    for c in range(n_chunks):
        agg += deltas[c]
    totals = np.zeros(5, np.int64)
    for c in range(n_chunks):  # close up each chunk's stretch, in block order
        at = (c * per) << block_shift
        k = counts[c]
        _close_up(gone, at, totals[0], k[0])
        _close_up(free, at, totals[1], k[1])
        _close_up_events(ev_kind, ev_row, ev_day, ev_extra, ev_tag, at, totals[2], k[2])
        _settle(obligor_fen, owed_id[at:], owed_fen[at:], k[3])
        _close_up(empty, c * per, totals[4], k[4])
        totals += k
    return totals[0], totals[1], totals[2], totals[4]


@njit(cache=True, inline="always")
def _close_up(buf, start: int, to: int, n: int) -> None:
    """Move ``buf[start:start + n]`` down to ``to`` (``to <= start``: a chunk's stretch of
    a buffer closed up behind the chunks before it)."""
    if to != start:
        for j in range(n):
            buf[to + j] = buf[start + j]


@njit(cache=True, inline="always")
def _close_up_events(ev_kind, ev_row, ev_day, ev_extra, ev_tag, start: int, to: int, n: int) -> None:
    _close_up(ev_kind, start, to, n)
    _close_up(ev_row, start, to, n)
    _close_up(ev_day, start, to, n)
    _close_up(ev_extra, start, to, n)
    _close_up(ev_tag, start, to, n)


@njit(cache=True)
def _due_rows(blocks, b0, b1, block_shift, day, next_due, holder, status, remaining, principal,
              fee, level, obligor, n_tracked, late_since, arr_p, arr_f, arr_dayfen, ever30,
              left_day, loan_id, miss_by_level, cure, npl_after, pf_table, pp_table,
              seed_credit, seed_prepay, agg, track, t_principal, t_income, t_first30,
              ev_kind, ev_row, ev_day, ev_extra, ev_tag, gone, free, empty, release, owed_id,
              owed_fen, counts):
    """:func:`due_pass` for blocks ``b0:b1``, writing from their first row's position on
    (``empty`` from ``b0``)."""
    c1, c2, c3 = cure[0], cure[1], cure[2]
    p1 = c1
    p2 = p1 + (1 - c1) * c2
    p3 = p2 + (1 - c1) * (1 - c2) * c3
    span = next_due - day
    start = b0 << block_shift
    n_free = n_gone = n_ev = n_owed = start
    # the aggregates' changes, kept in registers and added to ``agg`` at the end
    performing = overdue = paid = income = loans = npl_fee = npl_arrears = npl_dayfen = 0
    scheduled = 0
    size = 1 << block_shift
    n_empty = b0
    for b in range(b0, b1):
        base = blocks[b] << block_shift
        free_before = n_free
        for j in range(size):
            i = (b << block_shift) + j
            r = base + j
            if holder[r] == FREE:
                free[n_free] = r
                n_free += 1
                continue
            st = status[r]
            if holder[r] == TRUST and remaining[r] > 0:
                rem = remaining[r]
                p = np.int64(principal[r])  # amounts are stored in 32 bits, reckoned in 64
                f = np.int64(fee[r])
                if st == CURRENT:
                    sched = p // rem if rem > 1 else p
                    scheduled += sched
                    lid = loan_id[r]
                    if uniform(seed_credit, lid, day, DRAW_MISS) < miss_by_level[level[r]]:
                        status[r] = OVERDUE
                        late_since[r] = day
                        arr_p[r] = sched
                        arr_f[r] = f
                        arr_dayfen[r] = (sched + f) * day
                        remaining[r] = rem - 1
                        performing -= p
                        overdue += p
                        u = uniform(seed_credit, lid, day, DRAW_PATH_BUCKET)
                        v = uniform(seed_credit, lid, day, DRAW_PATH_DAY)
                        bucket = int(u >= p1) + int(u >= p2) + int(u >= p3)
                        end = npl_after + 1 if bucket == 3 else 1 + bucket * 30 + int(v * 30)
                        if end > 30 and not ever30[r]:
                            ever30[r] = True
                            if track:
                                t_first30[i] = True
                        ev_kind[n_ev] = NPL if end > npl_after else CURE
                        ev_row[n_ev] = r
                        ev_day[n_ev] = day + end
                        ev_extra[n_ev] = day
                        ev_tag[n_ev] = lid
                        n_ev += 1
                    else:
                        principal[r] = p - sched
                        o = obligor[r]  # noted always, kept if tracked: no branch to mispredict
                        owed_id[n_owed] = o
                        owed_fen[n_owed] = sched
                        n_owed += o < n_tracked
                        remaining[r] = rem - 1
                        performing -= sched
                        paid += sched
                        income += f
                        if track:
                            t_principal[i] = sched
                            t_income[i] = f
                        if rem == 1:
                            status[r] = REPAID
                            left_day[r] = day
                            loans -= 1
                        else:
                            kind, when = _window(uniform(seed_prepay, lid, day, DRAW_WINDOW), span,
                                                 f > 0, day, pf_table, pp_table)
                            if kind >= 0:
                                ev_kind[n_ev] = kind
                                ev_row[n_ev] = r
                                ev_day[n_ev] = when
                                ev_extra[n_ev] = 0
                                ev_tag[n_ev] = lid
                                n_ev += 1
                elif st in (OVERDUE, NON_PERFORMING):
                    owed = p - np.int64(arr_p[r])
                    sched = owed // rem if rem > 1 else owed
                    arr_p[r] += sched
                    arr_f[r] += f
                    arr_dayfen[r] += (sched + f) * day
                    remaining[r] = rem - 1
                    if st == NON_PERFORMING:
                        npl_fee += f
                        npl_arrears += sched + f
                        npl_dayfen += (sched + f) * day
            st = status[r]
            if not (holder[r] == TRUST and (st in (CURRENT, OVERDUE, NON_PERFORMING, LOST))):
                gone[n_gone] = r
                n_gone += 1
                free[n_free] = r
                n_free += 1
                if release:
                    holder[r] = FREE
                    loan_id[r] = -1
        if n_free - free_before == size:  # no receivable left in the block: given back
            n_free = free_before
            empty[n_empty] = b
            n_empty += 1
    agg[PERFORMING] += performing
    agg[OVERDUE_FEN] += overdue
    _pay(agg, paid, income)
    agg[LOANS] += loans
    agg[NPL_ARREARS_FEE] += npl_fee
    agg[NPL_ARREARS] += npl_arrears
    agg[NPL_DAYFEN] += npl_dayfen
    agg[SCHEDULED_FEN] += scheduled
    counts[0] = n_gone - start
    counts[1] = n_free - start
    counts[2] = n_ev - start
    counts[3] = n_owed - start
    counts[4] = n_empty - b0


@njit(cache=True, parallel=True, nogil=True)
def fire(kinds, rows, extras, tags, day, holder, status, principal, obligor, obligor_fen,
         late_since, arr_p, arr_f, arr_dayfen, worst_dpd, left_day, loan_id,
         partial_lo, partial_hi, late_fee_ppm, charge_off_after, seed_prepay, agg,
         track, t_principal, t_income, t_npl, applied, ev_kind, ev_row, ev_day, ev_extra, ev_tag,
         order, owed_id, owed_fen, left_overdue, overdue_ring):
    """Apply one day's events, kind by kind in their order (charge-offs, non-performing,
    cures, full and partial early repayments, returns), each only if its receivable is
    still in the state that drew it (same loan id in the row, held by the trust; a
    delinquency event also checks the delinquency's start day). ``applied[i]`` says
    whether event ``i`` took effect; a receivable turning non-performing queues its
    charge-off. A cure or a roll to non-performing takes the receivable's principal out of
    ``overdue_ring`` (the overdue balance by the day it fell past due; see ``RING_DAYS``).

    The events are shared out in chunks by row (so all of a receivable's events are in one
    chunk, applied in kind order) and the chunks run in parallel; the charge-offs queued
    are closed up in chunk order. Returns the number of events queued."""
    n = kinds.shape[0]
    # as many chunks whatever the threads: the order events are queued in is theirs too
    chunks = max(1, min(n, CHUNKS))
    # events by chunk of rows and, within a chunk, by kind (a counting sort, stable):
    # chunk c holds rows from c x span, so all of a receivable's events are in one chunk
    span = max(1, -(-holder.shape[0] // chunks))
    bucket = np.zeros(6 * chunks + 1, np.int64)  # where each (chunk, kind)'s events go
    for i in range(n):
        bucket[(rows[i] // span) * 6 + kinds[i] + 1] += 1
    for b in range(6 * chunks):
        bucket[b + 1] += bucket[b]
    first = bucket[::6].copy()  # where each chunk's events start (and the end)
    for i in range(n):
        b = (rows[i] // span) * 6 + kinds[i]
        order[bucket[b]] = i
        bucket[b] += 1
    counts = np.zeros((chunks, 2), np.int64)  # events queued, obligor notes
    deltas = np.zeros((chunks, N_AGG), np.int64)
    for c in prange(chunks):
        counts[c, 0], counts[c, 1] = _fire_rows(
            order, first[c], first[c + 1], kinds, rows, extras, tags, day, holder, status,
            principal, obligor, obligor_fen.shape[0], late_since, arr_p, arr_f, arr_dayfen,
            worst_dpd, left_day, loan_id, partial_lo, partial_hi, late_fee_ppm,
            charge_off_after, seed_prepay, deltas[c], track, t_principal, t_income, t_npl,
            applied, ev_kind, ev_row, ev_day, ev_extra, ev_tag, owed_id, owed_fen, left_overdue)
    for c in range(chunks):
        agg += deltas[c]
    for i in range(n):  # what left the overdue balance, by the day it fell past due
        if applied[i] and (kinds[i] == CURE or kinds[i] == NPL):
            overdue_ring[extras[i] & RING_MASK] -= left_overdue[i]
    n_ev = 0
    for c in range(chunks):
        at = first[c]
        _close_up_events(ev_kind, ev_row, ev_day, ev_extra, ev_tag, at, n_ev, counts[c, 0])
        _settle(obligor_fen, owed_id[at:], owed_fen[at:], counts[c, 1])
        n_ev += counts[c, 0]
    return n_ev


@njit(cache=True)
def _fire_rows(order, j0, j1, kinds, rows, extras, tags, day, holder, status, principal, obligor,
               n_tracked, late_since, arr_p, arr_f, arr_dayfen, worst_dpd, left_day, loan_id,
               partial_lo, partial_hi, late_fee_ppm, charge_off_after, seed_prepay, agg, track,
               t_principal, t_income, t_npl, applied, ev_kind, ev_row, ev_day, ev_extra, ev_tag,
               owed_id, owed_fen, left_overdue):
    """:func:`fire` for events ``order[j0:j1]``: queued events and obligor notes written from
    position ``j0``. Returns their counts."""
    n_ev = n_owed = j0
    for j in range(j0, min(j1, j0 + AHEAD)):
        _prefetch_row(rows[order[j]], loan_id, holder, status, principal, obligor, left_day)
    for j in range(j0, j1):  # in kind order (see ``fire``)
        if j + AHEAD < j1:  # the rows are read at random: ask for them early
            _prefetch_row(rows[order[j + AHEAD]], loan_id, holder, status, principal, obligor,
                          left_day)
        i = order[j]
        kind = kinds[i]
        r = rows[i]
        if loan_id[r] != tags[i] or holder[r] != TRUST:
            continue
        st = status[r]
        if kind in (CURE, NPL):
            if st != OVERDUE or late_since[r] != extras[i]:
                continue
        elif kind == CHARGE_OFF:
            if st != NON_PERFORMING or late_since[r] != extras[i]:
                continue
        elif st != CURRENT:
            continue
        applied[i] = True
        p = np.int64(principal[r])
        left_overdue[i] = p  # read for a cure or a roll to non-performing only
        if kind == CURE:
            ap = np.int64(arr_p[r])
            af = np.int64(arr_f[r])
            late = ((day * (ap + af) - arr_dayfen[r]) * late_fee_ppm) // 1_000_000
            principal[r] = p - ap
            n_owed = _owe(owed_id, owed_fen, n_owed, obligor[r], ap, n_tracked)
            worst_dpd[r] = max(worst_dpd[r], day - late_since[r])
            status[r] = CURRENT
            late_since[r] = -1
            arr_p[r] = 0
            arr_f[r] = 0
            arr_dayfen[r] = 0
            agg[OVERDUE_FEN] -= p
            agg[PERFORMING] += p - ap
            _pay(agg, ap, af + late)
            if track:
                t_principal[i] = ap
                t_income[i] = af + late
            if p - ap == 0:
                status[r] = REPAID
                left_day[r] = day
                agg[LOANS] -= 1
        elif kind == NPL:
            status[r] = NON_PERFORMING
            agg[OVERDUE_FEN] -= p
            agg[NPL_FEN] += p
            agg[NPL_ENTERED] += p
            agg[NPL_ARREARS_FEE] += np.int64(arr_f[r])
            agg[NPL_ARREARS] += np.int64(arr_p[r]) + np.int64(arr_f[r])
            agg[NPL_DAYFEN] += arr_dayfen[r]
            since = late_since[r]
            worst_dpd[r] = max(worst_dpd[r], day - since)
            if track:
                t_npl[i] = p
            ev_kind[n_ev] = CHARGE_OFF
            ev_row[n_ev] = r
            ev_day[n_ev] = since + charge_off_after + 1
            ev_extra[n_ev] = since
            ev_tag[n_ev] = loan_id[r]
            n_ev += 1
        elif kind == CHARGE_OFF:
            n_owed = _owe(owed_id, owed_fen, n_owed, obligor[r], p, n_tracked)
            agg[NPL_FEN] -= p
            agg[NPL_ARREARS_FEE] -= np.int64(arr_f[r])
            agg[NPL_ARREARS] -= np.int64(arr_p[r]) + np.int64(arr_f[r])
            agg[NPL_DAYFEN] -= arr_dayfen[r]
            agg[CHARGED_OFF] += p
            status[r] = WRITTEN_OFF
            left_day[r] = day
            agg[LOANS] -= 1
        elif kind == PREPAY_FULL:
            principal[r] = 0
            n_owed = _owe(owed_id, owed_fen, n_owed, obligor[r], p, n_tracked)
            agg[PERFORMING] -= p
            agg[PREPAID_FEN] += p
            _pay(agg, p, 0)
            if track:
                t_principal[i] = p
            status[r] = PREPAID
            left_day[r] = day
            agg[LOANS] -= 1
        elif kind == PREPAY_PART:
            u = uniform(seed_prepay, loan_id[r], day, DRAW_PARTIAL)
            frac = partial_lo + (partial_hi - partial_lo) * u
            paid = min(max(int(np.floor(p * frac)), 0), p - 1)
            principal[r] = p - paid
            n_owed = _owe(owed_id, owed_fen, n_owed, obligor[r], paid, n_tracked)
            agg[PERFORMING] -= paid
            agg[PREPAID_FEN] += paid
            _pay(agg, paid, 0)
            if track:
                t_principal[i] = paid
        else:  # RETURN: no longer payable to the trust; removed when the trustee asks
            status[r] = LOST
            n_owed = _owe(owed_id, owed_fen, n_owed, obligor[r], p, n_tracked)
    return n_ev - j0, n_owed - j0


@njit(cache=True, parallel=True, nogil=True)
def enter(at, day, reason, first, returns_after, next_due_by_dom, loan_id, obligor, origination_day,
          instalments, remaining, fee_rate, level, region, principal, original, fee, status,
          worst_dpd, flags, late_since, arr_p, arr_f, arr_dayfen, ever30, dom,
          s_loan_id, s_obligor, s_origination_day, s_instalments, s_remaining, s_fee_rate,
          s_level, s_region, s_principal, s_original, s_fee, s_status, s_worst_dpd, s_flags,
          s_late_since, s_arr_p, s_arr_f, s_arr_dayfen, s_ever30, s_dom, s_lost_day,
          holder, entered_day, entry_reason, left_day, obligor_fen,
          pf_table, pp_table, seed_prepay, agg,
          ev_kind, ev_row, ev_day, ev_extra, ev_tag, owed_id, owed_fen, threads):
    """Receivables ``j`` of the incoming columns (``s_*``) enter rows ``at[j]``.

    Writes every engine column (if the late state ``s_late_since`` etc. is empty, every
    receivable enters current and the arrears columns, read only past due, are left as
    they are), adds each payable balance to its obligor's, counts the
    principal into the aggregates by status, and for a current receivable draws its early
    repayment before its first due date (after ``first``) and queues its return if it has
    a return day after ``returns_after``. Run in parallel chunks like :func:`due_pass`, the
    events closed up in entry order. Returns the number of events queued."""
    k = at.shape[0]
    per = max(1, -(-k // _n_chunks(k, threads)))
    n_chunks = -(-k // per)
    counts = np.zeros((n_chunks, 2), np.int64)  # events, obligor notes
    deltas = np.zeros((n_chunks, N_AGG), np.int64)
    for c in prange(n_chunks):
        _enter_rows(
            c * per, min(k, (c + 1) * per), at, day, reason, first, returns_after, next_due_by_dom,
            loan_id, obligor, origination_day, instalments, remaining, fee_rate, level, region, principal,
            original, fee, status, worst_dpd, flags, late_since, arr_p, arr_f, arr_dayfen, ever30, dom,
            s_loan_id, s_obligor, s_origination_day, s_instalments, s_remaining, s_fee_rate, s_level,
            s_region, s_principal, s_original, s_fee, s_status, s_worst_dpd, s_flags, s_late_since, s_arr_p,
            s_arr_f, s_arr_dayfen, s_ever30, s_dom, s_lost_day, holder, entered_day, entry_reason, left_day,
            obligor_fen.shape[0], pf_table, pp_table, seed_prepay, deltas[c], ev_kind, ev_row, ev_day,
            ev_extra, ev_tag, owed_id, owed_fen, counts[c])
    for c in range(n_chunks):
        agg += deltas[c]
    n_ev = 0
    for c in range(n_chunks):
        at_ev = 2 * c * per
        _close_up_events(ev_kind, ev_row, ev_day, ev_extra, ev_tag, at_ev, n_ev, counts[c, 0])
        _settle(obligor_fen, owed_id[c * per:], owed_fen[c * per:], counts[c, 1])
        n_ev += counts[c, 0]
    return n_ev


@njit(cache=True)
def _enter_rows(j0, j1, at, day, reason, first, returns_after, next_due_by_dom, loan_id, obligor, origination_day,
          instalments, remaining, fee_rate, level, region, principal, original, fee, status,
          worst_dpd, flags, late_since, arr_p, arr_f, arr_dayfen, ever30, dom,
          s_loan_id, s_obligor, s_origination_day, s_instalments, s_remaining, s_fee_rate,
          s_level, s_region, s_principal, s_original, s_fee, s_status, s_worst_dpd, s_flags,
          s_late_since, s_arr_p, s_arr_f, s_arr_dayfen, s_ever30, s_dom, s_lost_day,
          holder, entered_day, entry_reason, left_day, n_tracked,
          pf_table, pp_table, seed_prepay, agg,
          ev_kind, ev_row, ev_day, ev_extra, ev_tag, owed_id, owed_fen, counts):
    """:func:`enter` for entries ``j0:j1``: events from position ``2 j0``, notes from ``j0``."""
    n_ev = 2 * j0
    n_owed = j0
    fresh = s_late_since.shape[0] == 0  # no receivable past due: no late state given
    for j in range(j0, j1):
        r = at[j]
        s = j
        p = np.int64(s_principal[s])
        st = s_status[s]
        loan_id[r] = s_loan_id[s]
        obligor[r] = s_obligor[s]
        origination_day[r] = s_origination_day[s]
        instalments[r] = s_instalments[s]
        remaining[r] = s_remaining[s]
        fee_rate[r] = s_fee_rate[s]
        level[r] = s_level[s]
        region[r] = s_region[s]
        principal[r] = p
        original[r] = s_original[s]
        fee[r] = s_fee[s]
        status[r] = st
        worst_dpd[r] = s_worst_dpd[s]
        flags[r] = s_flags[s]
        if fresh:  # current, never 30+ days overdue; arrears are read only once past due
            late_since[r] = -1
            ever30[r] = False
        else:
            late_since[r] = s_late_since[s]
            arr_p[r] = s_arr_p[s]
            arr_f[r] = s_arr_f[s]
            arr_dayfen[r] = s_arr_dayfen[s]
            ever30[r] = s_ever30[s]
        d = s_dom[s]
        dom[r] = d
        holder[r] = TRUST
        entered_day[r] = day
        entry_reason[r] = reason
        left_day[r] = -1
        agg[BOUGHT] += p
        agg[ENTERED] += 1
        agg[LOANS] += 1
        if st != LOST:
            n_owed = _owe(owed_id, owed_fen, n_owed, s_obligor[s], -p, n_tracked)
        if st in (CURRENT, LOST):
            agg[PERFORMING] += p
        elif st == OVERDUE:
            agg[OVERDUE_FEN] += p
        elif st == NON_PERFORMING:
            agg[NPL_FEN] += p
            agg[NPL_ARREARS_FEE] += np.int64(s_arr_f[s])
            agg[NPL_ARREARS] += np.int64(s_arr_p[s]) + np.int64(s_arr_f[s])
            agg[NPL_DAYFEN] += s_arr_dayfen[s]
        if st == CURRENT:
            u = uniform(seed_prepay, s_loan_id[s], first, DRAW_ENTRY_WINDOW)
            kind, when = _window(u, next_due_by_dom[d] - first, s_fee[s] > 0, first, pf_table,
                                 pp_table)
            if kind >= 0:
                ev_kind[n_ev] = kind
                ev_row[n_ev] = r
                ev_day[n_ev] = when
                ev_extra[n_ev] = 0
                ev_tag[n_ev] = s_loan_id[s]
                n_ev += 1
        ld = s_lost_day[s]
        if st == CURRENT and ld > returns_after:
            ev_kind[n_ev] = RETURN
            ev_row[n_ev] = r
            ev_day[n_ev] = ld
            ev_extra[n_ev] = 0
            ev_tag[n_ev] = s_loan_id[s]
            n_ev += 1
    counts[0] = n_ev - 2 * j0
    counts[1] = n_owed - j0


@njit(cache=True, nogil=True)
def place(dom, taken, starts, rows) -> None:
    """``rows[j]``: the next of ``taken`` for day-of-month ``dom[j]``, whose rows start at
    ``starts[dom[j]]`` (a stable counting sort's placement, without the sort)."""
    for j in range(dom.shape[0]):
        s = dom[j]
        rows[j] = taken[starts[s]]
        starts[s] += 1


@njit(cache=True, nogil=True)
def queue_push(head, tail, fill, count, first_day, q_kind, q_row, q_extra, q_tag, q_next,
               spare, n_spare, top, kind, row, day, extra, tag, n):
    """Queue events ``[0, n)`` (see :class:`trustsim.pool.event_queue.EventQueue`): each in
    the next slot of its day's last chunk, or of a new chunk (a spare one if any, else chunk
    ``top``) linked behind it; returns the new (n_spare, top)."""
    size = q_kind.shape[0] // q_next.shape[0]  # slots per chunk
    for i in range(n):
        d = day[i] - first_day
        c = tail[d]
        if c < 0 or fill[d] == size:
            if n_spare > 0:
                n_spare -= 1
                new = spare[n_spare]
            else:
                new = top
                top += 1
            q_next[new] = -1
            if c >= 0:
                q_next[c] = new
            else:
                head[d] = new
            tail[d] = new
            fill[d] = 0
            c = new
        s = c * size + fill[d]
        fill[d] += 1
        q_kind[s] = kind[i]
        q_row[s] = row[i]
        q_extra[s] = extra[i]
        q_tag[s] = tag[i]
        count[d] += 1
    return n_spare, top


@njit(cache=True, nogil=True)
def queue_pop(head, tail, fill, count, d, q_kind, q_row, q_extra, q_tag, q_next, spare,
              n_spare, kind, row, extra, tag):
    """Take out day ``d``'s events in order into ``kind``..``tag``, chunk by chunk, giving
    the chunks back; returns the new n_spare."""
    size = q_kind.shape[0] // q_next.shape[0]
    left = count[d]
    c = head[d]
    k = 0
    while c >= 0:
        m = min(size, left)
        for j in range(c * size, c * size + m):
            kind[k] = q_kind[j]
            row[k] = q_row[j]
            extra[k] = q_extra[j]
            tag[k] = q_tag[j]
            k += 1
        left -= m
        spare[n_spare] = c
        n_spare += 1
        c = q_next[c]
    head[d] = -1
    tail[d] = -1
    fill[d] = 0
    count[d] = 0
    return n_spare
