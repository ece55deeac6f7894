"""Each audit check on a small log written by hand, as a trustee's clerk would read it.

The logs here are a few lines long and name only the fields a check reads (written with
support.audit_logs); the deal's terms come from the bundled deal's resolved config,
exactly as a run folder holds them.
"""

from __future__ import annotations

import pytest
from audit_support import DEAL_FILE
from support.audit_logs import Log, close, payment_date
from support.runs import LOANS_FILE

from trustsim.audit.checks.cash import cash_reconciled_daily
from trustsim.audit.checks.instructions import custodian_payments_instructed
from trustsim.audit.checks.sweep import sweep_by_next_business_day
from trustsim.audit.checks.triggers import triggers_on_first_day
from trustsim.audit.checks.waterfall import shortfalls_carried_forward, waterfall_order
from trustsim.config import load_deal


@pytest.fixture(scope="module")
def config() -> dict:
    return load_deal(DEAL_FILE).model_dump(mode="json")


@pytest.fixture(scope="module")
def loans_config() -> dict:
    """The loan-by-loan deal: the one whose file states the eligibility criteria."""
    return load_deal(LOANS_FILE).model_dump(mode="json")


@pytest.fixture(scope="module")
def rev() -> dict[str, str]:
    """The revolving waterfall's step ids (the deal language's rule) and their clauses."""
    return {a.step: a.clause for a in load_deal(DEAL_FILE).waterfalls["revolving"]}


# ---------------------------------------------------------------- 一.4.1 sweep
def test_sweep_friday_receipt_swept_monday_is_on_time(config):
    log = Log()
    log.post("2020-09-04", "servicer", "collections_received", "collection_account", "obligors",
             500)   # Friday
    log.post("2020-09-07", "servicer", "collections_swept", "trust_account",
             "collection_account", 500)   # Monday: the 1st business day after
    out = sweep_by_next_business_day(log.audit(config))
    assert out.checked == 1 and out.findings == []


def test_sweep_on_the_second_business_day_is_cited_by_its_seq(config):
    log = Log()
    received = log.post("2020-09-04", "servicer", "collections_received", "collection_account",
                        "obligors", 500)
    swept = log.post("2020-09-08", "servicer", "collections_swept", "trust_account",
                     "collection_account", 500)   # Tuesday
    out = sweep_by_next_business_day(log.audit(config))
    assert [(f.seq, f.related) for f in out.findings] == [(swept, (received,))]


def test_sweep_late_but_explained_within_the_limit_is_excused(config):
    log = Log()
    log.post("2020-09-04", "servicer", "collections_received", "collection_account", "obligors", 5)
    log.add("2020-09-07", "servicer", "transfer_delay_explained", delay_business_days=3)
    log.post("2020-09-10", "servicer", "collections_swept", "trust_account",
             "collection_account", 5)
    out = sweep_by_next_business_day(log.audit(config))
    assert out.findings == [] and "excused" in out.notes[0]


# ---------------------------------------------------------------- custodian: instructions
def test_custodian_payment_must_follow_an_instruction_of_the_same_amount(config):
    log = Log()
    log.post("2020-09-04", "custodian", "proceeds_received", "trust_account", "investors:sub", 900)
    log.add("2020-09-07", "trustee", "instruction_issued", instruction="I1",
            value_date="2020-09-07", from_account="trust_account", to_account="tax_authority",
            amount_fen=100, reason="taxes")
    ok = log.post("2020-09-07", "custodian", "instruction_executed", "tax_authority",
                  "trust_account", 100, instruction="I1")
    wrong = log.post("2020-09-07", "custodian", "instruction_executed", "tax_authority",
                     "trust_account", 101, instruction="I1")
    bare = log.post("2020-09-07", "custodian", "instruction_executed", "expenses",
                    "trust_account", 7)
    out = custodian_payments_instructed(log.audit(config))
    seqs = [f.seq for f in out.findings]
    assert ok not in seqs and wrong in seqs and bare in seqs


# ---------------------------------------------------------------- 一.4.4(2) waterfall
def _payment_date(log: Log, available: int, steps: list[tuple[str, str, dict]]) -> list[int]:
    """A revolving payment date on 2020-11-18 (see support.audit_logs.payment_date)."""
    return payment_date(log, "2020-11-18", "revolving", available, steps)


def test_waterfall_pays_pro_rata_within_a_step_when_cash_runs_short(config, rev):
    log = Log()
    _payment_date(log, 10, [("taxes", rev["taxes"], {"tax_authority": (4, 4)}),
                            ("fees_within_cap", rev["fees_within_cap"],
                             {"agent:trustee": (6, 3), "agent:custodian": (6, 3)})])
    out = waterfall_order(log.audit(config))
    assert out.findings == [] and out.checked == 1


def test_waterfall_cites_a_step_that_pays_a_later_claim_before_an_earlier_one(config, rev):
    log = Log()
    seqs = _payment_date(log, 10, [("taxes", rev["taxes"], {"tax_authority": (8, 4)}),
                                   ("rating_fees", rev["rating_fees"], {"rating_agency": (6, 6)})])
    out = waterfall_order(log.audit(config))
    assert {f.seq for f in out.findings} == set(seqs)   # taxes underpaid, rating fees jump ahead


def test_waterfall_cites_steps_out_of_the_contract_order(config, rev):
    log = Log()
    seqs = _payment_date(log, 20, [("rating_fees", rev["rating_fees"], {"rating_agency": (6, 6)}),
                                   ("taxes", rev["taxes"], {"tax_authority": (4, 4)})])
    out = waterfall_order(log.audit(config))
    assert seqs[1] in {f.seq for f in out.findings if "order" in f.message}


def test_a_fee_shortfall_must_be_presented_again_at_the_next_payment_date(config, rev):
    log = Log()
    first = _payment_date(log, 4, [("taxes", rev["taxes"], {"tax_authority": (8, 4)})])
    again = _payment_date(log, 4, [("taxes", rev["taxes"], {"tax_authority": (3, 3)})])
    out = shortfalls_carried_forward(log.audit(config))
    assert [(f.seq, f.related) for f in out.findings] == [(again[0], (first[0],))]


# ---------------------------------------------------------------- ledger: cash per day
def test_cash_reconciliation_cites_the_close_where_a_difference_appears(config):
    log = Log()
    log.post("2020-09-03", "servicer", "collections_received", "collection_account", "obligors",
             500)
    close(log, "2020-09-03", collection_account=500)
    log.post("2020-09-04", "servicer", "collections_swept", "trust_account",
             "collection_account", 499)
    bad = close(log, "2020-09-04", collection_account=0, trust_account=500)
    close(log, "2020-09-07", collection_account=0, trust_account=500)
    out = cash_reconciled_daily(log.audit(config))
    assert sorted({f.seq for f in out.findings}) == [bad]   # once, not on every later day


# ---------------------------------------------------------------- 一.4.4(1) triggers
def _npl_closes(log: Log, ratios_pct: list[float]) -> list[int]:
    log.add("2020-08-18", "originator", "initial_pool_transferred", principal_fen=1_000_000)
    cal_days = ["2021-03-01", "2021-03-02", "2021-03-03", "2021-03-04", "2021-03-05",
                "2021-03-08", "2021-03-09"]
    seqs = []
    for date, pct in zip(cal_days, ratios_pct, strict=False):
        npl = int(pct * 10_000)
        seqs.append(log.add(date, "environment", "day_closed", period="amortization",
                            pool_non_performing_fen=npl, npl_ratio_ppm=npl,
                            pool_outstanding_fen=1_000_000, notes_outstanding_fen=1))
    return seqs


def test_trigger_e_must_fire_on_the_fifth_consecutive_business_day_above_6pct(config):
    log = Log()
    closes = _npl_closes(log, [6.1, 6.2, 6.3, 6.4, 6.5, 6.6])
    out = triggers_on_first_day(log.audit(config))
    assert [f.seq for f in out.findings] == [closes[4]]      # none fired: the 5th close cited


def test_trigger_e_fired_a_day_early_is_cited(config):
    log = Log()
    _npl_closes(log, [6.1, 6.2, 6.3, 6.4])
    early = log.add("2021-03-04", "trustee", "trigger_fired", kind="acceleration", clause="e",
                    figures={})
    out = triggers_on_first_day(log.audit(config))
    assert early in {f.seq for f in out.findings}


def test_exactly_6pct_is_not_above_the_threshold(config):
    log = Log()
    _npl_closes(log, [6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0])
    out = triggers_on_first_day(log.audit(config))
    assert out.findings == []


# ---------------------------------------------------------------- 一.3 eligibility
def test_purchases_without_loan_data_skip_the_eligibility_check(config):
    from trustsim.audit.checks.purchases import purchased_receivables_eligible

    log = Log()
    log.add("2020-09-04", "originator", "purchase_requested", request="PR1", loans=None,
            principal_fen=10, price_fen=10)
    out = purchased_receivables_eligible(log.audit(config))
    assert out.skipped and out.findings == []


def test_a_deal_stating_no_criteria_is_not_checked_against_another_deal_s(config):
    """The rep-line file has no ``pool.eligibility``: no limits are borrowed from elsewhere."""
    from trustsim.audit.checks.purchases import purchased_receivables_eligible

    assert config["pool"].get("eligibility") is None
    log = Log()
    log.add("2020-09-07", "originator", "purchase_requested", request="PR2",
            loans=[{"loan_id": "L2", "credit_level": "Level5"}])
    out = purchased_receivables_eligible(log.audit(config))
    assert out.findings == [] and out.checked == 0
    assert "states no eligibility criteria" in (out.skipped or "")


def test_a_purchase_carrying_an_ineligible_loan_is_cited(loans_config):
    from trustsim.audit.checks.purchases import purchased_receivables_eligible

    log = Log()
    fine = log.add("2020-09-04", "originator", "purchase_requested", request="PR1",
                   eligibility={"max_obligor_balance_fen": 4_000_000, "credit_levels":
                                {"Level2": 5, "Level4": 1}, "max_worst_overdue_days": 30})
    bad = log.add("2020-09-07", "originator", "purchase_requested", request="PR2",
                  loans=[{"loan_id": "L1", "credit_level": 3, "obligor_balance_fen": 100},
                         {"loan_id": "L2", "credit_level": "Level5"},
                         {"loan_id": "L3", "last_instalment": "2022-09-30"}])
    out = purchased_receivables_eligible(log.audit(loans_config))
    assert out.checked == 4
    assert [f.seq for f in out.findings] == [bad, bad]
    assert fine not in [f.seq for f in out.findings]
    assert "L2" in out.findings[0].message and "(f)" in out.findings[0].message
    assert "L3" in out.findings[1].message and "(g)" in out.findings[1].message
