"""Event of default (a)'s grace [一.4.4(1)]: the arrears a payment date leaves of protected
interest (Dongdao No. 3: the senior's), the day the grace runs from, the cash kept back and
the steps a grace payment runs (trustsim.contract.arrears), on a hand-made waterfall result:
taxes, fees, senior interest, mezz interest.
"""

import datetime as dt

from trustsim.config.waterfalls import Action
from trustsim.contract.arrears import (
    arrears_since,
    grace_steps,
    held_for_grace,
    protected_steps,
    unpaid_through,
)
from trustsim.contract.waterfalls import Claim, StepResult, WaterfallResult

D = dt.date
PD = D(2021, 2, 18)       # a payment date
LATER = D(2021, 2, 22)    # a business day within the grace


def _result(senior_paid: int, fees_paid: int = 300_000) -> WaterfallResult:
    steps = (
        StepResult("taxes", "一.4.4(2)(a)1", (Claim("tax_authority", 50_000, ("taxes", "within")),),
                   (50_000,), action="pay_fees"),
        StepResult("fees", "一.4.4(2)(a)2", (Claim("agent:trustee", 200_000), Claim("agent:custodian", 100_000)),
                   (fees_paid * 2 // 3, fees_paid - fees_paid * 2 // 3), action="pay_fees"),
        StepResult("senior_interest", "一.4.4(2)(a)5", (Claim("senior_noteholders", 1_000_000),),
                   (senior_paid,), action="pay_interest"),
        StepResult("mezz_interest", "一.4.4(2)(a)6", (Claim("mezz_noteholders", 400_000),), (0,),
                   action="pay_interest"),
    )
    return WaterfallResult(1_350_000, steps, 0)


def test_protected_interest_steps_are_the_protected_classes_interest_only():
    steps = protected_steps(_result(600_000), {"senior"})
    assert [s.pay for s in steps] == ["senior_interest"]
    assert protected_steps(_result(600_000), set()) == []


def test_grace_runs_from_the_first_payment_date_that_left_protected_interest_short():
    short = protected_steps(_result(600_000), {"senior"})
    assert arrears_since(None, PD, short) == PD
    # a later date still short: the grace still counts from the first
    assert arrears_since(PD, D(2021, 3, 18), short) == PD


def test_grace_ends_when_the_protected_interest_is_paid_in_full():
    paid = protected_steps(_result(1_000_000), {"senior"})
    assert arrears_since(PD, LATER, paid) is None
    # a payment with no protected interest step changes nothing
    assert arrears_since(PD, LATER, []) == PD


def test_arrears_kept_are_what_is_unpaid_up_to_the_protected_interest():
    # fees 300,000 due, 240,000 paid: trustee 160,000 of 200,000, custodian 80,000 of 100,000;
    # senior 600,000 of 1,000,000; the mezz's 400,000 ranks after and is not kept
    unpaid = unpaid_through(_result(600_000, fees_paid=240_000), "senior_interest")
    assert unpaid == {"fees": [Claim("agent:trustee", 40_000), Claim("agent:custodian", 20_000)],
                      "senior_interest": [Claim("senior_noteholders", 400_000)]}
    assert unpaid_through(_result(600_000), None) == {}


def test_cash_held_for_a_grace_payment_is_the_arrears_while_the_grace_runs():
    unpaid = unpaid_through(_result(600_000, fees_paid=240_000), "senior_interest")
    assert held_for_grace(PD, unpaid) == 460_000   # 40,000 + 20,000 + 400,000
    assert held_for_grace(None, unpaid) == 0


def test_grace_payment_runs_the_steps_left_unpaid_after_the_payment_date_only():
    unpaid = unpaid_through(_result(600_000), "senior_interest")
    steps = [Action.model_validate({"pay_fees": "taxes", "clause": "1"}),
             Action.model_validate({"pay_interest": "senior", "clause": "5"}),
             Action.model_validate({"pay_interest": "mezz", "clause": "6"})]
    assert [a.step for a in grace_steps(PD, LATER, 500_000, unpaid, steps)] == ["senior_interest"]
    assert grace_steps(PD, PD, 500_000, unpaid, steps) is None        # the payment date itself
    assert grace_steps(PD, LATER, 0, unpaid, steps) is None           # no cash
    assert grace_steps(None, LATER, 500_000, unpaid, steps) is None   # no grace runs
