"""Major-event disclosure: each rule of each market fires on a scenario with the event and
stays silent on a near miss; the trustee issues each notice in time; the audit recomputes
what was due from the log and catches a notice removed or issued late (docs/disclosure.md).

Dongdao No. 3 is an interbank ABCP (its calendar counts interbank working days), so its
runs are held to trustsim/disclosure/markets/interbank.yaml; jd_baitiao_2015 and the static deal
count exchange trading days and are held to exchange.yaml. Every notice is due 2 business
days after its event; the dates below are those days on the deals' calendars (holidays:
Labour Day 2021-05-01..05, Qingming 2021-04-03..05, Dragon Boat 2021-06-12..14).
"""

from __future__ import annotations

import copy

from support.disclosure import due, issued, reviewed, run_of

from trustsim.audit.checks.disclosures import disclosures_issued_in_time
from trustsim.audit.log import AuditLog
from trustsim.config.errors import ConfigError
from trustsim.disclosure import notices

DONGDAO = "dongdao3_2020_1"
JD = "jd_baitiao_2015"


def dongdao(*scenarios: str, overrides=None):
    return run_of(DONGDAO, scenarios, overrides)


def only_rule(events, config, rule):
    """The rule's notices: due (subject, event date, due date) and issued (+ issue date)."""
    return due(events, config, rule), issued(events, rule)


# ---------------------------------------------------------------- each rule: fires / near miss
def test_acceleration_event_fires_on_the_downgrade_trigger_and_not_on_four_npl_days():
    events, config = dongdao("downgrade_trigger_f")
    assert only_rule(events, config, "acceleration_event") == (
        [("clause f", "2021-04-15", "2021-04-19")],                 # Thu -> Mon
        [("clause f", "2021-04-15", "2021-04-19", "2021-04-15")])
    # near miss: the NPL ratio above 6% on 4 consecutive business days, not 5: no trigger
    events, config = dongdao("npl_spike_4bd_no_trigger")
    assert only_rule(events, config, "acceleration_event") == ([], [])


def test_an_event_on_a_sunday_before_a_holiday_is_disclosed_on_the_next_business_day():
    # (b): the 90th day without a successor servicer is Sunday 2021-05-02, in Labour Day's
    # holiday; the next working days are 05-06 and 05-07
    events, config = dongdao("servicer_not_replaced_trigger_b")
    assert only_rule(events, config, "acceleration_event") == (
        [("clause b", "2021-05-02", "2021-05-07")],
        [("clause b", "2021-05-02", "2021-05-07", "2021-05-06")])


def test_event_of_default_fires_on_senior_interest_unpaid_past_grace_not_on_an_acceleration():
    events, config = dongdao("senior_interest_default_event_a")
    assert only_rule(events, config, "event_of_default") == (
        [("clause a", "2021-03-25", "2021-03-29")],
        [("clause a", "2021-03-25", "2021-03-29", "2021-03-25")])
    events, config = dongdao("downgrade_trigger_f")   # an acceleration event, no default
    assert only_rule(events, config, "event_of_default") == ([], [])


def test_missed_payment_is_protected_interest_unpaid_not_interest_the_deal_lets_wait():
    events, config = dongdao("senior_interest_default_event_a")
    assert only_rule(events, config, "missed_payment") == (
        [("senior_interest", "2021-03-18", "2021-03-22")],
        [("senior_interest", "2021-03-18", "2021-03-22", "2021-03-18")])
    # near miss: the mezz's interest, booked until the senior is repaid, is paid short on
    # 2022-02-17 — the deal's interest_unpaid trigger protects the senior's only
    events, config = dongdao("downgrade_trigger_f")
    short = [e for e in events if e["event"] == "waterfall_step" and e["date"] == "2022-02-17"
             and e["pay"] == "mezz_interest"]
    assert short and short[0]["shortfall_fen"] == 238_969_495 and short[0]["gated_by"] is None
    assert only_rule(events, config, "missed_payment") == ([], [])


def _paid_short(events, date, pay, unpaid):
    """The log with step ``pay`` of the payment date ``date`` leaving ``unpaid`` fen unpaid."""
    out = copy.deepcopy(events)
    for e in out:
        if e["event"] == "waterfall_step" and e["date"] == date and e["pay"] == pay:
            e["paid_fen"] = e["due_fen"] - unpaid
            e["shortfall_fen"] = unpaid
    return out


def test_cash_flow_shortfall_fires_at_20_percent_of_the_dues_ahead_of_principal_not_below():
    events, config = dongdao("senior_interest_default_event_a")
    assert only_rule(events, config, "cash_flow_shortfall") == (
        [("dues ahead of principal", "2021-03-18", "2021-03-22")],
        [("dues ahead of principal", "2021-03-18", "2021-03-22", "2021-03-18")])
    notice = next(n for n in reviewed(events, config).notices if n.due.rule == "cash_flow_shortfall")
    assert notice.due.facts == {"due_fen": 684_030_867, "unpaid_fen": 684_030_867}   # nothing paid
    # the same date with 20% of its 684,030,867 fen unpaid fires; one fen less does not
    at = 684_030_867 * 20 // 100 + 1        # 136,806,173.4 rounded up: the least that is 20%
    assert due(_paid_short(events, "2021-03-18", "senior_interest", at), config,
               "cash_flow_shortfall") != []
    below = _paid_short(events, "2021-03-18", "senior_interest", at - 1)
    for e in below:   # the fees ahead of the interest are paid in full
        if e["event"] == "waterfall_step" and e["date"] == "2021-03-18" and e["pay"] != "senior_interest":
            e["paid_fen"], e["shortfall_fen"] = e["due_fen"], 0
    assert due(below, config, "cash_flow_shortfall") == []


def test_cumulative_loss_fires_when_defaults_reach_10_percent_of_the_notes_not_at_7():
    events, config = dongdao("npl_spike_trigger_e")
    assert only_rule(events, config, "cumulative_loss") == (
        [("pool", "2021-11-29", "2021-12-01")],
        [("pool", "2021-11-29", "2021-12-01", "2021-11-29")])
    closes = [e for e in events if e["event"] == "day_closed"]
    i = next(k for k, e in enumerate(closes) if e["date"] == "2021-11-29")
    cumulative = [c["pool_charged_off_fen"] + c["pool_non_performing_fen"] for c in closes[i - 1:i + 1]]
    assert cumulative[0] < 10_000_000_000 <= cumulative[1]   # 10% of 10亿 of notes
    # near miss: the same shock on 4 days fewer: defaults peak near 7% of the notes
    events, config = dongdao("npl_spike_4bd_no_trigger")
    peak = max(e["pool_charged_off_fen"] + e["pool_non_performing_fen"]
               for e in events if e["event"] == "day_closed")
    assert 7_000_000_000 < peak < 10_000_000_000
    assert only_rule(events, config, "cumulative_loss") == ([], [])


def test_rating_downgrade_fires_on_one_notch_on_the_exchange_not_on_an_upgrade():
    down = {"incidents": [{"kind": "originator_downgrade", "start": "2016-03-15", "rating": "AA"}]}
    events, config = run_of(JD, (), down)
    assert config["calendar"]["business_days"] == "exchange"
    assert only_rule(events, config, "rating_downgrade") == (
        [("originator", "2016-03-15", "2016-03-17")],               # AA+ -> AA, Tue -> Thu
        [("originator", "2016-03-15", "2016-03-17", "2016-03-15")])
    up = {"incidents": [{"kind": "originator_downgrade", "start": "2016-03-15", "rating": "AAA"}]}
    events, config = run_of(JD, (), up)
    assert [e["new"] for e in events if e["event"] == "rating_changed"] == ["AAA"]
    assert only_rule(events, config, "rating_downgrade") == ([], [])


def test_rating_downgrade_on_the_interbank_market():
    events, config = dongdao("downgrade_trigger_f")
    assert only_rule(events, config, "rating_downgrade") == (
        [("originator", "2021-04-15", "2021-04-19")],
        [("originator", "2021-04-15", "2021-04-19", "2021-04-15")])


def test_party_insolvency_fires_on_an_insolvent_originator_or_servicer_not_a_terminated_one():
    events, config = dongdao("originator_insolvency_trigger_a")
    assert only_rule(events, config, "party_insolvency") == (
        [("originator", "2021-09-01", "2021-09-03")],
        [("originator", "2021-09-01", "2021-09-03", "2021-09-01")])
    events, config = dongdao("servicer_insolvency_commingling")
    assert only_rule(events, config, "party_insolvency") == (
        [("servicer", "2021-06-10", "2021-06-15")],                  # Thu; Mon 06-14 a holiday
        [("servicer", "2021-06-10", "2021-06-15", "2021-06-10")])
    # near miss: the servicer is terminated, solvent
    events, config = dongdao("servicer_replaced_in_time")
    assert only_rule(events, config, "party_insolvency") == ([], [])


def test_replacement_required_fires_on_a_servicer_or_trustee_termination_not_on_the_originator():
    events, config = dongdao("servicer_replaced_in_time")
    assert only_rule(events, config, "replacement_required") == (
        [("servicer", "2021-02-01", "2021-02-03")],
        [("servicer", "2021-02-01", "2021-02-03", "2021-02-01")])
    events, config = dongdao("trustee_not_replaced_trigger_d")
    assert only_rule(events, config, "replacement_required") == (
        [("trustee", "2021-03-01", "2021-03-03")],
        [("trustee", "2021-03-01", "2021-03-03", "2021-03-01")])
    # near miss: the originator fails; no servicer or trustee must be replaced
    events, config = dongdao("originator_insolvency_trigger_a")
    assert only_rule(events, config, "replacement_required") == ([], [])


def test_successor_appointed_fires_when_a_successor_takes_office_not_while_none_does():
    events, config = dongdao("servicer_replaced_in_time")
    assert only_rule(events, config, "successor_appointed") == (
        [("servicer", "2021-04-02", "2021-04-07")],                  # Fri; Qingming 04-03..05
        [("servicer", "2021-04-02", "2021-04-07", "2021-04-02")])
    # near miss: a successor due long after the trust ends never takes office
    never = {"incidents": [{"kind": "servicer_termination", "start": "2021-02-01",
                            "successor_after_days": 3650}]}
    events, config = dongdao(overrides=never)
    assert [e for e in events if e["event"] == "successor_appointed"] == []
    assert only_rule(events, config, "successor_appointed") == ([], [])
    assert only_rule(events, config, "replacement_required")[1] == [
        ("servicer", "2021-02-01", "2021-02-03", "2021-02-01")]


def test_a_waterfall_switch_on_the_exchange_is_an_acceleration_event():
    events, config = run_of("static_consumer_2021_illustrative", ("static_defaults_turn_sequential",))
    assert only_rule(events, config, "acceleration_event") == (
        [("clause 4.2", "2021-12-15", "2021-12-17")],
        [("clause 4.2", "2021-12-15", "2021-12-17", "2021-12-15")])


# ---------------------------------------------------------------- the audit
def _check(events, config):
    return disclosures_issued_in_time(AuditLog.from_events(list(events), config))


def test_every_notice_of_a_clean_run_is_on_time():
    events, config = dongdao("servicer_not_replaced_trigger_b")
    out = _check(events, config)
    assert out.findings == [] and out.checked == 3
    assert {n.status for n in reviewed(events, config).notices} == {"on time"}


def test_the_audit_finds_a_notice_removed_from_a_clean_log():
    events, config = dongdao("downgrade_trigger_f")
    notice = next(e for e in events if e["event"] == "disclosure_issued"
                  and e["rule"] == "acceleration_event")
    fired = next(e for e in events if e["event"] == "trigger_fired")
    out = _check([e for e in events if e is not notice], config)
    assert [(f.seq, f.date) for f in out.findings] == [(fired["seq"], "2021-04-15")]
    assert "no notice issued for acceleration_event (clause f) of 2021-04-15: due by 2021-04-19" \
        in out.findings[0].message


def test_the_audit_finds_a_notice_issued_late():
    events, config = dongdao("downgrade_trigger_f")
    late = copy.deepcopy(events)
    notice = next(e for e in late if e["event"] == "disclosure_issued"
                  and e["rule"] == "rating_downgrade")
    notice["date"] = notice["issue_date"] = "2021-04-20"     # due 2021-04-19
    out = _check(late, config)
    assert [(f.seq, f.date) for f in out.findings] == [(notice["seq"], "2021-04-20")]
    assert "issued 2021-04-20, after its due date 2021-04-19" in out.findings[0].message
    status = {n.due.rule: n.status for n in reviewed(late, config).notices}
    assert status == {"rating_downgrade": "late", "acceleration_event": "on time"}


def test_the_audit_finds_a_wrong_due_date_and_a_notice_no_event_called_for():
    events, config = dongdao("downgrade_trigger_f")
    edited = copy.deepcopy(events)
    notice = next(e for e in edited if e["event"] == "disclosure_issued"
                  and e["rule"] == "rating_downgrade")
    notice["due_date"] = "2021-04-30"
    stray = dict(notice, seq=len(edited) + 1, rule="successor_appointed", subject="servicer",
                 due_date="2021-04-19")
    edited.insert(edited.index(notice) + 1, stray)
    messages = [f.message for f in _check(edited, config).findings]
    assert any("states due date 2021-04-30; the rules give 2021-04-19" in m for m in messages)
    assert any("successor_appointed (servicer) of 2021-04-15 answers no event" in m for m in messages)


def test_a_rules_file_that_cannot_be_read_is_said_by_the_report_and_the_audit(monkeypatch):
    events, config = dongdao("downgrade_trigger_f")

    def broken(market):
        raise ConfigError(f"trustsim/disclosure/markets/{market}.yaml: rules[0] (missed_payment).deadline: "
                          "Field required")

    monkeypatch.setattr(notices, "rules_for_market", broken)
    files = notices.report_files(AuditLog.from_events(list(events), config))
    assert b"interbank.yaml: rules[0] (missed_payment).deadline: Field required" \
        in files["disclosures.md"]
    [finding] = _check(events, config).findings
    assert finding.message.startswith("the disclosures cannot be worked out: trustsim/disclosure/markets/"
                                      "interbank.yaml: rules[0]")
