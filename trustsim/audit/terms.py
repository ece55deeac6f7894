"""The contract's terms an audit needs, read from the run's resolved ``config.json``.

Why a plain reading and not the pydantic model: the model is strict and changes with the
simulator; a log from last year carries last year's config. The audit reads the few
values it checks against — deadlines, thresholds, the waterfalls' order — by path, and a
missing value is a :class:`TermsError` naming that path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from trustsim.calendar import BusinessCalendar, add_months, monthly_dates
from trustsim.config.calendar import CalendarSection, RuleCalendars


@dataclass(frozen=True, slots=True)
class EligibilityRules:
    """DEAL.md §7's limits; a deal's ``pool.eligibility`` overrides them when it has one."""

    min_days_since_use: int = 2                 # (c) the Baitiao use at least 2 days old
    max_obligor_balance_fen: int = 5_000_000    # (d) obligor's total at most 50,000 CNY
    max_worst_overdue_days: int = 30            # (f) worst single overdue at JD Mall
    credit_levels: frozenset[str] = frozenset({"Level1", "Level2", "Level3", "Level4"})  # (f)
    last_instalment_months: int = 24            # (g) months after the effective date


def _eligibility(cfg: dict[str, Any]) -> EligibilityRules:
    e = (cfg.get("pool") or {}).get("eligibility")
    if not isinstance(e, dict):
        return EligibilityRules()
    base = EligibilityRules()
    return EligibilityRules(
        min_days_since_use=int(e.get("min_age_days", base.min_days_since_use)),
        max_obligor_balance_fen=int(Decimal(str(e["max_obligor_cny"])) * 100)
        if "max_obligor_cny" in e else base.max_obligor_balance_fen,
        max_worst_overdue_days=int(e.get("max_worst_dpd_days", base.max_worst_overdue_days)),
        credit_levels=frozenset(f"Level{n}" for n in e["credit_levels"])
        if e.get("credit_levels") else base.credit_levels,
        last_instalment_months=int(e.get("last_instalment_months",
                                         base.last_instalment_months)),
    )


@dataclass(frozen=True, slots=True)
class PaymentDateRules:
    """[一.4.4(2)] When payment dates fall: the deal's ``dates`` and senior series maturities."""

    calculation_every_months: int
    revolving_end_unadjusted: dt.date
    amortization_every_bd: int
    convention: str
    lag_bd: int
    series_maturities: tuple[dt.date, ...]   # unadjusted, series 1..N


class TermsError(ValueError):
    """config.json lacks a value the audit needs."""


@dataclass(frozen=True, slots=True)
class Step:
    pay: str
    clause: str
    after_paid_in_full: tuple[str, ...]


@dataclass(frozen=True)
class DealTerms:
    deal: str | None
    effective_date: dt.date
    scheduled_revolving_end: dt.date
    accrual_starts: tuple[dt.date, ...]
    legal_maturity: dt.date
    sweep_after_bd: int
    reserve_delay_max_bd: int
    request_grace_bd: int
    price_pct: Decimal
    npl_threshold_ppm: int
    npl_days: int
    npl_basis: str
    pool_vs_notes_pct: Decimal
    pool_vs_notes_days: int
    rating_floor: str
    successor_days: int
    senior_interest_grace_bd: int
    principal_grace_bd: int
    waterfalls: dict[str, tuple[Step, ...]]
    calendar: BusinessCalendar  # the trust's operating days
    calendars: RuleCalendars    # each rule family's days (docs/calendar.md)
    eligibility: EligibilityRules
    payment_dates: PaymentDateRules
    class_sizes_fen: dict[str, int]            # each class's size (one senior series)
    declared_cure_days: int                    # D(h) and default (c): days to cure


    def step_names(self) -> frozenset[str]:
        return frozenset(s.pay for steps in self.waterfalls.values() for s in steps)


def _get(cfg: dict[str, Any], path: str) -> Any:
    node: Any = cfg
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise TermsError(f"config.json: {path}: missing (the audit needs it)")
        node = node[part]
    return node


def _date(cfg: dict[str, Any], path: str) -> dt.date:
    value = _get(cfg, path)
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise TermsError(f"config.json: {path}: {value!r} is not a date") from None


def _calendars(cfg: dict[str, Any], start: dt.date, end: dt.date) -> RuleCalendars:
    """The run's own business days: its recorded ``calendar`` section (a log without one: the defaults)."""
    from pydantic import ValidationError

    try:
        section = CalendarSection.model_validate(cfg.get("calendar") or {})
    except ValidationError as exc:
        raise TermsError(f"config.json: calendar: {exc.errors()[0]['msg']}") from None
    return section.build_rules(start, end)


def read_terms(cfg: dict[str, Any], last_log_date: dt.date | None = None) -> DealTerms:
    """The audit's terms from a resolved deal (``config.json``)."""
    eff = _date(cfg, "dates.trust_effective_date")
    months = int(_get(cfg, "dates.revolving_months"))
    end_unadjusted = add_months(eff, months)
    sub_maturity = _date(cfg, "notes.sub.expected_maturity")
    legal_unadjusted = add_months(sub_maturity, int(_get(cfg, "dates.legal_maturity_months_after_sub")))
    horizon = max(legal_unadjusted, last_log_date or legal_unadjusted) + dt.timedelta(days=60)
    calendars = _calendars(cfg, eff, horizon)
    cal, pay_cal = calendars.default, calendars.of("payment_dates")
    convention = str(_get(cfg, "dates.revolving_end_convention"))
    waterfalls: dict[str, tuple[Step, ...]] = {}
    for name, steps in dict(_get(cfg, "waterfalls")).items():
        waterfalls[name] = tuple(Step(str(s["pay"]), str(s.get("clause", "")),
                                      tuple(s.get("after_paid_in_full") or ()))
                                 for s in steps)
    t = "triggers."
    return DealTerms(
        deal=cfg.get("name"),
        effective_date=eff,
        scheduled_revolving_end=pay_cal.adjust(end_unadjusted, convention),
        accrual_starts=(eff, *monthly_dates(eff, 1, end_unadjusted)),
        legal_maturity=pay_cal.following(legal_unadjusted),
        sweep_after_bd=int(_get(cfg, "dates.sweep_after_business_days")),
        reserve_delay_max_bd=int(_get(cfg, "revolving_purchase.reserve_delay_max_business_days")),
        request_grace_bd=int(_get(cfg, "revolving_purchase.purchase_request_grace_business_days")),
        price_pct=Decimal(str(_get(cfg, "revolving_purchase.price_pct_of_principal"))),
        npl_threshold_ppm=int(Decimal(str(_get(cfg, t + "npl_ratio_pct"))) * 10_000),
        npl_days=int(_get(cfg, t + "npl_consecutive_business_days")),
        npl_basis=str(_get(cfg, t + "npl_balance_basis")),
        pool_vs_notes_pct=Decimal(str(_get(cfg, t + "pool_vs_notes_pct"))),
        pool_vs_notes_days=int(_get(cfg, t + "pool_vs_notes_cumulative_business_days")),
        rating_floor=str(_get(cfg, t + "originator_rating_floor")),
        successor_days=int(_get(cfg, t + "successor_days")),
        senior_interest_grace_bd=int(_get(cfg, t + "senior_interest_grace_business_days")),
        principal_grace_bd=int(_get(cfg, t + "principal_grace_business_days")),
        waterfalls=waterfalls,
        calendar=cal,
        calendars=calendars,
        eligibility=_eligibility(cfg),
        declared_cure_days=int(_get(cfg, t + "declared_cure_days")),
        class_sizes_fen={str(c): int(Decimal(str(n["size_wan"])) * 1_000_000)
                         for c, n in dict(_get(cfg, "notes")).items()
                         if isinstance(n, dict) and "size_wan" in n},
        payment_dates=PaymentDateRules(
            calculation_every_months=int(_get(cfg, "dates.calculation_every_months")),
            revolving_end_unadjusted=end_unadjusted,
            amortization_every_bd=int(_get(cfg, "dates.amortization_every_business_days")),
            convention=str(_get(cfg, "dates.payment_convention")),
            lag_bd=int(_get(cfg, "dates.payment_lag_business_days")),
            series_maturities=tuple(dt.date.fromisoformat(str(m)) for m in
                                    _get(cfg, "notes.senior.series_expected_maturities")),
        ),
    )
