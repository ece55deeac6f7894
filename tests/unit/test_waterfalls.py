"""Each waterfall step of the bundled deal, in the contract's order [一.4.4(2)]."""

import datetime as dt

import pytest
from conftest import DEAL_FILE

from trustsim.config import load_deal
from trustsim.contract.dues import DuesBook
from trustsim.contract.notes import NoteClass
from trustsim.contract.waterfalls import Claim, run_waterfall

D = dt.date


def claims(**steps):
    return {k: [Claim(p, v) for p, v in payees.items()] for k, payees in steps.items()}


def test_revolving_order_taxes_first_then_fees_then_senior_interest(deal):
    c = claims(taxes={"tax_authority": 100}, trustee_counsel_fees={"trustee_counsel": 50},
               rating_fees={"rating_agency": 50}, fees_within_cap={"agent:trustee": 100},
               senior_interest={"senior_noteholders": 1000})
    r = run_waterfall(deal.waterfalls["revolving"], c, 1250)
    assert [s.pay for s in r.steps if s.claims] == [
        "taxes", "trustee_counsel_fees", "rating_fees", "fees_within_cap", "senior_interest"]
    assert r.paid("senior_interest") == 950
    assert r.step("senior_interest").shortfall_fen == 50
    assert r.remaining_fen == 0


def test_revolving_rest_is_retained_in_the_trust_account(deal):
    r = run_waterfall(deal.waterfalls["revolving"], claims(taxes={"tax_authority": 10}), 1000)
    assert r.remaining_fen == 990
    assert r.steps[-1].pay == "retain"


def test_shortfall_within_one_step_is_paid_pro_rata(deal):
    c = claims(fees_within_cap={"agent:trustee": 500, "agent:custodian": 100,
                                "expenses": 400})
    r = run_waterfall(deal.waterfalls["revolving"], c, 500)
    assert r.step("fees_within_cap").paid == (250, 50, 200)


def test_expenses_above_cap_come_after_mezz_interest_in_revolving(deal):
    c = claims(mezz_interest={"mezz_noteholders": 300}, expenses_above_cap={"expenses": 300},
               sub_income={"sub_noteholders": 300})
    r = run_waterfall(deal.waterfalls["revolving"], c, 500)
    assert (r.paid("mezz_interest"), r.paid("expenses_above_cap"), r.paid("sub_income")) == (
        300, 200, 0)


def test_amortization_senior_principal_before_mezz(deal):
    c = claims(senior_interest={"senior_noteholders": 10},
               senior_principal={"senior_noteholders": 1000},
               mezz_interest={"mezz_noteholders": 50}, mezz_principal={"mezz_noteholders": 500})
    r = run_waterfall(deal.waterfalls["amortization"], c, 800)
    assert r.paid("senior_interest") == 10
    assert r.paid("senior_principal") == 790
    assert r.paid("mezz_interest") == 0


def test_mezz_interest_is_booked_not_paid_until_senior_is_repaid(deal):
    c = claims(senior_principal={"senior_noteholders": 100},
               mezz_interest={"mezz_noteholders": 50}, mezz_principal={"mezz_noteholders": 500})
    r = run_waterfall(deal.waterfalls["amortization"], c, 99)
    mezz = r.step("mezz_interest")
    assert mezz.gated_by == "senior_principal"
    assert mezz.paid_fen == 0
    assert r.step("mezz_principal").gated_by == "mezz_interest"


def test_once_senior_is_repaid_mezz_interest_then_principal_then_sub(deal):
    c = claims(senior_principal={"senior_noteholders": 100},
               mezz_interest={"mezz_noteholders": 50}, mezz_principal={"mezz_noteholders": 500},
               sub_principal={"sub_noteholders": 400}, expenses_above_cap={"expenses": 30})
    r = run_waterfall(deal.waterfalls["amortization"], c, 1200)
    assert [r.paid(s) for s in ("senior_principal", "mezz_interest", "mezz_principal",
                                "sub_principal", "expenses_above_cap", "residual_to_sub")] == [
        100, 50, 500, 400, 30, 120]
    assert r.remaining_fen == 0


def test_post_default_waterfall_is_configured_separately(deal):
    # the report gives the same order after an event of default, word for word ...
    assert [s.step for s in deal.waterfalls["post_default"]] == [
        s.step for s in deal.waterfalls["amortization"]]
    # ... but a deal whose documents differ says so in post_default alone: here the
    # expenses above the cap move ahead of senior interest after a default
    actions = deal.waterfalls["post_default"]
    steps = [a.model_dump(exclude_none=True) for a in actions]
    above = steps.pop([a.step for a in actions].index("expenses_above_cap"))
    steps.insert([a.step for a in actions].index("senior_interest"), above)
    changed = load_deal(DEAL_FILE, overrides={"waterfalls": {"post_default": steps}})
    assert changed.waterfalls["amortization"] == deal.waterfalls["amortization"]
    c = claims(senior_interest={"senior_noteholders": 100},
               senior_principal={"senior_noteholders": 1000}, expenses_above_cap={"expenses": 50})
    before = run_waterfall(changed.waterfalls["amortization"], c, 1000)
    after = run_waterfall(changed.waterfalls["post_default"], c, 1000)
    assert [before.paid(s) for s in ("senior_interest", "senior_principal", "expenses_above_cap")] == [
        100, 900, 0]
    assert [after.paid(s) for s in ("senior_interest", "senior_principal", "expenses_above_cap")] == [
        100, 850, 50]


def test_fee_shortfalls_are_carried_to_the_next_payment_date(deal):
    eff = D(2020, 8, 18)
    notes = {n: NoteClass(n, v, deal.note_class(n).coupon_pct, "ACT/365F", eff) for n, v in (
        ("senior", 89_000_000_000), ("mezz", 6_000_000_000), ("sub", 5_000_000_000))}
    revolving = deal.waterfalls["revolving"]
    book = DuesBook(deal, last_payment_date=eff, income_since_last_fen=1_000_000)
    c1 = book.claims(D(2020, 11, 18), revolving, notes, set(), {}, {})
    taxes = c1["taxes"][0].due_fen
    assert taxes == 32_600  # 3.26% of 1,000,000 fen of income
    r1 = run_waterfall(revolving, c1, 10_000)
    book.settle(D(2020, 11, 18), r1, 0)
    assert book.carried[("taxes", "within")] == taxes - 10_000
    c2 = book.claims(D(2020, 12, 18), revolving, notes, {"senior"}, {}, {})
    assert c2["taxes"][0].due_fen == taxes - 10_000  # no new income since: only the carry
    # series 1's bullet interest: 89,000 wan x 3% x 122/365
    assert c2["senior_interest"][0].due_fen == 892_438_356


@pytest.mark.parametrize("days,expected_fen", [(92, 2_520_548), (365, 10_000_000)])
def test_counsel_fee_accrues_pro_rata_by_days(deal, days, expected_fen):
    from trustsim.contract.dues import period_fees

    f = period_fees(deal, D(2021, 1, 1), D(2021, 1, 1) + dt.timedelta(days=days), 0, 0, 0)
    assert f[("trustee_counsel_fees", "within")] == expected_fen  # 100,000 CNY a year x days / 365, half up


def test_expenses_above_the_senior_cap_are_split_off(deal):
    from trustsim.contract.dues import period_fees

    cfg = load_deal(DEAL_FILE, overrides={"fees": [
        {"name": "expenses", "cny_per_year": 500_000, "cap_cny_per_year": 300_000}]})
    f = period_fees(cfg, D(2021, 1, 1), D(2022, 1, 1), 0, 0, 0)
    # a year of 500,000 CNY: 300,000 within the cap, 200,000 above it
    assert (f[("expenses", "within")], f[("expenses", "above")]) == (30_000_000, 20_000_000)


def test_each_step_result_names_its_clause_and_the_result_its_cash(deal):
    c = claims(taxes={"tax_authority": 100})
    r = run_waterfall(deal.waterfalls["revolving"], c, 1_000)
    assert r.available_fen == 1_000
    taxes = r.step("taxes")
    assert (taxes.clause, taxes.claims, taxes.paid, taxes.action) == (
        "一.4.4(2) revolving 1", (Claim("tax_authority", 100),), (100,), "pay_fees")
    retain = r.step("retain")
    assert (retain.clause, retain.claims, retain.paid, retain.action) == (
        deal.waterfalls["revolving"][-1].clause, (), (), "retain")
    assert r.paid("senior_interest") == 0     # a step with nothing owed pays nothing
    assert r.paid("senior_principal") == 0    # nor does a step this waterfall does not have


def test_the_residual_goes_to_the_sub_noteholders(deal):
    r = run_waterfall(deal.waterfalls["amortization"], claims(taxes={"tax_authority": 30}), 100)
    assert r.step("residual_to_sub").claims == (Claim("sub_noteholders", 70),)


def test_claims_of_nothing_are_left_out_and_one_fen_is_paid(deal):
    c = claims(fees_within_cap={"agent:trustee": 0, "agent:custodian": 1})
    r = run_waterfall(deal.waterfalls["revolving"], c, 10)
    assert r.step("fees_within_cap").claims == (Claim("agent:custodian", 1),)
    assert r.step("fees_within_cap").paid == (1,)


def test_a_gated_step_keeps_its_clause_and_claims_and_pays_nothing(deal):
    c = claims(senior_principal={"senior_noteholders": 100}, mezz_interest={"mezz_noteholders": 50})
    mezz = run_waterfall(deal.waterfalls["amortization"], c, 99).step("mezz_interest")
    clause = next(s.clause for s in deal.waterfalls["amortization"] if s.step == "mezz_interest")
    assert clause.startswith("一.4.4(2) amortization 7")
    assert (mezz.clause, mezz.claims, mezz.paid) == (clause, (Claim("mezz_noteholders", 50),), (0,))


def test_no_cash_pays_nothing_and_negative_cash_is_refused(deal):
    r = run_waterfall(deal.waterfalls["revolving"], claims(taxes={"tax_authority": 5}), 0)
    assert r.step("taxes").shortfall_fen == 5 and r.remaining_fen == 0
    with pytest.raises(ValueError, match=r"^available cash cannot be negative$"):
        run_waterfall(deal.waterfalls["revolving"], {}, -1)
