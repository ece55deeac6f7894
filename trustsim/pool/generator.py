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
5. **The tape.** Steps 1-4 work on the receivables in balance order (the order the
   maximum-entropy bins and the low-discrepancy uniforms need, and sequential for the
   loops of :mod:`trustsim.pool.kernels.generator`); the tape is that list in a uniformly
   random order, and obligors are numbered 1, 2, ... as they first appear on it.

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
from trustsim.pool.errors import GeneratorError
from trustsim.pool.kernels import generator as kern
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
FEN_PER_THOUSAND = 1000 * FEN_PER_CNY


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
    # Box-Muller normals in single precision, kept if in range: vectorized, over twice as
    # fast as the generator's normals; a balance under 3,000 CNY comes out to a few
    # hundredths of a fen before it is rounded to whole fen, and |z| reaches 5.7
    out = np.empty(k)
    got = 0
    while got < k:
        half = ((k - got) * 21 // 20 + 64) // 2 + 1
        r = np.sqrt(np.float32(-2.0) * np.log1p(-rng.random(half, dtype=np.float32)))
        angle = np.float32(2 * math.pi) * rng.random(half, dtype=np.float32)
        z = np.concatenate([r * np.cos(angle), r * np.sin(angle)])
        x = np.exp(np.float32(mu) + np.float32(sigma) * z)
        got = kern.keep_within(x, lo, hi, out, got)
    return out


def _fit_total(values_cny: np.ndarray, total_fen: int, lo_fen: int, hi_fen: int,
               rng: np.random.Generator, out: np.ndarray) -> None:
    """Integer fen in ``[lo_fen, hi_fen]`` summing exactly to ``total_fen``, ascending, into ``out``.

    The values are rescaled to the total, each rounded down or up by error diffusion
    (started so that the sum lands on the total) and counted by value; the counts, read
    in order, are the balances sorted — no sort. A fen the rounding's float error left
    over moves one balance by one fen, which keeps the order.
    """
    k = len(values_cny)
    if not k * lo_fen <= total_fen <= k * hi_fen:
        raise GeneratorError(f"{k} receivables cannot hold {total_fen} fen in [{lo_fen}, {hi_fen}]")
    v = values_cny * FEN_PER_CNY
    s = float(v.sum())
    for _ in range(50):
        s = kern.scale_clip(v, total_fen / s, lo_fen, hi_fen)
        if abs(s - total_fen) < 1:
            break
    count = np.zeros(hi_fen - lo_fen + 1, np.int64)
    left = total_fen - kern.round_counted(v, lo_fen, hi_fen, total_fen - s + rng.random(), count)
    while left:  # one balance at a time, up from below hi (or down from above lo)
        movable = count[:-1] if left > 0 else count[1:]
        cum = np.cumsum(movable)
        x = int(np.searchsorted(cum, rng.integers(cum[-1]), side="right"))
        up = 1 if left > 0 else -1
        count[x + (up < 0)] -= 1
        count[x + (up > 0)] += 1
        left -= up
    kern.spread(count, lo_fen, out)


def _balances(rep: dict, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Every receivable's balance, in fen, ascending (the order the rest of the tape is built in)."""
    buckets = rep["balance_buckets_table6"]
    max_fen = round(rep["pool_summary_table5"]["max_outstanding"] * FEN_PER_WAN)
    specs = []
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
        specs.append((i, b, k, total, lo, hi))
    if not specs:
        raise GeneratorError(f"scale {scale} is too small to hold a single receivable")
    principal = np.empty(sum(spec[2] for spec in specs), np.int64)
    at = 0
    for i, b, k, total, lo, hi in specs:  # buckets in order of balance: the whole ascends
        mean_cny = total / k / FEN_PER_CNY
        if i == 0:
            draws = _truncated_lognormal(rng, k, lo / FEN_PER_CNY, hi / FEN_PER_CNY, mean_cny)
        else:
            draws = _truncated_exponential(rng, k, lo / FEN_PER_CNY, hi / FEN_PER_CNY, mean_cny)
        if b["hi_cny"] is None and k >= 20:  # the report's largest receivable, 3.01 wan
            _fit_total(np.delete(draws, draws.argmax()), total - max_fen, lo, max_fen, rng,
                       principal[at:at + k - 1])
            principal[at + k - 1] = max_fen
        else:
            _fit_total(draws, total, lo, hi, rng, principal[at:at + k])
        at += k
    return principal


# ------------------------------------------------------------------ 2. categories
class _Bins:
    """Equal-count bins of items in balance order, on which the maximum-entropy models are fitted.

    Bin b holds the items ``starts[b] <= j < starts[b + 1]`` (j counts the items
    concerned in balance order), i.e. ``j * bins // items == b``.
    """

    def __init__(self, principal: np.ndarray, max_bins: int = 2000) -> None:
        m = len(principal)
        nb = max(1, min(max_bins, m // 20))
        self.starts = (np.arange(nb + 1, dtype=np.int64) * m + nb - 1) // nb
        self.weights = np.diff(self.starts).astype(np.float64)
        sums = np.add.reduceat(principal, self.starts[:-1])
        self.mean = sums / self.weights / FEN_PER_THOUSAND  # thousand CNY: features of a sane size


_EVERY = np.empty(0, np.int8), np.empty(0, np.bool_)  # assign: no key, every item taken


def _shares(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    c = np.array([r["count"] for r in rows], np.float64)
    p = np.array([r["principal"] for r in rows], np.float64)
    return c / c.sum(), p / p.sum()


def _assign(bins: _Bins, membership: np.ndarray, count_t: np.ndarray, principal_t: np.ndarray,
            sequence: tuple[float, float], principal: np.ndarray, out: np.ndarray,
            subset: tuple[np.ndarray, np.ndarray] = _EVERY) -> tuple[np.ndarray, np.ndarray]:
    """Categories of the items (those ``subset`` takes) into ``out``; returns the realized
    count and principal (fen) of each category."""
    target = np.concatenate([count_t, principal_t])
    cdf = np.cumsum(maxent.solve(membership, bins.mean, bins.weights, target), axis=1)
    count = np.zeros(cdf.shape[1], np.int64)
    fen = np.zeros(cdf.shape[1], np.int64)
    kern.assign(cdf, bins.starts, *sequence, principal, *subset, out, count, fen)
    return count, fen


def _term_cells(rep: dict, bins: _Bins, principal: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_values = [r["instalments"] for r in rep["instalments_table7"]]
    memb = np.zeros((len(TERM_CELLS), len(n_values) + 4))
    for ci, (n, rb) in enumerate(TERM_CELLS):
        memb[ci, n_values.index(n)] = 1
        memb[ci, len(n_values) + rb] = 1
    cn, pn = _shares(rep["instalments_table7"])
    cr, pr = _shares(rep["remaining_instalments_table9"])
    count_t = np.concatenate([cn, cr]) * bins.weights.sum()
    principal_t = np.concatenate([pn, pr]) * (principal.sum() / FEN_PER_THOUSAND)
    cells = np.empty(len(principal), np.int8)
    count, fen = _assign(bins, memb, count_t, principal_t, maxent.kronecker(0, rng), principal,
                         cells)
    return cells, count, fen


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


def _draw_within(key: np.ndarray, cell_of_key: np.ndarray, options: list[np.ndarray],
                 gamma: float, offset: np.ndarray, sequence: tuple[float, float],
                 principal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Option of each item within its cell (``cell_of_key[key]``), tilted by ``gamma``:
    ``offset[cell]`` + the option's index, and the principal per (cell, option)."""
    width = max(len(v) for v in options)
    cdf = np.ones((len(options), width))
    for ci, pr in enumerate(_tilted(options, gamma)):
        cdf[ci, :len(pr) - 1] = np.cumsum(pr)[:-1]  # the last option's is 1 exactly
    out = np.empty(len(principal), np.int8)
    fen = np.zeros((len(options), width), np.int64)
    kern.draw_within(key, cell_of_key, cdf, offset, *sequence, principal, out, fen)
    return out, fen


class _Terms:
    """Term codes: one per (term cell, remaining instalments), numbered cell by cell."""

    def __init__(self) -> None:
        self.options = []
        for n, rb in TERM_CELLS:
            lo, hi = 6 * rb + 1, min(6 * rb + 6, n)
            self.options.append(np.arange(lo, hi + 1, dtype=np.float64))
        sizes = [len(v) for v in self.options]
        self.offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.n = np.repeat([n for n, _ in TERM_CELLS], sizes).astype(np.int8)
        self.rem = np.concatenate(self.options).astype(np.int8)


def _remaining(terms: _Terms, cells: np.ndarray, cell_fen: np.ndarray, principal: np.ndarray,
               target: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each item's term code (its cell and exact remaining instalments) and the principal per code."""
    options = terms.options
    weight = cell_fen.astype(np.float64)

    def wa(gamma: float) -> float:
        return sum(w * (v @ p) for w, v, p in zip(weight, options, _tilted(options, gamma),
                                                   strict=True)) / weight.sum()

    gamma = _solve_tilt(wa, target, -5.0, 5.0)
    code, fen = _draw_within(cells, np.arange(len(options), dtype=np.int64), options, gamma,
                             terms.offset, maxent.kronecker(1, rng), principal)
    code_fen = np.concatenate([fen[ci, :len(v)] for ci, v in enumerate(options)])
    return code, code_fen


def _days_to_next_due(terms: _Terms, code: np.ndarray, code_fen: np.ndarray,
                      principal: np.ndarray, target: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Days from the as-of date to the next due date: 4..26 if none paid yet, else 4..28.

    The bounds keep every schedule consistent whatever the month lengths (a due date
    after the as-of date, the previous one on or before it, and at least 2 days of age).
    """
    fresh = (terms.rem == terms.n).astype(np.int64)
    options = [np.arange(4, 29, dtype=np.float64), np.arange(4, 27, dtype=np.float64)]
    p = code_fen.astype(np.float64)
    w_fresh, w_old, p_sum = p[fresh == 1].sum(), p[fresh == 0].sum(), p.sum()
    base_sum = (terms.n - terms.rem + 1).astype(np.float64) @ p

    def wa_season(gamma: float) -> float:  # seasoning falls as the days to next due rise
        old, new = _tilted(options, -gamma)
        return (base_sum - (w_old * (options[0] @ old) + w_fresh * (options[1] @ new))
                / DAYS_PER_MONTH) / p_sum

    gamma = _solve_tilt(wa_season, target, -3.0, 3.0)
    days, _ = _draw_within(code, fresh, options, -gamma, np.array([4, 4]),
                           maxent.kronecker(7, rng), principal)
    return days


def _fees(rep: dict, terms: _Terms, code: np.ndarray, term_count: np.ndarray,
          term_fen: np.ndarray, principal: np.ndarray,
          rngs: RngStreams) -> tuple[np.ndarray, np.ndarray]:
    """Fee band by balance (one-off purchases carry none), then the rate within the band.

    Returns each item's fee code and the annual rate of each code.
    """
    rows = rep["annual_fee_rate_table11"]
    cf, pf = _shares(rows)
    total_k = principal.sum() / FEN_PER_THOUSAND
    one_count, one_fen = int(term_count[0]), int(term_fen[0])  # TERM_CELLS[0]: 1 instalment
    count_t = cf * len(principal)
    principal_t = pf * total_k
    count_t[0] -= one_count
    principal_t[0] -= one_fen / FEN_PER_THOUSAND
    if count_t[0] < 0 or principal_t[0] < 0:
        raise GeneratorError("one-off receivables exceed the no-fee band")
    band = np.zeros(len(principal), np.int8)
    band_fen = np.zeros(len(rows), np.int64)
    fee_bearing = terms.n != 1
    if one_count < len(principal):
        bins = _Bins(principal[fee_bearing[code]])
        _, band_fen = _assign(bins, np.eye(len(rows)), count_t, principal_t,
                              maxent.kronecker(4, rngs["tape.fee_band"]), principal, band,
                              (code, fee_bearing))
    options = [np.array([0.0])] + [np.array(FEE_VALUES[b]) for b in (1, 2, 3)]
    target = rep["pool_summary_table5"]["wa_annual_fee_rate_pct"] / 100
    weight = band_fen.astype(np.float64)
    weight[0] += one_fen

    def wa(gamma: float) -> float:
        return sum(w * (v @ p) for w, v, p in zip(weight, options, _tilted(options, gamma),
                                                   strict=True)) / weight.sum()

    gamma = _solve_tilt(wa, target, -200.0, 200.0)
    offset = np.concatenate([[0], np.cumsum([len(v) for v in options])[:-1]]).astype(np.int64)
    fee, _ = _draw_within(band, np.arange(len(options), dtype=np.int64), options, gamma, offset,
                          maxent.kronecker(5, rngs["tape.fee_rate"]), principal)
    return fee, np.concatenate(options)


def _regions(rep: dict, bins: _Bins, principal: np.ndarray,
             rngs: RngStreams) -> tuple[np.ndarray, list[str]]:
    """Each item's region (its index in the sorted names) and the names."""
    top = rep["regions_table8"]
    tot = rep["pool_summary_table5"]
    other_count = tot["receivables"] - rep["regions_top10_total"]["count"]
    other_principal = tot["outstanding_principal"] - rep["regions_top10_total"]["principal"]
    rows = [*top, {"count": other_count, "principal": other_principal}]
    cg, pg = _shares(rows)
    group = np.empty(len(principal), np.int8)
    _assign(bins, np.eye(len(rows)), cg * bins.weights.sum(),
            pg * (principal.sum() / FEN_PER_THOUSAND),
            maxent.kronecker(6, rngs["tape.region"]), principal, group)
    names = [r["region"] for r in top] + list(OTHER_PROVINCES)
    w = np.array(list(OTHER_PROVINCES.values()))
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    order = np.argsort(names)
    rank = np.empty(len(names), np.int64)
    rank[order] = np.arange(len(names))
    region = np.empty(len(principal), np.int8)
    kern.provinces(group, len(top), cdf, rank, rngs["tape.province"], region)
    return region, [names[i] for i in order]


# ------------------------------------------------------------------ 4. obligors
def _quotas(size: np.ndarray, n_obligors: int) -> np.ndarray:
    """Obligors per cell: proportional to its receivables (largest remainders), at least
    one per non-empty cell, at most one per receivable."""
    n = int(size.sum())
    quota = size * n_obligors / n
    k = np.minimum(np.maximum(1, np.floor(quota).astype(np.int64)), size)
    left = n_obligors - int(k.sum())
    if left > 0:
        room = size - k
        order = np.lexsort((np.arange(len(size)), -(quota - np.floor(quota))))
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
    return k


def _obligors(level: np.ndarray, levels: np.ndarray, region: np.ndarray, n_regions: int,
              principal: np.ndarray, n_obligors: int,
              rngs: RngStreams) -> tuple[np.ndarray, np.ndarray]:
    """Each item's obligor (0..n-1, numbered cell by cell; ``level`` indexes ``levels``)
    and each obligor's record (level, region, worst overdue; labelled in the tape's order
    by :func:`trustsim.pool.kernels.generator.lay_out`)."""
    n = len(level)
    n_obligors = max(1, min(n_obligors, n))
    cell = np.empty(n, np.int16)
    size = np.zeros(len(levels) * n_regions, np.int64)
    kern.cells(level, region, n_regions, cell, size)
    k = _quotas(size, n_obligors)
    first_id = np.concatenate([[0], np.cumsum(k)[:-1]]).astype(np.int64)
    rng = rngs["tape.obligor"]
    obligor = np.empty(n, np.int32)
    owed = np.zeros(n_obligors, np.int64)
    kern.obligors(cell, first_id, k, size, principal, rng, obligor, owed)
    # criterion (d): no obligor above 50,000 CNY
    if kern.within_limit(obligor, principal, cell, first_id, k, owed, MAX_OBLIGOR_FEN, rng) < 0:
        raise GeneratorError("a receivable finds no obligor within 50,000 CNY")
    share = np.repeat([WORST_DPD_SHARE[int(lv)] for lv in levels], n_regions)
    record = np.empty(n_obligors, np.int64)
    kern.obligor_records(first_id, k, n_regions, share, rngs["tape.worst_dpd"], record)
    return obligor, record


# ------------------------------------------------------------------ the tape
def generate(scale: float, seed: int, as_of: dt.date = REFERENCE_DATE) -> Tape:
    """A tape of about ``scale`` x 2,862,432 receivables as of ``as_of``; see the module docstring."""
    if not 0 < scale <= 10:
        raise GeneratorError(f"scale must be in (0, 10], got {scale}")
    rep = report()
    rngs = RngStreams(seed)
    tab5 = rep["pool_summary_table5"]
    principal = _balances(rep, scale, rngs["tape.balance"])
    n_loans = len(principal)
    bins = _Bins(principal)
    terms = _Terms()
    cells, term_count, term_fen = _term_cells(rep, bins, principal, rngs["tape.term"])
    code, code_fen = _remaining(terms, cells, term_fen, principal,
                                tab5["wa_remaining_term_months"], rngs["tape.remaining"])
    lc, lp = _shares(rep["credit_level_table10"])
    levels = np.array([r["level"] for r in rep["credit_level_table10"]], np.int8)
    level = np.empty(n_loans, np.int8)
    _assign(bins, np.eye(len(levels)), lc * n_loans, lp * (principal.sum() / FEN_PER_THOUSAND),
            maxent.kronecker(2, rngs["tape.level"]), principal, level)
    fee, fee_value = _fees(rep, terms, code, term_count, term_fen, principal, rngs)
    region, region_names = _regions(rep, bins, principal, rngs)
    days = _days_to_next_due(terms, code, code_fen, principal, tab5["wa_seasoning_months"],
                             rngs["tape.due"])
    obligor, record = _obligors(level, levels, region, len(region_names), principal,
                                round(tab5["obligors"] * scale), rngs)
    # origination day by (days to next due, months since origination - 1): the next due
    # date moved back by the instalments paid and the one coming
    next_due = day_number(as_of) + np.arange(29)[:, None]
    orig_day_of = add_months_days(next_due + np.zeros((1, 24), np.int64),
                                  -np.arange(1, 25)[None, :])
    k = n_loans
    cols = {
        "loan_id": np.arange(1, k + 1, dtype=np.int64),
        "obligor_id": np.empty(k, np.int64),
        "origination_day": np.empty(k, np.int32),
        "instalments": np.empty(k, np.int8),
        "remaining_instalments": np.empty(k, np.int8),
        "annual_fee_rate": np.empty(k, np.float64),
        "credit_level": np.empty(k, np.int8),
        "region": np.empty(k, np.int16),
        "principal_fen": np.empty(k, np.int64),
        "original_principal_fen": np.empty(k, np.int64),
        "dpd": np.zeros(k, np.int16),
        "worst_dpd": np.empty(k, np.int16),
        "status": np.full(k, CURRENT, np.int8),
        "holder": np.full(k, TRUST, np.int8),
        "flags": np.zeros(k, np.uint8),
    }
    if (principal[-1] >= 1 << 22 or len(record) >= 1 << 25 or len(terms.n) > 64
            or len(region_names) > 32 or len(levels) > 8):  # what lay_out's words hold
        raise GeneratorError("balances, obligors or categories beyond what a tape word holds")
    kern.lay_out(principal, code, days, fee, obligor, record, terms.n, terms.rem, levels,
                 fee_value, orig_day_of, round(tab5["max_contract"] * FEN_PER_WAN),
                 rngs["tape.shuffle"],
                 cols["obligor_id"], cols["origination_day"], cols["instalments"],
                 cols["remaining_instalments"], cols["annual_fee_rate"], cols["credit_level"],
                 cols["region"], cols["principal_fen"], cols["original_principal_fen"],
                 cols["worst_dpd"])
    return Tape(as_of, cols, region_names)
