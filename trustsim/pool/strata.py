"""The report's stratification tables (DEAL.md §10, Tables 5-11) computed from a tape.

Why here and not in the CLI: the generator is tested against these tables, and a
trustee reporting on a user's tape prints the same tables, so the bucket rules (left
closed, right open for balances; ``(6, 12]`` for remaining terms and fee bands) live in
one place, each beside the report's own figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trustsim.data import report
from trustsim.money import FEN_PER_WAN
from trustsim.pool.tape import CURRENT, NON_PERFORMING, TRUST, Tape, day_number

DAYS_PER_MONTH = 365.25 / 12
OTHER_REGIONS = "other regions"


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    principal_fen: int
    report_count: int | None
    report_principal_wan: float | None


@dataclass(frozen=True)
class Table:
    name: str
    rows: list[Row]

    @property
    def total_fen(self) -> int:
        return sum(r.principal_fen for r in self.rows)

    def share_pct(self, row: Row) -> float:
        return 100.0 * row.principal_fen / self.total_fen if self.total_fen else 0.0

    def report_share_pct(self, row: Row) -> float | None:
        total = sum(r.report_principal_wan or 0.0 for r in self.rows)
        if row.report_principal_wan is None or not total:
            return None
        return 100.0 * row.report_principal_wan / total


def fee_band(rate: np.ndarray) -> np.ndarray:
    """0: no fee; 1: (0, 6%]; 2: (6%, 12%]; 3: (12%, 15%]; 4: above 15%."""
    bp = np.round(np.asarray(rate) * 10_000).astype(np.int64)
    return np.select([bp == 0, bp <= 600, bp <= 1200, bp <= 1500], [0, 1, 2, 3], 4)


def remaining_bucket(rem: np.ndarray) -> np.ndarray:
    """0: [1, 6]; 1: (6, 12]; 2: (12, 18]; 3: (18, 24]."""
    return np.clip((np.asarray(rem, np.int64) - 1) // 6, 0, 3)


def balance_bucket(principal_fen: np.ndarray) -> np.ndarray:
    """0: [0, 3000) CNY, 1: [3000, 6000), ... 5: 15000 and above."""
    return np.minimum(np.asarray(principal_fen) // 300_000, 5)


def _table(name: str, keys: np.ndarray, principal: np.ndarray, labels: list[str],
           rep: list[tuple[int, float]] | None) -> Table:
    k = len(labels)
    counts = np.bincount(keys, minlength=k)
    sums = np.bincount(keys, weights=principal.astype(np.float64), minlength=k)
    # float sums of integer fen are exact below 2**53 fen (90 trillion CNY)
    rows = [Row(labels[i], int(counts[i]), int(sums[i]),
                rep[i][0] if rep else None, rep[i][1] if rep else None) for i in range(k)]
    return Table(name, rows)


def held(tape: Tape) -> Tape:
    """The receivables a trust holds that still have a balance (what the report stratifies)."""
    c = tape.columns
    keep = (c["holder"] == TRUST) & (c["status"] >= CURRENT) & (c["status"] <= NON_PERFORMING)
    return tape if keep.all() else tape.take(np.flatnonzero(keep))


def tables(tape: Tape) -> list[Table]:
    """Tables 6-11 of the report, computed from ``tape`` beside the report's figures."""
    rep = report()
    c = tape.columns
    p = c["principal_fen"]
    out = [
        _table("outstanding balance (CNY)", balance_bucket(p), p,
               ["[0, 3000)", "[3000, 6000)", "[6000, 9000)", "[9000, 12000)", "[12000, 15000)",
                ">= 15000"],
               [(r["count"], r["principal"]) for r in rep["balance_buckets_table6"]]),
    ]
    inst = [r["instalments"] for r in rep["instalments_table7"]]
    extra = sorted(set(np.unique(c["instalments"]).tolist()) - set(inst))
    levels = inst + extra
    idx = {v: i for i, v in enumerate(levels)}
    keys = np.vectorize(idx.get, otypes=[np.int64])(c["instalments"]) if len(c["instalments"]) else \
        np.zeros(0, np.int64)
    out.append(_table("instalments", keys, p, [str(v) for v in levels],
                      [(r["count"], r["principal"]) for r in rep["instalments_table7"]]
                      + [(0, 0.0)] * len(extra)))
    out.append(_table("remaining instalments", remaining_bucket(c["remaining_instalments"]), p,
                      ["[1, 6]", "(6, 12]", "(12, 18]", "(18, 24]"],
                      [(r["count"], r["principal"]) for r in rep["remaining_instalments_table9"]]))
    lv = [r["level"] for r in rep["credit_level_table10"]]
    out.append(_table("credit level", c["credit_level"].astype(np.int64) - 1, p,
                      [f"Level{i}" for i in range(1, 6)],
                      [(r["count"], r["principal"]) for r in rep["credit_level_table10"]]
                      + [(0, 0.0)] * (5 - len(lv))))
    out.append(_table("annual fee rate", fee_band(c["annual_fee_rate"]), p,
                      ["0", "(0, 6%]", "(6%, 12%]", "(12%, 15%]", "> 15%"],
                      [(r["count"], r["principal"]) for r in rep["annual_fee_rate_table11"]]
                      + [(0, 0.0)]))
    top = rep["regions_table8"]
    names = [r["region"] for r in top]
    region_names = np.array([*tape.regions, OTHER_REGIONS], dtype=object)
    code = {n: i for i, n in enumerate(names)}
    region_key = np.array([code.get(n, len(names)) for n in region_names], np.int64)
    keys = region_key[c["region"].astype(np.int64)]
    tot = rep["pool_summary_table5"]
    top_total = rep["regions_top10_total"]
    out.append(_table("region", keys, p, [*names, OTHER_REGIONS],
                      [(r["count"], r["principal"]) for r in top]
                      + [(tot["receivables"] - top_total["count"],
                          round(tot["outstanding_principal"] - top_total["principal"], 2))]))
    return out


def summary(tape: Tape) -> dict[str, float]:
    """Table 5's figures: counts, balances (10k CNY), weighted averages (months, %)."""
    c = tape.columns
    p = c["principal_fen"].astype(np.float64)
    orig = c["original_principal_fen"].astype(np.float64)
    total = p.sum()
    n = c["instalments"].astype(np.float64)
    rem = c["remaining_instalments"].astype(np.float64)
    age = (day_number(tape.as_of) - c["origination_day"].astype(np.float64)) / DAYS_PER_MONTH
    return {
        "obligors": float(len(np.unique(c["obligor_id"]))),
        "receivables": float(len(tape)),
        "outstanding_principal": total / FEN_PER_WAN,
        "contract_balance": orig.sum() / FEN_PER_WAN,
        "max_contract": orig.max() / FEN_PER_WAN,
        "avg_contract": orig.mean() / FEN_PER_WAN,
        "max_outstanding": p.max() / FEN_PER_WAN,
        "avg_outstanding": p.mean() / FEN_PER_WAN,
        "wa_annual_fee_rate_pct": 100.0 * float(c["annual_fee_rate"] @ p) / total,
        "wa_contract_term_months": float(n @ orig) / orig.sum(),
        "wa_seasoning_months": float(age @ p) / total,
        "wa_remaining_term_months": float(rem @ p) / total,
        "min_remaining_term": float(rem.min()),
        "max_remaining_term": float(rem.max()),
    }


#: report keys of Table 5 in print order, with their labels
SUMMARY_LABELS = {
    "obligors": "obligors",
    "receivables": "receivables",
    "outstanding_principal": "outstanding principal (10k CNY)",
    "contract_balance": "contract balance (10k CNY)",
    "max_contract": "max single contract (10k CNY)",
    "avg_contract": "average contract (10k CNY)",
    "max_outstanding": "max single outstanding (10k CNY)",
    "avg_outstanding": "average outstanding (10k CNY)",
    "wa_annual_fee_rate_pct": "WA annual fee rate (%)",
    "wa_contract_term_months": "WA contract term (months, by contract balance)",
    "wa_seasoning_months": "WA seasoning (months, by outstanding principal)",
    "wa_remaining_term_months": "WA remaining term (months, by outstanding principal)",
    "min_remaining_term": "min remaining term",
    "max_remaining_term": "max remaining term",
}
