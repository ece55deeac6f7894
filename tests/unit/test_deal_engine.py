"""The deal language's engine rules that Dongdao No. 3 does not use, one test each, worked by hand.

Most are shown on the bundled static illustrative deal (configs/deals/
static_consumer_2021_illustrative.yaml): two senior classes of one rank, class_a1 (30,000 wan
at 3.20%) and class_a2 (15,000 wan at 3.60%, stepping up to 4.60% on 2022-03-18), then
class_b (5,000 wan) paid the residual; a reserve account released and refunded on each
payment date; a servicer fee on the pool; a capped expenses fee; a cumulative-default
trigger that switches to a sequential waterfall. ACT/365F, half up, in fen.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DEAL_FILE
from support.contract import deal_notes

from trustsim.config import load_deal
from trustsim.config.load import validate_deal
from trustsim.contract.dues import DuesBook, interest_presented, period_fees
from trustsim.contract.notes import NoteClass
from trustsim.contract.schedule import PaymentDate
from trustsim.contract.triggers import CumulativeDefaults, DayFigures, build_triggers
from trustsim.contract.waterfalls import Claim, run_waterfall

D = dt.date
ROOT = Path(__file__).resolve().parents[2]
STATIC_FILE = ROOT / "configs" / "deals" / "static_consumer_2021_illustrative.yaml"
EFF = D(2021, 3, 18)           # the static deal's effective date
FIRST = D(2021, 4, 18)         # 31 days later


@pytest.fixture(scope="module")
def static():
    return load_deal(STATIC_FILE)


def variant(path: Path, change) -> Any:
    """The deal file's mapping changed by ``change``, validated (an override would merge a
    new mapping into the old one, and a rule's shape, e.g. {calculation_dates: [4]} to
    {every_n_calculation_dates: 2}, cannot change that way)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    return validate_deal(copy.deepcopy(data), str(path), path.parent)


def due(claims: list[Claim]) -> list[tuple[str, int]]:
    return [(c.payee, c.due_fen) for c in claims]


# ---------------------------------------------------------------- step-up coupon (contract/notes.py)
def test_a_step_up_coupon_accrues_at_the_new_rate_from_its_date(static):
    notes = deal_notes(static, EFF)
    a2 = notes["class_a2"]
    assert a2.step_up == (D(2022, 3, 18), Decimal("4.60"))   # carried from the deal file
    # to the step-up date itself, all at 3.60%: 1.5e10 x 3.60% x 365/365 = 540,000,000
    assert a2.projected_interest(D(2022, 3, 18)) == 540_000_000
    # 31 days more at 4.60%: 1.5e10 x 4.60% x 31/365 = 58,602,739.73 -> 58,602,740
    assert a2.book_interest(D(2022, 4, 18)) == 540_000_000 + 58_602_740
    # (all 396 days at 3.60% would be 1.5e10 x 3.60% x 396/365 = 585,863,013.70: 12,739,726 less)
    # a class without a step-up is not touched: 3e10 x 3.20% x 365/365 = 960,000,000
    assert notes["class_a1"].book_interest(D(2022, 3, 18)) == 960_000_000


def test_after_the_step_up_a_restarted_accrual_runs_at_the_new_rate_only():
    a2 = NoteClass("class_a2", 15_000_000_000, Decimal("3.60"), "ACT/365F", EFF,
                   step_up=(D(2022, 3, 18), Decimal("4.60")))
    # half repaid on 2022-04-18: interest booked to that day (598,602,740 as above), then
    # 7.5e9 accrues from it at 4.60%: 7.5e9 x 4.60% x 30/365 = 28,356,164.38 -> 28,356,164
    a2.pay_principal(7_500_000_000, D(2022, 4, 18))
    assert a2.interest_unpaid_fen == 598_602_740
    assert a2.book_interest(D(2022, 5, 18)) == 28_356_164


# ---------------------------------------------------------------- interest_presented
CALC = [PaymentDate(D(2020, 11, 18), D(2020, 11, 18), 1),
        PaymentDate(D(2020, 12, 18), series_maturity=1),      # a series maturity, no calculation date
        PaymentDate(D(2021, 2, 18), D(2021, 2, 18), 2),
        PaymentDate(D(2021, 5, 18), D(2021, 5, 18), 3),
        PaymentDate(D(2021, 8, 18), D(2021, 8, 18), 4)]


def mezz_rule(revolving: Any, amortization: str = "every_payment_date"):
    def change(data: dict) -> None:
        mezz = next(c for c in data["classes"] if c["name"] == "mezz")
        mezz["interest"] = {"revolving": revolving, "amortization": amortization}
    return variant(DEAL_FILE, change)


@pytest.mark.parametrize(("rule", "dates"), [
    ("every_payment_date", ["2020-11-18", "2020-12-18", "2021-02-18", "2021-05-18", "2021-08-18"]),
    ({"calculation_dates": [1, 3]}, ["2020-11-18", "2021-05-18"]),        # the 1st and 3rd only
    ({"every_n_calculation_dates": 2}, ["2021-02-18", "2021-08-18"]),     # k = 2, 4: k % 2 == 0
    ("none", []),
])
def test_a_class_s_revolving_interest_is_presented_on_the_dates_its_rule_names(rule, dates):
    deal = mezz_rule(rule)
    assert [p.date.isoformat() for p in CALC if "mezz" in interest_presented(deal, p, revolving=True)] == dates
    # whatever the revolving rule, amortization presents the mezz's interest on every date
    assert "mezz" in interest_presented(deal, None, revolving=False)
    assert "mezz" in interest_presented(deal, CALC[0], revolving=False)


def test_a_class_whose_amortization_interest_is_none_is_never_presented_after_revolving():
    deal = mezz_rule("every_payment_date", amortization="none")
    assert interest_presented(deal, None, revolving=False) == {"senior"}   # the sub: none too
    assert "mezz" in interest_presented(deal, CALC[0], revolving=True)


# ---------------------------------------------------------------- waterfall actions
def notes_at(static, on: dt.date, outstanding: dict[str, int]) -> dict[str, NoteClass]:
    """The static deal's classes at these balances, accruing from ``on`` (so nothing accrued)."""
    notes = deal_notes(static, on)
    for name, fen in outstanding.items():
        notes[name].outstanding_fen = fen
    return notes


def test_a_pro_rata_principal_group_pays_by_outstanding_balance(static):
    # class_a1 2e10 and class_a2 1e10 outstanding; 3,000,000,001 fen available, nothing else owed
    on = D(2021, 9, 18)
    notes = notes_at(static, on, {"class_a1": 20_000_000_000, "class_a2": 10_000_000_000})
    amortization = static.waterfalls["amortization"]
    claims = DuesBook(static, last_payment_date=on).claims(on, amortization, notes, {"class_a1", "class_a2"},
                                                           {}, {})
    assert due(claims["class_a1_class_a2_principal"]) == [
        ("class_a1_noteholders", 20_000_000_000), ("class_a2_noteholders", 10_000_000_000)]
    r = run_waterfall(amortization, claims, 3_000_000_001)
    # 2/3 and 1/3: 2,000,000,000.67 and 1,000,000,000.33, floored, the 1 fen left to the larger
    # remainder (class_a1's 0.67)
    assert r.step("class_a1_class_a2_principal").paid == (2_000_000_001, 1_000_000_000)
    # class_b waits for both seniors' principal in full
    assert r.step("class_b_principal").gated_by == "class_a1_class_a2_principal"
    # the sequential waterfall (after the cumulative-default trigger) pays class_a1 first
    seq = static.waterfalls["amortization_sequential"]
    claims = DuesBook(static, last_payment_date=on).claims(on, seq, notes, set(), {}, {})
    r = run_waterfall(seq, claims, 3_000_000_001)
    assert (r.paid("class_a1_principal"), r.paid("class_a2_principal")) == (3_000_000_001, 0)
    assert r.step("class_a2_principal").gated_by == "class_a1_principal"


def test_release_account_adds_the_account_s_balance_to_the_cash(static):
    # no cash in the trust account; the reserve holds 300,000,000 fen; taxes of 100 fen owed
    amortization = static.waterfalls["amortization"]
    claims = {"taxes": [Claim("tax_authority", 100, ("taxes", "within"))]}
    r = run_waterfall(amortization, claims, 0, releases={"reserve_account": 300_000_000})
    release = r.step("release_reserve_account")
    assert (release.action, release.released_fen, release.claims, release.paid) == (
        "release_account", 300_000_000, (), ())
    assert r.paid("taxes") == 100
    # the residual takes what is left of the released cash: 300,000,000 - 100
    assert r.step("residual_to_class_b").claims == (Claim("class_b_noteholders", 299_999_900),)
    assert r.available_fen == 0 and r.remaining_fen == 0
    # a waterfall without the action takes nothing from the account
    assert run_waterfall(static.waterfalls["amortization"][1:], claims, 0,
                         releases={"reserve_account": 300_000_000}).paid("taxes") == 0


def test_fund_account_claims_what_the_account_lacks_ahead_of_principal(static):
    # the reserve lacks 450,000,000 fen of its target; 500,000,000 fen available, no interest due
    on = D(2021, 9, 18)
    notes = notes_at(static, on, {"class_a1": 20_000_000_000, "class_a2": 10_000_000_000})
    amortization = static.waterfalls["amortization"]
    claims = DuesBook(static, last_payment_date=on).claims(
        on, amortization, notes, set(), {}, {"reserve_account": 450_000_000})
    assert claims["fund_reserve_account"] == [Claim("reserve_account", 450_000_000)]
    r = run_waterfall(amortization, claims, 500_000_000)
    # the account first, then the 50,000,000 left pro rata 2:1 to the seniors' principal:
    # 33,333,333.33 and 16,666,666.67 floored, the 1 fen left to the larger remainder (class_a2's)
    assert r.paid("fund_reserve_account") == 450_000_000
    assert r.step("class_a1_class_a2_principal").paid == (33_333_333, 16_666_667)
    # nothing lacking: a claim of 0, left out of the step
    nothing = DuesBook(static, last_payment_date=on).claims(on, amortization, notes, set(), {},
                                                            {"reserve_account": 0})
    assert run_waterfall(amortization, nothing, 10).step("fund_reserve_account").claims == ()


# ---------------------------------------------------------------- fees by basis and cap
def test_a_pct_of_pool_fee_accrues_on_the_pool_at_the_period_s_start(static):
    # 31 days; notes 5e10 fen, pool 4.8e10 fen at the period's start
    f = period_fees(static, EFF, FIRST, 0, 50_000_000_000, 48_000_000_000)
    # servicer_fee 0.50% a year of the pool: 4.8e10 x 0.50% x 31/365 = 20,383,561.64 -> 20,383,562
    assert f[("servicer_fee", "within")] == 20_383_562
    # trustee_fee 0.05% a year of the notes: 5e10 x 0.05% x 31/365 = 2,123,287.67 -> 2,123,288
    assert f[("trustee_fee", "within")] == 2_123_288
    # the dues book takes the pool's principal at the last payment date's settlement
    book = DuesBook(static, last_payment_date=EFF)
    notes = deal_notes(static, EFF)
    book.settle(EFF, run_waterfall(static.waterfalls["amortization"], {}, 0), 48_000_000_000)
    fees = book.claims(FIRST, static.waterfalls["amortization"], notes, set(), {}, {})["fees"]
    assert due(fees)[1] == ("agent:servicer", 20_383_562)


def test_a_capped_fee_s_excess_is_claimed_where_pay_fees_above_cap_names_it():
    # expenses of 400,000 CNY a year under the deal's 250,000 CNY cap, over 31 days:
    # 40,000,000 x 31/365 = 3,397,260.27 -> 3,397,260; cap 25,000,000 x 31/365 = 2,123,287.67
    # -> 2,123,288 within it; 3,397,260 - 2,123,288 = 1,273,972 above it
    costly = load_deal(STATIC_FILE, overrides={"fees": [{"name": "expenses", "cny_per_year": 400_000}]})
    f = period_fees(costly, EFF, FIRST, 0, 0, 0)
    assert (f[("expenses", "within")], f[("expenses", "above")]) == (2_123_288, 1_273_972)
    amortization = costly.waterfalls["amortization"]
    claims = DuesBook(costly, last_payment_date=EFF).claims(FIRST, amortization, deal_notes(costly, EFF),
                                                            set(), {}, {})
    assert claims["fees"][2] == Claim("expenses", 2_123_288, ("expenses", "within"))
    assert claims["expenses_above_cap"] == [Claim("expenses", 1_273_972, ("expenses", "above"))]
    # the excess ranks after class_b's principal: with cash for everything up to it, unpaid and carried
    book = DuesBook(costly, last_payment_date=EFF)
    claims = book.claims(FIRST, amortization, deal_notes(costly, EFF), set(), {}, {})
    up_to_class_b = sum(c.due_fen for step, cs in claims.items() if step != "expenses_above_cap" for c in cs)
    r = run_waterfall(amortization, claims, up_to_class_b)
    assert (r.paid("class_b_principal"), r.paid("expenses_above_cap")) == (5_000_000_000, 0)
    book.settle(FIRST, r, 0)
    assert book.carried == {("expenses", "above"): 1_273_972}


# ---------------------------------------------------------------- triggers
def figures(cumulative_default_fen: int) -> DayFigures:
    # the static deal's initial pool: 50,000 wan = 5e10 fen
    return DayFigures(D(2021, 9, 1), False, 0, 50_000_000_000, 40_000_000_000, 40_000_000_000, "AA+",
                      cumulative_default_fen=cumulative_default_fen)


def test_cumulative_defaults_fire_at_the_threshold_and_not_below(static):
    t = next(t for t in build_triggers(static) if t.name == "cumulative_defaults")
    assert isinstance(t, CumulativeDefaults) and t.threshold_ppm == 40_000   # 4%
    # 4% of 5e10 fen = 2,000,000,000 fen: one fen less does not fire ...
    assert t.observe(figures(1_999_999_999)) is None
    # ... the threshold itself does (at or above)
    fired = t.observe(figures(2_000_000_000))
    assert fired.figures == {"cumulative_default_fen": 2_000_000_000,
                             "initial_cutoff_fen": 50_000_000_000, "threshold_ppm": 40_000}
    assert t.observe(figures(3_000_000_000)) is None   # fired once, stays fired


def test_a_use_waterfall_trigger_fires_carrying_the_waterfall_it_switches_to(static):
    t = next(t for t in build_triggers(static) if t.name == "cumulative_defaults")
    fired = t.observe(figures(2_500_000_000))   # 5% of the initial pool
    assert (fired.kind, fired.clause, fired.name, fired.waterfall, fired.date) == (
        "waterfall_switch", "4.2", "cumulative_defaults", "amortization_sequential", D(2021, 9, 1))
    # the servicer's events switch to the same waterfall (a static pool has no revolving
    # period to end); the events of default switch nothing
    assert {t.name: (t.kind, t.waterfall) for t in build_triggers(static) if t.name != "cumulative_defaults"} == {
        "servicer_not_replaced": ("waterfall_switch", "amortization_sequential"),
        "transfer_failure": ("waterfall_switch", "amortization_sequential"),
        "senior_interest_default": ("default", None), "principal_default": ("default", None)}
