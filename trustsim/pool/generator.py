"""A synthetic tape whose strata reproduce the report's simulated pool (DEAL.md §10).

Why synthetic: the originator's loan tape is not public; the report publishes its
stratification tables. The generator builds, at any scale, receivables whose tables
match the report: every table's counts and principal, the obligor count, and the
weighted averages of fee rate, remaining term and seasoning.

How, in the order of the code:

1. **Balances.** Each balance bucket (Table 6) gets exactly ``round(count x scale)``
   receivables holding exactly its principal: draws from a truncated lognormal (the
   first bucket) or truncated exponential (the others) with the bucket's average, rescaled
   to the bucket's total. At full scale the largest receivable is the report's 3.01 wan.
2. **Categories given balance.** Instalments x remaining-term bucket (one joint
   assignment, since a 24-instalment loan is the only one with 13 or more to go), credit
   level, fee band and region are each drawn from the maximum-entropy model that meets
   both the count and the principal column of its table (:mod:`trustsim.pool.maxent`),
   with low-discrepancy uniforms so realized tables sit on their expectations.
   One-off (1-instalment) purchases carry no fee.
3. **Within categories.** The exact remaining instalments within a bucket and the fee
   rate within a band are exponentially tilted so the weighted averages hit the report's
   9.46 months and 6.10%; the days to the next due date are tilted so the weighted
   seasoning hits 3.08 months. Fee rates are whole multiples of 0.1% a month.
4. **Obligors.** Exactly ``round(2,154,941 x scale)`` obligors, formed within each
   (credit level, region) cell — a person has one score and one province — none owing
   more than 50,000 CNY (criterion (d)); each obligor's worst overdue at JD Mall is drawn
   by credit level, at most 30 days (criterion (f)).

ASSUMPTIONS (not in the report): the split of the 36.81% outside the top ten regions
follows 2019 provincial populations; the worst-overdue rates by level below; the
balance distribution shapes inside each bucket.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from trustsim.data import report
from trustsim.money import FEN_PER_CNY, FEN_PER_WAN
from trustsim.pool import maxent
from trustsim.pool.strata import DAYS_PER_MONTH
from trustsim.pool.tape import CURRENT, TRUST, Tape, add_months_days, day_number
from trustsim.sim.rng import RngStreams

REFERENCE_DATE = dt.date(2020, 7, 27)
#: 2019 year-end resident population, millions (NBS): weights for the regions the report
#: does not list (its Table 8 gives the top ten only). ASSUMPTION.
OTHER_PROVINCES = {
    "Hunan": 69.18, "Anhui": 63.66, "Hubei": 59.27, "Yunnan": 48.58, "Jiangxi": 46.66,
    "Liaoning": 43.52, "Fujian": 39.73, "Shaanxi": 38.76, "Heilongjiang": 37.51, "Shanxi": 37.29,
    "Guizhou": 36.23, "Chongqing": 31.24, "Jilin": 26.91, "Gansu": 26.47, "Inner Mongolia": 25.40,
    "Xinjiang": 25.23, "Tianjin": 15.62, "Hainan": 9.45, "Ningxia": 6.95, "Qinghai": 6.08,
    "Tibet": 3.51,
}
#: share of obligors with a past overdue at JD Mall (1-30 days), by credit level. ASSUMPTION.
WORST_DPD_SHARE = {1: 0.005, 2: 0.02, 3: 0.05, 4: 0.12, 5: 0.25}
#: the joint (instalments, remaining bucket) cells a receivable can fall in
TERM_CELLS = [(1, 0), (3, 0), (6, 0), (12, 0), (12, 1), (24, 0), (24, 1), (24, 2), (24, 3)]
#: annual fee rates offered in each band: 12 x monthly rates in steps of 0.1%
FEE_VALUES = {1: [0.012, 0.024, 0.036, 0.048, 0.060],
              2: [0.072, 0.084, 0.096, 0.108, 0.120],
              3: [0.132, 0.144]}
MAX_OBLIGOR_FEN = 50_000 * FEN_PER_CNY
MIN_BALANCE_FEN = 1 * FEN_PER_CNY


class GeneratorError(ValueError):
    """The requested tape cannot be generated (e.g. a scale too small to hold a receivable)."""


# ------------------------------------------------------------------ 1. balances
def _truncated_exponential(rng: np.random.Generator, k: int, lo: float, hi: float,
                           mean: float) -> np.ndarray:
    width, target = hi - lo, mean - lo

    def mean_of(lam: float) -> float:
        if abs(lam) < 1e-12:
            return width / 2
        x = lam * width
        return 1 / lam - width / math.expm1(x) if x < 700 else 1 / lam

    a, b = -50 / width, 50 / width  # mean_of decreases in lam
    for _ in range(200):
        mid = (a + b) / 2
        if mean_of(mid) > target:
            a = mid
        else:
            b = mid
    lam = (a + b) / 2
    u = rng.random(k)
    if abs(lam) < 1e-12:
        return lo + u * width
    return lo - np.log1p(-u * -math.expm1(-lam * width)) / lam


def _truncated_lognormal(rng: np.random.Generator, k: int, lo: float, hi: float,
                         mean: float, sigma: float = 1.0) -> np.ndarray:
    def tmean(mu: float) -> float:
        z = (math.log(hi) - mu) / sigma
        phi = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        phi_s = 0.5 * (1 + math.erf((z - sigma) / math.sqrt(2)))
        return math.exp(mu + sigma * sigma / 2) * phi_s / phi

    a, b = math.log(lo), math.log(hi)
    for _ in range(200):
        mid = (a + b) / 2
        if tmean(mid) < mean:
            a = mid
        else:
            b = mid
    mu = (a + b) / 2
    out = np.empty(0)
    while len(out) < k:
        x = rng.lognormal(mu, sigma, (k - len(out)) * 21 // 20 + 64)
        out = np.concatenate([out, x[(x >= lo) & (x < hi)]])
    return out[:k]


def _fit_total(values_cny: np.ndarray, total_fen: int, lo_fen: int, hi_fen: int,
               rng: np.random.Generator) -> np.ndarray:
    """Integer fen in ``[lo_fen, hi_fen]`` summing exactly to ``total_fen``."""
    k = len(values_cny)
    if not k * lo_fen <= total_fen <= k * hi_fen:
        raise GeneratorError(f"{k} receivables cannot hold {total_fen} fen in [{lo_fen}, {hi_fen}]")
    v = values_cny * FEN_PER_CNY
    for _ in range(50):
        v = np.clip(v * (total_fen / v.sum()), lo_fen, hi_fen)
        if abs(v.sum() - total_fen) < 1:
            break
    fen = np.clip(np.floor(v).astype(np.int64), lo_fen, hi_fen)
    left = total_fen - int(fen.sum())
    while left:
        room = (hi_fen - fen) if left > 0 else (fen - lo_fen)
        idx = np.flatnonzero(room > 0)
        step = min(abs(left), len(idx))
        pick = rng.choice(idx, step, replace=False)
        fen[pick] += 1 if left > 0 else -1
        left -= step if left > 0 else -step
    return fen


def _balances(rep: dict, scale: float, rng: np.random.Generator) -> np.ndarray:
    buckets = rep["balance_buckets_table6"]
    max_fen = round(rep["pool_summary_table5"]["max_outstanding"] * FEN_PER_WAN)
    parts = []
    for i, b in enumerate(buckets):
        k = round(b["count"] * scale)
        if k == 0:
            continue
        total = round(b["principal"] * FEN_PER_WAN * scale)
        lo = max(b["lo_cny"] * FEN_PER_CNY, MIN_BALANCE_FEN)
        hi = (b["hi_cny"] * FEN_PER_CNY - 1) if b["hi_cny"] is not None else max_fen
        # at small scales the rounded count may not fit the bucket's total: the nearest that
        # does, and if none does, the total nearest to the report's that the count can hold
        k = min(max(k, -(-total // hi)), max(1, total // lo))
        total = min(max(total, k * lo), k * hi)
        mean_cny = total / k / FEN_PER_CNY
        if i == 0:
            draws = _truncated_lognormal(rng, k, lo / FEN_PER_CNY, hi / FEN_PER_CNY, mean_cny)
        else:
            draws = _truncated_exponential(rng, k, lo / FEN_PER_CNY, hi / FEN_PER_CNY, mean_cny)
        if b["hi_cny"] is None and k >= 20:  # the report's largest receivable, 3.01 wan
            rest = _fit_total(np.delete(draws, draws.argmax()), total - max_fen, lo, max_fen, rng)
            parts.append(np.concatenate([[max_fen], rest]))
        else:
            parts.append(_fit_total(draws, total, lo, hi, rng))
    if not parts:
        raise GeneratorError(f"scale {scale} is too small to hold a single receivable")
    return np.concatenate(parts)


# ------------------------------------------------------------------ 2. categories
class _Bins:
    """Equal-count bins of the balance, on which the maximum-entropy models are fitted."""

    def __init__(self, balance_k: np.ndarray, max_bins: int = 2000,
                 order: np.ndarray | None = None) -> None:
        n = len(balance_k)
        self.order = np.argsort(balance_k, kind="stable") if order is None else order
        nb = max(1, min(max_bins, n // 20))
        self.bin_of = np.empty(n, np.int64)
        self.bin_of[self.order] = np.arange(n) * nb // n
        self.weights = np.bincount(self.bin_of, minlength=nb).astype(np.float64)
        sums = np.bincount(self.bin_of, weights=balance_k, minlength=nb)
        self.mean = sums / np.maximum(self.weights, 1)


def _shares(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    c = np.array([r["count"] for r in rows], np.float64)
    p = np.array([r["principal"] for r in rows], np.float64)
    return c / c.sum(), p / p.sum()


def _assign(bins: _Bins, membership: np.ndarray, count_t: np.ndarray, principal_t: np.ndarray,
            u: np.ndarray) -> np.ndarray:
    features = maxent.count_and_principal_features(membership, bins.mean)
    target = np.concatenate([count_t, principal_t])
    prob = maxent.solve(features, bins.weights, target)
    return maxent.assign(prob, bins.bin_of, u)


def _term_cells(rep: dict, bins: _Bins, total_k: float, u: np.ndarray) -> np.ndarray:
    n_values = [r["instalments"] for r in rep["instalments_table7"]]
    memb = np.zeros((len(TERM_CELLS), len(n_values) + 4))
    for ci, (n, rb) in enumerate(TERM_CELLS):
        memb[ci, n_values.index(n)] = 1
        memb[ci, len(n_values) + rb] = 1
    cn, pn = _shares(rep["instalments_table7"])
    cr, pr = _shares(rep["remaining_instalments_table9"])
    count_t = np.concatenate([cn, cr]) * bins.weights.sum()
    principal_t = np.concatenate([pn, pr]) * total_k
    return _assign(bins, memb, count_t, principal_t, u)


def _tilted(values: list[np.ndarray], gamma: float) -> list[np.ndarray]:
    out = []
    for v in values:
        w = np.exp(gamma * (v - v.mean()))
        out.append(w / w.sum())
    return out


def _solve_tilt(fn, target: float, lo: float = -20.0, hi: float = 20.0) -> float:
    """Bisection for an increasing function of a tilt parameter."""
    for _ in range(100):
        mid = (lo + hi) / 2
        if fn(mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _draw_within(cell: np.ndarray, options: list[np.ndarray], gamma: float,
                 u: np.ndarray) -> np.ndarray:
    probs = _tilted(options, gamma)
    out = np.zeros(len(cell), np.float64)
    for ci, (vals, pr) in enumerate(zip(options, probs, strict=True)):
        m = cell == ci
        if not m.any():
            continue
        cdf = np.cumsum(pr)
        cdf[-1] = 1.0
        out[m] = vals[np.searchsorted(cdf, u[m], side="right")]
    return out


def _remaining(cells: np.ndarray, principal: np.ndarray, target: float,
               u: np.ndarray) -> np.ndarray:
    options = []
    for n, rb in TERM_CELLS:
        lo, hi = 6 * rb + 1, min(6 * rb + 6, n)
        options.append(np.arange(lo, hi + 1, dtype=np.float64))
    weight = np.bincount(cells, weights=principal.astype(np.float64), minlength=len(TERM_CELLS))

    def wa(gamma: float) -> float:
        return sum(w * (v @ p) for w, v, p in zip(weight, options, _tilted(options, gamma),
                                                   strict=True)) / weight.sum()

    gamma = _solve_tilt(wa, target, -5.0, 5.0)
    return _draw_within(cells, options, gamma, u).astype(np.int64)


def _days_to_next_due(n: np.ndarray, rem: np.ndarray, principal: np.ndarray, target: float,
                      u: np.ndarray) -> np.ndarray:
    """Days from the as-of date to the next due date: 4..26 if none paid yet, else 4..28.

    The bounds keep every schedule consistent whatever the month lengths (a due date
    after the as-of date, the previous one on or before it, and at least 2 days of age).
    """
    fresh = rem == n
    options = [np.arange(4, 29, dtype=np.float64), np.arange(4, 27, dtype=np.float64)]
    p = principal.astype(np.float64)
    base = (n - rem + 1).astype(np.float64)
    w_fresh, w_old = p[fresh].sum(), p[~fresh].sum()
    base_sum = base @ p

    def wa_season(gamma: float) -> float:  # seasoning falls as the days to next due rise
        old, new = _tilted(options, -gamma)
        return (base_sum - (w_old * (options[0] @ old) + w_fresh * (options[1] @ new))
                / DAYS_PER_MONTH) / p.sum()

    gamma = _solve_tilt(wa_season, target, -3.0, 3.0)
    cell = fresh.astype(np.int64)
    return _draw_within(cell, options, -gamma, u).astype(np.int64)


def _fees(rep: dict, bins_all: _Bins, balance_k: np.ndarray, n: np.ndarray,
          principal: np.ndarray, rngs: RngStreams) -> np.ndarray:
    """Fee band by balance (one-off purchases carry none), then the rate within the band."""
    rows = rep["annual_fee_rate_table11"]
    cf, pf = _shares(rows)
    total_k = balance_k.sum()
    one = n == 1
    count_t = cf * len(n)
    principal_t = pf * total_k
    count_t[0] -= one.sum()
    principal_t[0] -= balance_k[one].sum()
    if count_t[0] < 0 or principal_t[0] < 0:
        raise GeneratorError("one-off receivables exceed the no-fee band")
    band = np.zeros(len(n), np.int64)
    rest = np.flatnonzero(~one)
    if len(rest):
        pos = np.full(len(n), -1, np.int64)
        pos[rest] = np.arange(len(rest))
        sub_order = pos[bins_all.order]
        bins = _Bins(balance_k[rest], order=sub_order[sub_order >= 0])
        u = maxent.quasi_uniform(len(rest), 4, rngs["tape.fee_band"], bins.order)
        band[rest] = _assign(bins, np.eye(len(rows)), count_t, principal_t, u)
    options = [np.array([0.0])] + [np.array(FEE_VALUES[b]) for b in (1, 2, 3)]
    target = rep["pool_summary_table5"]["wa_annual_fee_rate_pct"] / 100
    weight = np.bincount(band, weights=principal.astype(np.float64), minlength=4)

    def wa(gamma: float) -> float:
        return sum(w * (v @ p) for w, v, p in zip(weight, options, _tilted(options, gamma),
                                                   strict=True)) / weight.sum()

    gamma = _solve_tilt(wa, target, -200.0, 200.0)
    u = maxent.quasi_uniform(len(n), 5, rngs["tape.fee_rate"], bins_all.order)
    return _draw_within(band, options, gamma, u)


def _regions(rep: dict, bins: _Bins, total_k: float,
             rngs: RngStreams) -> tuple[np.ndarray, list[str]]:
    top = rep["regions_table8"]
    tot = rep["pool_summary_table5"]
    other_count = tot["receivables"] - rep["regions_top10_total"]["count"]
    other_principal = tot["outstanding_principal"] - rep["regions_top10_total"]["principal"]
    rows = [*top, {"count": other_count, "principal": other_principal}]
    cg, pg = _shares(rows)
    u = maxent.quasi_uniform(len(bins.bin_of), 6, rngs["tape.region"], bins.order)
    group = _assign(bins, np.eye(len(rows)), cg * bins.weights.sum(), pg * total_k, u)
    names = [r["region"] for r in top] + list(OTHER_PROVINCES)
    region = group.astype(np.int64)
    others = np.flatnonzero(group == len(top))
    w = np.array(list(OTHER_PROVINCES.values()))
    region[others] = len(top) + rngs["tape.province"].choice(len(w), len(others), p=w / w.sum())
    order = np.argsort(names)
    rank = np.empty(len(names), np.int64)
    rank[order] = np.arange(len(names))
    return rank[region].astype(np.int16), [names[i] for i in order]


# ------------------------------------------------------------------ 4. obligors
def _obligors(level: np.ndarray, region: np.ndarray, principal: np.ndarray, n_obligors: int,
              rng: np.random.Generator) -> np.ndarray:
    n = len(level)
    n_obligors = max(1, min(n_obligors, n))
    cell = level.astype(np.int64) * 1000 + region.astype(np.int64)
    cells, cell_of, size = np.unique(cell, return_inverse=True, return_counts=True)
    quota = size * n_obligors / n
    k = np.maximum(1, np.floor(quota).astype(np.int64))
    k = np.minimum(k, size)
    left = n_obligors - int(k.sum())
    if left > 0:
        room = size - k
        order = np.lexsort((np.arange(len(cells)), -(quota - np.floor(quota))))
        order = [c for c in order if room[c] > 0]
        while left > 0 and order:
            for c in list(order):
                if left == 0:
                    break
                if room[c] > 0:
                    k[c] += 1
                    room[c] -= 1
                    left -= 1
            order = [c for c in order if room[c] > 0]
    first_id = np.concatenate([[0], np.cumsum(k)[:-1]])
    obligor = np.empty(n, np.int64)
    perm = rng.permutation(n)
    sorted_cells = cell_of[perm]
    by_cell = np.argsort(sorted_cells, kind="stable")
    rows = perm[by_cell]  # rows grouped by cell, random order inside
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    for c in range(len(cells)):
        r = rows[starts[c]:starts[c] + size[c]]
        ids = first_id[c] + np.arange(k[c])
        extra = rng.integers(0, k[c], size[c] - k[c]) + first_id[c]
        obligor[r] = np.concatenate([ids, extra])
    # criterion (d): no obligor above 50,000 CNY — move the largest loan to a roomy obligor
    for _ in range(100):
        tot = np.bincount(obligor, weights=principal.astype(np.float64), minlength=n_obligors)
        over = np.flatnonzero(tot > MAX_OBLIGOR_FEN)
        if not len(over):
            break
        for o in over:
            mine = np.flatnonzero(obligor == o)
            big = mine[np.argmax(principal[mine])]
            c = cell_of[big]
            cand = first_id[c] + rng.permutation(k[c])
            ok = cand[tot[cand] + principal[big] <= MAX_OBLIGOR_FEN]
            if len(ok):
                obligor[big] = ok[0]
                tot[o] -= principal[big]
                tot[ok[0]] += principal[big]
    relabel = rng.permutation(n_obligors) + 1
    return relabel[obligor]


def _worst_dpd(level: np.ndarray, obligor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One worst overdue per obligor (obligor ids are 1..n), drawn by its credit level."""
    level_of = np.zeros(int(obligor.max()) + 1, np.int64)
    level_of[obligor] = level
    share = np.array([0.0] + [WORST_DPD_SHARE[lv] for lv in sorted(WORST_DPD_SHARE)])[level_of]
    worst = np.where(rng.random(len(share)) < share, rng.integers(1, 31, len(share)), 0)
    return worst[obligor].astype(np.int16)


# ------------------------------------------------------------------ the tape
def generate(scale: float, seed: int, as_of: dt.date = REFERENCE_DATE) -> Tape:
    """A tape of about ``scale`` x 2,862,432 receivables as of ``as_of``; see the module docstring."""
    if not 0 < scale <= 10:
        raise GeneratorError(f"scale must be in (0, 10], got {scale}")
    rep = report()
    rngs = RngStreams(seed)
    principal = _balances(rep, scale, rngs["tape.balance"])
    principal = principal[rngs["tape.shuffle"].permutation(len(principal))]
    n_loans = len(principal)
    balance_k = principal / (1000 * FEN_PER_CNY)  # thousand CNY: features of a sane size
    bins = _Bins(balance_k)
    u = maxent.quasi_uniform(n_loans, 0, rngs["tape.term"], bins.order)
    cells = _term_cells(rep, bins, balance_k.sum(), u)
    n = np.array([c[0] for c in TERM_CELLS])[cells]
    tab5 = rep["pool_summary_table5"]
    u = maxent.quasi_uniform(n_loans, 1, rngs["tape.remaining"], bins.order)
    rem = _remaining(cells, principal, tab5["wa_remaining_term_months"], u)
    u = maxent.quasi_uniform(n_loans, 2, rngs["tape.level"], bins.order)
    lc, lp = _shares(rep["credit_level_table10"])
    levels = np.array([r["level"] for r in rep["credit_level_table10"]])
    level = levels[_assign(bins, np.eye(len(levels)), lc * n_loans, lp * balance_k.sum(), u)]
    fee = _fees(rep, bins, balance_k, n, principal, rngs)
    region, region_names = _regions(rep, bins, balance_k.sum(), rngs)
    u = maxent.quasi_uniform(n_loans, 7, rngs["tape.due"], bins.order)
    u = np.minimum(u, np.nextafter(1.0, 0.0))
    days = _days_to_next_due(n, rem, principal, tab5["wa_seasoning_months"], u)
    next_due = day_number(as_of) + days
    orig_day = add_months_days(next_due, -(n - rem + 1))
    obligor = _obligors(level, region, principal, round(tab5["obligors"] * scale),
                        rngs["tape.obligor"])
    worst = _worst_dpd(level, obligor, rngs["tape.worst_dpd"])
    max_contract = round(tab5["max_contract"] * FEN_PER_WAN)
    original = np.maximum(np.minimum(principal * n // rem, max_contract), principal)
    k = n_loans
    cols = {
        "loan_id": np.arange(1, k + 1, dtype=np.int64),
        "obligor_id": obligor,
        "origination_day": orig_day.astype(np.int32),
        "instalments": n.astype(np.int8),
        "remaining_instalments": rem.astype(np.int8),
        "annual_fee_rate": fee,
        "credit_level": level.astype(np.int8),
        "region": region,
        "principal_fen": principal.astype(np.int64),
        "original_principal_fen": original.astype(np.int64),
        "dpd": np.zeros(k, np.int16),
        "worst_dpd": worst,
        "status": np.full(k, CURRENT, np.int8),
        "holder": np.full(k, TRUST, np.int8),
        "flags": np.zeros(k, np.uint8),
    }
    return Tape(as_of, cols, region_names)
