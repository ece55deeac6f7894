"""The audit's servicer-failure rules on small logs written by hand (trustsim/audit/checks/
servicing.py, and what a failure changes in the sweep check): the bundled deal's resolved
config, a few lines each. Whole runs, and forged ones, are in
tests/functional/test_servicer_failure.py."""

from __future__ import annotations

import datetime as dt

import pytest
from audit_support import DEAL_FILE
from support.audit_logs import Log

from trustsim.audit.checks.servicing import (
    frozen_collections_at_risk,
    redirection_notice_within_lag,
    successor_takes_over_on_time,
)
from trustsim.audit.checks.sweep import Excuses, sweep_by_next_business_day
from trustsim.config import load_deal


@pytest.fixture(scope="module")
def config() -> dict:
    return load_deal(DEAL_FILE).model_dump(mode="json")


def freeze(log: Log, date: str, balance: int = 0) -> int:
    return log.add(date, "servicer", "collection_account_frozen", balance_fen=balance, held_since=None)


# ---------------------------------------------------------------- the sweep: what a failure excuses
def test_a_terminated_servicer_that_sweeps_late_is_not_excused_by_the_termination(config):
    """It transfers until its successor takes over: (b) counts the days, (c) the transfers."""
    log = Log()
    log.add("2021-02-01", "trustee", "servicer_termination_event", cause="servicer_termination",
            successor_deadline="2021-05-02")
    received = log.post("2021-02-01", "servicer", "collections_received", "collection_account", "obligors", 9)
    swept = log.post("2021-02-03", "servicer", "collections_swept", "trust_account", "collection_account", 9)
    out = sweep_by_next_business_day(log.audit(config))
    assert [(f.seq, f.related) for f in out.findings] == [(swept, (received,))]


def test_a_log_written_before_accounts_froze_still_lets_an_insolvents_collections_wait(config):
    """No collection_account_frozen: the old reading (clause (b) governs) is kept for it."""
    log = Log()
    log.add("2021-06-10", "trustee", "servicer_termination_event", cause="servicer_insolvency",
            successor_deadline="2021-09-08")
    log.post("2021-06-10", "servicer", "collections_received", "collection_account", "obligors", 7)
    log.add("2021-07-10", "trustee", "successor_appointed", role="servicer")
    log.post("2021-07-12", "servicer", "collections_swept", "trust_account", "collection_account", 7)
    out = sweep_by_next_business_day(log.audit(config))
    assert out.findings == [] and "excused" in out.notes[0]


def test_an_explanation_given_before_an_insolvency_covers_no_day_from_the_freeze(config):
    log = Log()
    explained = log.add("2021-06-07", "servicer", "transfer_delay_explained", delay_business_days=3)
    freeze(log, "2021-06-09")
    excuses = Excuses(log.audit(config))
    assert excuses.on(dt.date(2021, 6, 8)) == explained
    assert excuses.on(dt.date(2021, 6, 9)) is None


# ---------------------------------------------------------------- the notice to obligors
def test_no_notice_by_the_deadline_is_a_finding(config):
    """Insolvent on Wednesday 2020-09-30: the 5th business day after is 2020-10-14."""
    log = Log()
    frozen = freeze(log, "2020-09-30")
    log.add("2020-10-15", "environment", "day_closed", period="amortization")
    out = redirection_notice_within_lag(log.audit(config))
    assert [(f.seq, f.message) for f in out.findings] == [
        (frozen, "no notice redirects the obligors after the servicer's insolvency on 2020-09-30; "
                 "it was due by 2020-10-14 (5 business days)")]


def test_a_trust_that_ends_before_the_deadline_needs_no_notice(config):
    log = Log()
    freeze(log, "2020-09-30")
    log.add("2020-10-12", "environment", "run_finished", termination_date="2020-10-12",
            total_in_fen=0, total_out_fen=0, held_fen=0)
    out = redirection_notice_within_lag(log.audit(config))
    assert out.findings == [] and "before the notice's deadline 2020-10-14" in out.notes[0]


def test_money_swept_out_of_a_frozen_account_is_a_finding(config):
    log = Log()
    log.post("2020-09-29", "servicer", "collections_received", "collection_account", "obligors", 40)
    freeze(log, "2020-09-30", 40)
    swept = log.post("2020-09-30", "servicer", "collections_swept", "trust_account", "collection_account", 40)
    out = frozen_collections_at_risk(log.audit(config))
    assert (swept, "40 fen leave the frozen collection account for trust_account (frozen since "
                   "2020-09-30, seq 2)") in [(f.seq, f.message) for f in out.findings]


def test_a_frozen_balance_misstated_is_a_finding(config):
    log = Log()
    log.post("2020-09-29", "servicer", "collections_received", "collection_account", "obligors", 40)
    frozen = freeze(log, "2020-09-30", 41)
    out = frozen_collections_at_risk(log.audit(config))
    assert [(f.seq, f.message) for f in out.findings] == [
        (frozen, "the frozen account is said to hold 41 fen; its postings leave 40 fen in it")]


# ---------------------------------------------------------------- the successor
def test_a_scenarios_successor_takes_over_its_calendar_days_after_the_event(config):
    log = Log()
    log.add("2021-02-01", "environment", "incident_started", incident=0, kind="servicer_termination",
            start="2021-02-01", successor_after_days=60)
    log.add("2021-02-01", "trustee", "servicer_termination_event", cause="servicer_termination",
            successor_deadline="2021-05-02")
    log.add("2021-02-01", "trustee", "backup_servicer_activated", backup="successor",
            takeover_date="2021-04-02", takeover_business_days=None, notified=["servicer"])
    took = log.add("2021-04-03", "servicer", "servicing_taken_over", backup="successor",
                   event_date="2021-02-01", deferred_principal_fen=0, deferred_income_fen=0,
                   collected_principal_fen=0, collected_income_fen=0, collected_over_days=30)
    log.add("2021-04-03", "trustee", "successor_appointed", role="servicer")
    out = successor_takes_over_on_time(log.audit(config))
    assert [(f.seq, f.message) for f in out.findings] == [
        (took, "the successor takes over on 2021-04-03; it was due on 2021-04-02")]
