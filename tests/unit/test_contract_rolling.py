"""The morning's decisions on a rolling class's series maturity [一.2, 一.4.4(2)]
(trustsim.contract.notes.roll_outcome, dues.failure_closes_revolving,
waterfalls.waterfall_in_force), on Dongdao No. 3's terms: the senior rolls in seven
series; the mezz and the sub are presented at an issuance failure (``at_issuance_failure``).
"""

import datetime as dt

from trustsim.contract.dues import failure_closes_revolving
from trustsim.contract.notes import FAIL, ISSUE, roll_outcome
from trustsim.contract.waterfalls import waterfall_in_force

D = dt.date


def test_in_revolving_a_maturing_series_is_repaid_from_the_next():
    assert roll_outcome(1, revolving=True, failed_series=set()) == ISSUE


def test_a_series_that_cannot_be_issued_is_an_issuance_failure():
    assert roll_outcome(1, revolving=True, failed_series={2}) == FAIL
    assert roll_outcome(2, revolving=True, failed_series={2}) == ISSUE   # series 3 is fine


def test_after_revolving_ended_nothing_is_issued_but_a_failure_still_holds():
    assert roll_outcome(3, revolving=False, failed_series=set()) is None
    assert roll_outcome(3, revolving=False, failed_series={4}) == FAIL


def test_a_failure_on_a_revolving_payment_date_makes_it_the_revolving_periods_last(deal):
    assert failure_closes_revolving(deal, revolving=True, payment_date=True)
    assert not failure_closes_revolving(deal, revolving=False, payment_date=True)   # ended before
    assert not failure_closes_revolving(deal, revolving=True, payment_date=False)


def test_a_deal_with_no_class_presented_at_a_failure_keeps_the_amortization_date(deal):
    plain = deal.model_copy(update={"classes": [
        c.model_copy(update={"interest": c.interest.model_copy(update={"at_issuance_failure": False})})
        for c in deal.classes]})
    assert not failure_closes_revolving(plain, revolving=True, payment_date=True)


def test_the_waterfall_in_force_follows_the_deals_status():
    assert waterfall_in_force(True, False, "amortization") == "revolving"
    assert waterfall_in_force(False, False, "amortization") == "amortization"
    assert waterfall_in_force(False, False, "amortization_sequential") == "amortization_sequential"
    assert waterfall_in_force(False, True, "amortization_sequential") == "post_default"
    # an issuance failure's day is revolving's last even after an event of default fired
    assert waterfall_in_force(True, True, "amortization") == "revolving"
