"""The deal language's ``servicing`` section (trustsim/config/servicing.py): what it accepts,
what it refuses naming the field, and the timeline it defines (takeover, notice, the share
of obligors still paying a frozen account)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from support.deal_edits import DEAL, bundled

from trustsim.config import ConfigError, load_deal, validate_deal
from trustsim.config.incidents import span
from trustsim.config.load import deal_calendar
from trustsim.config.servicing import (
    DEFAULT_TAKEOVER_BUSINESS_DAYS,
    Redirection,
    old_account_share_ppm,
    takeover_date,
)


def refused(change) -> str:
    data = bundled()
    change(data)
    with pytest.raises(ConfigError) as err:
        validate_deal(data, "deal.yaml", DEAL.parent)
    return str(err.value)


def insolvency(start: str = "2021-06-10", **more: Any) -> dict[str, Any]:
    return {"kind": "servicer_insolvency", "start": start, "recovery_rate": 0.3,
            "recovery_delay_days": 180, **more}


# ---------------------------------------------------------------- the bundled deal's section
def test_the_bundled_deal_names_its_servicer_fee_and_no_backup():
    s = load_deal(DEAL).servicing
    assert (s.fee, s.backup, s.successor_fee_step_up_pct_per_year) == ("servicer_fee", None, Decimal("0.485"))
    assert (s.redirection.notice_after_business_days, s.redirection.still_paying_old_account_pct,
            s.redirection.decay_days) == (5, Decimal(30), 30)
    assert (s.degraded_collections_pct, s.degraded_shortfall_recovered_pct) == (Decimal(90), Decimal(100))


@pytest.mark.parametrize(("kind", "lag"), [("hot", 2), ("warm", 30), ("cold", 90)])
def test_a_backup_left_without_a_lag_takes_its_kinds_and_config_json_says_it(kind, lag):
    deal = load_deal(DEAL, overrides={"servicing": {"backup": {"kind": kind}}})
    assert deal.servicing.backup.takeover_business_days == lag == DEFAULT_TAKEOVER_BUSINESS_DAYS[kind]
    assert deal.model_dump(mode="json")["servicing"]["backup"] == {"kind": kind, "takeover_business_days": lag}


def test_a_backup_with_its_own_lag_keeps_it():
    deal = load_deal(DEAL, overrides={"servicing": {"backup": {"kind": "cold", "takeover_business_days": 120}}})
    assert deal.servicing.backup.takeover_business_days == 120


# ---------------------------------------------------------------- refusals, naming the field
def test_an_unknown_backup_kind_is_refused():
    message = refused(lambda d: d["servicing"].update(backup={"kind": "tepid"}))
    assert "servicing.backup.kind" in message and "'hot', 'warm' or 'cold'" in message


def test_a_servicer_fee_that_does_not_exist_is_refused_naming_the_fees():
    message = refused(lambda d: d["servicing"].update(fee="servicing_fee"))
    assert "servicing.fee: no fee named 'servicing_fee' (fees: taxes, trustee_counsel_fees, " in message


def test_a_step_up_on_a_fixed_fee_is_refused():
    message = refused(lambda d: d["servicing"].update(fee="rating_fees"))
    assert ("servicing.fee: rating_fees is a fixed_per_year fee; the successor's step-up applies to a "
            "pct_of_notes or pct_of_pool fee") in message


def test_a_step_up_without_its_fee_is_refused():
    message = refused(lambda d: d["servicing"].update(fee=None))
    assert "servicing.successor_fee_step_up_pct_per_year: name the fee it steps up (servicing.fee)" in message


def test_an_insolvency_nobody_takes_over_is_refused_naming_its_field():
    message = refused(lambda d: d.update(incidents=[insolvency()]))
    assert ("incidents[0] (servicer_insolvency).successor_after_days: required, the deal names no backup "
            "servicer (servicing.backup) to take over") in message


def test_a_redirection_share_above_100pct_is_refused():
    message = refused(lambda d: d["servicing"]["redirection"].update(still_paying_old_account_pct=120))
    assert "servicing.redirection.still_paying_old_account_pct" in message


# ---------------------------------------------------------------- the timeline
def test_a_backup_takes_over_its_lag_in_business_days_after_the_event():
    deal = load_deal(DEAL, overrides={"servicing": {"backup": {"kind": "warm"}},
                                      "incidents": [insolvency("2020-09-30")]})
    cal = deal_calendar(deal)
    # 30 business days from the last one before Golden Week: 2020-11-18
    assert takeover_date(dt.date(2020, 9, 30), None, deal.servicing, cal) == dt.date(2020, 11, 18)
    assert span(deal.incidents[0], cal, deal.servicing) == (dt.date(2020, 9, 30), dt.date(2020, 11, 18))


def test_an_incidents_successor_after_days_wins_over_the_backup():
    deal = load_deal(DEAL, overrides={"servicing": {"backup": {"kind": "cold"}},
                                      "incidents": [insolvency(successor_after_days=30)]})
    assert takeover_date(dt.date(2021, 6, 10), 30, deal.servicing, deal_calendar(deal)) == dt.date(2021, 7, 10)


def test_a_second_insolvency_before_the_backups_takeover_is_refused():
    """The first lasts until the warm backup takes over, 30 business days after 2021-06-10."""
    until = deal_calendar(load_deal(DEAL)).add_business_days(dt.date(2021, 6, 10), 30)
    incidents = [insolvency("2021-06-10"), insolvency("2021-07-01")]
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"servicing": {"backup": {"kind": "warm"}}, "incidents": incidents})
    assert (f"incidents[1] (servicer_insolvency from 2021-07-01) overlaps incidents[0] (servicer_insolvency "
            f"from 2021-06-10, lasting until {until}): the servicer cannot become insolvent again before a "
            f"successor is appointed") in str(err.value)
    later = (until + dt.timedelta(days=1)).isoformat()
    deal = load_deal(DEAL, overrides={"servicing": {"backup": {"kind": "warm"}},
                                      "incidents": [incidents[0], insolvency(later)]})
    assert len(deal.incidents) == 2   # the backup, once in office, can fail too


@pytest.mark.parametrize(("k", "ppm"), [(-1, 1_000_000), (0, 300_000), (1, 290_000), (15, 150_000),
                                        (29, 10_000), (30, 0), (400, 0)])
def test_the_share_still_paying_the_frozen_account_falls_linearly_to_none(k, ppm):
    r = Redirection(notice_after_business_days=5, still_paying_old_account_pct=Decimal(30), decay_days=30)
    assert old_account_share_ppm(r, k) == ppm


def test_with_no_decay_everyone_pays_the_trust_account_from_the_notice():
    r = Redirection(notice_after_business_days=0, still_paying_old_account_pct=Decimal(30), decay_days=0)
    assert old_account_share_ppm(r, 0) == 0


def test_a_termination_while_an_insolvents_successor_is_awaited_is_refused():
    """Both hold the servicer awaiting one successor: the second would end the first's wait."""
    incidents = [insolvency("2021-06-10", successor_after_days=30),
                 {"kind": "servicer_termination", "start": "2021-06-20", "successor_after_days": 60}]
    with pytest.raises(ConfigError) as err:
        load_deal(DEAL, overrides={"incidents": incidents})
    assert ("incidents[1] (servicer_termination from 2021-06-20) overlaps incidents[0] (servicer_insolvency "
            "from 2021-06-10, lasting until 2021-07-10): the servicer cannot become insolvent or be "
            "terminated while a successor to it is awaited (one successor ends both); make them one "
            "incident, or start the later one after 2021-07-10") in str(err.value)
