"""The synthetic tape reproduces the report's simulated pool (DEAL.md §10, Tables 5-11).

At any scale every stratum's principal share is within 1 percentage point of the report;
at full scale every count is within 2%; the weighted averages, the obligor count and the
eligibility of every receivable hold as in the report.
"""

import numpy as np
import pytest

from trustsim.data import report
from trustsim.pool import strata
from trustsim.pool.generator import generate
from trustsim.pool.tape import CURRENT

TAB5 = report()["pool_summary_table5"]


@pytest.fixture(scope="module")
def tape():
    return generate(0.02, 20200727)


@pytest.mark.parametrize("scale", [0.002, 0.02])
def test_every_stratum_share_within_1pp_of_the_report(scale, tape):
    t = tape if scale == 0.02 else generate(scale, 7)
    for table in strata.tables(t):
        for row in table.rows:
            ref = table.report_share_pct(row)
            assert ref is not None, (table.name, row.label)
            assert abs(table.share_pct(row) - ref) <= 1.0, (table.name, row.label)


def test_counts_at_test_scale_track_the_report(tape):
    # not the 2% rule (that is for full scale), but no stratum far from its scaled count
    for table in strata.tables(tape):
        for row in table.rows:
            if row.report_count and row.report_count * 0.02 >= 1000:
                assert row.count == pytest.approx(row.report_count * 0.02, rel=0.02), row.label


def test_weighted_averages_and_obligors_match_table_5(tape):
    s = strata.summary(tape)
    assert s["obligors"] == round(TAB5["obligors"] * 0.02)
    assert s["outstanding_principal"] == pytest.approx(TAB5["outstanding_principal"] * 0.02,
                                                       rel=1e-4)
    assert s["wa_annual_fee_rate_pct"] == pytest.approx(TAB5["wa_annual_fee_rate_pct"], abs=0.05)
    assert s["wa_remaining_term_months"] == pytest.approx(TAB5["wa_remaining_term_months"],
                                                          abs=0.05)
    assert s["wa_seasoning_months"] == pytest.approx(TAB5["wa_seasoning_months"], abs=0.05)
    assert s["wa_contract_term_months"] == pytest.approx(TAB5["wa_contract_term_months"],
                                                         rel=0.01)
    assert s["contract_balance"] == pytest.approx(TAB5["contract_balance"] * 0.02, rel=0.01)
    assert (s["min_remaining_term"], s["max_remaining_term"]) == (1, 24)
    assert s["max_contract"] <= TAB5["max_contract"]


def test_every_receivable_meets_the_initial_pool_criteria(tape):
    c = tape.columns
    assert (c["status"] == CURRENT).all() and (c["dpd"] == 0).all()
    assert set(np.unique(c["credit_level"]).tolist()) <= {1, 2, 3, 4}
    assert c["worst_dpd"].max() <= 30
    owed = np.bincount(c["obligor_id"], weights=c["principal_fen"].astype(float))
    assert owed.max() <= 5_000_000  # (d) 50,000 CNY
    # one-off purchases carry no fee; fee rates are whole multiples of 0.1% a month
    assert (c["annual_fee_rate"][c["instalments"] == 1] == 0).all()
    assert np.allclose(np.round(c["annual_fee_rate"] * 1000) % 12, 0)


def test_same_seed_same_tape_and_another_seed_another(tape):
    again = generate(0.02, 20200727)
    assert all(np.array_equal(again[k], tape[k]) for k in tape.columns)
    other = generate(0.02, 1)
    assert not np.array_equal(other["principal_fen"], tape["principal_fen"])


def test_full_scale_counts_within_2pct_of_the_report():
    full = generate(1.0, 20200727)
    assert len(full) == TAB5["receivables"]
    assert strata.summary(full)["obligors"] == TAB5["obligors"]
    assert full.principal_fen == round(TAB5["outstanding_principal"] * 1_000_000)
    for table in strata.tables(full):
        for row in table.rows:
            if row.report_count:
                assert row.count == pytest.approx(row.report_count, rel=0.02), (table.name,
                                                                                 row.label)
    assert full["principal_fen"].max() == round(TAB5["max_outstanding"] * 1_000_000)


def test_obligors_are_numbered_as_they_first_appear(tape):
    ids = tape["obligor_id"]
    first = np.sort(np.unique(ids, return_index=True)[1])  # each obligor's first row
    assert (ids[first] == np.arange(1, len(first) + 1)).all()


def test_within_limit_moves_the_largest_loans_to_obligors_of_the_same_cell():
    from trustsim.pool.kernels.generator import within_limit

    # one cell of 3 obligors, another of 2; obligor 0 owes 9 (limit 5), obligor 3 owes 6
    principal = np.array([4, 3, 2, 1, 1, 4, 2], np.int64)
    obligor = np.array([0, 0, 0, 1, 2, 3, 3], np.int32)
    cell = np.array([0, 0, 0, 0, 0, 1, 1], np.int16)
    first_id, k = np.array([0, 3]), np.array([3, 2])
    owed = np.bincount(obligor, weights=principal, minlength=5).astype(np.int64)
    moved = within_limit(obligor, principal, cell, first_id, k, owed, 5,
                         np.random.default_rng(1))
    assert moved == 2  # obligor 0 gives its 4, obligor 3 its 4
    assert (owed == np.bincount(obligor, weights=principal, minlength=5)).all()
    assert owed.max() <= 5 and (np.bincount(obligor, minlength=5) > 0).all()
    assert obligor[0] in (1, 2) and obligor[5] == 4
    none = within_limit(obligor, principal, cell, first_id, k, owed, 1,
                        np.random.default_rng(1))
    assert none == -1  # nobody has room for a loan above the limit


@pytest.mark.parametrize("total", [3_000_000, 3_000_123, 1_100, 5_999_000])
def test_fit_total_gives_ascending_fen_in_bounds_summing_to_the_total(total):
    from trustsim.pool.generator import _fit_total

    rng = np.random.default_rng(5)
    values = rng.uniform(1, 60, 1000)  # CNY
    out = np.empty(1000, np.int64)
    _fit_total(values, total, 1, 5_999, rng, out)
    assert out.sum() == total and out.min() >= 1 and out.max() <= 5_999
    assert (np.diff(out) >= 0).all()


def test_obligors_kernel_uses_every_id_of_each_cell_and_no_other():
    from trustsim.pool.kernels.generator import obligors

    rng = np.random.default_rng(2)
    cell = rng.integers(0, 3, 10_000).astype(np.int16)
    size = np.bincount(cell, minlength=3)
    k = np.array([1, size[1] // 2, size[2]])  # one obligor; half; one per receivable
    first_id = np.concatenate([[0], np.cumsum(k)[:-1]])
    principal = rng.integers(1, 100, 10_000)
    out = np.empty(10_000, np.int32)
    owed = np.zeros(k.sum(), np.int64)
    obligors(cell, first_id, k, size, principal, rng, out, owed)
    for c in range(3):
        assert set(out[cell == c].tolist()) == set(range(first_id[c], first_id[c] + k[c]))
    assert (owed == np.bincount(out, weights=principal, minlength=k.sum())).all()
