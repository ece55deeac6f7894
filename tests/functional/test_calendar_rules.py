"""Each rule family counts the kind of business day the deal names for it (docs/calendar.md).

Saturday 2021-09-18 was a make-up working day (Mid-Autumn Festival, 2021-09-19 to 21 off):
a bank day, not a trading day. Series 4 matures that day and Friday 2021-09-17's
collections and purchase request fall due on it — unless the rule counts exchange days,
when each moves to Wednesday 2021-09-22. The audit, counting with the run's own
calendars, passes every run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustsim.audit import load
from trustsim.audit.engine import audit
from trustsim.config import ConfigError, load_deal
from trustsim.sim.runner import simulate

ROOT = Path(__file__).resolve().parents[2]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"


def dates_of(run_dir: Path) -> dict[str, str]:
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_bytes().splitlines()]
    return {
        "series_4_rolls": next(e["date"] for e in events if e["event"] == "series_issued" and e["series"] == 5),
        "sweep_due": next(e["sweep_due"] for e in events
                          if e["event"] == "collections_received" and e["date"] == "2021-09-17"),
        "purchase_date": next(e["purchase_date"] for e in events
                              if e["event"] == "purchase_requested" and e["base_date"] == "2021-09-17"),
    }


BANK = {"series_4_rolls": "2021-09-18", "sweep_due": "2021-09-18", "purchase_date": "2021-09-18"}
CASES = {
    "payment_dates": {**BANK, "series_4_rolls": "2021-09-22"},    # [一.4.2] the series roll
    "collections": {**BANK, "sweep_due": "2021-09-22"},           # [一.4.1] the sweep
    "purchases": {**BANK, "purchase_date": "2021-09-22"},         # [一.4.3] the purchase date
}


@pytest.mark.parametrize("family", CASES)
def test_a_rule_family_on_exchange_days_moves_only_its_own_dates(tmp_path, family):
    deal = load_deal(DEAL_FILE, overrides={"calendar": {"rules": {family: "exchange"}}})
    run_dir = simulate(deal, tmp_path / "run").out_dir
    assert dates_of(run_dir) == CASES[family]
    started = json.loads((run_dir / "events.jsonl").read_bytes().splitlines()[0])
    assert started["calendar"]["rules"] == {family: "exchange"}
    assert audit(load(run_dir)).passed


def test_the_bank_day_deal_keeps_the_make_up_saturday_for_every_rule(tmp_path, deal):
    run_dir = simulate(deal, tmp_path / "run").out_dir
    assert dates_of(run_dir) == BANK


def test_a_rule_cannot_count_bank_days_in_a_trust_keeping_exchange_days():
    with pytest.raises(ConfigError, match=r"calendar: .*rules\.collections: interbank days include make-up weekend"):
        load_deal(DEAL_FILE, overrides={"calendar": {"business_days": "exchange",
                                                     "rules": {"collections": "interbank"}}})


def test_an_unknown_rule_family_is_named():
    with pytest.raises(ConfigError, match=r"calendar\.rules\.coupons"):
        load_deal(DEAL_FILE, overrides={"calendar": {"rules": {"coupons": "exchange"}}})


@pytest.mark.parametrize(("kind", "fired"), [("interbank", "2023-10-10"), ("exchange", "2023-10-12")])
def test_the_principal_grace_after_legal_maturity_counts_the_deals_kind_of_day(tmp_path, kind, fired):
    # no clean-up call and a pool breaching criterion (g) (receivables maturing after
    # 2022-08-18): the pool's tail leaves principal unpaid at legal maturity 2023-09-20.
    # Ten business days [event of default (b)]: Sep 21-28 are six; National Day is off to
    # Oct 6; banks then work Sat Oct 7 and Sun Oct 8 (make-up days), the exchange does not.
    deal = load_deal(DEAL_FILE, overrides={
        "termination": {"clean_up_call": None},
        "pool": {"last_instalment_months": None},
        "classes": [{"name": "mezz", "expected_maturity": "2022-09-20"},
                    {"name": "sub", "expected_maturity": "2022-09-20"}],
        "calendar": {"rules": {"events_of_default": kind}}})
    run_dir = simulate(deal, tmp_path / "run").out_dir
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert [(t["kind"], t["clause"], t["date"]) for t in summary["triggers"]] == [("default", "b", fired)]
    assert audit(load(run_dir)).passed
