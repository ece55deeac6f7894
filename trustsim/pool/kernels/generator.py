"""Compiled loops of the synthetic tape generator (:mod:`trustsim.pool.generator`).

Why compiled: the generator lays the 2.86 million receivables out in balance order and
goes through them a few times — a category from its balance bin's probabilities and a
low-discrepancy uniform, a value within the category, an obligor within its (level,
province) cell, and at the end the tape's columns in a shuffled order. As numpy chains
each of these is several passes (per-bin gathers, a mask per category, a sort by cell);
a loop reads each item once.

The uniform of the j-th item of a sequence is the Kronecker point ``(shift + j·step) mod
1`` (:func:`trustsim.pool.maxent.kronecker`), computed where it is used rather than
stored. The kernels hold no policy: probabilities, tilts and quotas are the generator's.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


# ------------------------------------------------------------------ balances
@njit(cache=True)
def scale_clip(v: np.ndarray, factor: float, lo: float, hi: float) -> float:
    """``v`` times ``factor``, clipped to ``[lo, hi]``, in place; returns the new sum."""
    s = 0.0
    for i in range(v.shape[0]):
        x = v[i] * factor
        x = lo if x < lo else (hi if x > hi else x)
        v[i] = x
        s += x
    return s


@njit(cache=True)
def round_counted(v: np.ndarray, lo: int, hi: int, carry: float, count: np.ndarray) -> int:
    """Whole fen in ``[lo, hi]``, each ``v`` rounded down or up so that the running total
    stays within a fen of the values' plus ``carry`` (error diffusion), counted by value
    (``count[fen - lo]``): no item needs a pass to pick whether it rounds up, nor the
    result a sort. Returns the sum."""
    total = 0
    for i in range(v.shape[0]):
        x = v[i] + carry
        f = math.floor(x)
        f = lo if f < lo else (hi if f > hi else f)
        carry = x - f
        count[f - lo] += 1
        total += f
    return total


@njit(cache=True)
def spread(count: np.ndarray, lo: int, out: np.ndarray) -> None:
    """The values counted in ``count`` (value ``lo + x`` ``count[x]`` times), ascending."""
    at = 0
    for x in range(count.shape[0]):
        for _ in range(count[x]):
            out[at] = lo + x
            at += 1


@njit(cache=True)
def keep_within(x: np.ndarray, lo: float, hi: float, out: np.ndarray, at: int) -> int:
    """Appends the draws ``x`` in ``[lo, hi)`` to ``out`` from ``at`` until it is full;
    returns where the next would go."""
    for i in range(x.shape[0]):
        if at == out.shape[0]:
            break
        if lo <= x[i] < hi:
            out[at] = x[i]
            at += 1
    return at


# ------------------------------------------------------------------ categories
@njit(cache=True, inline="always")
def _point(shift: float, step: float, j: int) -> float:
    """``(shift + j·step) mod 1``: x - floor(x) is exact for x >= 0 and, unlike fmod, one
    rounding instruction."""
    x = shift + j * step
    return x - math.floor(x)


@njit(cache=True)
def assign(cdf: np.ndarray, starts: np.ndarray, shift: float, step: float,
           principal: np.ndarray, key: np.ndarray, take: np.ndarray, out: np.ndarray,
           count: np.ndarray, fen: np.ndarray) -> None:
    """Category of each item taken, in balance order (inverse CDF in its bin).

    An item is taken if ``take[key[i]]`` (every item if ``key`` is empty). The j-th
    taken item is in bin b (``starts[b] <= j < starts[b + 1]``) and gets the first
    category whose cumulative probability ``cdf[b]`` exceeds the j-th point of the
    sequence. Items not taken keep ``out``. Adds each category's count and principal.
    """
    everyone = key.shape[0] == 0
    last = cdf.shape[1] - 1
    j = 0
    b = 0
    nxt = starts[1]
    for i in range(principal.shape[0]):
        if not everyone and not take[key[i]]:
            continue
        while j >= nxt:
            b += 1
            nxt = starts[b + 1]
        u = _point(shift, step, j)
        c = 0
        for t in range(last):  # boundaries passed (the CDF rises): no branch to mispredict
            c += u >= cdf[b, t]
        out[i] = c
        count[c] += 1
        fen[c] += principal[i]
        j += 1


@njit(cache=True)
def draw_within(key: np.ndarray, cell_of_key: np.ndarray, cdf: np.ndarray, offset: np.ndarray,
                shift: float, step: float, principal: np.ndarray, out: np.ndarray,
                fen: np.ndarray) -> None:
    """An option within each item's cell ``cell_of_key[key[i]]``: the first whose
    cumulative probability ``cdf[cell]`` (1.0 from the last option on) exceeds the i-th
    point of the sequence; writes ``offset[cell]`` + the option and adds the principal to
    ``fen[cell, option]``.
    """
    width = cdf.shape[1] - 1
    for i in range(principal.shape[0]):
        c = cell_of_key[key[i]]
        u = _point(shift, step, i)
        k = 0
        for t in range(width):
            k += u >= cdf[c, t]
        out[i] = offset[c] + k
        fen[c, k] += principal[i]


@njit(cache=True)
def provinces(group: np.ndarray, other: int, cdf: np.ndarray, rank: np.ndarray,
              rng: np.random.Generator, out: np.ndarray) -> None:
    """Region rank of each item: its group's, or for the group ``other`` a province drawn
    from ``cdf`` (last 1.0), numbered ``other + k`` before ranking."""
    for i in range(group.shape[0]):
        g = group[i]
        if g == other:
            u = rng.random()
            k = 0
            for t in range(cdf.shape[0] - 1):
                k += u >= cdf[t]
            g = other + k
        out[i] = rank[g]


# ------------------------------------------------------------------ obligors
@njit(cache=True)
def cells(level: np.ndarray, region: np.ndarray, n_regions: int, out: np.ndarray,
          size: np.ndarray) -> None:
    """The (level, region) cell of each item, ``level * n_regions + region``, and each cell's size."""
    for i in range(level.shape[0]):
        c = level[i] * n_regions + region[i]
        out[i] = c
        size[c] += 1


@njit(cache=True)
def obligors(cell: np.ndarray, first_id: np.ndarray, k: np.ndarray, size: np.ndarray,
             principal: np.ndarray, rng: np.random.Generator, out: np.ndarray,
             owed: np.ndarray) -> None:
    """An obligor for each item among its cell's ``k`` ids (from ``first_id``), each id
    used, and what each obligor owes (added to ``owed``).

    A uniformly random ``k`` of the cell's items open an obligor each (selection
    sampling: the next item opens one with probability ids left / items left, so no
    shuffle is needed); every other item joins one of the cell's ids uniformly, drawn
    from the same uniform (above the threshold it is uniform again).
    """
    items_left = size.copy()
    ids_left = k.copy()
    for i in range(cell.shape[0]):
        c = cell[i]
        m = items_left[c]
        r = ids_left[c]
        u = rng.random() * m
        if u < r:
            out[i] = first_id[c] + k[c] - r
            ids_left[c] = r - 1
        else:
            out[i] = first_id[c] + min(int((u - r) / (m - r) * k[c]), k[c] - 1)
        items_left[c] = m - 1
    for i in range(cell.shape[0]):  # apart: a small loop keeps many random reads in flight
        owed[out[i]] += principal[i]


@njit(cache=True)
def within_limit(obligor: np.ndarray, principal: np.ndarray, cell: np.ndarray,
                 first_id: np.ndarray, k: np.ndarray, owed: np.ndarray, limit: int,
                 rng: np.random.Generator) -> int:
    """Moves loans until no obligor owes more than ``limit``: an obligor above it gives its
    largest loans, one by one, each to a random obligor of the same cell with room.

    Returns the number of loans moved, or -1 if a loan found no obligor with room.
    """
    n_over = 0
    for o in range(owed.shape[0]):
        if owed[o] > limit:
            n_over += 1
    if n_over == 0:
        return 0
    over = owed > limit
    n_items = 0
    for i in range(obligor.shape[0]):
        if over[obligor[i]]:
            n_items += 1
    items = np.empty(n_items, np.int64)
    n_items = 0
    for i in range(obligor.shape[0]):
        if over[obligor[i]]:
            items[n_items] = i
            n_items += 1
    # by obligor, largest loan first
    key = np.empty(n_items, np.int64)
    for t in range(n_items):
        key[t] = np.int64(obligor[items[t]]) * 4_294_967_296 + (4_294_967_295 - principal[items[t]])
    items = items[np.argsort(key)]
    moved = 0
    for t in range(n_items):
        i = items[t]
        o = obligor[i]
        if owed[o] <= limit:
            continue
        c = cell[i]
        p = principal[i]
        found = -1
        for _ in range(100_000):
            cand = first_id[c] + int(rng.random() * k[c])
            if cand != o and owed[cand] + p <= limit:
                found = cand
                break
        if found < 0:
            return -1
        obligor[i] = found
        owed[o] -= p
        owed[found] += p
        moved += 1
    return moved


# an obligor's record: its label (bits 0-29, 0 until it has one), worst overdue (30-34),
# region (35-39) and credit level (40-42)
LABEL_MASK = (1 << 30) - 1


@njit(cache=True)
def obligor_records(first_id: np.ndarray, k: np.ndarray, n_regions: int, share: np.ndarray,
                    rng: np.random.Generator, out: np.ndarray) -> None:
    """Each obligor's record, unlabelled: its cell's region and level (cell = level x
    ``n_regions`` + region) and its worst overdue at JD Mall, 1-30 days (uniform) with its
    cell's ``share``, else 0."""
    for c in range(k.shape[0]):
        cell_bits = ((c // n_regions) << 40) | ((c % n_regions) << 35)
        for o in range(first_id[c], first_id[c] + k[c]):
            worst = 0
            if rng.random() < share[c]:
                worst = 1 + int(rng.random() * 30)
            out[o] = cell_bits | (worst << 30)


# ------------------------------------------------------------------ the tape
@njit(cache=True)
def lay_out(principal: np.ndarray, term: np.ndarray, days: np.ndarray, fee: np.ndarray,
            obligor: np.ndarray, record: np.ndarray, n_of_term: np.ndarray,
            rem_of_term: np.ndarray, level_value: np.ndarray, fee_value: np.ndarray,
            orig_day_of: np.ndarray, max_contract: int, rng: np.random.Generator,
            o_obligor: np.ndarray, o_orig_day: np.ndarray, o_n: np.ndarray, o_rem: np.ndarray,
            o_fee: np.ndarray, o_level: np.ndarray, o_region: np.ndarray,
            o_principal: np.ndarray, o_original: np.ndarray, o_worst: np.ndarray) -> None:
    """The tape's columns, the items of the balance order in a uniformly random order.

    Each item is first packed into one word (principal < 2^22 fen, obligor < 2^25, term
    code < 64, days to next due < 32, fee code < 16) and shuffled inside-out (Fisher-Yates)
    into ``o_original``: one random access per item instead of one per column. Then, in
    tape order, the codes become values (term code -> instalments and remaining; days to
    next due and months since origination -> origination day; fee code -> rate), the
    obligor's record gives its level, region and worst overdue, and obligors are labelled
    1, 2, ... in the order they first appear (so a label tells nothing of the cell). The
    contract principal is ``max(min(principal x n // remaining, max_contract), principal)``.
    """
    packed = o_original
    for i in range(principal.shape[0]):
        word = (principal[i] | (np.int64(obligor[i]) << 22) | (np.int64(term[i]) << 47)
                | (np.int64(days[i]) << 53) | (np.int64(fee[i]) << 58))
        j = int(rng.random() * (i + 1))
        packed[i] = packed[j]
        packed[j] = word
    # the obligors' records first, in a loop of their own: a small loop keeps many of
    # these random reads in flight at once (inside the big one, four times slower)
    labels = 0
    for i in range(packed.shape[0]):
        o = (packed[i] >> 22) & 0x1FFFFFF
        rec = record[o]
        if rec & LABEL_MASK == 0:
            labels += 1
            rec |= labels
            record[o] = rec
        o_obligor[i] = rec
    for i in range(packed.shape[0]):
        word = packed[i]
        p = word & 0x3FFFFF
        t = (word >> 47) & 63
        d = (word >> 53) & 31
        n = n_of_term[t]
        r = rem_of_term[t]
        rec = o_obligor[i]
        o_principal[i] = p
        o_n[i] = n
        o_rem[i] = r
        o_fee[i] = fee_value[(word >> 58) & 15]
        o_orig_day[i] = orig_day_of[d, n - r]
        o_obligor[i] = rec & LABEL_MASK
        o_worst[i] = (rec >> 30) & 31
        o_region[i] = (rec >> 35) & 31
        o_level[i] = level_value[(rec >> 40) & 7]
        contract = p * n // r
        if contract > max_contract:
            contract = max_contract
        o_original[i] = contract if contract > p else p
