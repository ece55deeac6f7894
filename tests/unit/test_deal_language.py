"""The deal language refuses a deal that makes no sense before a run, naming the field.

One test per rule of the language: the models' validators (trustsim/config/structure.py,
waterfalls.py, triggers.py) and the cross-section checks (trustsim/config/consistency.py).
Each test takes the bundled Dongdao deal, breaks one thing the way a user editing it would,
and asserts that validation names the field path and what was expected. Then: how a scenario
overlays a deal (classes merge by name), how a step's id is derived, and that the worked
example of docs/deal-language.md is a valid deal.
"""

from __future__ import annotations

import ast
import copy
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.deal_edits import DEAL, ROOT, action, bundled, drop_gate, note_class, static, without_rolling

from trustsim.config import ConfigError, deep_merge, load_deal, validate_deal
from trustsim.config.models import DealConfig
from trustsim.config.waterfalls import ACTION_KEYS, Action
from trustsim.sim.runner import run_deal

GUIDE = ROOT / "docs" / "deal-language.md"
_BUNDLED = bundled()


def valid(data: dict[str, Any]) -> DealConfig:
    return validate_deal(data, "deal.yaml", DEAL.parent)


def refused(change: Callable[[dict[str, Any]], object], base: Callable[[], dict[str, Any]] = bundled) -> str:
    """The message validating the deal ``change`` edits; it names the file first."""
    data = base()
    change(data)
    with pytest.raises(ConfigError) as err:
        valid(data)
    message = str(err.value)
    assert message.startswith("deal.yaml: "), message
    return message


def waterfall(d: dict[str, Any], status: str) -> list[dict[str, Any]]:
    return d["waterfalls"][status]


# ---------------------------------------------------------------- the starting points are valid
def test_the_bundled_deal_and_its_static_variant_are_valid_so_each_refusal_below_is_the_edit():
    assert valid(bundled()).class_names == ["senior", "mezz", "sub"]
    deal = valid(static())
    assert not deal.revolves and deal.rolling_class is None
    assert list(deal.waterfalls) == ["amortization", "post_default"]


# ---------------------------------------------------------------- classes
def test_a_class_with_no_expected_maturity_and_no_rolling_series_is_refused():
    message = refused(lambda d: note_class(d, "mezz").pop("expected_maturity"))
    assert "classes[1] (mezz): " in message
    assert "expected_maturity: required (a class that rolls gives rolling_series instead)" in message


def test_a_rolling_class_whose_expected_maturity_is_not_its_last_series_is_refused():
    message = refused(lambda d: note_class(d, "senior").update(expected_maturity="2022-09-30"))
    assert "classes[0] (senior): " in message
    assert ("expected_maturity (2022-09-30) must be the last series' (rolling_series.expected_maturities[-1], "
            "2022-09-12), or be left out") in message


def test_series_maturities_out_of_order_are_refused_naming_both():
    def swap(d: dict[str, Any]) -> None:
        ms = note_class(d, "senior")["rolling_series"]["expected_maturities"]
        ms[2], ms[3] = ms[3], ms[2]

    message = refused(swap)
    assert "classes[0] (senior).rolling_series: " in message
    assert "expected_maturities[3] (2021-06-18) must be after expected_maturities[2] (2021-09-18)" in message


def test_interest_at_series_maturity_for_a_class_that_does_not_roll_is_refused():
    message = refused(lambda d: note_class(d, "mezz")["interest"].update(revolving="at_series_maturity"))
    assert "classes[1] (mezz): " in message and "interest.revolving: at_series_maturity needs rolling_series" in message


def test_a_class_paid_period_income_and_a_coupon_is_refused():
    message = refused(lambda d: note_class(d, "sub").update(coupon_pct=1))
    assert "classes[2] (sub): " in message
    assert "coupon_pct: a class paid period_income has no coupon (give one or the other)" in message


def test_a_class_name_that_is_not_an_identifier_is_refused():
    message = refused(lambda d: note_class(d, "senior").update(name="Senior A"))
    assert "classes[0] (Senior A).name: " in message and "^[a-z][a-z0-9_]*$" in message


def test_two_classes_of_one_name_are_refused():
    message = refused(lambda d: note_class(d, "sub").update(name="mezz"))
    assert "classes[2]: the name 'mezz' is used twice" in message


def test_two_rolling_classes_are_refused():
    message = refused(lambda d: note_class(d, "mezz").update(rolling_series={"expected_maturities": ["2022-09-12"]}))
    assert "classes[1]: only one class may roll (rolling_series); senior already does" in message


def test_an_expected_maturity_not_after_the_effective_date_is_refused():
    message = refused(lambda d: note_class(d, "mezz").update(expected_maturity="2020-08-18"))
    assert ("classes[1] (mezz).expected_maturity (2020-08-18) must be after dates.trust_effective_date "
            "(2020-08-18)") in message


# ---------------------------------------------------------------- fees, accounts, triggers: unique names
def test_two_fees_of_one_name_are_refused():
    message = refused(lambda d: d["fees"][2].update(name="taxes"))
    assert "fees[2]: the name 'taxes' is used twice" in message


def test_two_reserve_accounts_of_one_name_are_refused():
    reserve = {"name": "liquidity", "initial_wan": 0, "target": {"pct_of_notes": 1}}
    message = refused(lambda d: d["accounts"].update(reserves=[reserve, reserve]))
    assert "accounts.reserves[1]: the name 'liquidity' is used twice" in message


def test_two_triggers_of_one_name_are_refused():
    message = refused(lambda d: d["triggers"][1].update(name="npl_ratio"))
    assert "triggers[4]: the name 'npl_ratio' is used twice" in message


# ---------------------------------------------------------------- periods: which waterfalls a deal needs
@pytest.mark.parametrize("status", ["amortization", "post_default"])
def test_a_deal_without_an_amortization_or_post_default_waterfall_is_refused(status: str):
    message = refused(lambda d: d["waterfalls"].pop(status))
    assert f"waterfalls.{status}: missing; every deal needs amortization and post_default" in message


def test_a_revolving_deal_without_a_revolving_waterfall_is_refused():
    message = refused(lambda d: d["waterfalls"].pop("revolving"))
    assert "waterfalls.revolving: missing; dates.revolving_months is 21, so the deal revolves" in message


def test_a_static_deal_with_a_revolving_waterfall_is_refused():
    message = refused(lambda d: d["waterfalls"].update(revolving=_BUNDLED["waterfalls"]["revolving"]), static)
    assert ("waterfalls.revolving: dates.revolving_months is 0 (a static pool), so a revolving waterfall "
            "would never apply; remove it") in message


def test_a_revolving_deal_without_revolving_purchase_terms_is_refused():
    message = refused(lambda d: d.pop("revolving_purchase"))
    assert "revolving_purchase: missing; a revolving deal buys receivables" in message


def test_a_rolling_class_on_a_static_deal_is_refused():
    def roll(d: dict[str, Any]) -> None:
        note_class(d, "senior")["rolling_series"] = {"expected_maturities": ["2021-03-18", "2022-09-12"]}

    message = refused(roll, static)
    assert "classes[0] (senior).rolling_series: a static pool (revolving_months 0) has no roll dates" in message


# ---------------------------------------------------------------- waterfall actions
def test_an_empty_waterfall_is_refused():
    message = refused(lambda d: d["waterfalls"].update(post_default=[]))
    assert "waterfalls.post_default: no actions" in message


def test_an_action_with_two_keys_is_refused():
    message = refused(lambda d: action(d, "amortization", pay_principal="senior").update(pay_interest="senior"))
    assert "waterfalls.amortization[5]: " in message
    assert f"an action needs exactly one of {', '.join(ACTION_KEYS)}; got pay_interest, pay_principal" in message


def test_an_action_with_no_key_is_refused():
    message = refused(lambda d: action(d, "amortization", pay_principal="senior").pop("pay_principal"))
    assert "waterfalls.amortization[5]: " in message and "; got none" in message


def test_two_actions_deriving_one_step_id_are_refused():
    message = refused(lambda d: waterfall(d, "amortization").insert(5, {"pay_interest": "senior", "clause": "x"}))
    assert ("waterfalls.amortization[5] (pay_interest: senior): the step id 'senior_interest' appears twice; "
            "give one an id") in message


def test_a_gate_naming_a_later_step_is_refused_listing_the_earlier_ones():
    message = refused(lambda d: action(d, "amortization", pay_interest="mezz").update(
        after_paid_in_full=["mezz_principal"]))
    assert ("waterfalls.amortization[6] (pay_interest: mezz).after_paid_in_full: 'mezz_principal' is not an "
            "earlier step (earlier: taxes, trustee_counsel_fees, rating_fees, fees_within_cap, senior_interest, "
            "senior_principal)") in message


def test_an_action_paying_an_unknown_fee_is_refused_listing_the_fees():
    message = refused(lambda d: waterfall(d, "revolving").insert(0, {"pay_fees": "audit_fee", "clause": "x"}))
    assert ("waterfalls.revolving[0] (pay_fees: audit_fee): no fee named 'audit_fee' (fees: taxes, "
            "trustee_counsel_fees, rating_fees, trustee_fee, custodian_fee, servicer_fee, "
            "registrar_paying_agent_fee, expenses)") in message


def test_paying_above_the_cap_of_a_fee_without_a_cap_is_refused():
    message = refused(lambda d: action(d, "revolving", pay_fees_above_cap="expenses").update(
        pay_fees_above_cap="rating_fees"))
    assert "waterfalls.revolving[6] (pay_fees_above_cap: rating_fees): fee 'rating_fees' has no cap_cny_per_year" \
        in message


def test_an_action_naming_an_unknown_class_is_refused_listing_the_classes():
    message = refused(lambda d: action(d, "amortization", pay_principal="mezz").update(pay_principal="class_z"))
    assert ("waterfalls.amortization[7] (pay_principal: class_z): no class named 'class_z' "
            "(classes: senior, mezz, sub)") in message


def test_a_pro_rata_group_spanning_ranks_is_refused_naming_the_class_between():
    message = refused(lambda d: action(d, "amortization", pay_principal="senior").update(
        pay_principal=["senior", "sub"]))
    assert ("waterfalls.amortization[5] (pay_principal: senior, sub): a pro-rata group must be classes of one "
            "rank, consecutive in seniority; it spans ranks (mezz sits between)") in message


def test_a_pro_rata_group_naming_a_class_twice_is_refused():
    message = refused(lambda d: action(d, "amortization", pay_principal="mezz").update(
        pay_principal=["mezz", "mezz"]))
    assert "waterfalls.amortization[7] (pay_principal: mezz, mezz): class 'mezz' is named twice" in message


def test_period_income_for_a_class_without_period_income_is_refused():
    message = refused(lambda d: action(d, "revolving", pay_period_income="sub").update(pay_period_income="mezz"))
    assert "waterfalls.revolving[7] (pay_period_income: mezz): class 'mezz' has no period_income" in message


def test_interest_for_a_class_paid_period_income_is_refused():
    def as_interest(d: dict[str, Any]) -> None:
        a = action(d, "revolving", pay_period_income="sub")
        del a["pay_period_income"]
        a["pay_interest"] = "sub"

    message = refused(as_interest)
    assert ("waterfalls.revolving[7] (pay_interest: sub): class 'sub' is paid period income "
            "(pay_period_income), not interest") in message


@pytest.mark.parametrize("key", ["fund_account", "release_account"])
def test_an_action_naming_an_unknown_reserve_account_is_refused(key: str):
    message = refused(lambda d: waterfall(d, "amortization").insert(4, {key: "liquidity", "clause": "x"}))
    assert (f"waterfalls.amortization[4] ({key}: liquidity): no reserve account named 'liquidity' "
            "(accounts.reserves: none)") in message


def test_a_terminal_action_before_the_last_is_refused():
    message = refused(lambda d: waterfall(d, "revolving").insert(2, {"retain": True, "clause": "x"}))
    assert "waterfalls.revolving[2] (retain: true): retain takes what is left, so it must be the last action" \
        in message


def test_a_waterfall_not_ending_with_a_terminal_action_is_refused():
    message = refused(lambda d: waterfall(d, "revolving").pop())
    assert ("waterfalls.revolving: the last action must be retain or pay_residual "
            "(what is left must go somewhere)") in message


def test_a_class_no_amortization_action_repays_is_refused():
    def drop(d: dict[str, Any]) -> None:
        waterfall(d, "amortization").remove(action(d, "amortization", pay_principal="mezz"))
        drop_gate(d, "mezz_principal")

    message = refused(drop)
    assert ("waterfalls.amortization: no pay_principal action repays class 'mezz', so its principal could "
            "never be repaid") in message


def test_a_post_default_waterfall_ending_with_retain_is_refused():
    message = refused(lambda d: waterfall(d, "post_default").__setitem__(-1, {"retain": True, "clause": "x"}))
    assert ("waterfalls.post_default: ends with retain, but after revolving nothing is bought; end it with "
            "pay_residual") in message


# ---------------------------------------------------------------- everything owed is paid somewhere
def test_a_fee_no_action_pays_is_refused():
    fee = {"name": "audit_fee", "payee": "auditor", "basis": "fixed_per_year", "cny_per_year": 1000}
    message = refused(lambda d: d["fees"].append(fee))
    assert "fees[8] (audit_fee): paid by no waterfall action (pay_fees)" in message


def test_a_reserve_account_no_action_funds_is_refused():
    reserve = {"name": "liquidity", "initial_wan": 0, "target": {"pct_of_notes": 1}}
    message = refused(lambda d: d["accounts"].update(reserves=[reserve]))
    assert "accounts.reserves[0] (liquidity): funded by no waterfall action (fund_account)" in message


def test_a_class_with_a_coupon_no_action_pays_interest_to_is_refused():
    def drop(d: dict[str, Any]) -> None:
        for status in d["waterfalls"]:
            waterfall(d, status).remove(action(d, status, pay_interest="mezz"))
        drop_gate(d, "mezz_interest")

    message = refused(drop)
    assert "classes[1] (mezz): its interest is paid by no waterfall action (pay_interest)" in message


def test_a_class_with_period_income_no_action_pays_is_refused():
    message = refused(lambda d: waterfall(d, "revolving").remove(action(d, "revolving", pay_period_income="sub")))
    assert "classes[2] (sub): its period income is paid by no waterfall action (pay_period_income)" in message


# ---------------------------------------------------------------- triggers
def test_a_trigger_switching_to_a_waterfall_that_does_not_exist_is_refused():
    message = refused(lambda d: d["triggers"][4].update(effect={"use_waterfall": "sequential"}))
    assert ("triggers[4] (npl_ratio).effect.use_waterfall: no waterfall named 'sequential' "
            "(waterfalls: revolving, amortization, post_default)") in message


def test_a_trigger_switching_to_a_waterfall_the_deal_has_is_valid():
    def switch(d: dict[str, Any]) -> None:
        d["waterfalls"]["sequential"] = copy.deepcopy(d["waterfalls"]["amortization"])
        d["triggers"][4]["effect"] = {"use_waterfall": "sequential"}

    d = bundled()
    switch(d)
    assert valid(d).triggers[4].effect_kind == "waterfall_switch"


def test_an_interest_trigger_naming_an_unknown_class_is_refused():
    message = refused(lambda d: d["triggers"][8].update(classes=["senior", "class_a"]))
    assert ("triggers[8] (senior_interest_default).classes: no class named 'class_a' "
            "(classes: senior, mezz, sub)") in message


def test_an_issuance_failure_trigger_in_a_deal_where_no_class_rolls_is_refused():
    def keep_h(d: dict[str, Any]) -> None:
        h = next(t for t in d["triggers"] if t["kind"] == "issuance_failure")
        without_rolling(d)
        d["triggers"].insert(7, h)

    message = refused(keep_h)
    assert ("triggers[7] (issuance_failure): issuance_failure needs a class that rolls (rolling_series); "
            "no class of this deal does") in message


def test_a_revolving_only_trigger_on_a_static_deal_is_refused():
    g = next(t for t in _BUNDLED["triggers"] if t["kind"] == "pool_below_notes")
    message = refused(lambda d: d["triggers"].append(g), static)
    index = len(static()["triggers"])   # g is appended after the static deal's triggers
    assert (f"triggers[{index}] (pool_below_notes): pool_below_notes applies in revolving; "
            f"this deal is static") in message


def test_an_unknown_trigger_kind_is_refused_listing_the_kinds():
    message = refused(lambda d: d["triggers"][0].update(kind="moon_phase"))
    assert "triggers[0] (originator_insolvency): " in message and "'moon_phase'" in message
    assert "'cumulative_default_rate'" in message


# ---------------------------------------------------------------- declared events and incidents
def declared(**fields: object) -> dict[str, Any]:
    return {"kind": "declared_event", "start": "2021-04-01", "effect": "acceleration", "clause": "D(j)",
            "description": "a material adverse event", "meeting_after_business_days": 5, "declared": True,
            **fields}


def test_a_cure_for_a_clause_with_no_cure_period_is_refused():
    message = refused(lambda d: d.update(incidents=[declared(cured_after_days=10)]))
    assert ("incidents[0].cured_after_days: clause D(j) has no cure period "
            "(declared_events.curable_clauses: D(h), c)") in message


def test_an_incurable_finding_for_a_clause_with_no_cure_period_is_refused():
    message = refused(lambda d: d.update(incidents=[declared(incurable=True)]))
    assert ("incidents[0].incurable: a failure under clause D(j) cannot be found incurable "
            "(declared_events.may_be_found_incurable: D(h))") in message


def test_an_incurable_finding_under_default_c_is_refused_as_d_h_alone_may_be_one():
    """[一.4.4(1)] "unless the trustee finds it incurable" is D(h)'s wording; (c) has a cure
    period but no such finding."""
    message = refused(lambda d: d.update(incidents=[declared(clause="c", effect="default", incurable=True)]))
    assert "incidents[0].incurable: a failure under clause c cannot be found incurable" in message


def test_a_series_issuance_failure_in_a_deal_where_no_class_rolls_is_refused():
    def fail_series_2(d: dict[str, Any]) -> None:
        without_rolling(d)
        d["incidents"] = [{"kind": "series_issuance_failure", "series": 2}]

    message = refused(fail_series_2)
    assert "incidents[0]: no class of this deal rolls (rolling_series), so no series issuance can fail" in message


def test_a_series_issuance_failure_of_a_series_that_does_not_exist_is_refused():
    message = refused(lambda d: d.update(incidents=[{"kind": "series_issuance_failure", "series": 9}]))
    assert "incidents[0]: series 9 does not exist (senior has 7 series)" in message


# ---------------------------------------------------------------- step ids
STEP_IDS = [
    ({"pay_fees": "taxes"}, "taxes"),
    ({"pay_fees": ["trustee_fee", "custodian_fee"]}, "trustee_fee_custodian_fee"),
    ({"pay_fees_above_cap": "expenses"}, "expenses_above_cap"),
    ({"pay_interest": "mezz"}, "mezz_interest"),
    ({"pay_interest": ["a1", "a2"]}, "a1_a2_interest"),
    ({"pay_period_income": "sub"}, "sub_income"),
    ({"pay_principal": "senior"}, "senior_principal"),
    ({"fund_account": "liquidity"}, "fund_liquidity"),
    ({"release_account": "liquidity"}, "release_liquidity"),
    ({"retain": True}, "retain"),
    ({"pay_residual": "sub"}, "residual_to_sub"),
    ({"pay_fees": ["trustee_fee", "expenses"], "id": "fees_within_cap"}, "fees_within_cap"),
]


@pytest.mark.parametrize(("given", "step"), STEP_IDS)
def test_each_action_derives_its_step_id_from_what_it_pays_unless_given_one(given: dict, step: str):
    assert Action.model_validate({**given, "clause": "x"}).step == step


def test_the_step_id_table_above_covers_every_action_key():
    assert {k for given, _ in STEP_IDS for k in given if k != "id"} == set(ACTION_KEYS)


# ---------------------------------------------------------------- scenario overlays
def test_an_overlay_merges_classes_by_name_changing_only_what_it_gives():
    merged = deep_merge(bundled(), {"classes": [{"name": "mezz", "coupon_pct": 8.0}]})
    assert [c["name"] for c in merged["classes"]] == ["senior", "mezz", "sub"]
    assert note_class(merged, "mezz") == {**note_class(_BUNDLED, "mezz"), "coupon_pct": 8.0}
    assert note_class(merged, "senior") == note_class(_BUNDLED, "senior")
    assert note_class(merged, "sub") == note_class(_BUNDLED, "sub")


def test_an_overlay_merges_nested_mappings_of_a_named_item_key_by_key():
    merged = deep_merge(bundled(), {"classes": [{"name": "sub", "interest": {"amortization": "every_payment_date"}}]})
    assert note_class(merged, "sub")["interest"] == {"revolving": {"calculation_dates": [4]},
                                               "amortization": "every_payment_date",
                                               "at_issuance_failure": True}


def test_an_overlay_merges_triggers_and_fees_by_name_too():
    merged = deep_merge(bundled(), {"triggers": [{"name": "npl_ratio", "threshold_pct": 4}],
                                    "fees": [{"name": "expenses", "cap_cny_per_year": 500000}]})
    npl = next(t for t in merged["triggers"] if t["name"] == "npl_ratio")
    assert (npl["threshold_pct"], npl["consecutive_business_days"], npl["clause"]) == (4, 5, "e")
    assert len(merged["triggers"]) == len(_BUNDLED["triggers"])
    expenses = next(f for f in merged["fees"] if f["name"] == "expenses")
    assert (expenses["cap_cny_per_year"], expenses["cny_per_year"]) == (500000, 200000.0)


def test_an_overlay_list_of_unnamed_items_replaces_the_deal_s_list():
    merged = deep_merge(bundled(), {"declared_events": {"curable_clauses": ["D(h)"]},
                                    "waterfalls": {"post_default": [{"pay_residual": "sub", "clause": "x"}]}})
    assert merged["declared_events"] == {"cure_days": 30, "curable_clauses": ["D(h)"],
                                         "may_be_found_incurable": ["D(h)"]}
    assert merged["waterfalls"]["post_default"] == [{"pay_residual": "sub", "clause": "x"}]
    assert merged["waterfalls"]["revolving"] == _BUNDLED["waterfalls"]["revolving"]


def test_an_overlay_class_of_a_new_name_is_appended_and_then_must_be_repaid():
    new = {"name": "mez", "size_wan": 6000, "coupon_pct": 8.0, "expected_maturity": "2022-09-12"}
    merged = deep_merge(bundled(), {"classes": [new]})
    assert [c["name"] for c in merged["classes"]] == ["senior", "mezz", "sub", "mez"]
    message = refused(lambda d: d.update(merged))
    assert "no pay_principal action repays class 'mez'" in message


def test_the_bundled_stress_scenario_raises_two_coupons_and_keeps_the_third_class():
    deal = load_deal(DEAL, ["stress_aaa_series2_fails"])
    base = load_deal(DEAL)
    assert deal.class_names == base.class_names == ["senior", "mezz", "sub"]
    assert [c.coupon_pct for c in deal.classes] == [Decimal("4.00"), Decimal("8.00"), Decimal(0)]
    assert deal.note_class("sub") == base.note_class("sub")
    assert deal.note_class("senior").rolling_series == base.note_class("senior").rolling_series


# ---------------------------------------------------------------- the reference documents itself
def test_trustsim_schema_describes_the_language_s_fields():
    schema = DealConfig.model_json_schema()
    defs = schema["$defs"]
    top = schema["properties"]
    undescribed = [k for k in ("classes", "waterfalls", "revolving_purchase") if not top[k].get("description")]
    assert undescribed == []
    action_fields = defs["Action"]["properties"]
    undescribed = [k for k in (*ACTION_KEYS, "id", "clause", "after_paid_in_full")
                   if "description" not in action_fields[k]]
    assert undescribed == []
    assert "use_waterfall" in json.dumps(defs["NplRatio"]["properties"]["effect"])


def guide_example() -> dict[str, Any]:
    """The worked example of docs/deal-language.md: its one YAML block that starts with ``name:``."""
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    deals = [b for b in blocks if b.startswith("name:")]
    assert len(deals) == 1, "docs/deal-language.md has one worked example deal"
    return yaml.safe_load(deals[0])


def test_the_worked_example_of_the_reference_is_a_valid_deal():
    deal = valid(guide_example())
    assert not deal.revolves
    assert deal.class_names == ["tranche_a1", "tranche_a2", "tranche_b", "equity"]
    switch = next(t for t in deal.triggers if t.effect_kind == "waterfall_switch")
    assert not isinstance(switch.effect, str) and switch.effect.use_waterfall == "sequential"
    assert "sequential" in deal.waterfalls


def run_example(overlay: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The worked example run in memory (with ``overlay`` merged as a scenario); its log."""
    data = guide_example() if overlay is None else deep_merge(guide_example(), overlay)
    stream = io.BytesIO()
    run_deal(valid(data), stream)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_the_worked_example_runs_as_the_reference_tells():
    log = run_example()
    assert [e for e in log if e["event"] == "trigger_fired"] == []
    call = next(e for e in log if e["event"] == "clean_up_call_noticed")
    end = next(e for e in log if e["event"] == "trust_terminated")
    assert call["date"].startswith("2026-05") and end["date"].startswith("2026-06")
    assert end["cause"] == "notes repaid in full"
    assert set(end["notes_outstanding_by_class_fen"].values()) == {0}
    assert {e["waterfall"] for e in log if e["event"] == "payment_date"} == {"amortization"}


def test_the_worked_example_s_scenario_turns_principal_sequential():
    log = run_example({"triggers": [{"name": "cumulative_losses", "threshold_pct": 1.5}]})
    fired = [e for e in log if e["event"] == "trigger_fired"]
    assert [(e["kind"], e["clause"], e["waterfall"]) for e in fired] == [("waterfall_switch", "6.1(a)", "sequential")]
    assert fired[0]["date"].startswith("2025-03")
    after = {e["waterfall"] for e in log if e["event"] == "payment_date" and e["date"] > fired[0]["date"]}
    assert after == {"sequential"}


# ---------------------------------------------------------------- docs/contract.md names what exists
CONTRACT = ROOT / "docs" / "contract.md"
REFERENCE = re.compile(r"`((?:trustsim|tests)/[\w/]+\.py)(?:::([\w.]+))?`")


def defined_names(path: Path) -> set[str]:
    """Top-level functions and classes of a module, and ``Class.method`` for their methods."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names |= {f"{node.name}.{n.name}" for n in node.body
                      if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    return names


def test_every_module_function_and_test_the_contract_page_names_exists():
    text = CONTRACT.read_text(encoding="utf-8")
    refs = REFERENCE.findall(text)
    assert len(refs) > 100, "the page maps clauses to code and tests"
    missing = []
    for path, name in refs:
        file = ROOT / path
        if not file.is_file():
            missing.append(path)
        elif name and name not in defined_names(file):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_audit_check_the_contract_page_names_exists():
    from trustsim.audit.checks import CHECKS

    named = {n for line in CONTRACT.read_text(encoding="utf-8").splitlines()
             if line.startswith("Audit check") for n in re.findall(r"`(\w+)`", line)}
    assert named, "the page names the audit's checks"
    assert named - {c.name for c in CHECKS} == set()
    assert {c.name for c in CHECKS} - named <= {"log_integrity"}


# ---------------------------------------------------------------- rules added after review
def test_period_income_in_an_amortization_waterfall_is_refused():
    """Period income is the revolving period's; after it the class takes the residual."""
    def edit(d: dict[str, Any]) -> None:
        waterfall(d, "amortization").insert(0, {"pay_period_income": "sub", "clause": "x"})
    message = refused(edit)
    assert "waterfalls.amortization[0] (pay_period_income: sub): period income is paid in the revolving " \
           "period only" in message


def test_a_calculation_date_past_the_revolving_period_is_refused():
    """21 months of revolving, every 3 months: calculation dates 1..6 (months 3 to 18; month 21
    ends revolving); a 7th never comes."""
    message = refused(lambda d: note_class(d, "mezz")["interest"].update(revolving={"calculation_dates": [7]}))
    assert "classes[1] (mezz).interest.revolving.calculation_dates: 7 is past the last revolving " \
           "calculation date (6 of them" in message


def test_a_capped_fee_whose_excess_no_action_pays_is_refused():
    def edit(d: dict[str, Any]) -> None:
        for status in ("revolving", "amortization", "post_default"):
            d["waterfalls"][status] = [a for a in waterfall(d, status) if "pay_fees_above_cap" not in a]
    message = refused(edit)
    assert "fees[7] (expenses).cap_cny_per_year: no pay_fees_above_cap action pays" in message


def test_a_waterfall_no_status_or_trigger_uses_is_refused():
    message = refused(lambda d: d["waterfalls"].update(spare=copy.deepcopy(waterfall(d, "amortization"))))
    assert "waterfalls.spare: no status uses it and no trigger's effect" in message


def test_end_revolving_on_a_static_pool_is_refused():
    def edit(d: dict[str, Any]) -> None:
        d["triggers"] = [{"name": "npl_ratio", "clause": "e", "kind": "npl_ratio", "threshold_pct": 6,
                          "consecutive_business_days": 5}]
    message = refused(edit, base=static)
    assert "triggers[0] (npl_ratio).effect: end_revolving does nothing on a static pool" in message


def test_period_income_counts_from_its_last_presentation():
    """A class presented period income at two dates is paid each stretch once: 5% a year on
    50,000,000.00 CNY from 2020-08-18 to 2021-02-18 (184 days), then to 2021-08-18 (181)."""
    from trustsim.contract.dues import DuesBook, period_income
    from trustsim.money import accrue

    deal = valid(bundled())
    book = DuesBook(deal, last_payment_date=deal.dates.trust_effective_date)
    first = period_income(deal, "sub", 5_000_000_000, book.income_start("sub"), dt_date(2021, 2, 18))
    book.income_since["sub"] = dt_date(2021, 2, 18)
    second = period_income(deal, "sub", 5_000_000_000, book.income_start("sub"), dt_date(2021, 8, 18))
    assert first == accrue(5_000_000_000, Decimal(5), 184, 365)
    assert second == accrue(5_000_000_000, Decimal(5), 181, 365)


def dt_date(y: int, m: int, d: int):
    import datetime as dt
    return dt.date(y, m, d)
