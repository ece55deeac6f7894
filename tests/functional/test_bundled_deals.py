"""Every bundled deal is a file the engine runs: each runs end to end, conserves cash to the
fen every day, replays byte-identically, and runs every bundled scenario that applies to it.

The two deals besides Dongdao No. 3 exercise what that deal does not: jd_baitiao_2015 (no
rolling class, interest every 3rd calculation date in revolving and monthly after, a class
paid only the residual) and static_consumer_2021_illustrative (no revolving period, two
senior classes paid pro rata, a reserve account, a cumulative-default trigger that turns
principal sequential, a fee on the pool, a step-up coupon).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cash import replay
from trustsim.catalogue import problems
from trustsim.config import load_deal
from trustsim.config.errors import ConfigError
from trustsim.money import accrue, round_fen
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
DEALS = ROOT / "configs" / "deals"
SCENARIOS = sorted((ROOT / "configs" / "scenarios").glob("*.yaml"))
REP_LINE_DEALS = ["dongdao3_2020_1", "jd_baitiao_2015", "static_consumer_2021_illustrative"]
JD15 = DEALS / "jd_baitiao_2015.yaml"
STATIC = DEALS / "static_consumer_2021_illustrative.yaml"

_LOGS: dict[tuple[str, str | None], tuple[bytes, dict[str, Any]]] = {}


def _run(deal_file: Path, scenario: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    key = (str(deal_file), scenario)
    if key not in _LOGS:
        deal = load_deal(deal_file, [scenario] if scenario else [])
        stream = io.BytesIO()
        _env, _parties, summary = run_deal(deal, stream)
        _LOGS[key] = (stream.getvalue(), summary)
    raw, summary = _LOGS[key]
    return [json.loads(line) for line in raw.splitlines()], summary


def _applies(scenario: Path, deal_name: str) -> bool:
    applies = yaml.safe_load(scenario.read_text(encoding="utf-8")).get("applies_to")
    return applies is None or deal_name in applies


def _steps(events: list[dict[str, Any]], pay: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] == "waterfall_step" and e["pay"] == pay]


@pytest.mark.parametrize("name", REP_LINE_DEALS)
def test_every_bundled_deal_conserves_cash_every_day(name: str) -> None:
    deal = load_deal(DEALS / f"{name}.yaml")
    events, summary = _run(DEALS / f"{name}.yaml")
    reserves = [r.name for r in deal.accounts.reserves]
    days = 0
    for day, bal, came_in, paid_out in replay(events, reserves):
        days += 1
        logged = {**{a: day[f"{a}_fen"] for a in bal if a not in reserves},
                  **day.get("reserve_accounts_fen", {})}
        assert logged == bal, (name, day["date"])
        assert came_in - paid_out == sum(bal.values()), (name, day["date"])
    assert days > 300
    assert summary["ledger"]["held_fen"] == 0   # the trust ends holding nothing
    assert summary["trust_termination_date"] is not None


@pytest.mark.parametrize("name", REP_LINE_DEALS)
def test_every_bundled_deal_replays_byte_identically(name: str) -> None:
    deal = load_deal(DEALS / f"{name}.yaml")
    first, second = io.BytesIO(), io.BytesIO()
    run_deal(deal, first)
    run_deal(deal, second)
    assert first.getvalue() == second.getvalue()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("name", REP_LINE_DEALS)
def test_every_scenario_runs_on_every_deal_it_applies_to(name: str, scenario: Path) -> None:
    deal_file = DEALS / f"{name}.yaml"
    if not _applies(scenario, name):
        with pytest.raises(ConfigError, match=f"applies to .*not to deal '{name}'"):
            load_deal(deal_file, [str(scenario)])
        return
    events, summary = _run(deal_file, str(scenario))
    assert summary["ledger"]["in_fen"] - summary["ledger"]["out_fen"] == summary["ledger"]["held_fen"]
    assert events[-1]["event"] == "run_finished"


def test_each_deal_has_a_scenario_beyond_the_base() -> None:
    for name in REP_LINE_DEALS:
        own = [s for s in SCENARIOS if s.stem != "base" and _applies(s, name)]
        if name == "jd_baitiao_2015":
            continue   # its dates (2015-2019) fit none of the bundled incidents' dates
        assert own, name


# ---------------------------------------------------------------- jd_baitiao_2015
def test_jd2015_priority_01_interest_is_quarterly_in_revolving_and_monthly_after() -> None:
    """[paper §4] quarterly in the revolving period (every 3rd monthly calculation date),
    monthly in distribution."""
    events, _ = _run(JD15)
    dates = [e["date"] for e in _steps(events, "priority_01_interest") if e["paid_fen"]]
    revolving = [d for d in dates if d < "2016-09-19"]
    assert revolving == ["2015-12-18", "2016-03-18", "2016-06-20"]   # 06-18 is a Saturday
    first = dt.date.fromisoformat(dates[len(revolving)])
    assert first == dt.date(2016, 10, 18)   # a month after the revolving end (2016-09-19)
    months = [dt.date.fromisoformat(d) for d in dates[len(revolving):]]
    assert all(28 <= (b - a).days <= 34 for a, b in itertools.pairwise(months))


def test_jd2015_first_quarter_interest_is_the_coupon_on_the_class_size() -> None:
    """5.1% a year on 600 million CNY from 2015-09-18 to 2015-12-18 (91 days, ACT/365)."""
    events, _ = _run(JD15)
    first = _steps(events, "priority_01_interest")[0]
    assert first["date"] == "2015-12-18"
    assert first["due_fen"] == accrue(60_000_000_000, Decimal("5.10"), 91, 365) == 762_904_110


def test_jd2015_subordinated_class_is_paid_only_the_residual_after_revolving() -> None:
    events, summary = _run(JD15)
    paid = [e for e in events if e["event"] == "waterfall_step" and e["paid_fen"]
            and "subordinated_noteholders" in e["payees"]]
    assert paid and all(e["date"] >= "2016-09-19" for e in paid)
    assert {e["pay"] for e in paid} <= {"subordinated_principal", "residual_to_subordinated"}
    assert summary["notes"]["priority_01"]["paid_in_full"]
    assert summary["notes"]["priority_02"]["paid_in_full"]


# ---------------------------------------------------------------- the static illustrative deal
def test_static_deal_starts_in_amortization_and_pays_monthly_from_the_effective_date() -> None:
    events, summary = _run(STATIC)
    assert summary["revolving_end"] == {"date": "2021-03-18", "cause": "static pool"}
    pds = [e["date"] for e in events if e["event"] == "payment_date"]
    assert pds[:3] == ["2021-04-19", "2021-05-18", "2021-06-18"]   # 04-18 is a Sunday
    assert not any(e["event"] == "purchase_confirmed" for e in events)


def test_static_deal_reserve_is_funded_at_closing_released_and_refunded_each_date() -> None:
    """750 万元 from the proceeds at closing; each payment date releases the whole balance
    into the available funds and funds it back to 1.5% of the notes outstanding."""
    events, _ = _run(STATIC)
    deposit = next(e for e in events if e["event"] == "instruction_executed"
                   and e["debit"] == "reserve_account")
    assert deposit["date"] == "2021-03-18" and deposit["amount_fen"] == 750_000_000
    release = _steps(events, "release_reserve_account")[0]
    fund = _steps(events, "fund_reserve_account")[0]
    assert release["date"] == fund["date"] == "2021-04-19"
    assert release["released_fen"] == 750_000_000
    # target: 1.5% of the 50,000 万元 outstanding before the date's payments
    assert fund["due_fen"] == fund["paid_fen"] == 750_000_000
    second = _steps(events, "fund_reserve_account")[1]
    outstanding = 50_000_000_000 - sum(e["paid_fen"] for e in _steps(events, "class_a1_class_a2_principal")[:1])
    assert second["due_fen"] == round_fen(Decimal(outstanding) * 15 / 1000)   # half up, to the fen


def test_static_deal_seniors_share_principal_pro_rata_by_balance() -> None:
    """Before the trigger, class_a1 (30,000 万元) and class_a2 (15,000 万元) are repaid 2:1."""
    events, _ = _run(STATIC)
    step = _steps(events, "class_a1_class_a2_principal")[0]
    a1, a2 = step["payees"]["class_a1_noteholders"][1], step["payees"]["class_a2_noteholders"][1]
    assert abs(a1 - 2 * a2) <= 2 and a1 + a2 == step["paid_fen"] > 0


def test_static_deal_class_a2_coupon_steps_up_on_its_date() -> None:
    """3.60% to 2022-03-18, 4.60% after: the interest of the period spanning the date is the
    two stretches added, each on the balance of the period."""
    events, _ = _run(STATIC)
    step = next(e for e in _steps(events, "class_a1_class_a2_interest") if e["date"] == "2022-04-18")
    prev = next(e for e in _steps(events, "class_a1_class_a2_principal") if e["date"] == "2022-03-18")
    paid_before = sum(e["payees"]["class_a2_noteholders"][1]
                      for e in _steps(events, "class_a1_class_a2_principal") if e["date"] <= "2022-03-18")
    balance = 15_000_000_000 - paid_before
    assert prev["date"] == "2022-03-18"
    # the balance changed on 2022-03-18 itself, so the whole period accrues at 4.60%
    assert step["payees"]["class_a2_noteholders"][0] == accrue(balance, Decimal("4.60"), 31, 365)


def test_static_deal_cumulative_defaults_turn_principal_sequential() -> None:
    """[4.2] defaulted principal reaching 4% of the initial pool switches the waterfall."""
    events, summary = _run(STATIC, "static_defaults_turn_sequential")
    fired = [e for e in events if e["event"] == "trigger_fired"]
    assert [(e["kind"], e["clause"], e["waterfall"]) for e in fired] == [
        ("waterfall_switch", "4.2", "amortization_sequential")]
    f = fired[0]["figures"]
    assert f["cumulative_default_fen"] * 25 >= f["initial_cutoff_fen"]   # >= 4%
    day_before = [e for e in events if e["event"] == "day_closed" and e["date"] < fired[0]["date"]][-1]
    assert (day_before["pool_charged_off_fen"] + day_before["pool_non_performing_fen"]) * 25 \
        < f["initial_cutoff_fen"]
    after = [e for e in events if e["event"] == "payment_date" and e["date"] > fired[0]["date"]]
    assert after and all(e["waterfall"] == "amortization_sequential" for e in after)
    gated = [e for e in _steps(events, "class_a2_principal") if e["paid_fen"] == 0]
    assert gated and all(e["gated_by"] == "class_a1_principal" for e in gated)
    assert summary["notes"]["class_a1"]["paid_in_full"]


def test_static_deal_base_case_never_switches() -> None:
    events, _ = _run(STATIC)
    assert not any(e["event"] == "trigger_fired" for e in events)
    assert {e["waterfall"] for e in events if e["event"] == "payment_date"} == {"amortization"}


@pytest.mark.parametrize(("name", "scenario"), [(n, None) for n in REP_LINE_DEALS]
                         + [("static_consumer_2021_illustrative", "static_defaults_turn_sequential")])
def test_every_event_of_every_bundled_deal_fits_the_catalogue(name: str, scenario: str | None) -> None:
    """Whatever the deal's class, fee and account names, the log's shape is the catalogue's."""
    events, _ = _run(DEALS / f"{name}.yaml", scenario)
    found = [p for e in events for p in problems(e)]
    assert found == []


@pytest.mark.parametrize(("name", "scenario"), [
    ("dongdao3_2020_1", "no_clean_up_principal_default_event_b"),
    ("static_consumer_2021_illustrative", "static_defaults_turn_sequential")])
def test_a_run_folder_s_summary_alone_gives_the_studies_outcome(name: str, scenario: str, tmp_path: Path) -> None:
    """One reading of a finished run: the outcome the risk studies compute in process equals
    the one read back from the run folder's summary.json, with no actor state at hand."""
    from trustsim.risk.outcome import evaluate, read_outcome
    from trustsim.sim.runner import simulate

    deal = load_deal(DEALS / f"{name}.yaml", [scenario])
    result = simulate(deal, tmp_path / "run")
    assert result.out_dir is not None
    from_file = read_outcome(deal, json.loads((result.out_dir / "summary.json").read_text()))
    in_process = evaluate(deal)
    assert from_file.record() == in_process.record()
    assert from_file.classes == in_process.classes


@pytest.mark.parametrize("name", REP_LINE_DEALS)
def test_every_bundled_deal_audits_clean_and_takes_its_stress_method(name: str, tmp_path: Path) -> None:
    """Through the real CLI: a run of each deal passes every audit check, and `trustsim stress`
    finds the method file whose applies_to names the deal and runs its cases."""
    from tests.support.cli import run_cli

    deal = str(DEALS / f"{name}.yaml")
    run = run_cli("run", deal, "--out", str(tmp_path / "run"), "-q")
    assert run.returncode == 0, run.stderr
    audit = run_cli("audit", str(tmp_path / "run"))
    assert audit.returncode == 0 and "all checks pass" in audit.stdout, audit.stdout + audit.stderr
    stress = run_cli("stress", deal, "--rating", "AAA", "--json", "-")
    assert stress.returncode == 0, stress.stderr
    results = json.loads(stress.stdout)["results"]
    assert results and {r["rating"] for r in results} == {"AAA"}
    assert set(results[0]["classes"]) == set(load_deal(DEALS / f"{name}.yaml").class_names)


def test_a_stress_method_written_for_another_deal_is_refused() -> None:
    from tests.support.cli import run_cli

    out = run_cli("stress", str(JD15), "--method", str(ROOT / "configs" / "stress" / "lianhe_2020.yaml"))
    assert out.returncode == 2
    assert "applies_to: the method is written for dongdao3_2020_1, not for deal 'jd_baitiao_2015'" in out.stderr
