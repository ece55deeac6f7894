"""The agency's AAAsf stress with series 2 failing to issue (trigger h) [四, 一.4.4(1)(h)]."""


def test_revolving_ends_on_series_1_expected_maturity(stress_run):
    s = stress_run.summary
    assert s["revolving_end"] == {"date": "2020-12-18", "cause": "acceleration event (h)"}
    assert s["triggers"] == [{"kind": "acceleration", "clause": "h", "date": "2020-12-18",
                              "figures": {"series": 2}, "name": "issuance_failure"}]
    assert s["notes"]["senior"]["series_issued"] == [1]


def test_no_revolving_purchase_after_the_event(stress_run):
    assert all(e["date"] <= "2020-12-18" for e in stress_run.of("purchase_confirmed"))
    assert all(e["date"] <= "2020-12-21" for e in stress_run.of("receivables_transferred"))


def test_cash_is_distributed_in_the_amortization_order_after_the_event(stress_run):
    """The event's day is the revolving period's last payment date (interest and period
    income, interest.at_issuance_failure); every later one is in the amortization order."""
    pds = stress_run.of("payment_date")
    after = [e for e in pds if e["date"] >= "2020-12-18"]
    assert after[0]["date"] == "2020-12-18" and after[0]["waterfall"] == "revolving"
    assert {e["waterfall"] for e in after[1:]} == {"amortization"}
    steps = [e for e in stress_run.of("waterfall_step") if e["date"] > "2020-12-18"]
    order = [e["pay"] for e in steps if e["date"] == steps[0]["date"]]
    assert order.index("senior_interest") < order.index("senior_principal")
    # senior principal is paid from collections and the repurchase, not from series 2 proceeds
    principal = next(e for e in steps if e["pay"] == "senior_principal")
    assert principal["paid_fen"] > 0
    assert not [e for e in stress_run.of("instruction_executed")
                if e["credit"] == "issuance_proceeds_account" and e["date"] > "2020-08-18"]


def test_mezz_paid_nothing_until_the_senior_is_repaid(stress_run):
    senior_done = next(e["date"] for e in stress_run.of("waterfall_step")
                       if e["pay"] == "senior_principal" and e["shortfall_fen"] == 0)
    mezz_paid = [e for e in stress_run.of("waterfall_step")
                 if e["pay"] in ("mezz_interest", "mezz_principal") and e["paid_fen"] > 0
                 and e["date"] > "2020-12-18"]
    assert mezz_paid and all(e["date"] >= senior_done for e in mezz_paid)


def test_waterfall_paid_never_exceeds_due(stress_run):
    for e in stress_run.of("waterfall_step"):
        assert 0 <= e["paid_fen"] <= e["due_fen"] or e["pay"] == "residual_to_sub"
