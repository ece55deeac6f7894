"""What each waterfall step is owed on a payment date, and what is carried to the next [一.4.4(2)].

Worked from the deal's terms for the first payment date (2020-11-18, 92 days after the
effective date), ACT/365F, half up: counsel and rating 100,000 CNY a year, agents a share
of the 100,000 wan (1e11 fen) of notes, expenses 200,000 CNY under a 300,000 CNY cap,
taxes 3.26% of the period's non-principal income.
"""

import datetime as dt

from conftest import DEAL_FILE
from support.contract import deal_notes

from trustsim.config import load_deal
from trustsim.contract.dues import DuesBook
from trustsim.contract.waterfalls import run_waterfall

D = dt.date
EFF = D(2020, 8, 18)
FIRST = D(2020, 11, 18)


def due(claims):
    return {step: [(c.payee, c.due_fen) for c in cs] for step, cs in claims.items()}


def first_date_book(deal):
    # shortfalls carried from before: 100 fen of taxes, 50 fen of the rating fee
    return DuesBook(deal, last_payment_date=EFF, income_since_last_fen=1_000_000,
                    carried={("taxes", "within"): 100, ("rating_fees", "within"): 50})


def revolving_claims(book, deal, notes, on, interest, income):
    return book.claims(on, deal.waterfalls["revolving"], notes, interest, income, {})


def test_every_step_is_owed_its_period_amount_plus_what_was_carried(deal):
    notes = deal_notes(deal, EFF)
    book = first_date_book(deal)
    claims = revolving_claims(book, deal, notes, FIRST, {"senior", "mezz", "sub"}, {"sub": 1_234})
    assert due(claims) == {
        "taxes": [("tax_authority", 32_600 + 100)],                 # 1,000,000 x 3.26% + carried
        "trustee_counsel_fees": [("trustee_counsel", 2_520_548)],   # 10,000,000 x 92/365 = 2,520,547.95
        "rating_fees": [("rating_agency", 2_520_548 + 50)],
        "fees_within_cap": [
            ("agent:trustee", 12_602_740),                # 1e11 x 0.05% x 92/365 = 12,602,739.73
            ("agent:custodian", 2_520_548),               # 0.01%: 2,520,547.95
            ("agent:servicer", 3_780_822),                # 0.015%: 3,780,821.92
            ("agent:registrar_paying_agent", 1_260_274),  # 0.005%: 1,260,273.97
            ("expenses", 5_041_096),                      # 20,000,000 x 92/365 = 5,041,095.89, under the cap
        ],
        "expenses_above_cap": [("expenses", 0)],
        "sub_income": [("sub_noteholders", 1_234)],
        "senior_interest": [("senior_noteholders", 672_986_301)],   # 89,000 wan x 3% x 92/365 = 672,986,301.37
        "mezz_interest": [("mezz_noteholders", 105_863_014)],       # 6,000 wan x 7% x 92/365 = 105,863,013.70
    }
    # each fee-type claim is booked under its fee (or class) and part, for the carry
    assert [c.key for c in claims["fees_within_cap"]] == [
        (f, "within") for f in ("trustee_fee", "custodian_fee", "servicer_fee",
                                "registrar_paying_agent_fee", "expenses")]
    assert claims["sub_income"][0].key == ("sub", "income")
    # note interest is booked on the classes themselves, so the next date does not count it twice
    assert notes["senior"].interest_unpaid_fen == 672_986_301
    # the amortization waterfall's principal actions claim each class's outstanding balance
    # (and its residual takes no claim: it takes what is left)
    amortization = book.claims(FIRST, deal.waterfalls["amortization"], notes, {"senior", "mezz"}, {}, {})
    assert {step: due(amortization)[step] for step in amortization if step.endswith("_principal")} == {
        "senior_principal": [("senior_noteholders", 89_000_000_000)],
        "mezz_principal": [("mezz_noteholders", 6_000_000_000)],
        "sub_principal": [("sub_noteholders", 5_000_000_000)],
    }
    assert "residual_to_sub" not in amortization
    assert notes["senior"].interest_unpaid_fen == 672_986_301   # asked twice, booked once


def test_interest_the_date_does_not_pay_is_not_claimed(deal):
    claims = revolving_claims(first_date_book(deal), deal, deal_notes(deal, EFF), FIRST, set(), {})
    assert not {"senior_interest", "mezz_interest", "sub_income"} & set(claims)
    # a date that presents the mezz alone claims the mezz's interest alone
    claims = revolving_claims(first_date_book(deal), deal, deal_notes(deal, EFF), FIRST, {"mezz"}, {})
    assert due(claims)["mezz_interest"] == [("mezz_noteholders", 105_863_014)]
    assert not {"senior_interest", "sub_income"} & set(claims)


def test_fee_shortfalls_carry_to_the_next_date_and_interest_stays_on_the_notes(deal):
    book = first_date_book(deal)
    notes = deal_notes(deal, EFF)
    claims = revolving_claims(book, deal, notes, FIRST, {"senior", "mezz", "sub"}, {"sub": 1_234})
    # enough for taxes and counsel in full and 1,000,000 fen of the rating fee
    result = run_waterfall(deal.waterfalls["revolving"], claims, 32_700 + 2_520_548 + 1_000_000)
    book.settle(FIRST, result, 77_000_000_000)
    assert book.carried == {
        ("rating_fees", "within"): 2_520_598 - 1_000_000,
        ("trustee_fee", "within"): 12_602_740,
        ("custodian_fee", "within"): 2_520_548,
        ("servicer_fee", "within"): 3_780_822,
        ("registrar_paying_agent_fee", "within"): 1_260_274,
        ("expenses", "within"): 5_041_096,
        ("sub", "income"): 1_234,
    }
    # the next period starts today, on the pool's principal of today
    assert (book.last_payment_date, book.income_since_last_fen, book.pool_at_last_fen) == (
        FIRST, 0, 77_000_000_000)
    # the next date (30 days on, no income): the carry is presented again in its own step
    nxt = revolving_claims(book, deal, notes, D(2020, 12, 18), set(), {})
    assert due(nxt)["taxes"] == [("tax_authority", 0)]
    assert due(nxt)["sub_income"] == [("sub_noteholders", 1_234)]
    # the rating fee 10,000,000 x 30/365 = 821,917.81 -> 821,918, plus the carried 1,520,598
    assert due(nxt)["rating_fees"] == [("rating_agency", 821_918 + 1_520_598)]


def test_counsel_and_expenses_above_the_cap_are_carried_too(deal):
    # expenses of 500,000 CNY a year over a 300,000 CNY cap: over the 92 days 12,602,739.73
    # -> 12,602,740, of which 7,561,643.84 -> 7,561,644 within the cap and 5,041,096 above it
    costly = load_deal(DEAL_FILE, overrides={"fees": [{"name": "expenses", "cny_per_year": 500_000}]})
    book = DuesBook(costly, last_payment_date=EFF)
    claims = revolving_claims(book, costly, deal_notes(costly, EFF), FIRST, set(), {})
    assert due(claims)["expenses_above_cap"] == [("expenses", 5_041_096)]
    # 1,000,000 fen: taxes are nothing (no income), counsel gets 1,000,000 of 2,520,548
    book.settle(FIRST, run_waterfall(costly.waterfalls["revolving"], claims, 1_000_000), 0)
    assert book.carried[("trustee_counsel_fees", "within")] == 1_520_548
    assert book.carried[("expenses", "above")] == 5_041_096
    assert book.carried[("expenses", "within")] == 7_561_644
    assert ("taxes", "within") not in book.carried   # nothing was short


def test_no_fee_accrues_over_no_days(deal):
    from trustsim.contract.dues import period_fees

    f = period_fees(deal, FIRST, FIRST, 1_000_000, 100_000_000_000, 100_000_000_000)
    # taxes are a share of the period's income, not of its days: 1,000,000 x 3.26%
    assert f.pop(("taxes", "within")) == 32_600
    assert f == {**{(fee.name, "within"): 0 for fee in deal.fees if fee.name != "taxes"},
                 ("expenses", "above"): 0}
