"""The rating agency's stress table (DEAL.md §11) on the full simulation: six case/rating pairs.

What the deal's structure gives under Lianhe's stresses: the senior passes every rating in
both issuance cases (the published AAAsf); the mezz fails the AAA stress and passes BBB+
(the published BBB+sf); at A- it fails when every series is issued and passes when series 2
fails (docs/risk.md). The sub, unrated, loses principal under every stress.
"""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DEAL_FILE, ROOT
from support.renamed import RENAMES, renamed_deal, renamed_names, without_rolling, write_renamed_deal
from typer.testing import CliRunner

import trustsim.cli.risk  # noqa: F401  (registers the commands)
from trustsim.cli import app
from trustsim.config import ConfigError
from trustsim.money import fen_from_wan
from trustsim.risk.method import load_method
from trustsim.risk.stress import run_stress

METHOD = ROOT / "configs" / "stress" / "lianhe_2020.yaml"
SENIOR = fen_from_wan(89000)


@pytest.fixture(scope="module")
def table(deal):
    return {(r.case, r.rating): r for r in run_stress(deal, load_method(METHOD))}


def test_all_six_pairs_are_run(table):
    assert list(table) == [(c, r) for c in ("issuance_ok", "issuance_fails") for r in ("AAA", "A-", "BBB+")]


def test_who_passes_what(table):
    """Under the method's readings (MPR on each lot's initial amount; under the deal's
    outstanding-balance MPR the mezz passed A- in both cases)."""
    passed = {k: {c: v.outcome.classes[c].passed for c in ("senior", "mezz", "sub")} for k, v in table.items()}
    # the failure case counts on the originator's over-term repurchase (as the report does):
    # its price repays the notes on the first amortization payment date, the mezz included
    assert passed[("issuance_ok", "AAA")] == {"senior": True, "mezz": False, "sub": False}
    assert passed[("issuance_fails", "AAA")] == {"senior": True, "mezz": True, "sub": False}
    for case in ("issuance_ok", "issuance_fails"):
        assert passed[(case, "BBB+")] == {"senior": True, "mezz": True, "sub": False}
    assert passed[("issuance_ok", "A-")] == {"senior": True, "mezz": False, "sub": False}
    assert passed[("issuance_fails", "A-")] == {"senior": True, "mezz": True, "sub": False}


def test_paid_never_exceeds_due_and_cash_is_conserved(table):
    for key, r in table.items():
        o = r.outcome
        for name, line in o.outflows.items():
            assert 0 <= line.paid_fen <= line.due_fen, (key, name)
        paid = sum(line.paid_fen for line in o.outflows.values())
        assert o.principal_in_fen + o.interest_in_fen == paid + o.held_fen, key
        assert o.held_fen == 0, key     # the trust has terminated and paid everything out


def test_pass_fail_agrees_with_shortfalls(table):
    for key, r in table.items():
        o = r.outcome
        for c, res in o.classes.items():
            assert res.passed == (res.shortfall_fen == 0 and not res.interest_late), (key, c)
        assert o.classes["mezz"].shortfall_fen == (o.outflows["mezz_principal"].due_fen
                                                   - o.outflows["mezz_principal"].paid_fen
                                                   + o.outflows["mezz_interest"].due_fen
                                                   - o.outflows["mezz_interest"].paid_fen), key
        assert o.classes["sub"].shortfall_fen == o.outflows["sub_principal"].due_fen - \
            o.outflows["sub_principal"].paid_fen, key


def test_safety_margins_are_the_reports_definition(table):
    for key, r in table.items():
        o = r.outcome
        f = o.outflows
        ahead = f["revolving_purchases"].due_fen + f["taxes_and_fees"].due_fen
        left_senior = o.cash_in_fen - ahead - f["senior_interest"].due_fen - f["senior_principal"].due_fen
        left_mezz = left_senior - f["mezz_interest"].due_fen - f["mezz_principal"].due_fen
        assert o.safety_margin("senior") == left_senior / SENIOR, key
        assert o.safety_margin("mezz") == left_mezz / (SENIOR + fen_from_wan(6000)), key
        # a margin below zero is exactly the class's shortfall
        assert (o.safety_margin("mezz") < 0) == (not o.classes["mezz"].passed), key
    aaa = table[("issuance_ok", "AAA")].outcome
    short = aaa.classes["mezz"].shortfall_fen
    assert round(aaa.safety_margin("mezz") * (SENIOR + fen_from_wan(6000))) == -short


def test_the_issuance_cases_are_what_they_say(table):
    for rating in ("AAA", "A-", "BBB+"):
        fails = table[("issuance_fails", rating)].outcome
        assert fails.triggers[0] == ("acceleration", "h", "2020-12-18")
        assert fails.revolving_end == "2020-12-18"
        ok = table[("issuance_ok", rating)].outcome
        assert all(clause != "h" for _, clause, _ in ok.triggers)
        # senior principal comes out of collections, in full, in every pair
        assert ok.outflows["senior_principal"].paid_fen == fails.outflows["senior_principal"].paid_fen == SENIOR
    # harder stress, less cash: fewer purchases, more loss to the mezz
    p = [table[("issuance_fails", r)].outcome.outflows["revolving_purchases"].paid_fen for r in ("AAA", "A-", "BBB+")]
    assert p[0] < p[1] < p[2]


def test_cli_writes_the_json_table(tmp_path, table):
    out = tmp_path / "stress.json"
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "case issuance_fails: does each class pass?" in result.output
    doc = json.loads(out.read_text())
    assert doc["trustsim"]["kind"] == "stress"
    records = doc["results"]
    assert [(r["case"], r["rating"]) for r in records] == [
        (c, r) for c in ("issuance_ok", "issuance_fails") for r in ("AAA", "A-", "BBB+")]
    r = records[3]
    assert set(r["inflows"]) == {"principal_fen", "interest_fen"}
    assert {"taxes_and_fees", "senior_interest", "mezz_interest", "sub_income", "revolving_purchases",
            "senior_principal", "mezz_principal", "sub_principal"} <= set(r["outflows"])
    assert set(r["classes"]["mezz"]) == {"pass", "shortfall_fen", "interest_late"}
    assert r["classes"]["mezz"]["pass"] is True and r["classes"]["mezz"]["interest_late"] is False
    # issuance_ok, AAA: the mezz's shortfall is what its interest and principal lines were
    # due and not paid
    ok = records[0]
    f = ok["outflows"]
    owed = sum(f[k]["due_fen"] - f[k]["paid_fen"] for k in ("mezz_interest", "mezz_principal"))
    assert ok["classes"]["mezz"]["pass"] is False and ok["classes"]["mezz"]["shortfall_fen"] == owed > 0
    # and the file holds the figures of the same pairs run in process
    for rec, key in ((ok, ("issuance_ok", "AAA")), (r, ("issuance_fails", "AAA"))):
        mezz = table[key].outcome.classes["mezz"]
        assert (rec["classes"]["mezz"]["shortfall_fen"], rec["classes"]["mezz"]["pass"]) == (
            mezz.shortfall_fen, mezz.passed)
    assert set(r["safety_margin"]) == {"senior", "mezz"}


def test_cli_bad_rating_is_a_clear_error_and_writes_nothing(tmp_path):
    out = tmp_path / "stress.json"
    result = CliRunner().invoke(app, ["stress", str(DEAL_FILE), "--rating", "AA", "--json", str(out)])
    assert result.exit_code == 2
    assert "--rating: unknown rating 'AA' (known: AAA, A-, BBB+)" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def renamed_method_file(folder):
    """The bundled method with its outflows naming the renamed deal's classes."""
    data = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    for field in ("coupons_pct", "period_income_cap_pct"):
        data["outflows"][field] = {RENAMES[c]: v for c, v in data["outflows"][field].items()}
    path = folder / "method.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_table_knows_no_class_name(deal, table, tmp_path):
    """The same contract with its classes renamed: every figure the same, keyed by the new names."""
    renamed = run_stress(renamed_deal(deal), load_method(renamed_method_file(tmp_path)))
    assert [r.record() for r in renamed] == [renamed_names(r.record()) for r in table.values()]


def test_cli_on_a_deal_of_other_names(deal, tmp_path):
    path = write_renamed_deal(tmp_path, deal)
    result = CliRunner().invoke(app, ["stress", str(path), "--method", str(renamed_method_file(tmp_path)),
                                      "--case", "issuance_fails", "--rating", "AAA"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = [line.split("│")[1].strip() for line in result.output.splitlines() if line.startswith("│")]
    end = rows.index("terminated") + 1
    assert rows[end - 7:end] == ["tranche_a", "tranche_b", "equity", "tranche_a safety margin",
                                 "tranche_b safety margin", "triggers", "terminated"]
    assert rows[end] == "revolving ended"      # then the normal-assets comparison
    assert rows[rows.index("classes covered") + 1] == "their principal"
    assert {"tranche_a_interest", "tranche_b_principal", "equity_income", "equity_residual"} <= set(rows)
    # the bundled method names the bundled deal's classes: an error naming the field, not a traceback
    result = CliRunner().invoke(app, ["stress", str(path), "--method", str(METHOD)])
    assert result.exit_code == 2
    assert (f"{METHOD}: outflows.coupons_pct.senior: the deal dongdao3_2020_1 has no class named 'senior' "
            f"(classes: tranche_a, tranche_b, equity)") in " ".join(result.output.split())


def test_a_deal_without_a_rolling_class(deal):
    """Nothing rolls, so the issuance_ok case runs (the senior issued once) and the case in
    which a series fails to issue is refused, naming why."""
    static = without_rolling(deal)
    (ok,) = run_stress(static, load_method(METHOD), ["issuance_ok"], ["AAA"])
    assert list(ok.outcome.classes) == ["senior", "mezz", "sub"]
    assert ok.outcome.outflows["senior_principal"].paid_fen == SENIOR
    with pytest.raises(ConfigError, match=r"incidents\[0\]: no class of this deal rolls"):
        run_stress(static, load_method(METHOD), ["issuance_fails"], ["AAA"])


STATIC = ROOT / "configs" / "deals" / "static_consumer_2021_illustrative.yaml"


def test_a_static_deal_with_pro_rata_seniors_and_a_reserve(tmp_path):
    """The method on a deal of another shape: one case of its own, stressed coupons for its two
    seniors. The reserve the proceeds fund at closing is cash in; class_a1 and class_a2, paid
    pro rata, are one rank with one safety margin; cash in is still paid + held."""
    from trustsim.config import load_deal

    data = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    data["outflows"].update(coupons_pct={"class_a1": 4.2, "class_a2": 4.6}, period_income_cap_pct={})
    data["cases"] = {"static": {"description": "the pool as bought", "overlay": {}}}
    path = tmp_path / "static.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    deal = load_deal(STATIC)
    results = run_stress(deal, load_method(path), ratings=["BBB+"])
    assert [(r.case, r.rating) for r in results] == [("static", "BBB+")]
    o = results[0].outcome
    assert list(o.classes) == ["class_a1", "class_a2", "class_b"]
    assert o.record()["inflows"]["reserve_fen"] == fen_from_wan(750)
    assert o.cash_in_fen == sum(line.paid_fen for line in o.outflows.values()) + o.held_fen
    f = o.outflows
    left = o.cash_in_fen - sum(f[k].due_fen for k in ("revolving_purchases", "taxes_and_fees", "class_a1_interest",
                                                      "class_a1_principal", "class_a2_interest", "class_a2_principal"))
    assert o.safety_margin("class_a1") == o.safety_margin("class_a2") == left / fen_from_wan(45000)
    assert set(o.record()["safety_margin"]) == {"class_a1", "class_a2"}    # class_b is unrated
    with pytest.raises(ValueError, match=r"no safety margin is defined for 'class_b'"):
        o.safety_margin("class_b")
