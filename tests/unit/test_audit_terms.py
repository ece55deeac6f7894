"""The audit reads a deal's terms from its config.json in the deal language, by itself.

The audit never imports the simulator's models: it derives each waterfall action's step
id by the language's documented rule, and the legal maturity from the classes. These
tests hold its reading to the language's own (trustsim.config) and to the dates the
contract gives.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import re
from pathlib import Path

import pytest
from support.deals import DEAL_FILE, bundled, validated

import trustsim.audit
from trustsim.audit.terms import TermsError, read_terms
from trustsim.config import load_deal
from trustsim.config.waterfalls import Action

AUDIT_DIR = Path(trustsim.audit.__file__).parent
BUNDLED_CLASSES = ("senior", "mezz", "sub", "priority_01", "priority_02", "subordinated",
                   "class_a1", "class_a2", "class_b")

ACTIONS = [
    {"pay_fees": "taxes", "clause": "1"},
    {"pay_fees": ["trustee_fee", "custodian_fee"], "clause": "2"},
    {"pay_fees": ["trustee_fee", "expenses"], "id": "fees_within_cap", "clause": "3"},
    {"pay_fees_above_cap": "expenses", "clause": "4"},
    {"pay_interest": "class_a1", "clause": "5"},
    {"pay_interest": ["class_a1", "class_a2"], "clause": "6"},
    {"pay_period_income": "class_b", "clause": "7"},
    {"pay_principal": ["class_a1", "class_a2"], "clause": "8"},
    {"fund_account": "liquidity_reserve", "clause": "9"},
    {"release_account": "liquidity_reserve", "clause": "10"},
    {"retain": True, "clause": "11"},
    {"pay_residual": "class_b", "clause": "12"},
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: next(k for k in a if k != "clause"))
def test_the_audit_derives_each_actions_step_id_as_the_language_does(action):
    """pay_fees: names joined by "_"; pay_interest: "<classes>_interest"; fund_account:
    "fund_<acct>"; ... — an ``id`` wins. The audit reads the action as config.json holds
    it (every key dumped, unused ones null) and gets the model's ``Action.step``."""
    dumped = Action.model_validate(action).model_dump(mode="json")
    cfg = bundled()
    cfg["waterfalls"]["extra"] = [dumped]
    assert [s.pay for s in read_terms(cfg).waterfalls["extra"]] == [
        Action.model_validate(action).step]


def test_the_bundled_deals_waterfalls_read_as_the_simulator_names_their_steps():
    deal = load_deal(DEAL_FILE)
    terms = read_terms(deal.model_dump(mode="json"))
    for status, actions in deal.waterfalls.items():
        assert [(s.pay, s.clause, list(s.after_paid_in_full)) for s in terms.waterfalls[status]] \
            == [(a.step, a.clause, a.after_paid_in_full) for a in actions]


def test_legal_maturity_is_the_latest_expected_maturity_plus_the_months_then_a_business_day():
    """The last class expected 2022-10-15 and 6 months after: 2023-04-15, a Saturday, so
    legal maturity is Monday 2023-04-17 (the other classes end 2022-09-12)."""
    cfg = bundled()
    cfg["classes"][2]["expected_maturity"] = "2022-10-15"
    cfg["dates"]["legal_maturity_months_after_last_expected"] = 6
    assert read_terms(validated(cfg)).legal_maturity == dt.date(2023, 4, 17)


def test_class_sizes_are_read_in_fen_in_the_deals_order():
    terms = read_terms(bundled())
    deal = load_deal(DEAL_FILE)
    assert terms.class_sizes_fen == {c.name: int(c.size_wan * 1_000_000) for c in deal.classes}
    assert list(terms.class_names) == deal.class_names


def _drop(path: str):
    def edit(cfg: dict) -> None:
        *head, last = path.split(".")
        node = cfg
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]
    return edit


def _set(path: str, value):
    def edit(cfg: dict) -> None:
        *head, last = path.split(".")
        node = cfg
        for part in head:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value
    return edit


@pytest.mark.parametrize("edit,message", [
    (_drop("triggers.4.threshold_pct"),
     "config.json: triggers[4] (npl_ratio).threshold_pct: missing (the audit needs it)"),
    (_set("triggers.8.classes", ["senior", "class_z"]),
     "config.json: triggers[8] (senior_interest_default).classes: no class named 'class_z' "
     "(classes: senior, mezz, sub)"),
    (_set("triggers.0.effect", "stop"),
     "config.json: triggers[0] (originator_insolvency).effect: 'stop' is not end_revolving, "
     "event_of_default or {use_waterfall: NAME}"),
    (_set("classes.1.expected_maturity", None),
     "config.json: classes[1] (mezz).expected_maturity: missing (the audit needs it, or "
     "rolling_series)"),
    (_set("dates.amortization_schedule", {"every_business_days": 10, "every_months": 1}),
     "config.json: dates.amortization_schedule: expected exactly one of every_business_days, "
     "every_months"),
    (_drop("dates.legal_maturity_months_after_last_expected"),
     "config.json: dates.legal_maturity_months_after_last_expected: missing (the audit needs it)"),
    (_set("waterfalls.amortization.0.pay_principal", "senior"),
     "config.json: waterfalls.amortization[0]: an action needs exactly one of pay_fees, "
     "pay_fees_above_cap, pay_interest, pay_period_income, pay_principal, fund_account, "
     "release_account, retain, pay_residual; got pay_fees, pay_principal"),
])
def test_a_config_the_audit_cannot_read_is_an_error_naming_the_field(edit, message):
    cfg = copy.deepcopy(bundled())
    edit(cfg)
    with pytest.raises(TermsError) as err:
        read_terms(cfg)
    assert str(err.value) == message


def test_the_audit_names_no_class_of_any_deal():
    """The checks take every class, step and trigger from config.json: no string in
    trustsim/audit names a bundled deal's class (alone or in a step id)."""
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(BUNDLED_CLASSES) + r")(?![a-z0-9])")
    found = []
    for path in sorted(AUDIT_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and pattern.search(node.value):
                found.append(f"{path.relative_to(AUDIT_DIR)}:{node.lineno}: "
                             f"{pattern.search(node.value).group(0)}")
    assert found == []


def test_a_run_written_before_the_deal_language_is_refused_saying_so():
    """An older run's config.json has ``notes`` (notes.senior...) and no ``classes``."""
    cfg = bundled()
    del cfg["classes"]
    cfg["notes"] = {"issue_size_wan": 100000}
    with pytest.raises(TermsError) as err:
        read_terms(cfg)
    assert str(err.value).startswith("config.json: classes: missing; this run's deal is in the "
                                     "format before the deal language")
