"""The eligibility criteria (a)-(i) of DEAL.md §7 [一.3], as named, vectorized filters.

Why one function per clause: the trustee must be able to say which clause kept a
receivable out of a purchase, and each clause must be testable on its own ("a
receivable that fails only this criterion is never bought"). Each filter takes the
candidates' columns and the screening context and returns a boolean mask (True =
passes). Criteria are tested as at the purchase base date for revolving purchases and
the replacement start date for replacements.

(d) is the only criterion that depends on the other candidates: an obligor's total
payable balance in the trust *including this asset* — and including the earlier
candidates of the same obligor in the same purchase — must not exceed the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from trustsim.pool.tape import CURRENT, FLAG_BITS, LOST, add_months_days

#: warranty flags tested by (a), (b), (h), (i) (static) and by (c) (disputed: can change)
STATIC_FLAGS = ("encumbered", "agreement_invalid", "transfer_restricted", "litigation")
DYNAMIC_FLAGS = ("disputed",)


@dataclass(frozen=True)
class Rules:
    """The criteria's parameters (DEAL.md §7), in the units the filters use."""

    min_age_days: int = 2
    max_obligor_fen: int = 5_000_000   # 50,000 CNY
    max_worst_dpd: int = 30
    credit_levels: tuple[int, ...] = (1, 2, 3, 4)
    last_instalment_months: int = 24


@dataclass(frozen=True)
class Context:
    """What a screening needs besides the candidates: dates, rules, obligors' trust balances."""

    base_day: int                       # day number of the base / replacement start date
    effective_day: int                  # day number of the trust effective date
    rules: Rules
    obligor_balance: Callable[[np.ndarray], np.ndarray]  # obligor ids -> trust balance (fen)


Columns = dict[str, np.ndarray]


def _flag_clear(cols: Columns, name: str) -> np.ndarray:
    return (cols["flags"] & FLAG_BITS[name]) == 0


def g_limit_day(effective_day: int, rules: Rules) -> int:
    """(g)'s limit: the same day ``last_instalment_months`` after the effective date."""
    return int(add_months_days(np.array([effective_day]), rules.last_instalment_months)[0])


def a_owned_free_of_liens(cols: Columns, ctx: Context) -> np.ndarray:
    """(a) the originator truly owns it, free of any lien or third-party right."""
    return _flag_clear(cols, "encumbered")


def b_agreements_valid(cols: Columns, ctx: Context) -> np.ndarray:
    """(b) the sale agreement and the Baitiao service agreement are valid."""
    return _flag_clear(cols, "agreement_invalid")


def c_two_days_old_not_cancelled(cols: Columns, ctx: Context) -> np.ndarray:
    """(c) the Baitiao use is at least 2 days old; no cancellation, return or dispute."""
    aged = ctx.base_day - cols["origination_day"].astype(np.int64) >= ctx.rules.min_age_days
    return aged & (cols["status"] != LOST) & _flag_clear(cols, "disputed")


def by_obligor(obligor: np.ndarray) -> np.ndarray:
    """``np.argsort(obligor, kind="stable")``, as one plain sort of (obligor, position) keys
    packed in an int64 (each key distinct, so any sort gives the stable order)."""
    n = len(obligor)
    shift = max(1, int(n).bit_length())
    if n < 2 or int(obligor.min()) < 0 or int(obligor.max()) >= 1 << (62 - shift):
        return np.argsort(obligor, kind="stable")
    keys = (obligor.astype(np.int64) << shift) | np.arange(n, dtype=np.int64)
    keys.sort()
    return keys & ((1 << shift) - 1)


def d_obligor_within_limit(cols: Columns, ctx: Context) -> np.ndarray:
    """(d) the obligor's payable balance in the trust, this asset included, is within 50,000 CNY.

    Candidates count in order: an earlier accepted candidate of the same obligor adds to
    the balance a later one is tested against.
    """
    obligor = cols["obligor_id"]
    principal = cols["principal_fen"].astype(np.int64)
    cap = ctx.rules.max_obligor_fen
    if not len(obligor):
        return np.ones(0, bool)
    order = by_obligor(obligor)  # by obligor, candidate order kept inside
    ob, pr = obligor[order], principal[order]
    start = np.r_[True, ob[1:] != ob[:-1]]
    group = np.cumsum(start) - 1
    csum = np.cumsum(pr)
    before = np.r_[0, csum[:-1]]
    within = csum - before[start][group]            # cumulative balance within the obligor
    uniq = ob[start]
    existing = ctx.obligor_balance(uniq)[group]
    ok_sorted = existing + within <= cap
    # where an earlier candidate fails, it must not count against later ones: redo those exactly
    firsts = np.flatnonzero(start)
    ends = np.r_[firsts[1:], len(ob)]
    for g in np.unique(group[~ok_sorted]).tolist():
        total = int(existing[firsts[g]])
        for i in range(firsts[g], ends[g]):
            if total + int(pr[i]) <= cap:
                total += int(pr[i])
                ok_sorted[i] = True
            else:
                ok_sorted[i] = False
    ok = np.empty(len(obligor), bool)
    ok[order] = ok_sorted
    return ok


def e_no_current_overdue(cols: Columns, ctx: Context) -> np.ndarray:
    """(e) no instalment of the asset is currently overdue."""
    return (cols["late_since"] < 0) & (cols["status"] == CURRENT)


def f_worst_overdue_within_30_days(cols: Columns, ctx: Context) -> np.ndarray:
    """(f) the obligor's worst single overdue at JD Mall is at most 30 days."""
    return cols["worst_dpd"] <= ctx.rules.max_worst_dpd


def f_credit_level_1_to_4(cols: Columns, ctx: Context) -> np.ndarray:
    """(f) the obligor's Baitiao credit level is Level1-Level4."""
    return np.isin(cols["credit_level"], ctx.rules.credit_levels)


def g_last_instalment_within_24_months(cols: Columns, ctx: Context) -> np.ndarray:
    """(g) the last instalment falls no later than 24 months after the trust effective date."""
    last = cols.get("last_due_day")
    if last is None:
        last = add_months_days(cols["origination_day"], cols["instalments"].astype(np.int64))
    return last <= g_limit_day(ctx.effective_day, ctx.rules)


def h_transfer_unrestricted(cols: Columns, ctx: Context) -> np.ndarray:
    """(h) nothing in the asset documents restricts its transfer."""
    return _flag_clear(cols, "transfer_restricted")


def i_no_litigation(cols: Columns, ctx: Context) -> np.ndarray:
    """(i) the asset is not subject to litigation, arbitration or enforcement."""
    return _flag_clear(cols, "litigation")


#: every criterion except (d), which is applied last (it depends on the accepted set)
INDEPENDENT: list[tuple[str, Callable[[Columns, Context], np.ndarray]]] = [
    ("a", a_owned_free_of_liens),
    ("b", b_agreements_valid),
    ("c", c_two_days_old_not_cancelled),
    ("e", e_no_current_overdue),
    ("f", f_worst_overdue_within_30_days),
    ("f", f_credit_level_1_to_4),
    ("g", g_last_instalment_within_24_months),
    ("h", h_transfer_unrestricted),
    ("i", i_no_litigation),
]


#: criteria whose answer does not depend on the screening date or on other receivables:
#: a receivable failing one of them can never be bought, so the originator need not offer it
STATIC = [a_owned_free_of_liens, b_agreements_valid, f_worst_overdue_within_30_days,
          f_credit_level_1_to_4, g_last_instalment_within_24_months, h_transfer_unrestricted,
          i_no_litigation]


#: the other independent criteria: their answer can change between screenings
DYNAMIC = [(clause, test) for clause, test in INDEPENDENT if test not in STATIC]


def screen(cols: Columns, ctx: Context) -> np.ndarray:
    """Candidates passing every criterion (a)-(i), in candidate order."""
    ok = np.ones(len(cols["loan_id"]), bool)
    for _clause, test in INDEPENDENT:
        ok &= test(cols, ctx)
    idx = np.flatnonzero(ok)
    if len(idx):
        sub = {k: v[idx] for k, v in cols.items()}
        ok[idx] = d_obligor_within_limit(sub, ctx)
    return ok


def failures(cols: Columns, ctx: Context) -> dict[str, int]:
    """How many candidates fail each criterion, by name (for reports; a candidate may fail several)."""
    out = {f"({clause}) {test.__name__}": int((~test(cols, ctx)).sum())
           for clause, test in INDEPENDENT}
    out["(d) d_obligor_within_limit"] = int((~d_obligor_within_limit(cols, ctx)).sum())
    return out


@dataclass(frozen=True)
class Compiled:
    """The criteria as the plain numbers the compiled screening reads
    (:mod:`trustsim.pool.kernels.originator`): the same tests as the filters above, which
    ``tests/unit/test_pool_originator.py`` checks it against (:func:`screen`)."""

    rule: np.ndarray       # int64, indexed by kernels.originator.MIN_AGE ... DYNAMIC_FLAGS
    levels_ok: np.ndarray  # bool by credit level (0 .. 255): (f) Level1-Level4


def compiled(rules: Rules, effective_day: int) -> Compiled:
    """:class:`Compiled` criteria of ``rules`` for a trust effective on ``effective_day``."""
    from trustsim.pool.kernels import originator as k

    rule = np.zeros(k.N_RULE, np.int64)
    rule[k.MIN_AGE] = rules.min_age_days
    rule[k.MAX_OBLIGOR] = rules.max_obligor_fen
    rule[k.MAX_WORST] = rules.max_worst_dpd
    rule[k.LAST_DUE_LIMIT] = g_limit_day(effective_day, rules)
    rule[k.STATIC_FLAGS] = sum(int(FLAG_BITS[name]) for name in STATIC_FLAGS)
    rule[k.DYNAMIC_FLAGS] = sum(int(FLAG_BITS[name]) for name in DYNAMIC_FLAGS)
    levels_ok = np.zeros(256, bool)
    levels_ok[list(rules.credit_levels)] = True
    return Compiled(rule, levels_ok)
