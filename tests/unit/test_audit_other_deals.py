"""The audit checks any deal in the deal language, not only the bundled one.

Each test audits a short hand-written log against a variant of the bundled deal
(support.deals: classes renamed, a pro-rata group, a static pool, a trigger removed or
added), so every class, step and trigger the check speaks of comes from config.json.
"""

from __future__ import annotations

import copy

import pytest
from support.audit_logs import Log, close, payment_date
from support.deals import bundled, renamed, static, validated, with_trigger, without_triggers

from trustsim.audit.checks.notes import note_balances_reconciled
from trustsim.audit.checks.purchases import revolving_purchases
from trustsim.audit.checks.schedule import payment_dates_scheduled
from trustsim.audit.checks.triggers import triggers_on_first_day
from trustsim.audit.checks.waterfall import waterfall_order
from trustsim.audit.checks.wind_up import wind_up_after_default
from trustsim.config import DealConfig

NAMES = {"senior": "class_a1", "mezz": "class_a2", "sub": "class_b"}


@pytest.fixture(scope="module")
def renamed_deal() -> dict:
    return renamed(bundled(), NAMES)


def clauses(cfg: dict, status: str) -> dict[str, str]:
    """Step id -> clause of a waterfall, as the deal language derives the ids."""
    return {a.step: a.clause for a in DealConfig.model_validate(cfg).waterfalls[status]}


# ---------------------------------------------------------------- waterfall steps
def test_a_waterfall_is_read_with_the_step_ids_its_actions_derive(renamed_deal):
    """The renamed deal's revolving waterfall pays class_a1_interest after the fees: a
    payment date doing so is in order; one logging senior_interest names a step the deal
    does not have."""
    rev = clauses(renamed_deal, "revolving")
    log = Log()
    payment_date(log, "2020-11-18", "revolving", 10, [
        ("taxes", rev["taxes"], {"tax_authority": (4, 4)}),
        ("class_a1_interest", rev["class_a1_interest"], {"class_a1_noteholders": (6, 6)})])
    assert waterfall_order(log.audit(renamed_deal)).findings == []
    log = Log()
    seqs = payment_date(log, "2020-11-18", "revolving", 10, [
        ("taxes", rev["taxes"], {"tax_authority": (4, 4)}),
        ("senior_interest", rev["class_a1_interest"], {"senior_noteholders": (6, 6)})])
    findings = waterfall_order(log.audit(renamed_deal)).findings
    assert [(f.seq, f.message) for f in findings if f.seq == seqs[1]] == [
        (seqs[1], "step 'senior_interest' is not in the revolving waterfall")]


def _pro_rata_group(cfg: dict) -> dict:
    """``cfg`` (renamed) with class_a1 and class_a2 paid interest, then principal, as one
    pro-rata group after revolving."""
    out = copy.deepcopy(cfg)
    for status in ("amortization", "post_default"):
        fees = [a for a in out["waterfalls"][status]
                if a["pay_fees"] is not None or a["pay_fees_above_cap"] is not None]
        out["waterfalls"][status] = [
            *fees[:4],
            {"pay_interest": ["class_a1", "class_a2"], "clause": f"{status} 5"},
            {"pay_principal": ["class_a1", "class_a2"], "clause": f"{status} 6",
             "after_paid_in_full": ["class_a1_class_a2_interest"]},
            {"pay_principal": "class_b", "clause": f"{status} 7",
             "after_paid_in_full": ["class_a1_class_a2_principal"]},
            *fees[4:],
            {"pay_residual": "class_b", "clause": f"{status} 9"}]
    return validated(out)


def test_a_pro_rata_principal_step_presents_each_class_what_it_owes(renamed_deal):
    """class_a1 was issued 100 fen and class_a2 50 fen: the group's principal step must
    present 100 and 50. Presenting class_a2 40 fen is cited at the step."""
    cfg = _pro_rata_group(renamed_deal)
    amo = clauses(cfg, "amortization")
    log = Log()
    log.post("2020-08-18", "custodian", "proceeds_received", "trust_account", "investors",
             100, note_class="class_a1")
    log.post("2020-08-18", "custodian", "proceeds_received", "trust_account", "investors",
             50, note_class="class_a2")
    [step] = payment_date(log, "2022-06-01", "amortization", 60, [
        ("class_a1_class_a2_principal", amo["class_a1_class_a2_principal"],
         {"class_a1_noteholders": (100, 60), "class_a2_noteholders": (40, 0)})])
    out = note_balances_reconciled(log.audit(cfg))
    assert [(f.seq, f.message) for f in out.findings] == [
        (step, "class_a1_class_a2_principal (class_a2) presents 40 fen due; the class_a2 "
               "notes owe 50 fen by the log")]


# ---------------------------------------------------------------- triggers
def _interest_short(log: Log, cfg: dict) -> list[int]:
    """A payment date on Thursday 2021-03-18 that pays class_a1's interest in full and
    leaves 3 fen of class_a2's unpaid, and the closes of the next business days."""
    amo = clauses(cfg, "amortization")
    payment_date(log, "2021-03-18", "amortization", 15, [
        ("class_a1_interest", amo["class_a1_interest"], {"class_a1_noteholders": (10, 10)}),
        ("class_a2_interest", amo["class_a2_interest"], {"class_a2_noteholders": (8, 5)})])
    return [close(log, d) for d in ("2021-03-18", "2021-03-19", "2021-03-22", "2021-03-23")]


def test_interest_unpaid_counts_the_interest_of_the_triggers_classes_only(renamed_deal):
    """Event of default (a) watches class_a1's interest in the renamed deal: class_a2's
    shortfall is no event. Watching [class_a1, class_a2] with 2 business days' grace, it
    is one at the close of Monday 2021-03-22 (the 2nd business day after the 18th)."""
    log = Log()
    _interest_short(log, renamed_deal)
    assert triggers_on_first_day(log.audit(renamed_deal)).findings == []
    cfg = copy.deepcopy(renamed_deal)
    rule = next(t for t in cfg["triggers"] if t["kind"] == "interest_unpaid")
    rule.update(classes=["class_a1", "class_a2"], grace_business_days=2)
    log = Log()
    closes = _interest_short(log, cfg)
    out = triggers_on_first_day(log.audit(validated(cfg)))
    assert [(f.seq, f.message) for f in out.findings] == [
        (closes[2], "default (a) should have fired on 2021-03-22 (class_a1, class_a2 interest "
                    "unpaid since 2021-03-18); no trigger fired")]


def _npl_closes(log: Log, pct: list[float], **fields: int) -> list[int]:
    """Closes in amortization (revolving ended 2021-02-26) at these NPL ratios."""
    log.add("2020-08-18", "originator", "initial_pool_transferred", principal_fen=1_000_000)
    log.add("2021-02-26", "trustee", "period_changed", period="amortization")
    days = ["2021-03-01", "2021-03-02", "2021-03-03", "2021-03-04", "2021-03-05", "2021-03-08"]
    return [log.add(d, "environment", "day_closed", period="amortization",
                    pool_non_performing_fen=int(p * 10_000), pool_outstanding_fen=1_000_000,
                    notes_outstanding_fen=1, **fields)
            for d, p in zip(days, pct, strict=False)]


def test_a_deal_without_a_trigger_never_fires_it():
    """Without the NPL-ratio trigger, six closes above 6% call for nothing; an
    acceleration (e) logged anyway is cited."""
    cfg = without_triggers(bundled(), "npl_ratio")
    log = Log()
    _npl_closes(log, [6.5] * 6)
    assert triggers_on_first_day(log.audit(cfg)).findings == []
    fired = log.add("2021-03-08", "trustee", "trigger_fired", kind="acceleration", clause="e",
                    figures={})
    out = triggers_on_first_day(log.audit(cfg))
    assert [f.seq for f in out.findings] == [fired]
    assert out.findings[0].message.startswith("acceleration (e) fired, but the deal has no "
                                              "such trigger")


CUMULATIVE = {"name": "cumulative_defaults", "clause": "i", "kind": "cumulative_default_rate",
              "threshold_pct": 2}


def test_cumulative_defaults_at_the_threshold_fire_the_trigger():
    """Principal defaulted since the effective date is what is non-performing plus what was
    charged off: 15,000 + 5,000 fen, 2% of the 1,000,000-fen initial pool, is at the 2%
    threshold, so the trigger should fire at that close (14,999 + 5,000 the close before
    is below it)."""
    cfg = with_trigger(bundled(), CUMULATIVE)
    log = Log()
    log.add("2020-08-18", "originator", "initial_pool_transferred", principal_fen=1_000_000)
    close(log, "2021-03-01", pool_non_performing=14_999, pool_charged_off=5_000)
    at = close(log, "2021-03-02", pool_non_performing=15_000, pool_charged_off=5_000)
    out = triggers_on_first_day(log.audit(cfg))
    assert [f.seq for f in out.findings] == [at]
    assert "acceleration (i) should have fired on 2021-03-02" in out.findings[0].message


def test_cumulative_defaults_a_log_does_not_give_are_noted_not_checkable():
    cfg = with_trigger(bundled(), CUMULATIVE)
    log = Log()
    close(log, "2021-03-01", pool_non_performing=15_000)      # no charge-offs logged
    log.add("2021-03-01", "trustee", "trigger_fired", kind="acceleration", clause="i",
            figures={})
    log.add("2021-03-01", "trustee", "period_changed", period="amortization")
    out = triggers_on_first_day(log.audit(cfg))
    assert out.findings == []
    assert "acceleration (i) (cumulative_defaults) not recomputed: day_closed carries no " \
           "pool_non_performing_fen and pool_charged_off_fen (principal defaulted since the " \
           "effective date)" in out.notes


def test_after_a_waterfall_switch_payment_dates_use_the_switched_waterfall():
    """A trigger {use_waterfall: sequential}: once it fired, a payment date still on the
    amortization waterfall is cited; one on the sequential waterfall is not."""
    cfg = bundled()
    cfg["waterfalls"]["sequential"] = copy.deepcopy(cfg["waterfalls"]["amortization"])
    cfg = with_trigger(cfg, {"name": "npl_switch", "clause": "s", "kind": "npl_ratio",
                             "threshold_pct": 3, "consecutive_business_days": 1,
                             "effect": {"use_waterfall": "sequential"}})
    taxes = clauses(cfg, "amortization")["taxes"]
    log = Log()
    log.add("2022-05-18", "trustee", "period_changed", period="amortization")
    fired = log.add("2022-06-01", "trustee", "trigger_fired", kind="waterfall_switch",
                    clause="s", figures={})
    payment_date(log, "2022-06-02", "sequential", 4, [("taxes", taxes, {"tax_authority": (4, 4)})])
    payment_date(log, "2022-06-16", "amortization", 4, [("taxes", taxes, {"tax_authority": (4, 4)})])
    out = waterfall_order(log.audit(cfg))
    second = log.events.index(next(e for e in log.events if e["event"] == "payment_date"
                                   and e["date"] == "2022-06-16")) + 1
    assert [(f.seq, f.related, f.message) for f in out.findings] == [
        (second, (fired,), "the amortization waterfall applied after trigger npl_switch (s) "
                           "switched to the sequential waterfall: the sequential waterfall is "
                           "in force")]


# ---------------------------------------------------------------- a static pool
def test_a_static_pool_pays_every_n_months_from_the_effective_date():
    """Static, amortizing every 3 months from 2020-08-18: 2020-11-18, 2021-02-18 and
    2021-05-18 are payment dates. A log skipping 2021-02-18 is cited for it."""
    cfg = static(bundled(), 3)
    taxes = clauses(cfg, "amortization")["taxes"]
    log = Log()
    for d in ("2020-11-18", "2021-05-18"):
        payment_date(log, d, "amortization", 4, [("taxes", taxes, {"tax_authority": (4, 4)})])
    out = payment_dates_scheduled(log.audit(cfg))
    assert [(f.date, f.message) for f in out.findings] == [
        ("2021-02-18", "payment date 2021-02-18 is not held (a static pool: amortization "
                       "payment dates every 3 months from the effective date 2020-08-18)")]


def test_a_static_pool_buys_no_receivables():
    cfg = static(bundled(), 3)
    log = Log()
    req = log.add("2020-09-04", "originator", "purchase_requested", request="PR1",
                  base_date="2020-09-03", purchase_date="2020-09-04", principal_fen=10,
                  price_fen=10)
    out = revolving_purchases(log.audit(cfg))
    assert [(f.seq, f.message) for f in out.findings] == [
        (req, "request PR1: the deal is static (no revolving_purchase) and buys no receivables")]


# ---------------------------------------------------------------- wind-up
def test_receivables_in_kind_name_the_classes_ranking_ahead_by_the_deals_order(renamed_deal):
    """After an event of default, 9 fen of receivables go to class_b in kind while
    class_a2 (ranking ahead of it in ``classes``) is owed 5 fen: cited, naming class_a2."""
    log = Log()
    default = log.add("2023-09-26", "trustee", "trigger_fired", kind="default", clause="b",
                      figures={})
    ended = log.add("2023-09-27", "trustee", "trust_terminated", pool_released_fen=9,
                    released_to="class_b_noteholders (in kind)",
                    notes_outstanding_by_class_fen={"class_a1": 0, "class_a2": 5, "class_b": 7})
    out = wind_up_after_default(log.audit(renamed_deal))
    assert [(f.seq, f.related, f.message) for f in out.findings] == [
        (ended, (default,), "9 fen of receivables went in kind to class_b_noteholders (in kind) "
                            "after event of default (b) while a class ranking ahead of class_b "
                            "was unpaid: class_a2 (5 fen); they must be sold and the price "
                            "distributed by the post-default waterfall")]


def test_a_switch_naming_another_waterfall_than_its_triggers_is_cited():
    cfg = bundled()
    cfg["waterfalls"]["sequential"] = copy.deepcopy(cfg["waterfalls"]["amortization"])
    cfg = with_trigger(cfg, {"name": "npl_switch", "clause": "s", "kind": "npl_ratio",
                             "threshold_pct": 3, "consecutive_business_days": 1,
                             "effect": {"use_waterfall": "sequential"}})
    log = Log()
    log.add("2021-02-26", "trustee", "period_changed", period="amortization")
    fired = log.add("2021-03-01", "trustee", "trigger_fired", kind="waterfall_switch",
                    clause="s", figures={}, waterfall="amortization")
    out = triggers_on_first_day(log.audit(cfg))
    assert (fired, "waterfall_switch (s) switches to the amortization waterfall; the deal's "
                   "trigger switches to sequential") in [(f.seq, f.message) for f in out.findings]
