"""The originator's compiled loops (trustsim.pool.kernels.originator) against the named filters.

The screening kernel implements criteria (a)-(i) again, for speed: these tests hold it to
``eligibility.screen`` on randomized inventories — receivables held in the inventory, and
receivables offered to a screening as they are originated — so the two cannot drift.
The origination kernel draws a day's new business: its rare events come at the rates the
deal gives, its receivables are consistent, and the compact and wide template layouts
draw the same receivables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from trustsim.config import load_deal
from trustsim.pool import eligibility
from trustsim.pool.book import fee_per_instalment
from trustsim.pool.loan_level import LoanLevelPool, price_of
from trustsim.pool.newbusiness import TEMPLATE_FIELDS, NewBusiness, pack_templates
from trustsim.pool.tape import (
    CURRENT,
    FLAG_BITS,
    INSTALMENT_CHOICES,
    LOST,
    NON_PERFORMING,
    ORIGINATOR,
    OVERDUE,
    add_months_days,
    day_number,
    tape_from_records,
)
from trustsim.sim.rng import RngStreams

ROOT = Path(__file__).resolve().parents[2]
EFF = dt.date(2020, 8, 18)
DAY = day_number(dt.date(2020, 9, 10))
N_OBLIGORS = 40  # the tape's obligors, each owing the trust up to 40,000 CNY


def tape(seed: int = 1):
    """A tape of 400 receivables of 40 obligors, every term, level and some fee rates."""
    rng = np.random.default_rng(seed)
    records = []
    for i in range(400):
        n = int(rng.choice(INSTALMENT_CHOICES))
        records.append({
            "loan_id": i + 1, "obligor_id": int(rng.integers(0, N_OBLIGORS)),
            "origination_date": "2020-07-01", "instalments": n, "remaining_instalments": n,
            "annual_fee_rate": float(rng.choice([0.0, 0.072, 0.12, 0.18])),
            "credit_level": int(rng.integers(1, 6)), "region": str(rng.choice(["Beijing", "Hubei"])),
            "principal_fen": int(rng.integers(10_000, 1_000_000)), "dpd": 0,
            "worst_dpd": int(rng.choice([0, 3, 45])), "status": "current", "holder": "trust"})
    return tape_from_records(records, EFF)


def make_pool(daily_pct: str = "0.5", **new_business) -> LoanLevelPool:
    deal = load_deal(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
    nb = deal.pool.new_business.model_copy(update={
        "daily_pct_of_initial": Decimal(daily_pct), **{k: Decimal(str(v)) for k, v in new_business.items()}})
    cfg = deal.pool.model_copy(update={"new_business": nb})
    return LoanLevelPool(cfg, EFF, RngStreams(7), tape=tape())


def hold_random(pool: LoanLevelPool, k: int, seed: int) -> None:
    """``k`` receivables of every kind into the inventory: some too young, too old, returned,
    overdue, disputed, encumbered, Level5, ending too late, reserved, and several of the
    same obligors (some of whom owe the trust already), so each criterion refuses some."""
    rng = np.random.default_rng(seed)
    nb = pool.new_business
    ids = nb.next_loan_id + np.arange(k)
    nb.next_loan_id += k
    orig = (DAY - rng.integers(-1, 14, k)).astype(np.int32)
    n = rng.choice(np.array(INSTALMENT_CHOICES, np.int8), k)
    status = rng.choice(np.array([CURRENT, OVERDUE, NON_PERFORMING, LOST], np.int8), k,
                        p=[0.9, 0.04, 0.03, 0.03])
    late = np.where(status == CURRENT, np.where(rng.random(k) < 0.03, DAY - 5, -1), DAY - 40)
    flags = np.zeros(k, np.uint8)
    for bit in FLAG_BITS.values():
        flags[rng.random(k) < 0.03] |= bit
    returned = rng.random(k) < 0.05
    principal = rng.integers(1_000, 1_500_000, k)
    obligor = np.where(rng.random(k) < 0.5, rng.integers(0, N_OBLIGORS, k),
                       rng.integers(100_000, 100_050, k))
    nb.hold({
        "loan_id": ids, "obligor_id": obligor, "origination_day": orig, "instalments": n,
        "annual_fee_rate": np.full(k, 0.072), "credit_level": rng.integers(1, 6, k).astype(np.int8),
        "region": np.zeros(k, np.int16), "principal_fen": principal,
        "fee_fen": fee_per_instalment(principal, np.full(k, 0.072)),
        "worst_dpd": rng.choice(np.array([0, 10, 30, 31, 90], np.int16), k),
        "flags": flags, "status": status, "late_since": late.astype(np.int32),
        "lost_day": np.where(returned, DAY + rng.integers(-3, 4, k), -1),
        "last_due_day": add_months_days(orig, n.astype(np.int64)),
        "reserved_until": np.where(rng.random(k) < 0.02, DAY + 5, -1),
        "holder": np.full(k, ORIGINATOR, np.int8)})


def named_filters(pool: LoanLevelPool, cols: dict[str, np.ndarray]) -> np.ndarray:
    ctx = eligibility.Context(DAY, pool.effective_day, pool.rules, pool.obligor_balances)
    return eligibility.screen(cols, ctx)


def screen(pool: LoanLevelPool, target: int, price_pct=None, fen: int = 0):
    """A screening of the inventory on DAY (then a top-up of ``fen`` offered to it)."""
    nb = pool.new_business
    s = nb.screening_for(DAY, target, price_pct, pool.static, pool.book.obligor_fen)
    nb.screen(s, lag=pool.rules.min_age_days)
    if fen:
        nb.top_up(DAY - pool.rules.min_age_days, fen)
    nb.finish(s)
    return s


def taken(s) -> dict[str, np.ndarray]:
    return {name: col[: s.n] for name, col in s.cols.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_compiled_screening_of_the_inventory_agrees_with_the_named_filters(seed):
    pool = make_pool()
    pool.new_business.daily_fen = 0  # the inventory holds only what the test puts in it
    hold_random(pool, 3000, seed)
    nb = pool.new_business
    rows = nb.candidate_rows(DAY)
    cols = nb.view(rows, DAY)
    ok = named_filters(pool, cols)
    counts = eligibility.failures(cols, eligibility.Context(
        DAY, pool.effective_day, pool.rules, pool.obligor_balances))
    assert all(n > 0 for n in counts.values()), counts  # every criterion refuses some
    s = screen(pool, 10**15)
    got = taken(s)
    assert got["loan_id"].tolist() == cols["loan_id"][ok].tolist()
    # the evidence: the largest obligor balance with the receivables taken, and their levels
    after = pool.obligor_balances(got["obligor_id"])
    for ob in np.unique(got["obligor_id"]):
        after[got["obligor_id"] == ob] += got["principal_fen"][got["obligor_id"] == ob].sum()
    assert s.fig[0] == after.max() <= pool.rules.max_obligor_fen
    assert s.levels[:6].tolist() == np.bincount(got["credit_level"], minlength=6).tolist()


@pytest.mark.parametrize("seed", [1, 2])
def test_receivables_offered_as_they_are_originated_are_screened_alike(seed):
    # many repeat users of 40 obligors who owe the trust a lot: (d) refuses some; warranty
    # breaches and returns within two days refuse others
    pool = make_pool(repeat_obligor_pct=60, warranty_breach_pct=3)
    pool.new_business.rng = np.random.default_rng(seed)
    hold_random(pool, 500, seed)
    nb = pool.new_business
    first_new = nb.next_loan_id
    s = screen(pool, 10**15, fen=2_000_000_000)
    got = taken(s)
    new = got["loan_id"] >= first_new
    assert new.sum() > 300  # taken as they were originated
    # every candidate: the inventory's (held, and originated but not taken) and those taken
    # as they were originated, in the order the screening met them (loan ids)
    rows = nb.candidate_rows(DAY)
    cols = nb.view(rows, DAY)
    fresh = {k: got[k][new] for k in ("loan_id", "obligor_id", "origination_day", "instalments",
                                       "credit_level", "principal_fen", "status", "worst_dpd",
                                       "flags")}
    fresh["late_since"] = np.full(new.sum(), -1, np.int32)
    fresh["last_due_day"] = add_months_days(fresh["origination_day"],
                                            fresh["instalments"].astype(np.int64))
    fresh["remaining_instalments"] = fresh["instalments"]
    lost_day = got["lost_day"][new]
    assert not ((lost_day >= 0) & (lost_day <= DAY)).any()  # none returned by DAY was taken
    both = {k: np.concatenate([cols[k], fresh[k]]) for k in fresh}
    order = np.argsort(both["loan_id"], kind="stable")
    both = {k: v[order] for k, v in both.items()}
    ok = named_filters(pool, both)
    assert (~ok).sum() > 20
    assert got["loan_id"].tolist() == both["loan_id"][ok].tolist()


def test_an_offer_within_a_budget_takes_receivables_that_pass_as_a_set():
    pool = make_pool(repeat_obligor_pct=60, warranty_breach_pct=3)
    hold_random(pool, 500, 4)
    budget = 30_000_000
    s = screen(pool, budget, Decimal("100.5"), fen=100_000_000)
    got = taken(s)
    price = price_of(got["principal_fen"], Decimal("100.5"))
    assert s.got == int(price.sum()) <= budget and s.n > 20 and s.crossed
    cols = dict(got, late_since=np.full(s.n, -1, np.int32), remaining_instalments=got["instalments"],
                last_due_day=add_months_days(got["origination_day"], got["instalments"].astype(np.int64)))
    cols["status"] = np.where((got["lost_day"] >= 0) & (got["lost_day"] <= DAY), LOST, got["status"])
    assert named_filters(pool, cols).all()


def test_new_business_comes_with_the_deal_s_rates_of_ineligible_receivables():
    t = tape(2)
    cfg = SimpleNamespace(level5_pct=2, worst_dpd_over_30_pct=1, warranty_breach_pct=1,
                          repeat_obligor_pct=25, inventory_days=10)
    nb = NewBusiness(t, cfg, 0.01, np.random.default_rng(5), 0, first_loan_id=1000,
                     first_obligor_id=1)
    day = day_number(dt.date(2021, 3, 31))
    cols = nb.originate(day, 200_000 * int(t.columns["original_principal_fen"].mean()))
    k = len(cols["loan_id"])
    assert k > 150_000

    def near(share: float, p: float) -> bool:
        return abs(share - p) < 5 * np.sqrt(p * (1 - p) / k) + 1e-12

    tpl_level5 = np.mean(t.columns["credit_level"] == 5)
    assert near(np.mean(cols["credit_level"] == 5), 0.02 + 0.98 * tpl_level5)
    tpl_bad = np.mean(t.columns["worst_dpd"] > 30)
    assert near(np.mean(cols["worst_dpd"] > 30), 0.01 + 0.99 * tpl_bad)
    for bit in FLAG_BITS.values():
        assert near(np.mean((cols["flags"] & bit) != 0), 0.01)
    assert near(np.mean(cols["obligor_id"] < nb.unique_from), 0.25)
    assert near(np.mean(cols["lost_day"] >= 0), 0.01)
    lost = cols["lost_day"][cols["lost_day"] >= 0]
    assert lost.min() >= day + 1 and lost.max() <= day + 30
    # each receivable is consistent: new ids, its template's fee, its last instalment
    assert (np.diff(cols["loan_id"]) == 1).all() and cols["loan_id"][0] == 1000
    fresh = cols["obligor_id"][cols["obligor_id"] >= nb.unique_from]
    assert len(np.unique(fresh)) == len(fresh)
    assert (cols["fee_fen"] == fee_per_instalment(cols["principal_fen"], cols["annual_fee_rate"])).all()
    assert (cols["last_due_day"] == add_months_days(cols["origination_day"],
                                                    cols["instalments"].astype(np.int64))).all()
    assert set(np.unique(cols["instalments"]).tolist()) == set(np.unique(t.columns["instalments"]).tolist())
    assert (cols["origination_day"] == day).all() and (cols["status"] == CURRENT).all()


def test_the_compact_and_wide_templates_draw_the_same_receivables():
    t = tape(3)
    cfg = SimpleNamespace(level5_pct=2, worst_dpd_over_30_pct=1, warranty_breach_pct=1,
                          repeat_obligor_pct=25, inventory_days=10)
    out = []
    for wide in (False, True):
        nb = NewBusiness(t, cfg, 0.01, np.random.default_rng(9), 0, first_loan_id=1, first_obligor_id=1)
        assert nb.templates.compact
        if wide:
            by_term = np.argsort(t.columns["instalments"], kind="stable")
            nb.templates = pack_templates({k: t.columns[k][by_term] for k in TEMPLATE_FIELDS}, wide=True)
            assert not nb.templates.compact
        out.append(nb.originate(DAY, 50_000_000))
    assert out[0].keys() == out[1].keys()
    for name in out[0]:
        assert np.array_equal(out[0][name], out[1][name]), name


def test_the_pool_s_originator_keeps_only_receivables_it_could_ever_offer():
    pool = make_pool()
    nb = pool.new_business
    day = day_number(dt.date(2021, 9, 1))  # a 12-instalment receivable then ends too late for (g)
    cols = nb.originate(day, 100_000_000)
    assert len(cols["loan_id"]) > 100 and cols["static_ok"].all()
    assert pool._offerable(cols).all()
    assert cols["instalments"].max() < 12


def test_offered_receivables_are_held_for_the_trust_until_it_buys_them():
    pool = make_pool()
    pool.new_business.daily_fen = 0
    hold_random(pool, 300, 5)
    base = dt.date(2020, 9, 10)
    first = pool.eligible_offer(base, 30_000_000, Decimal(100))
    second = pool.eligible_offer(base, 10**12, Decimal(100))  # the rest, and more of the book
    assert first.loans and second.loans
    assert not set(first.lots.loan_ids.tolist()) & set(second.lots.loan_ids.tolist())
    pool.buy(first, base + dt.timedelta(days=1))
    held = set(pool.book.c["loan_id"][pool.book.live()].tolist())
    assert set(first.lots.loan_ids.tolist()) <= held
    with pytest.raises(KeyError):
        pool.buy(first, base + dt.timedelta(days=1))  # sold once only


def test_the_fee_rates_distinct_values_and_indices_agree_with_numpy_unique():
    """The templates' rate table comes from a hash table (kernels.originator.distinct): same
    values, same order and same index of every row as ``np.unique``, the sign of zero kept;
    more values than the limit give nothing (the wide layout's ``np.unique`` takes over)."""
    from trustsim.pool.kernels.originator import distinct

    rng = np.random.default_rng(3)
    rates = rng.choice(np.array([0.0, -0.0, 0.072, 0.0899, 0.12, 0.1236, 0.18]), 50_000)
    bits = rates.view(np.int64)
    values, index = distinct(bits, 64)
    want_values, want_index = np.unique(bits, return_inverse=True)
    assert values.tolist() == want_values.tolist()
    assert index.tolist() == want_index.reshape(-1).tolist()
    many = rng.random(1_000).view(np.int64)
    assert len(distinct(many, 64)[0]) == 0
    assert len(distinct(many, 1_000)[0]) == len(np.unique(many))


def test_compact_templates_in_a_given_order_are_the_rows_packed_in_that_order():
    four = tape_from_records([
        {"loan_id": i + 1, "obligor_id": 100 + i, "origination_date": "2020-07-01",
         "instalments": n, "remaining_instalments": n, "annual_fee_rate": rate,
         "credit_level": 1 + i % 4, "region": "Beijing", "principal_fen": 10_000 * (i + 1),
         "dpd": 0, "worst_dpd": 0, "status": "current", "holder": "trust"}
        for i, (n, rate) in enumerate([(12, 0.12), (3, 0.0), (6, 0.12), (3, 0.18)])], EFF)
    order = np.argsort(four.columns["instalments"], kind="stable")
    whole = pack_templates(four.columns, order=order)
    one_by_one = pack_templates({k: four.columns[k][order] for k in TEMPLATE_FIELDS})
    assert whole.compact and one_by_one.compact
    assert whole.packed.tolist() == one_by_one.packed.tolist()
    assert whole.obligor.tolist() == [101, 103, 102, 100]
