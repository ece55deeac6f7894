"""`trustsim audit` passes on the base run and on every bundled scenario.

A clean run must pass every check: a check that fails on an honest log is a check that
cries wolf. The scenarios exercise the excuses the contract allows (explained delays, a
servicer awaiting its successor, triggers recognised on their day).
"""

from __future__ import annotations

import pytest
from audit_support import DEALS, OTHER_DEALS, SCENARIOS, audit_of, read_events, run_folder
from support.deal_runs import VARIANTS, variant_run

from trustsim.audit.checks.purchases import reserve_calculation_delay
from trustsim.audit.log import AuditLog


def _failures(report) -> list[str]:
    return [f"{r.name}: seq {f.seq}: {f.message}" for r in report.results for f in r.findings]


def test_audit_passes_on_the_base_run(tmp_path_factory):
    report = audit_of(run_folder(tmp_path_factory))
    assert report.passed, _failures(report)
    checked = {r.name: r.checked for r in report.results}
    # the checks looked at real material, not at an empty log
    # (the base run's two years: 2020-08-18 to 2022-08-25)
    assert checked["sweep_by_next_business_day"] > 700
    assert checked["waterfall_order"] > 15
    assert checked["custodian_payments_instructed"] > 600
    assert report.result("purchased_receivables_eligible").status == "skipped"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_audit_passes_on_every_bundled_scenario(tmp_path_factory, scenario):
    report = audit_of(run_folder(tmp_path_factory, scenario))
    assert report.passed, _failures(report)


@pytest.mark.parametrize("deal,scenario", OTHER_DEALS,
                         ids=[f"{d}:{s or 'as filed'}" for d, s in OTHER_DEALS])
def test_audit_passes_on_every_other_bundled_deal_and_its_scenarios(tmp_path_factory, deal,
                                                                    scenario):
    """The 2015 deal (no rolling class, monthly amortization) and the static illustrative
    deal (pro-rata seniors, a reserve, a cumulative-default switch), as filed and under
    each scenario that applies to them, audit clean."""
    report = audit_of(run_folder(tmp_path_factory, scenario, DEALS / f"{deal}.yaml"))
    assert report.passed, _failures(report)


@pytest.mark.parametrize("variant", VARIANTS)
def test_audit_passes_on_other_deals_runs(tmp_path_factory, variant):
    """Classes renamed, a static pool (amortizing every 3 months, or every 10 business
    days), a reserve account topped up then released, a trigger switching the waterfall,
    a cumulative-default trigger: an honest run of each audits clean."""
    report = audit_of(variant_run(tmp_path_factory, variant))
    assert report.passed, _failures(report)


@pytest.mark.parametrize("variant,kind,clause", [
    ("npl_switches_to_a_sequential_waterfall", "waterfall_switch", "s"),
    ("cumulative_default_trigger", "acceleration", "i"),
])
def test_a_new_deals_trigger_is_recomputed_not_just_accepted(tmp_path_factory, variant, kind,
                                                             clause):
    run = variant_run(tmp_path_factory, variant)
    assert [(e["kind"], e["clause"]) for e in read_events(run)
            if e["event"] == "trigger_fired"] == [(kind, clause)]
    notes = audit_of(run).result("triggers_on_first_day").notes
    assert any(n.startswith(f"{kind} ({clause}) fired") and n.endswith("confirmed")
               for n in notes), notes


def test_the_trigger_run_has_its_trigger_recomputed_not_just_accepted(tmp_path_factory):
    report = audit_of(run_folder(tmp_path_factory, "stress_aaa_series2_fails"))
    result = report.result("triggers_on_first_day")
    assert result.status == "pass"
    assert any(n.startswith("acceleration (h) fired") and n.endswith("confirmed")
               for n in result.notes), result.notes


def test_a_reserve_delay_stated_beyond_the_limit_is_cited(scenario_run):
    # the servicer's outage runs 12 business days; it may delay the reserve at most 10
    outage = {"kind": "servicer_outage", "start": "2021-03-01", "duration_business_days": 12}
    run = scenario_run("base", {"incidents": [outage]})
    out = reserve_calculation_delay(AuditLog.from_events(run.events, run.env.deal.model_dump(mode="json")))
    notice = run.of("reserve_delay_notified")[0]
    assert notice["delay_business_days"] == 12
    assert [(f.seq, f.message) for f in out.findings] == [
        (notice["seq"], "reserve_delay_notified states a delay of 12 business days (limit 10)")]


def test_a_reserve_delay_within_the_limit_is_not(scenario_run):
    run = scenario_run("servicer_outage_7bd")
    out = reserve_calculation_delay(AuditLog.from_events(run.events, run.env.deal.model_dump(mode="json")))
    assert run.of("reserve_delay_notified")[0]["delay_business_days"] == 7
    assert out.findings == []
