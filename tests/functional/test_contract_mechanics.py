"""The contract's mechanics in the runs where they used to go wrong (issue 12, item 3).

Each test runs a bundled scenario and asserts the dates and amounts the contract gives.
"""

from __future__ import annotations


def payment_dates(run) -> list[tuple[str, str]]:
    return [(e["date"], e["waterfall"]) for e in run.of("payment_date")]


def step_paid(run, date: str, pay: str) -> int:
    return sum(e["paid_fen"] for e in run.of("waterfall_step")
               if e["date"] == date and e["pay"] == pay)


# ------------------------------------------------ [一.4.4(2)] amortization payment dates
def test_issuance_failure_on_a_roll_date_pays_the_first_amortization_date(scenario_run):
    """Trigger (h) fires on series 1's maturity 2020-12-18, itself a payment date: the next
    payment date is 10 business days later, 2021-01-04, which pays out the over-term
    repurchase price received 2020-12-21 (it used to sit idle until 2021-01-18)."""
    run = scenario_run("rollover_fails_series2")
    assert payment_dates(run)[-2:] == [("2020-12-18", "amortization"),
                                       ("2021-01-04", "amortization")]
    received = [e for e in run.of("transfer_received")
                if e["reason"] == "over-term repurchase price"]
    assert [(e["date"], e["amount_fen"]) for e in received] == [("2020-12-21", 99_686_411_430)]
    assert run.of("payment_date")[-1]["available_fen"] == 99_686_411_430
    assert step_paid(run, "2020-12-18", "senior_principal") == 702_292_690
    assert step_paid(run, "2021-01-04", "senior_principal") == 88_297_707_310
    assert (run.summary["trust_termination_date"], run.summary["termination_cause"]) == (
        "2021-01-04", "notes repaid in full")


def test_the_payment_date_after_legal_maturity_is_held(scenario_run):
    """The legal maturity 2023-09-12 is an extra payment date; the scheduled one 10
    business days after 2023-09-08, 2023-09-22, is still held before event of default (b)
    winds the trust up on 2023-09-27."""
    run = scenario_run("no_clean_up_principal_default_event_b")
    assert [d for d, _ in payment_dates(run) if d >= "2023-09-01"] == [
        "2023-09-08", "2023-09-12", "2023-09-22", "2023-09-27"]
    assert run.summary["trust_termination_date"] == "2023-09-27"


# ------------------------------------------------ [一.4.3] the required amount, once a day
def test_the_required_amount_is_computed_once_on_a_payment_date(base_run):
    """2020-11-18 is both a revolving payment date and an accrual period's first day: the
    required amount for 2020-12-18 (923,422,043 fen) is computed once, after the waterfall."""
    started = base_run.of("accrual_period_started")
    on_pd = [e for e in started if e["date"] == "2020-11-18"]
    assert [(e["target_payment_date"], e["required_amount_fen"]) for e in on_pd] == [
        ("2020-12-18", 923_422_043)]
    pd = next(e for e in base_run.of("payment_date") if e["date"] == "2020-11-18")
    assert on_pd[0]["seq"] > pd["seq"]
    # one computation for each of the 21 monthly accrual periods, none twice
    assert len(started) == len({e["date"] for e in started}) == 21
