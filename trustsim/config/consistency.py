"""Rules that span the deal language's sections: every name an action, trigger or incident
uses exists, every class can be repaid, every fee is paid somewhere.

Why here and not in the engine: a deal file with an action naming an unknown class would
otherwise fail in the middle of a run, or — worse — run and never pay that class. Each
message names the field path and what was expected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from trustsim.calendar import add_months, monthly_dates
from trustsim.config.structure import check_unique

if TYPE_CHECKING:
    from trustsim.config.models import DealConfig
    from trustsim.config.waterfalls import Action

#: the statuses every deal has; a revolving deal also has ``revolving``
REQUIRED_WATERFALLS = ("amortization", "post_default")


def check_structure(deal: DealConfig) -> None:
    names = deal.class_names
    check_unique("classes", names)
    check_unique("fees", [f.name for f in deal.fees])
    check_unique("accounts.reserves", [r.name for r in deal.accounts.reserves])
    check_unique("triggers", [t.name for t in deal.triggers])
    rolling = [i for i, c in enumerate(deal.classes) if c.rolling_series is not None]
    if len(rolling) > 1:
        raise ValueError(f"classes[{rolling[1]}]: only one class may roll (rolling_series); "
                         f"{deal.classes[rolling[0]].name} already does")
    _check_periods(deal)
    for status, actions in deal.waterfalls.items():
        _check_waterfall(deal, status, actions)
    _check_paid(deal)
    _check_statuses(deal)
    _check_triggers(deal)
    _check_declared(deal)


def _check_periods(deal: DealConfig) -> None:
    revolves = deal.revolves
    for status in REQUIRED_WATERFALLS:
        if status not in deal.waterfalls:
            raise ValueError(f"waterfalls.{status}: missing; every deal needs "
                             f"{' and '.join(REQUIRED_WATERFALLS)}")
    if revolves and "revolving" not in deal.waterfalls:
        raise ValueError("waterfalls.revolving: missing; dates.revolving_months is "
                         f"{deal.dates.revolving_months}, so the deal revolves")
    if not revolves and "revolving" in deal.waterfalls:
        raise ValueError("waterfalls.revolving: dates.revolving_months is 0 (a static pool), "
                         "so a revolving waterfall would never apply; remove it")
    if revolves and deal.revolving_purchase is None:
        raise ValueError("revolving_purchase: missing; a revolving deal buys receivables")
    if not revolves:
        for i, c in enumerate(deal.classes):
            if c.rolling_series is not None:
                raise ValueError(f"classes[{i}] ({c.name}).rolling_series: a static pool "
                                 f"(revolving_months 0) has no roll dates")


def _where(status: str, i: int, a: Action) -> str:
    return f"waterfalls.{status}[{i}] ({a.key}: {', '.join(a.targets) or 'true'})"


def _check_waterfall(deal: DealConfig, status: str, actions: list[Action]) -> None:
    if not actions:
        raise ValueError(f"waterfalls.{status}: no actions")
    classes = deal.class_names
    fees = {f.name: f for f in deal.fees}
    reserves = {r.name for r in deal.accounts.reserves}
    seen: list[str] = []
    for i, a in enumerate(actions):
        where = _where(status, i, a)
        if a.step in seen:
            raise ValueError(f"{where}: the step id {a.step!r} appears twice; give one an id")
        for gate in a.after_paid_in_full:
            if gate not in seen:
                raise ValueError(f"{where}.after_paid_in_full: {gate!r} is not an earlier step "
                                 f"(earlier: {', '.join(seen) or 'none'})")
        seen.append(a.step)
        if a.key in ("pay_fees", "pay_fees_above_cap"):
            for f in a.targets:
                if f not in fees:
                    raise ValueError(f"{where}: no fee named {f!r} (fees: {', '.join(fees) or 'none'})")
                if a.key == "pay_fees_above_cap" and fees[f].cap_cny_per_year is None:
                    raise ValueError(f"{where}: fee {f!r} has no cap_cny_per_year")
        elif a.key in ("pay_interest", "pay_principal", "pay_period_income", "pay_residual"):
            for c in a.targets:
                if c not in classes:
                    raise ValueError(f"{where}: no class named {c!r} (classes: {', '.join(classes)})")
            _check_group(deal, where, a.targets)
            if a.key == "pay_period_income" and deal.note_class(a.targets[0]).period_income is None:
                raise ValueError(f"{where}: class {a.targets[0]!r} has no period_income")
            if a.key == "pay_interest":
                for c in a.targets:
                    if deal.note_class(c).period_income is not None:
                        raise ValueError(f"{where}: class {c!r} is paid period income "
                                         f"(pay_period_income), not interest")
        elif a.key in ("fund_account", "release_account") and a.targets[0] not in reserves:
            raise ValueError(f"{where}: no reserve account named {a.targets[0]!r} "
                             f"(accounts.reserves: {', '.join(sorted(reserves)) or 'none'})")
        if a.terminal and i != len(actions) - 1:
            raise ValueError(f"{where}: {a.key} takes what is left, so it must be the last action")
    if not actions[-1].terminal:
        raise ValueError(f"waterfalls.{status}: the last action must be retain or pay_residual "
                         f"(what is left must go somewhere)")
    if status != "revolving":
        repaid = {c for a in actions if a.key == "pay_principal" for c in a.targets}
        for c in classes:
            if c not in repaid:
                raise ValueError(f"waterfalls.{status}: no pay_principal action repays class {c!r}, "
                                 f"so its principal could never be repaid")
        if actions[-1].key == "retain":
            raise ValueError(f"waterfalls.{status}: ends with retain, but after revolving nothing is "
                             f"bought; end it with pay_residual")


def _check_group(deal: DealConfig, where: str, group: tuple[str, ...]) -> None:
    """A pro-rata group is classes of one rank: consecutive in the order of seniority."""
    if len(group) < 2:
        return
    twice = [c for i, c in enumerate(group) if c in group[:i]]
    if twice:
        raise ValueError(f"{where}: class {twice[0]!r} is named twice")
    ranks = sorted(deal.class_names.index(c) for c in group)
    if ranks[-1] - ranks[0] != len(ranks) - 1:
        between = [deal.class_names[r] for r in range(ranks[0], ranks[-1]) if r not in ranks]
        raise ValueError(f"{where}: a pro-rata group must be classes of one rank, consecutive in "
                         f"seniority; it spans ranks ({', '.join(between)} sits between)")


def _check_paid(deal: DealConfig) -> None:
    actions = [a for acts in deal.waterfalls.values() for a in acts]
    for i, f in enumerate(deal.fees):
        if not any(a.key == "pay_fees" and f.name in a.targets for a in actions):
            raise ValueError(f"fees[{i}] ({f.name}): paid by no waterfall action (pay_fees)")
    for i, r in enumerate(deal.accounts.reserves):
        if not any(a.key == "fund_account" and r.name in a.targets for a in actions):
            raise ValueError(f"accounts.reserves[{i}] ({r.name}): funded by no waterfall action (fund_account)")
    for i, f in enumerate(deal.fees):
        if f.cap_cny_per_year is not None and not any(
                a.key == "pay_fees_above_cap" and f.name in a.targets for a in actions):
            raise ValueError(f"fees[{i}] ({f.name}).cap_cny_per_year: no pay_fees_above_cap action pays "
                             f"what it owes above its cap, so that would never be paid")
    for i, c in enumerate(deal.classes):
        key = "pay_period_income" if c.period_income is not None else "pay_interest"
        paid = any(a.key == key and c.name in a.targets for a in actions)
        owed = c.coupon_pct > 0 or c.period_income is not None
        if owed and not paid:
            raise ValueError(f"classes[{i}] ({c.name}): its {'period income' if key != 'pay_interest' else 'interest'} "
                             f"is paid by no waterfall action ({key})")


def _check_statuses(deal: DealConfig) -> None:
    """Every waterfall applies in some status; period income is a revolving-period payment;
    a numbered calculation date exists."""
    switched = {t.effect.use_waterfall for t in deal.triggers if not isinstance(t.effect, str)}
    for status in deal.waterfalls:
        if status not in ("revolving", *REQUIRED_WATERFALLS) and status not in switched:
            raise ValueError(f"waterfalls.{status}: no status uses it and no trigger's "
                             f"effect ({{use_waterfall: {status}}}) switches to it")
    for status, actions in deal.waterfalls.items():
        for i, a in enumerate(actions):
            if a.key == "pay_period_income" and status != "revolving":
                raise ValueError(f"{_where(status, i, a)}: period income is paid in the revolving "
                                 f"period only; after it the class takes pay_residual")
    dates = deal.dates
    count = len(monthly_dates(dates.trust_effective_date, dates.calculation_every_months,
                              add_months(dates.trust_effective_date, dates.revolving_months))) \
        if deal.revolves else 0
    for i, c in enumerate(deal.classes if deal.revolves else ()):
        rule = c.interest.revolving
        for k in getattr(rule, "calculation_dates", ()):
            if k > count:
                raise ValueError(f"classes[{i}] ({c.name}).interest.revolving.calculation_dates: {k} is "
                                 f"past the last revolving calculation date ({count} of them: every "
                                 f"{dates.calculation_every_months} months for {dates.revolving_months} months)")


def _check_triggers(deal: DealConfig) -> None:
    for i, t in enumerate(deal.triggers):

        eff = t.effect
        if not isinstance(eff, str) and eff.use_waterfall not in deal.waterfalls:
            raise ValueError(f"triggers[{i}] ({t.name}).effect.use_waterfall: no waterfall named "
                             f"{eff.use_waterfall!r} (waterfalls: {', '.join(deal.waterfalls)})")
        if t.kind == "interest_unpaid":
            for c in t.classes:
                if c not in deal.class_names:
                    raise ValueError(f"triggers[{i}] ({t.name}).classes: no class named {c!r} "
                                     f"(classes: {', '.join(deal.class_names)})")
        if t.kind == "issuance_failure" and deal.rolling_class is None:
            raise ValueError(f"triggers[{i}] ({t.name}): issuance_failure needs a class that rolls "
                             f"(rolling_series); no class of this deal does")
        if t.kind in ("pool_below_notes", "issuance_failure") and not deal.revolves:
            raise ValueError(f"triggers[{i}] ({t.name}): {t.kind} applies in revolving; this deal is static")
        if t.effect == "end_revolving" and not deal.revolves:
            raise ValueError(f"triggers[{i}] ({t.name}).effect: end_revolving does nothing on a static "
                             f"pool (revolving_months 0); give event_of_default or {{use_waterfall: NAME}}")


def _check_declared(deal: DealConfig) -> None:
    curable = set(deal.declared_events.curable_clauses)
    for j, clause in enumerate(deal.declared_events.may_be_found_incurable):
        if clause not in curable:
            raise ValueError(f"declared_events.may_be_found_incurable[{j}]: clause {clause} is not in "
                             f"curable_clauses (only a failure with a cure period can be found incurable)")
    for i, inc in enumerate(deal.incidents):
        if inc.kind != "declared_event":
            continue
        if inc.cured_after_days is not None and inc.clause not in curable:
            raise ValueError(f"incidents[{i}].cured_after_days: clause {inc.clause} has no cure period "
                             f"(declared_events.curable_clauses: {', '.join(sorted(curable)) or 'none'})")
        incurable = set(deal.declared_events.may_be_found_incurable)
        if inc.incurable and inc.clause not in incurable:
            raise ValueError(f"incidents[{i}].incurable: a failure under clause {inc.clause} cannot be "
                             f"found incurable (declared_events.may_be_found_incurable: "
                             f"{', '.join(sorted(incurable)) or 'none'})")
