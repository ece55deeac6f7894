"""The bundled deal under its base parameters, administered end to end."""

import datetime as dt


def test_revolving_runs_21_months_to_2022_05_18(base_run):
    re = base_run.summary["revolving_end"]
    assert re == {"date": "2022-05-18", "cause": "revolving period expired"}
    changes = base_run.of("period_changed")
    assert [(e["date"], e["period"]) for e in changes] == [
        ("2020-08-18", "revolving"), ("2022-05-18", "amortization")]


def test_seven_senior_series_roll(base_run):
    issued = base_run.of("series_issued")
    assert [e["series"] for e in issued] == [1, 2, 3, 4, 5, 6, 7]
    assert [e["date"] for e in issued][1:] == [
        "2020-12-18", "2021-03-18", "2021-06-18", "2021-09-18", "2021-12-20", "2022-03-18"]
    # each roll repays the maturing series from the new series' proceeds
    repaid = [e for e in base_run.of("instruction_executed")
              if e["credit"] == "issuance_proceeds_account" and e["debit"] == "senior_noteholders"]
    assert len(repaid) == 6 and {e["amount_fen"] for e in repaid} == {89_000_000_000}


def test_all_classes_repaid_and_trust_terminates_before_legal_maturity(base_run):
    s = base_run.summary
    for cls in ("senior", "mezz", "sub"):
        assert s["notes"][cls]["paid_in_full"], cls
        assert s["notes"][cls]["loss_fen"] == 0
    assert s["notes"]["senior"]["principal_paid_fen"] == 7 * 89_000_000_000
    assert dt.date.fromisoformat(s["trust_termination_date"]) < dt.date(2023, 9, 12)
    assert s["termination_cause"] == "notes repaid in full"
    assert s["triggers"] == []


def test_series_1_bullet_interest_paid_at_its_expected_maturity(base_run):
    step = next(e for e in base_run.of("waterfall_step")
                if e["pay"] == "senior_interest" and e["date"] == "2020-12-18")
    assert step["paid_fen"] == step["due_fen"] == 892_438_356


def test_mezz_and_sub_period_income_only_at_the_4th_calculation_date(base_run):
    mezz = [e for e in base_run.of("waterfall_step") if e["pay"] == "mezz_interest"
            and e["paid_fen"] > 0 and e["date"] < "2022-05-18"]
    sub = [e for e in base_run.of("waterfall_step") if e["pay"] == "sub_income"
           and e["paid_fen"] > 0]
    assert [e["date"] for e in mezz] == ["2021-08-18"]
    # 6,000 wan x 7% x 365 days (2020-08-18 -> 2021-08-18)
    assert mezz[0]["paid_fen"] == 420_000_000
    assert [e["date"] for e in sub] == ["2021-08-18"]
    assert sub[0]["paid_fen"] == 250_000_000  # 5,000 wan x 5% x 365/365


def test_amortization_pays_every_ten_business_days(base_run):
    pds = [e["date"] for e in base_run.of("payment_date") if e["waterfall"] == "amortization"]
    assert pds[:3] == ["2022-06-01", "2022-06-16", "2022-06-30"]


def test_collections_are_swept_on_the_next_business_day(base_run):
    cal = base_run.env.calendar
    for e in base_run.of("collections_received"):
        assert e["sweep_due"] == cal.add_business_days(dt.date.fromisoformat(e["date"]), 1).isoformat()
    swept = base_run.of("collections_swept")
    assert swept[0]["date"] == "2020-08-20" and swept[0]["received_from"] == "2020-08-19"
    # Friday, Saturday and Sunday receipts go over on Monday
    monday = next(e for e in swept if e["date"] == "2020-08-24")
    assert (monday["received_from"], monday["received_to"]) == ("2020-08-21", "2020-08-23")


def test_purchases_wait_for_the_required_amount_each_accrual_period(base_run):
    events = base_run.events
    for start in base_run.of("accrual_period_started"):
        later = [e for e in events if e["seq"] > start["seq"]]
        nxt = next(e for e in later if e["event"] in ("required_amount_reserved", "purchase_confirmed"))
        assert nxt["event"] == "required_amount_reserved", start["date"]


def test_every_purchase_settles_on_the_next_business_day(base_run):
    cal = base_run.env.calendar
    executed = {e["ref"]: e for e in base_run.of("instruction_executed") if e.get("ref")}
    for req in base_run.of("purchase_requested"):
        base = dt.date.fromisoformat(req["base_date"])
        assert req["purchase_date"] == cal.add_business_days(base, 1).isoformat()
        assert executed[req["request"]]["date"] == req["purchase_date"]
        assert executed[req["request"]]["amount_fen"] == req["price_fen"]
