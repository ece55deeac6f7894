"""Compiled loops of the originator's inventory (:mod:`trustsim.pool.newbusiness`) and of the
trust's purchases from it (:mod:`trustsim.pool.loan_level`).

* :func:`screen` walks the inventory oldest first (row order) and tests each candidate on
  the criteria (a)-(i) — the same tests as the named filters of
  :mod:`trustsim.pool.eligibility`, checked against :func:`eligibility.screen` by
  ``tests/unit/test_pool_originator.py`` — taking the eligible ones for the trust as it
  goes (within a budget, or until a principal is reached), so it stops as soon as it has
  what it wants. It adds up the figures of the offer's eligibility evidence as it takes
  each one.
* :func:`originate` draws new receivables: a template receivable of the tape per new one
  (its terms), and the originator's own ineligible share (Level5, once more than 30 days
  overdue, each warranty breached), its repeat obligors and its returns. A receivable
  that fails a criterion whose answer can never change (``eligibility.STATIC``) is not
  kept. While a screening is under way, each new receivable is offered to it first — the
  same tests as :func:`screen` would make on it as the inventory's next row — and goes to
  the inventory only if not taken: most receivables are bought as soon as they are
  originated, and are written once.
* :func:`alive_rows` finds the rows the inventory keeps; :func:`gather` copies a column of
  the rows an offer takes.

Rare events (a Level5 user, a warranty breached...) are drawn as the gaps between them
(geometric, by inversion of one uniform): each receivable is still independently
affected with its probability, and a day of twenty thousand receivables costs a few
hundred draws besides one per receivable for its template. Uniforms come from the
caller's ``numpy.random.Generator`` (numba draws from that generator's own stream).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from trustsim.pool.kernels.prefetch import prefetch
from trustsim.pool.tape import CURRENT, LOST, ORIGINATOR

# indices of the ``rule`` array (see eligibility.compiled)
MIN_AGE, MAX_OBLIGOR, MAX_WORST, LAST_DUE_LIMIT, STATIC_FLAGS, DYNAMIC_FLAGS = range(6)
N_RULE = 6
# rare events of a new receivable, indices of ``log_q`` (log(1 - p) of each)
LEVEL5, WORST_OVER_30, FLAG0 = 0, 1, 2  # FLAG0 .. FLAG0 + 4: the warranty flags, in bit order
RETURNED = 7
N_EVENTS = 8
NEVER = 1 << 62
# packed template words (see newbusiness.pack_templates)
T_PRINCIPAL, T_OBLIGOR, T_FEE, T_TERMS = range(4)
FEE_BITS = 40
FEE_MASK = (1 << FEE_BITS) - 1
# figures of an offer's evidence (screen)
F_MAX_BALANCE, F_OVERDUE, F_MAX_WORST, F_MAX_LAST_DUE, F_MAX_ORIGINATION = range(5)
AHEAD = 64  # rows ahead whose obligor's balances are prefetched
BLOCK = 512  # templates drawn at a time (their prefetched lines and the rows written stay in L2)


@njit(cache=True)
def _gap(rng, log_q: float) -> int:
    """Receivables until the next one an event of probability p affects (log_q = log(1 - p)):
    geometric, by inversion; 0 if p = 1, never if p = 0."""
    if log_q == 0.0:
        return NEVER
    if log_q == -np.inf:
        return 0
    g = np.log(1.0 - rng.random()) / log_q
    return NEVER if g >= NEVER else int(g)


@njit(cache=True)
def _below(u: float, n: int) -> int:
    """``floor(u * n)`` for a uniform ``u`` in [0, 1), kept below ``n`` against rounding."""
    k = int(u * n)
    return n - 1 if k >= n else k


@njit(cache=True)
def _template(k: int, ends, skips) -> int:
    """The ``k``-th template row of some ranges of rows: ``ends`` are the ranges' cumulative
    lengths, ``skips[i]`` the rows between range i and range i + 1, and ``skips[-1]`` the
    first range's start (see NewBusiness._terms_offerable). Without branches: each range
    ``k`` is past adds the gap after it."""
    t = k + skips[-1]
    for i in range(ends.shape[0] - 1):
        t += (k >= ends[i]) * skips[i]
    return t


@njit(cache=True, inline="always")
def _value(p: int, num: int, den: int, by_price: bool) -> int:
    """A receivable's value to a screening: its price (principal x num / den / 100, half up,
    as loan_level.price_of) or its principal."""
    return (2 * p * num + 100 * den) // (200 * den) if by_price else p


@njit(cache=True, inline="always")
def _eligible_but_d(day, st, late, fl, ld, worst, level, last, static_ok, dynamic_flags,
                    static_flags, max_worst, level_bits, last_due_limit) -> bool:
    """(c) beyond its age, (e), and unless ``static_ok`` (a), (b), (f)-(i), as on ``day``
    (scalars only: a helper taking arrays would count references on every call)."""
    # (c) not returned, cancelled or disputed
    if (fl & dynamic_flags) != 0 or st == LOST or (ld >= 0 and ld <= day):
        return False
    # (e) nothing currently overdue
    if late >= 0 or st != CURRENT:
        return False
    # (a), (b), (f), (g), (h), (i), unless checked at origination
    return static_ok or ((fl & static_flags) == 0 and worst <= max_worst
                         and 0 <= level < 64 and (level_bits >> level) & 1 == 1
                         and last <= last_due_limit)


@njit(cache=True)
def _level_bits(levels_ok) -> int:
    """The credit levels allowed ((f)) as bits of an integer (levels 0 .. 63)."""
    bits = 0
    for level in range(min(64, levels_ok.shape[0])):
        if levels_ok[level]:
            bits |= 1 << level
    return bits


@njit(cache=True)
def _keep_figures(fig, max_balance, overdue, max_worst, max_last_due, max_origination) -> None:
    """Figures of receivables taken join their offer's (indices F_*)."""
    fig[F_MAX_BALANCE] = max(fig[F_MAX_BALANCE], max_balance)
    fig[F_OVERDUE] += overdue
    fig[F_MAX_WORST] = max(fig[F_MAX_WORST], max_worst)
    fig[F_MAX_LAST_DUE] = max(fig[F_MAX_LAST_DUE], max_last_due)
    fig[F_MAX_ORIGINATION] = max(fig[F_MAX_ORIGINATION], max_origination)


@njit(cache=True, nogil=True)
def screen(pos, end, day, window, reach, target, num, den, by_price,
           obligor_id, origination_day, principal_fen, credit_level, status, late_since,
           worst_dpd, flags, lost_day, last_due_day, reserved_until, holder, static_ok,
           rule, levels_ok, owed, taken, unique_from, out, fig, levels):
    """Walk inventory rows ``pos`` .. ``end`` oldest first and take the eligible ones.

    A candidate is unsold, unreserved and originated within ``window`` days up to ``day``.
    It must be two full days old (c) and pass the other criteria but (d) as on ``day``
    (:func:`_eligible_but_d`), then (d): the obligor's balance in the trust (``owed``)
    plus what this screening has already taken of the obligor (``taken``, updated here)
    plus its principal is within the limit. Obligors from ``unique_from`` on are new users
    with this one receivable (no balance, nothing taken: ``taken`` need not cover them).
    Its value is its price (``num``/``den``) if ``by_price``, else its principal
    (:func:`_value`).

    ``reach``: take every eligible candidate until the value taken reaches ``target``
    (the one reaching it included). Otherwise ``target`` is a budget: take each eligible
    candidate that still fits in what is left, oldest first, to the end of the rows (or
    until nothing is left); ``crossed`` tells that one did not fit.

    Writes the rows taken to ``out``, and adds their eligibility figures (indices F_*, as
    on ``day``: the largest obligor balance in the trust with them, how many are overdue or
    returned, the worst overdue, the latest last instalment and origination day) to
    ``fig`` and their counts by credit level to ``levels``. Returns (next row, rows taken,
    value taken, value of the candidates old enough seen, crossed, done).
    """
    n = 0
    got = 0
    seen = 0
    crossed = False
    cap = rule[MAX_OBLIGOR]
    min_age, dynamic_flags, static_flags = rule[MIN_AGE], rule[DYNAMIC_FLAGS], rule[STATIC_FLAGS]
    max_worst, last_due_limit, level_bits = rule[MAX_WORST], rule[LAST_DUE_LIMIT], _level_bits(levels_ok)
    f_balance = f_overdue = f_worst = f_last = f_origination = 0
    n_owed = owed.shape[0]
    r = pos
    while r < end:
        i = r
        r += 1
        if i + AHEAD < end:  # the balances of a later row's obligor, to be read then
            ahead = obligor_id[i + AHEAD]
            if ahead < unique_from:
                prefetch(taken, ahead)
                if ahead < n_owed:
                    prefetch(owed, ahead)
        if holder[i] != ORIGINATOR or reserved_until[i] >= day:
            continue
        o = origination_day[i]
        if o > day or o <= day - window or day - o < min_age:
            continue
        p = principal_fen[i]
        v = _value(p, num, den, by_price)
        seen += v
        st, late, worst, last, level = status[i], late_since[i], worst_dpd[i], last_due_day[i], credit_level[i]
        if not _eligible_but_d(day, st, late, flags[i], lost_day[i], worst, level, last, static_ok[i],
                               dynamic_flags, static_flags, max_worst, level_bits, last_due_limit):
            continue
        # (d) the obligor's balance, this asset and those already taken included
        ob = obligor_id[i]
        known = ob < unique_from
        bal = taken[ob] + (owed[ob] if ob < n_owed else 0) if known else 0
        if bal + p > cap:
            continue
        if not reach and v > target - got:
            crossed = True
            continue
        if known:
            taken[ob] += p
        out[n] = i
        n += 1
        got += v
        f_balance = max(f_balance, bal + p)
        f_overdue += late >= 0 or st != CURRENT
        f_worst = max(f_worst, worst)
        f_last = max(f_last, last)
        f_origination = max(f_origination, o)
        levels[level] += 1
        if got >= target:
            break
    _keep_figures(fig, f_balance, f_overdue, f_worst, f_last, f_origination)
    return r, n, got, seen, crossed, got >= target


@njit(cache=True, nogil=True)
def originate(rng, compact, tpl, tpl_obligor, rates, rate_e6, rate_by_row, ends, skips, mean_fen,
              fen, day, last_by_n, log_q, p_repeat, flag_bits, lost_window, filt, rule, levels_ok,
              loan_id, obligor_id, origination_day, instalments, annual_fee_rate, credit_level,
              region, principal_fen, fee_fen, worst_dpd, flags, status, late_since, lost_day,
              last_due_day, reserved_until, holder, static_ok, at, cap, next_loan, next_obligor,
              offering, sday, window, reach, target, num, den, by_price, owed, taken, unique_from,
              fig, levels,
              o_loan_id, o_obligor_id, o_origination_day, o_instalments, o_annual_fee_rate,
              o_credit_level, o_region, o_principal_fen, o_fee_fen, o_worst_dpd, o_flags,
              o_status, o_lost_day, n_out, out_cap, us, buf, idx, repeat_of):
    """New receivables originated on ``day`` until their principal reaches ``fen`` (the one
    reaching it included).

    Templates are drawn uniformly from the rows of ``tpl`` in the ranges ``ends``/``skips``
    (:func:`_template`), a block at a time (drawn, then gathered, so the random reads
    overlap). ``tpl`` is a newbusiness.Templates' ``packed``, flat: one word a template if
    ``compact`` (obligors in ``tpl_obligor``, fees from ``rate_e6``), else four (T_*). One
    uniform picks the template and, by its fraction left over, whether the obligor is the
    template's (probability ``p_repeat``) or a new user. The rare events of ``log_q`` fall
    on receivables at geometric gaps. If ``filt``, receivables failing a static criterion
    (``rule``, ``levels_ok``) are drawn (they count as originated) but not kept.

    If ``offering`` (and the screening is not done), each kept receivable is first offered
    to the screening on ``sday`` — as :func:`screen` would test it as the inventory's next
    row, with the same ``window``, ``reach``, ``target``, value, ``owed``, ``taken``,
    ``unique_from``, ``fig`` and ``levels`` — and written, if taken, to the ``o_*``
    columns from row ``n_out``; otherwise to the inventory's columns from row ``at``.
    Stops early if either is full (capacities ``cap`` and ``out_cap``): ``done`` False,
    and the caller grows them and asks for the rest.

    ``us``, ``buf``, ``idx`` and ``repeat_of`` are scratch for a block of templates (the
    caller's, so that no call allocates memory).

    Returns (inventory rows up to, rows taken up to, principal drawn, receivables drawn,
    next loan id, next obligor id, value taken, value seen, crossed, screening done, done).
    """
    total = 0
    drawn = 0
    w = at
    got = 0
    seen = 0
    crossed = False
    sdone = not offering
    ocap = rule[MAX_OBLIGOR]
    dynamic_flags, static_flags = rule[DYNAMIC_FLAGS], rule[STATIC_FLAGS]
    max_worst, last_due_limit, level_bits = rule[MAX_WORST], rule[LAST_DUE_LIMIT], _level_bits(levels_ok)
    f_balance = f_overdue = f_worst = f_last = f_origination = 0
    n_owed = owed.shape[0]
    aged = sday - window < day <= sday - rule[MIN_AGE]  # a candidate of the screening
    nxt = np.empty(N_EVENTS, np.int64)
    for e in range(N_EVENTS):
        nxt[e] = _gap(rng, log_q[e])
    soonest = NEVER
    for e in range(N_EVENTS):
        soonest = min(soonest, nxt[e])
    block = min(us.shape[0], int(fen / mean_fen * 1.1) + 16)
    m = ends[-1]
    n_ranges = ends.shape[0] - 1
    j = 0  # receivables drawn in this call
    while total < fen:
        size = min(block, int((fen - total) / mean_fen * 1.1) + 16)
        for b in range(size):
            us[b] = rng.random()
        for b in range(size):
            # the uniform picks a template; its fraction left over, whether the obligor repeats
            x = us[b] * m
            k = min(int(x), m - 1)
            repeat_of[b] = x - k < p_repeat
            t = k + skips[-1]  # kernels.originator._template, written out (no call per row)
            for i in range(n_ranges):
                t += (k >= ends[i]) * skips[i]
            idx[b] = t
            if compact:  # its template, to be gathered next
                prefetch(tpl, t)
                if repeat_of[b]:
                    prefetch(tpl_obligor, t)
            else:
                prefetch(tpl, t * 4)
        for b in range(size):  # wide templates gathered; repeat users' obligors read
            t = idx[b]
            if not compact:
                for f in range(4):
                    buf[b, f] = tpl[t * 4 + f]
            elif repeat_of[b]:
                buf[b, T_OBLIGOR] = tpl_obligor[t]
            if not sdone and repeat_of[b]:  # a known obligor: its balances, to be read soon
                ob = buf[b, T_OBLIGOR]
                if ob < unique_from:
                    prefetch(taken, ob)
                    if ob < n_owed:
                        prefetch(owed, ob)
        for b in range(size):
            if total >= fen:
                break
            if w >= cap or (not sdone and n_out >= out_cap):
                _keep_figures(fig, f_balance, f_overdue, f_worst, f_last, f_origination)
                return w, n_out, total, drawn, next_loan, next_obligor, got, seen, crossed, sdone, False
            if compact:  # the template's word (in cache: prefetched above)
                word = tpl[idx[b]]
                p = word & 0x3FFFFFF
                rate_index = (word >> 26) & 63
                n = (word >> 32) & 31
                level = (word >> 37) & 7
                region_code = (word >> 40) & 0xFF
                worst = (word >> 48) & 0xFFFF
                rate = rates[rate_index]
                fee = (p * rate_e6[rate_index] + 6_000_000) // 12_000_000
            else:
                p = buf[b, T_PRINCIPAL]
                terms = buf[b, T_TERMS]
                n = terms & 0xFF
                level = (terms >> 8) & 0xFF
                worst = (terms >> 16) & 0xFFFF
                region_code = (terms >> 32) & 0xFFFF
                fw = buf[b, T_FEE]
                rate = rates[idx[b]] if rate_by_row else rates[fw >> FEE_BITS]
                fee = fw & FEE_MASK
            total += p
            drawn += 1
            fl = 0
            lost = -1
            if j == soonest:  # one of the rare events (or several) falls on this receivable
                if j == nxt[LEVEL5]:
                    level = 5
                    nxt[LEVEL5] = j + 1 + _gap(rng, log_q[LEVEL5])
                if j == nxt[WORST_OVER_30]:
                    worst = 31 + _below(rng.random(), 150)  # 31 .. 180 days
                    nxt[WORST_OVER_30] = j + 1 + _gap(rng, log_q[WORST_OVER_30])
                for f in range(5):
                    if j == nxt[FLAG0 + f]:
                        fl |= flag_bits[f]
                        nxt[FLAG0 + f] = j + 1 + _gap(rng, log_q[FLAG0 + f])
                if j == nxt[RETURNED]:
                    lost = day + 1 + _below(rng.random(), lost_window)
                    nxt[RETURNED] = j + 1 + _gap(rng, log_q[RETURNED])
                soonest = NEVER
                for e in range(N_EVENTS):
                    soonest = min(soonest, nxt[e])
            j += 1
            last = last_by_n[n]
            if filt and ((fl & static_flags) != 0 or worst > max_worst
                         or not (level < 64 and (level_bits >> level) & 1 == 1)
                         or last > last_due_limit):
                continue  # could never be offered: not kept
            if repeat_of[b]:
                ob = buf[b, T_OBLIGOR]
            else:
                ob = next_obligor
                next_obligor += 1
            if not sdone and aged:  # offered to the screening first
                v = _value(p, num, den, by_price)
                seen += v
                if _eligible_but_d(sday, CURRENT, -1, fl, lost, worst, level, last, filt,
                                   dynamic_flags, static_flags, max_worst, level_bits,
                                   last_due_limit):
                    known = ob < unique_from
                    bal = taken[ob] + (owed[ob] if ob < n_owed else 0) if known else 0
                    if bal + p <= ocap:
                        if reach or v <= target - got:
                            if known:
                                taken[ob] += p
                            got += v
                            f_balance = max(f_balance, bal + p)  # not overdue: new
                            f_worst = max(f_worst, worst)
                            f_last = max(f_last, last)
                            f_origination = max(f_origination, day)
                            levels[level] += 1
                            if got >= target:
                                sdone = True
                            o_loan_id[n_out] = next_loan
                            next_loan += 1
                            o_obligor_id[n_out] = ob
                            o_origination_day[n_out] = day
                            o_instalments[n_out] = n
                            o_annual_fee_rate[n_out] = rate
                            o_credit_level[n_out] = level
                            o_region[n_out] = region_code
                            o_principal_fen[n_out] = p
                            o_fee_fen[n_out] = fee
                            o_worst_dpd[n_out] = worst
                            o_flags[n_out] = fl
                            o_status[n_out] = CURRENT
                            o_lost_day[n_out] = lost
                            n_out += 1
                            continue
                        crossed = True
            loan_id[w] = next_loan
            next_loan += 1
            obligor_id[w] = ob
            origination_day[w] = day
            instalments[w] = n
            annual_fee_rate[w] = rate
            credit_level[w] = level
            region[w] = region_code
            principal_fen[w] = p
            fee_fen[w] = fee
            worst_dpd[w] = worst
            flags[w] = fl
            status[w] = CURRENT
            late_since[w] = -1
            lost_day[w] = lost
            last_due_day[w] = last
            reserved_until[w] = -1
            holder[w] = ORIGINATOR
            static_ok[w] = filt
            w += 1
    _keep_figures(fig, f_balance, f_overdue, f_worst, f_last, f_origination)
    return w, n_out, total, drawn, next_loan, next_obligor, got, seen, crossed, sdone, True


@njit(cache=True)
def forget(taken, obligor_id, n, unique_from):
    """Clear what a screening took: ``taken`` is zero again for the obligors (below
    ``unique_from``) of ``obligor_id[:n]``."""
    last = unique_from - 1  # zero already for a new user's receivable: clearing it is harmless
    if last < 0:
        return
    for j in range(n):
        if j + AHEAD < n:
            prefetch(taken, min(obligor_id[j + AHEAD], last))
        taken[min(obligor_id[j], last)] = 0  # without a branch per row


@njit(cache=True)
def alive_rows(size, today, window, holder, origination_day, reserved_until, out):
    """Rows the inventory keeps on ``today``: unsold, and within the window or reserved.
    Writes them to ``out``; returns how many."""
    k = 0
    for i in range(size):
        if holder[i] == ORIGINATOR and (origination_day[i] > today - window
                                        or reserved_until[i] >= today):
            out[k] = i
            k += 1
    return k


@njit(cache=True)
def gather(src, rows, dst):
    """``dst[j] = src[rows[j]]`` (one column of the receivables an offer takes)."""
    for j in range(rows.shape[0]):
        dst[j] = src[rows[j]]


@njit(cache=True)
def distinct(bits, limit: int):
    """The distinct values of ``bits`` (ascending) and each one's index among them, if there
    are at most ``limit``; else two empty arrays. Why a hash table rather than
    ``np.unique``'s sort: a tape's fee rates take a few dozen values, and the tape has
    millions of receivables."""
    size, log_size = 16, 4
    while size < 4 * limit:
        size *= 2
        log_size += 1
    shift = np.uint64(64 - log_size)
    mask = size - 1
    keys = np.zeros(size, np.int64)
    used = np.zeros(size, np.bool_)
    slot = np.empty(bits.shape[0], np.int64)
    n = 0
    for i in range(bits.shape[0]):
        x = bits[i]
        h = np.int64((np.uint64(x) * np.uint64(0x9E3779B97F4A7C15)) >> shift)
        while used[h] and keys[h] != x:
            h = (h + 1) & mask
        if not used[h]:
            if n == limit:
                return np.zeros(0, np.int64), np.zeros(0, np.int64)
            used[h] = True
            keys[h] = x
            n += 1
        slot[i] = h
    values = np.sort(keys[used])
    rank = np.zeros(size, np.int64)
    for j in range(n):
        h = np.int64((np.uint64(values[j]) * np.uint64(0x9E3779B97F4A7C15)) >> shift)
        while keys[h] != values[j] or not used[h]:
            h = (h + 1) & mask
        rank[h] = j
    for i in range(bits.shape[0]):
        slot[i] = rank[slot[i]]
    return values, slot


@njit(cache=True)
def pack_compact(order, principal, index, rate_e6, instalments, level, region, worst_dpd,
                 obligor, packed, packed_obligor) -> bool:
    """Compact template words (see ``newbusiness.Templates``) of rows ``order`` in that
    order, and their obligors, in one pass; False (words unfinished) if a value does not
    fit or a fee per instalment is above ``FEE_MASK``."""
    for j in range(order.shape[0]):
        i = order[j]
        p = np.int64(principal[i])
        n, lv, rg, w = np.int64(instalments[i]), np.int64(level[i]), np.int64(region[i]), np.int64(worst_dpd[i])
        if not (0 <= p < 1 << 26 and 0 <= n < 32 and 0 <= lv < 8 and 0 <= rg < 256
                and 0 <= w < 1 << 16):
            return False
        if (p * rate_e6[index[i]] + 6_000_000) // 12_000_000 > FEE_MASK:
            return False
        packed[j] = p | (index[i] << 26) | (n << 32) | (lv << 37) | (rg << 40) | (w << 48)
        packed_obligor[j] = obligor[i]
    return True
