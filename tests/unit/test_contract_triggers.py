"""The trustee's trigger bookkeeping (trustsim.contract.triggers), on Dongdao No. 3's terms:
(b)/(d) 90 calendar days without a successor, (c) an explained hold covered for at most the
10 business days of the reserve delay [一.4.3], one firing per clause [一.4.4(1)].
"""

import datetime as dt

from trustsim.contract.reconciliation import OpenBreak
from trustsim.contract.triggers import (
    DayFigures,
    Fired,
    build_triggers,
    clause_fired,
    days_without_successor,
    observed_at_close,
    successor_deadline,
    transfer_explained,
)

D = dt.date


def test_b_successor_servicer_deadline_is_90_calendar_days_after_the_termination_event(deal):
    assert successor_deadline(deal, "servicer", D(2021, 3, 1)) == D(2021, 5, 30)


def test_d_successor_trustee_deadline_is_90_calendar_days_after_the_replacement_event(deal):
    assert successor_deadline(deal, "trustee", D(2021, 12, 20)) == D(2022, 3, 20)


def test_no_successor_trigger_no_deadline(deal):
    assert successor_deadline(deal, "custodian", D(2021, 3, 1)) is None


def test_days_without_successor_count_calendar_days_from_the_event():
    assert days_without_successor(D(2021, 3, 1), D(2021, 5, 30)) == 90
    assert days_without_successor(D(2021, 3, 1), D(2021, 3, 1)) == 0
    assert days_without_successor(None, D(2021, 5, 30)) == -1


def test_c_an_explained_hold_is_covered_for_10_business_days_only(deal):
    assert transfer_explained(deal, 10)
    assert not transfer_explained(deal, 11)
    assert not transfer_explained(deal, None)   # nothing explained: no cover


def test_limbs_of_one_clause_fire_once(deal):
    triggers = build_triggers(deal)
    c = [t for t in triggers if t.clause == "c"]
    assert len(c) >= 2   # transfer_failure and the sweep break not corrected
    fired = [Fired(c[0].kind, "c", D(2021, 6, 1), {}, name=c[0].name)]
    assert clause_fired(c[1], fired)
    other = next(t for t in triggers if t.clause == "e")
    assert not clause_fired(other, fired)


def _figures(open_breaks=()):
    return DayFigures(date=D(2021, 6, 1), revolving=True, npl_balance_fen=0,
                      initial_cutoff_fen=1_000_000, pool_balance_fen=1_000_000,
                      notes_outstanding_fen=1_000_000, originator_rating="AAA",
                      open_breaks=open_breaks)


def test_a_break_trigger_is_not_evaluated_while_no_break_is_open(deal):
    sweep = next(t for t in build_triggers(deal) if t.name == "sweep_break_not_corrected")
    assert not observed_at_close(sweep, _figures(), [])
    late = OpenBreak("B0001", "servicer", D(2021, 5, 17), 11, 500_000)
    assert observed_at_close(sweep, _figures((late,)), [])


def test_a_limb_of_a_fired_clause_is_not_evaluated_again(deal):
    triggers = build_triggers(deal)
    transfer = next(t for t in triggers if t.name == "transfer_failure")
    sweep = next(t for t in triggers if t.name == "sweep_break_not_corrected")
    late = OpenBreak("B0001", "servicer", D(2021, 5, 17), 11, 500_000)
    fired = [Fired(transfer.kind, "c", D(2021, 6, 1), {}, name="transfer_failure")]
    assert not observed_at_close(sweep, _figures((late,)), fired)
    assert observed_at_close(next(t for t in triggers if t.clause == "e"), _figures(), fired)
