"""The stress JSON line by line, the issuance-succeeds normal-assets comparison, and the
method's named readings (docs/risk.md, "Readings"): each reading changes what it says.

No figure of the report's result tables is asserted: the normal assets are recomputed from
the run's own log, and each reading is checked by its mechanism.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import orjson
import pytest
import yaml
from conftest import DEAL_FILE, ROOT
from typer.testing import CliRunner

import trustsim.cli.risk  # noqa: F401  (registers the commands)
from trustsim.cli import app
from trustsim.config import ConfigError
from trustsim.money import fen_from_wan
from trustsim.pool.rep_line import RepLinePool
from trustsim.risk.method import load_method, rating_levels, stressed_deal
from trustsim.risk.outcome import evaluate
from trustsim.risk.stress import covered_classes, run_stress
from trustsim.sim.runner import simulate

METHOD = ROOT / "configs" / "stress" / "lianhe_2020.yaml"


@pytest.fixture(scope="module")
def method():
    return load_method(METHOD)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    out = tmp_path_factory.mktemp("stress") / "stress.json"
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--json", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the JSON
def test_the_json_carries_every_line_for_every_rating_and_case(records, deal, method):
    results = records["results"]
    assert [(r["case"], r["rating"]) for r in results] == [
        (c, r) for c in method.cases for r in method.ratings]
    lines = ["revolving_purchases", "taxes_and_fees"]
    for c in deal.classes:
        lines.append(f"{c.name}_income" if c.period_income is not None else f"{c.name}_interest")
        lines.append(f"{c.name}_principal")
    rated = [c.name for c in deal.classes if c.rating is not None]
    for r in results:
        assert set(r["inflows"]) >= {"principal_fen", "interest_fen"}
        for line in lines:
            assert set(r["outflows"][line]) == {"due_fen", "paid_fen"}, (r["case"], r["rating"], line)
            assert 0 <= r["outflows"][line]["paid_fen"] <= r["outflows"][line]["due_fen"]
        assert list(r["classes"]) == deal.class_names
        assert all(isinstance(v["pass"], bool) for v in r["classes"].values())
        assert list(r["safety_margin"]) == rated
        assert r["readings"] == method.readings.model_dump(mode="json")
        na = r["normal_assets"]
        assert na["revolving_end"] == r["revolving_end"]
        assert na["normal_assets_fen"] == na["remaining_pool_fen"] - na["estimated_overdue_fen"]
        assert na["surplus_fen"] == na["normal_assets_fen"] - na["principal_fen"]
    assert set(records["definitions"]) == {"safety_margin", "normal_assets"}


def test_the_normal_assets_cover_the_classes_rated_at_or_above_the_rating(deal, method):
    """AAA: the classes rated AAA (Dongdao: the senior); BBB+: those and the BBB+ class."""
    ranked = {c.name: c.rating for c in deal.classes}
    aaa, bbb = covered_classes(deal, method, "AAA"), covered_classes(deal, method, "BBB+")
    assert aaa == [n for n, r in ranked.items() if r == "AAAsf"]
    assert bbb == [n for n, r in ranked.items() if r in ("AAAsf", "BBB+sf")]
    assert len(bbb) == len(aaa) + 1


def test_normal_assets_recomputed_from_the_runs_own_log(deal, method, tmp_path):
    """The comparison's figures are the pool by status on the day revolving ended, as the
    run's log closes that day, less the stressed write-off of what still performs."""
    case, rating = "issuance_fails", "AAA"
    levels = rating_levels(method, rating)
    stressed = stressed_deal(deal, method, case, levels)
    simulate(stressed, tmp_path / "run")
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    end = summary["revolving_end"]["date"]
    closes = [e for e in map(orjson.loads, (tmp_path / "run" / "events.jsonl").read_bytes().splitlines())
              if e["event"] == "day_closed" and e["date"] == end]
    assert len(closes) == 1, end            # revolving ended on a business day
    day = closes[0]
    wo = Decimal(stressed.pool.write_off_pct)
    overdue = day["pool_overdue_fen"] + day["pool_non_performing_fen"] \
        + int(Decimal(day["pool_performing_fen"]) * wo / 100)
    normal = day["pool_outstanding_fen"] - overdue
    covered = sum(fen_from_wan(c.size_wan) for c in deal.classes if c.rating == "AAAsf")
    [res] = run_stress(deal, method, [case], [rating])
    na = res.normal_assets
    assert na is not None and na.revolving_end == end
    assert (na.remaining_fen, na.estimated_overdue_fen, na.normal_fen, na.surplus_fen) == (
        day["pool_outstanding_fen"], overdue, normal, normal - covered)
    accounts = ("collection_account_fen", "trust_account_fen", "issuance_proceeds_account_fen",
                "eligible_investments_fen")
    assert na.cash_held_fen == sum(day[a] for a in accounts) + sum(
        (day.get("reserve_accounts_fen") or {}).values())


# ---------------------------------------------------------------- readings: the pool
def _pool(deal, **changes):
    cfg = deal.pool.model_copy(update={"last_instalment_months": None, **changes})
    return RepLinePool(cfg, deal.dates.trust_effective_date)


def _monthly(pool, start, months):
    """Principal collected and defaulted in each 30-day month."""
    out = []
    for m in range(1, months + 1):
        c = pool.collect(start + dt.timedelta(days=30 * m))
        out.append((c.principal_fen, pool.balances()))
    return out


def test_mpr_on_the_initial_amount_collects_the_same_each_month_of_a_static_pool(deal):
    """readings.mpr_basis=initial: a lot repays the same share of its initial amount every
    month until it is exhausted; on the outstanding balance, less each month."""
    start = deal.dates.trust_effective_date
    initial = _monthly(_pool(deal, mpr_basis="initial"), start, 3)
    outstanding = _monthly(_pool(deal, mpr_basis="outstanding"), start, 3)
    first = [p for p, _ in initial]
    assert max(first) - min(first) <= 1 + first[0] // 10**6       # the same, to rounding
    falling = [p for p, _ in outstanding]
    assert falling[0] > falling[1] > falling[2]


def test_write_off_on_the_pool_at_the_end_of_revolving(deal):
    """readings.write_off_basis=pool_at_revolving_end: nothing defaults while revolving; from
    the day after it ends, the pool then held defaults the write-off rate of that balance."""
    start = deal.dates.trust_effective_date
    for basis in ("outstanding", "initial"):
        pool = _pool(deal, mpr_basis=basis, write_off_basis="pool_at_revolving_end")
        each = _pool(deal, mpr_basis=basis)
        end = start + dt.timedelta(days=60)
        pool.collect(end)
        each.collect(end)
        assert each.balances().overdue_fen > 0
        b = pool.balances()
        assert b.overdue_fen == b.non_performing_fen == b.charged_off_fen == 0
        pool.revolving_ended(end)
        held = b.performing_fen
        pool.collect(end + dt.timedelta(days=2000))
        after = pool.balances()
        defaulted = after.overdue_fen + after.non_performing_fen + after.charged_off_fen
        expected = Decimal(held) * deal.pool.write_off_pct / 100
        assert abs(defaulted - expected) <= expected / 1000, basis   # the write-off of that balance
        assert after.performing_fen <= held // 10**4


def test_under_pool_at_revolving_end_the_estimated_overdue_is_the_write_off_of_the_pool(deal, method):
    rd = method.readings.with_("write_off_basis", "pool_at_revolving_end")
    [res] = run_stress(deal, method, ["issuance_fails"], ["AAA"], rd)
    na = res.normal_assets
    assert na is not None and na.overdue_fen == na.non_performing_fen == 0
    assert na.estimated_overdue_fen == int(Decimal(na.remaining_fen) * na.write_off_pct / 100)


# ---------------------------------------------------------------- readings: fees and taxes
def test_fees_as_a_fixed_amount_of_the_notes_issued(deal, method):
    """readings.fees=fixed_of_notes_issued: the all-in rate of the notes at closing, the same
    amount every year; of the notes outstanding it falls as they are repaid (the case in which
    every series is issued: its notes amortize over months, where a failed issuance's are
    repaid at once by the over-term repurchase)."""
    levels = rating_levels(method, "AAA")
    fixed = stressed_deal(deal, method, "issuance_ok", levels,
                          readings=method.readings.with_("fees", "fixed_of_notes_issued"))
    issued = sum(fen_from_wan(c.size_wan) for c in deal.classes)
    carriers = [f for f in fixed.fees if f.basis == "fixed_per_year" and f.cny_per_year > 0]
    assert len(carriers) == 1
    assert carriers[0].cny_per_year * 100 == Decimal(issued) * method.outflows.fees_pct_pa / 100
    by_outstanding = stressed_deal(deal, method, "issuance_ok", levels)
    a, b = evaluate(fixed), evaluate(by_outstanding)
    assert a.outflows["taxes_and_fees"].due_fen > b.outflows["taxes_and_fees"].due_fen


def test_taxes_on_all_income_tax_the_investment_income_too(deal, method):
    """readings.taxes=all_income: the tax rate applies to the eligible investments' income as
    well as to the obligors' non-principal payments. (Dongdao's deposits earn 0%, an
    ASSUMPTION of its file, so there the two readings agree; here they earn 2%.)"""
    accounts = deal.accounts.model_copy(update={"eligible_investment_rate_pct": Decimal(2)})
    deal = deal.model_copy(update={"accounts": accounts})
    levels = rating_levels(method, "AAA")
    rd = method.readings.with_("taxes", "all_income")
    on_all = stressed_deal(deal, method, "issuance_ok", levels, readings=rd)
    assert {f.income for f in on_all.fees if f.basis == "pct_of_income"} == {"all_income"}
    from trustsim.sim.runner import run_deal
    _e, _p, s_all = run_deal(on_all, log=False)
    _e, _p, s_int = run_deal(stressed_deal(deal, method, "issuance_ok", levels), log=False)
    invested = s_all["cash"]["investment_income_fen"]
    assert invested > 0
    extra = s_all["cash"]["taxes_fen"] - s_int["cash"]["taxes_fen"]
    expected = Decimal(invested) * method.outflows.tax_rate_pct / 100
    assert abs(extra - expected) <= expected / 50 + 100    # per-period rounding, a slightly other path


def test_taxes_on_all_collections_tax_the_principal_too(deal, method):
    """readings.taxes=all_collections: the tax rate on every collection, principal included:
    the taxes then exceed the rate times the principal the obligors paid."""
    levels = rating_levels(method, "BBB+")
    rd = method.readings.with_("taxes", "all_collections")
    from trustsim.sim.runner import run_deal
    _e, _p, s = run_deal(stressed_deal(deal, method, "issuance_fails", levels, readings=rd), log=False)
    rate = method.outflows.tax_rate_pct / 100
    collected = s["pool"]["collected_fen"]
    income = s["cash"]["collections_fen"] - collected
    assert s["cash"]["taxes_fen"] >= int(Decimal(collected) * rate * Decimal("0.99"))
    assert s["cash"]["taxes_fen"] <= int(Decimal(collected + income) * rate) + 100


def test_readings_cli_runs_each_reading_once(tmp_path, method):
    out = tmp_path / "readings.json"
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--readings", "--rating", "AAA",
                                      "--json", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    labels = [r["reading"] for r in doc["readings"]]
    assert labels == ["default", "mpr_basis=outstanding", "write_off_basis=pool_at_revolving_end",
                      "fees=fixed_of_notes_issued", "taxes=all_income", "taxes=all_collections"]
    for entry in doc["readings"][1:]:
        name, value = entry["reading"].split("=")
        assert all(r["readings"][name] == value for r in entry["results"])
    assert len({json.dumps(e["results"][0]["classes"]) + str(e["results"][0]["safety_margin"])
                for e in doc["readings"]}) > 1


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["readings"].update(mpr_basis="sideways"), "readings.mpr_basis"),
    (lambda d: d["readings"].update(write_off_basis="each_year"), "readings.write_off_basis"),
    (lambda d: d["readings"].update(fees="0.12"), "readings.fees"),
    (lambda d: d["readings"].update(taxes="principal"), "readings.taxes"),
    (lambda d: d["readings"].update(colour="blue"), "readings.colour"),
    (lambda d: d.pop("readings"), "readings"),
    (lambda d: d.update(normal_assets_classes={"AA": ["senior"]}), "normal_assets_classes.AA"),
])
def test_a_bad_reading_is_an_error_naming_the_field(tmp_path, edit, message):
    data = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "method.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_method(path)
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--method", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_normal_assets_naming_an_unknown_class_is_an_error(deal, tmp_path):
    data = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    data["normal_assets_classes"] = {"AAA": ["tranche_z"]}
    path = tmp_path / "method.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--method", str(path), "--rating", "AAA"])
    assert result.exit_code == 2
    assert "normal_assets_classes.AAA: the deal dongdao3_2020_1 has no class named 'tranche_z'" in \
        " ".join(result.output.split())


def test_a_bad_reading_flag_names_the_flag():
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--reading", "mpr_basis=sideways"])
    assert result.exit_code == 2
    assert "--reading: reading mpr_basis: unknown value 'sideways' (known: initial, outstanding)" in \
        " ".join(result.output.split())
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--reading", "mpr_basis"])
    assert result.exit_code == 2 and "--reading: 'mpr_basis': expected NAME=VALUE" in result.output
