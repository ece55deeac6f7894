"""The audit catches each defect of issue 12 item 3 when it is put back into a clean log.

Each test takes an honest run's log, reintroduces the defect as the simulator used to
write it, and asserts the check of the clause fails, citing the date or the event.
"""

from __future__ import annotations

from audit_support import audit_of, read_events, run_folder, write_run


def test_a_skipped_amortization_payment_date_is_caught(tmp_path_factory, tmp_path):
    """rollover_fails_series2: revolving ends 2020-12-18; the contract's first amortization
    payment date is 2021-01-04. A log without it fails ``payment_dates_scheduled``."""
    clean = run_folder(tmp_path_factory, "rollover_fails_series2")
    assert audit_of(clean).result("payment_dates_scheduled").status == "pass"
    events = [e for e in read_events(clean)
              if not (e["date"] == "2021-01-04" and e["event"] == "payment_date")]
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert result.status == "fail"
    assert [f.date for f in result.findings] == ["2021-01-04"]
    assert "revolving ended 2020-12-18" in result.findings[0].message


def test_a_payment_date_the_contract_does_not_set_is_caught(tmp_path_factory, tmp_path):
    """Base run: moving the 2022-06-01 amortization payment date to 2022-06-02 leaves the
    contract's date unheld and holds one on a day it does not set."""
    clean = run_folder(tmp_path_factory)
    events = read_events(clean)
    for e in events:
        if e["event"] == "payment_date" and e["date"] == "2022-06-01":
            e["date"] = "2022-06-02"
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "payment_dates_scheduled")
    assert [(f.date, "not held" in f.message) for f in result.findings] == [
        ("2022-06-01", True), ("2022-06-02", False)]


def test_the_required_amount_computed_twice_on_a_day_is_caught(tmp_path_factory, tmp_path):
    """Base run: logging 2020-11-18's accrual_period_started again right after itself, as
    the trustee used to on every payment date, fails ``reserve_calculation_delay``."""
    clean = run_folder(tmp_path_factory)
    assert audit_of(clean).result("reserve_calculation_delay").status == "pass"
    events = read_events(clean)
    i = next(i for i, e in enumerate(events)
             if e["event"] == "accrual_period_started" and e["date"] == "2020-11-18")
    events.insert(i + 1, dict(events[i]))
    result = audit_of(write_run(clean, tmp_path / "run", events)).result(
        "reserve_calculation_delay")
    assert [(f.seq, f.related, f.date) for f in result.findings] == [
        (i + 2, (i + 1,), "2020-11-18")]
    assert "computed twice" in result.findings[0].message
