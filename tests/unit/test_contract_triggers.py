"""The trustee's trigger bookkeeping (trustsim.contract.triggers), on Dongdao No. 3's terms:
(b)/(d) 90 calendar days without a successor, (c) an explained hold covered for at most the
10 business days of the reserve delay [一.4.3], one firing per clause [一.4.4(1)].
"""

import datetime as dt

from trustsim.contract.triggers import (
    Fired,
    build_triggers,
    clause_fired,
    days_without_successor,
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
