"""The contract's terms an audit needs, read from the run's resolved ``config.json``.

Why a plain reading and not the pydantic model: the model is strict and changes with the
simulator; a log from last year carries last year's config. The audit reads the deal
language's JSON — its classes, waterfalls, triggers and dates — by path, derives each
waterfall action's step id by the language's documented rule (docs/deal-language.md),
and a missing or malformed value is a :class:`TermsError` naming that path. No class,
fee or account name is known here: they all come from the deal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from trustsim.calendar import BusinessCalendar, add_months, monthly_dates
from trustsim.config.calendar import CalendarSection, RuleCalendars

FEN_PER_WAN = 1_000_000
PPM_PER_PCT = 10_000

#: the deal language's action keys, exactly one per action (trustsim.config.waterfalls)
ACTION_KEYS = ("pay_fees", "pay_fees_above_cap", "pay_interest", "pay_period_income",
               "pay_principal", "fund_account", "release_account", "retain", "pay_residual")
#: the log's ``trigger_fired`` kind of each trigger effect
EFFECT_KINDS = {"end_revolving": "acceleration", "event_of_default": "default"}
SWITCH_KIND = "waterfall_switch"
#: the ledger's counterparty for taxes: a fee paid to it is a tax
TAX_PAYEE = "tax_authority"


class TermsError(ValueError):
    """config.json lacks a value the audit needs."""


# ---------------------------------------------------------------- reading helpers
def _get(cfg: Mapping[str, Any], path: str, where: str | None = None) -> Any:
    node: Any = cfg
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise TermsError(f"config.json: {where or path}: missing (the audit needs it)")
        node = node[part]
    return node


def _date(value: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise TermsError(f"config.json: {where}: {value!r} is not a date") from None


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TermsError(f"config.json: {where}: {value!r} is not a whole number")
    try:
        return int(value)
    except ValueError:
        raise TermsError(f"config.json: {where}: {value!r} is not a whole number") from None


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise TermsError(f"config.json: {where}: {value!r} is not a number")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise TermsError(f"config.json: {where}: {value!r} is not a number") from None


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TermsError(f"config.json: {where}: expected a list, got {type(value).__name__}")
    return value


def _names(value: Any) -> tuple[str, ...]:
    """What an action names: one name, a list of names, or nothing (``retain: true``)."""
    if value is None or isinstance(value, bool):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


# ---------------------------------------------------------------- eligibility
@dataclass(frozen=True, slots=True)
class EligibilityRules:
    """The eligibility criteria's parameters as the deal file states them (``pool.eligibility``).

    No defaults: a deal that states no criteria gets none from another deal, and the audit
    says it could not check eligibility rather than check it against the wrong limits.
    """

    min_days_since_use: int                # (c) days since the receivable's use
    max_obligor_balance_fen: int           # (d) an obligor's total balance
    max_worst_overdue_days: int            # (f) worst single overdue
    credit_levels: frozenset[str]          # (f) the levels allowed
    last_instalment_months: int            # (g) months after the effective date


def _eligibility(cfg: Mapping[str, Any]) -> EligibilityRules | None:
    e = (cfg.get("pool") or {}).get("eligibility")
    if not isinstance(e, dict):
        return None
    return EligibilityRules(
        min_days_since_use=int(e["min_age_days"]),
        max_obligor_balance_fen=int(Decimal(str(e["max_obligor_cny"])) * 100),
        max_worst_overdue_days=int(e["max_worst_dpd_days"]),
        credit_levels=frozenset(f"Level{n}" for n in e["credit_levels"]),
        last_instalment_months=int(e["last_instalment_months"]),
    )


# ---------------------------------------------------------------- classes
@dataclass(frozen=True, slots=True)
class NoteClassTerms:
    """One class of notes as the deal gives it (``classes[i]``), in order of seniority."""

    name: str
    size_fen: int
    final_expected_maturity: dt.date
    series_maturities: tuple[dt.date, ...] = ()   # a rolling class's roll dates, unadjusted
    interest: Mapping[str, Any] = field(default_factory=dict)
    period_income: bool = False

    @property
    def rolls(self) -> bool:
        return bool(self.series_maturities)

    @property
    def noteholders(self) -> str:
        """The ledger's counterparty for the class's holders."""
        return f"{self.name}_noteholders"


def _classes(cfg: Mapping[str, Any]) -> tuple[NoteClassTerms, ...]:
    out: list[NoteClassTerms] = []
    raw = _list(_get(cfg, "classes"), "classes")
    if not raw:
        raise TermsError("config.json: classes: empty (the audit needs the deal's note classes)")
    for i, c in enumerate(raw):
        where = f"classes[{i}]"
        if not isinstance(c, Mapping):
            raise TermsError(f"config.json: {where}: expected an object")
        name = str(_get(c, "name", f"{where}.name"))
        where = f"{where} ({name})"
        size = _dec(_get(c, "size_wan", f"{where}.size_wan"), f"{where}.size_wan") * FEN_PER_WAN
        if size != size.to_integral_value():
            raise TermsError(f"config.json: {where}.size_wan: not a whole number of fen")
        rolling = c.get("rolling_series")
        series: tuple[dt.date, ...] = ()
        if rolling is not None:
            ms = _list(_get(rolling, "expected_maturities",
                            f"{where}.rolling_series.expected_maturities"),
                       f"{where}.rolling_series.expected_maturities")
            series = tuple(_date(m, f"{where}.rolling_series.expected_maturities[{k}]")
                           for k, m in enumerate(ms))
        if series:
            final = series[-1]
        elif c.get("expected_maturity") is not None:
            final = _date(c["expected_maturity"], f"{where}.expected_maturity")
        else:
            raise TermsError(f"config.json: {where}.expected_maturity: missing (the audit "
                             f"needs it, or rolling_series)")
        out.append(NoteClassTerms(name, int(size), final, series,
                                  dict(c.get("interest") or {}),
                                  c.get("period_income") is not None))
    names = [c.name for c in out]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise TermsError(f"config.json: classes[{i}]: the name {n!r} is used twice")
    return tuple(out)


# ---------------------------------------------------------------- waterfalls
@dataclass(frozen=True, slots=True)
class Step:
    """One waterfall action: its step id (as the log's ``waterfall_step.pay`` names it),
    what it does and what it names."""

    pay: str
    clause: str
    after_paid_in_full: tuple[str, ...]
    action: str = "pay_fees"
    targets: tuple[str, ...] = ()

    @property
    def terminal(self) -> bool:
        return self.action in ("retain", "pay_residual")


def step_id(action: Mapping[str, Any], where: str = "action") -> tuple[str, str, tuple[str, ...]]:
    """(step id, action key, targets) of a waterfall action, by the language's rule: the
    ``id`` if given, else derived from what the action pays."""
    keys = [k for k in ACTION_KEYS if action.get(k) not in (None, False)]
    if len(keys) != 1:
        raise TermsError(f"config.json: {where}: an action needs exactly one of "
                         f"{', '.join(ACTION_KEYS)}; got {', '.join(keys) or 'none'}")
    key = keys[0]
    targets = _names(action[key])
    given = action.get("id")
    if given is not None:
        return str(given), key, targets
    t = "_".join(targets)
    derived = {
        "pay_fees": t,
        "pay_fees_above_cap": f"{t}_above_cap",
        "pay_interest": f"{t}_interest",
        "pay_period_income": f"{t}_income",
        "pay_principal": f"{t}_principal",
        "fund_account": f"fund_{t}",
        "release_account": f"release_{t}",
        "retain": "retain",
        "pay_residual": f"residual_to_{t}",
    }[key]
    return derived, key, targets


def _waterfalls(cfg: Mapping[str, Any]) -> dict[str, tuple[Step, ...]]:
    raw = _get(cfg, "waterfalls")
    if not isinstance(raw, Mapping):
        raise TermsError("config.json: waterfalls: expected an object (status -> actions)")
    out: dict[str, tuple[Step, ...]] = {}
    for status, actions in raw.items():
        steps: list[Step] = []
        for i, a in enumerate(_list(actions, f"waterfalls.{status}")):
            where = f"waterfalls.{status}[{i}]"
            if not isinstance(a, Mapping):
                raise TermsError(f"config.json: {where}: expected an object")
            pay, key, targets = step_id(a, where)
            steps.append(Step(pay, str(a.get("clause") or ""),
                              tuple(str(g) for g in a.get("after_paid_in_full") or ()),
                              key, targets))
        out[str(status)] = tuple(steps)
    return out


# ---------------------------------------------------------------- triggers
@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger of the deal (``triggers[i]``) with the parameters the audit checks.

    ``log_kind`` is the ``trigger_fired`` kind its effect logs: acceleration
    (end_revolving), default (event_of_default) or waterfall_switch ({use_waterfall})."""

    name: str
    kind: str
    clause: str
    log_kind: str
    use_waterfall: str | None = None
    threshold_ppm: int | None = None       # npl_ratio, cumulative_default_rate
    days: int | None = None                # consecutive / cumulative business days; calendar days
    pct: Decimal | None = None             # pool_below_notes
    basis: str = "principal"               # npl_ratio
    floor: str | None = None               # rating_below
    party: str | None = None               # successor_not_appointed, party_insolvent, rating_below
    classes: tuple[str, ...] = ()          # interest_unpaid
    grace_bd: int | None = None            # interest_unpaid, principal_unpaid_at_legal_maturity
    parties: tuple[str, ...] = ()          # unresolved_break: whose breaks (empty: every party's)

    @property
    def key(self) -> tuple[str, str]:
        """How the log names it: (``trigger_fired`` kind, clause)."""
        return self.log_kind, self.clause

    @property
    def label(self) -> str:
        return f"{self.log_kind} ({self.clause})"


#: each kind's parameters: name -> how to read it
_PARAMS: dict[str, tuple[str, ...]] = {
    "party_insolvent": ("party",),
    "successor_not_appointed": ("party", "days"),
    "transfer_failure": (),
    "npl_ratio": ("threshold_pct", "consecutive_business_days"),
    "rating_below": ("floor",),
    "pool_below_notes": ("pct", "cumulative_business_days"),
    "issuance_failure": (),
    "cumulative_default_rate": ("threshold_pct",),
    "interest_unpaid": ("classes", "grace_business_days"),
    "principal_unpaid_at_legal_maturity": ("grace_business_days",),
    "unresolved_break": ("business_days",),
}


def _ppm(pct: Decimal, where: str) -> int:
    ppm = pct * PPM_PER_PCT
    if ppm != ppm.to_integral_value():
        raise TermsError(f"config.json: {where}: {pct} has more than 4 decimals; the audit "
                         f"compares ratios in ppm")
    return int(ppm)


def _trigger(t: Mapping[str, Any], i: int, class_names: list[str]) -> Trigger:
    where = f"triggers[{i}]"
    if not isinstance(t, Mapping):
        raise TermsError(f"config.json: {where}: expected an object")
    name = str(_get(t, "name", f"{where}.name"))
    where = f"{where} ({name})"
    kind = str(_get(t, "kind", f"{where}.kind"))
    clause = str(_get(t, "clause", f"{where}.clause"))
    effect = t.get("effect", "end_revolving")
    use: str | None = None
    if isinstance(effect, Mapping) and "use_waterfall" in effect:
        use, log_kind = str(effect["use_waterfall"]), SWITCH_KIND
    elif isinstance(effect, str) and effect in EFFECT_KINDS:
        log_kind = EFFECT_KINDS[effect]
    else:
        raise TermsError(f"config.json: {where}.effect: {effect!r} is not end_revolving, "
                         f"event_of_default or {{use_waterfall: NAME}}")
    for p in _PARAMS.get(kind, ()):
        _get(t, p, f"{where}.{p}")
    kw: dict[str, Any] = {}
    if "party" in t and t["party"] is not None:
        kw["party"] = str(t["party"])
    if kind in ("npl_ratio", "cumulative_default_rate"):
        kw["threshold_ppm"] = _ppm(_dec(t["threshold_pct"], f"{where}.threshold_pct"),
                                   f"{where}.threshold_pct")
    if kind == "npl_ratio":
        kw["days"] = _int(t["consecutive_business_days"], f"{where}.consecutive_business_days")
        kw["basis"] = str(t.get("basis") or "principal")
    elif kind == "pool_below_notes":
        kw["pct"] = _dec(t["pct"], f"{where}.pct")
        kw["days"] = _int(t["cumulative_business_days"], f"{where}.cumulative_business_days")
    elif kind == "successor_not_appointed":
        kw["days"] = _int(t["days"], f"{where}.days")
    elif kind == "rating_below":
        kw["floor"] = str(t["floor"])
    elif kind == "interest_unpaid":
        classes = tuple(str(c) for c in _list(t["classes"], f"{where}.classes"))
        for c in classes:
            if c not in class_names:
                raise TermsError(f"config.json: {where}.classes: no class named {c!r} "
                                 f"(classes: {', '.join(class_names)})")
        kw["classes"] = classes
    if kind in ("interest_unpaid", "principal_unpaid_at_legal_maturity"):
        kw["grace_bd"] = _int(t["grace_business_days"], f"{where}.grace_business_days")
    if kind == "unresolved_break":
        kw["days"] = _int(t["business_days"], f"{where}.business_days")
        kw["parties"] = tuple(str(p) for p in _list(t.get("parties") or [], f"{where}.parties"))
    return Trigger(name, kind, clause, log_kind, use, **kw)


def _triggers(cfg: Mapping[str, Any], class_names: list[str]) -> tuple[Trigger, ...]:
    raw = cfg.get("triggers")
    if raw is None:
        return ()
    return tuple(_trigger(t, i, class_names)
                 for i, t in enumerate(_list(raw, "triggers")))


# ---------------------------------------------------------------- accounts and fees
@dataclass(frozen=True, slots=True)
class ReserveTerms:
    name: str
    initial_fen: int
    pct_of_notes: Decimal
    floor_fen: int


@dataclass(frozen=True, slots=True)
class FeeTerms:
    name: str
    payee: str
    basis: str
    capped: bool


def _reserves(cfg: Mapping[str, Any]) -> tuple[ReserveTerms, ...]:
    raw = (cfg.get("accounts") or {}).get("reserves") or []
    out = []
    for i, r in enumerate(_list(raw, "accounts.reserves")):
        where = f"accounts.reserves[{i}]"
        name = str(_get(r, "name", f"{where}.name"))
        target = _get(r, "target", f"{where}.target")
        out.append(ReserveTerms(
            name, int(_dec(_get(r, "initial_wan", f"{where}.initial_wan"),
                           f"{where}.initial_wan") * FEN_PER_WAN),
            _dec(_get(target, "pct_of_notes", f"{where}.target.pct_of_notes"),
                 f"{where}.target.pct_of_notes"),
            int(_dec(target.get("floor_wan", 0), f"{where}.target.floor_wan") * FEN_PER_WAN)))
    return tuple(out)


def _fees(cfg: Mapping[str, Any]) -> dict[str, FeeTerms]:
    out: dict[str, FeeTerms] = {}
    for i, f in enumerate(_list(cfg.get("fees") or [], "fees")):
        where = f"fees[{i}]"
        name = str(_get(f, "name", f"{where}.name"))
        out[name] = FeeTerms(name, str(_get(f, "payee", f"{where}.payee")),
                             str(f.get("basis") or ""), f.get("cap_cny_per_year") is not None)
    return out


# ---------------------------------------------------------------- dates
@dataclass(frozen=True, slots=True)
class PaymentDateRules:
    """[一.4.4(2)] When payment dates fall: the deal's ``dates`` and the rolling class's
    series maturities (none if no class rolls)."""

    calculation_every_months: int
    revolving_end_unadjusted: dt.date
    convention: str
    lag_bd: int
    series_maturities: tuple[dt.date, ...]   # unadjusted, series 1..N
    amortization_every_bd: int | None = None
    amortization_every_months: int | None = None

    @property
    def amortization_rule(self) -> str:
        if self.amortization_every_bd is not None:
            n, unit = self.amortization_every_bd, "business day"
        else:
            n, unit = self.amortization_every_months or 0, "month"
        return f"every {unit}" if n == 1 else f"every {n} {unit}s"

    def amortization_calculation_date(self, cal: BusinessCalendar, effective: dt.date,
                                      revolving_end: dt.date, n: int) -> dt.date:
        """The n-th amortization calculation date (n >= 1) after ``revolving_end``: n * N
        business days after it; or, every N months, the n-th of the dates N, 2N, ... months
        from the effective date (its day of the month, month end if none) after it."""
        if self.amortization_every_bd is not None:
            return cal.add_business_days(revolving_end, n * self.amortization_every_bd)
        every = self.amortization_every_months
        assert every is not None
        j = 1
        while add_months(effective, j * every) <= revolving_end:
            j += 1
        return add_months(effective, (j + n - 1) * every)


def _amortization(cfg: Mapping[str, Any]) -> tuple[int | None, int | None]:
    where = "dates.amortization_schedule"
    sched = _get(cfg, where)
    if not isinstance(sched, Mapping):
        raise TermsError(f"config.json: {where}: expected {{every_business_days: N}} or "
                         f"{{every_months: N}}")
    bd, months = sched.get("every_business_days"), sched.get("every_months")
    if (bd is None) == (months is None):
        raise TermsError(f"config.json: {where}: expected exactly one of every_business_days, "
                         f"every_months")
    if bd is not None:
        n = _int(bd, f"{where}.every_business_days")
        return n, None
    return None, _int(months, f"{where}.every_months")


def _calendars(cfg: Mapping[str, Any], start: dt.date, end: dt.date) -> RuleCalendars:
    """The run's own business days: its recorded ``calendar`` section (a log without one: the defaults)."""
    from pydantic import ValidationError

    try:
        section = CalendarSection.model_validate(cfg.get("calendar") or {})
    except ValidationError as exc:
        raise TermsError(f"config.json: calendar: {exc.errors()[0]['msg']}") from None
    return section.build_rules(start, end)


# ---------------------------------------------------------------- the terms
@dataclass(frozen=True)
class DealTerms:
    deal: str | None
    effective_date: dt.date
    revolving_months: int
    scheduled_revolving_end: dt.date
    accrual_starts: tuple[dt.date, ...]
    legal_maturity: dt.date
    sweep_after_bd: int
    reserve_delay_max_bd: int | None     # None: a static deal (no revolving_purchase)
    request_grace_bd: int | None
    price_pct: Decimal | None
    classes: tuple[NoteClassTerms, ...]
    triggers: tuple[Trigger, ...]
    waterfalls: dict[str, tuple[Step, ...]]
    calendar: BusinessCalendar  # the trust's operating days
    calendars: RuleCalendars    # each rule family's days (docs/calendar.md)
    eligibility: EligibilityRules | None
    payment_dates: PaymentDateRules
    declared_cure_days: int                    # declared events: days to cure
    curable_clauses: frozenset[str]            # clauses a declared event may cure
    reserves: tuple[ReserveTerms, ...] = ()
    fees: dict[str, FeeTerms] = field(default_factory=dict)

    # ------------------------------------------------------------ classes
    @property
    def class_names(self) -> tuple[str, ...]:
        """The note classes, in order of seniority."""
        return tuple(c.name for c in self.classes)

    @property
    def class_sizes_fen(self) -> dict[str, int]:
        """Each class's size (a rolling class: one series)."""
        return {c.name: c.size_fen for c in self.classes}

    @property
    def rolling_class(self) -> NoteClassTerms | None:
        return next((c for c in self.classes if c.rolls), None)

    @property
    def revolves(self) -> bool:
        return self.revolving_months > 0

    def class_of_payee(self, payee: str) -> str | None:
        """The class whose holders ``payee`` is (``<class>_noteholders``), if any."""
        return next((c.name for c in self.classes if payee == c.noteholders), None)

    # ------------------------------------------------------------ waterfalls
    def step_names(self) -> frozenset[str]:
        return frozenset(s.pay for steps in self.waterfalls.values() for s in steps)

    def step(self, pay: str) -> Step | None:
        """The action behind a step id (the first waterfall that has it)."""
        for steps in self.waterfalls.values():
            for s in steps:
                if s.pay == pay:
                    return s
        return None

    def steps_of(self, *actions: str) -> frozenset[str]:
        """Step ids whose action is one of ``actions``."""
        return frozenset(s.pay for steps in self.waterfalls.values() for s in steps
                         if s.action in actions)

    # ------------------------------------------------------------ triggers
    def triggers_of(self, kind: str) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.kind == kind)

    @property
    def npl_threshold_ppm(self) -> int | None:
        """The NPL-ratio trigger's threshold (the first one's), if the deal has one."""
        npl = self.triggers_of("npl_ratio")
        return npl[0].threshold_ppm if npl else None


def read_terms(cfg: dict[str, Any], last_log_date: dt.date | None = None) -> DealTerms:
    """The audit's terms from a resolved deal (``config.json``)."""
    if "classes" not in cfg and isinstance(cfg.get("notes"), Mapping):
        raise TermsError("config.json: classes: missing; this run's deal is in the format before "
                         "the deal language (notes: ...): re-run the deal with this version, or "
                         "audit the run with the version that wrote it")
    eff = _date(_get(cfg, "dates.trust_effective_date"), "dates.trust_effective_date")
    months = _int(_get(cfg, "dates.revolving_months"), "dates.revolving_months")
    end_unadjusted = add_months(eff, months)
    classes = _classes(cfg)
    last_expected = max(c.final_expected_maturity for c in classes)
    after = _int(_get(cfg, "dates.legal_maturity_months_after_last_expected"),
                 "dates.legal_maturity_months_after_last_expected")
    legal_unadjusted = add_months(last_expected, after)
    horizon = max(legal_unadjusted, last_log_date or legal_unadjusted) + dt.timedelta(days=60)
    calendars = _calendars(cfg, eff, horizon)
    cal, pay_cal = calendars.default, calendars.of("payment_dates")
    convention = str(_get(cfg, "dates.revolving_end_convention"))
    every_bd, every_months = _amortization(cfg)
    rolling = next((c for c in classes if c.rolls), None)
    rp = cfg.get("revolving_purchase")
    if rp is not None and not isinstance(rp, Mapping):
        raise TermsError("config.json: revolving_purchase: expected an object or null")
    rpw = "revolving_purchase."
    declared = cfg.get("declared_events") or {}
    return DealTerms(
        deal=cfg.get("name"),
        effective_date=eff,
        revolving_months=months,
        scheduled_revolving_end=pay_cal.adjust(end_unadjusted, convention) if months else eff,
        accrual_starts=(eff, *monthly_dates(eff, 1, end_unadjusted)),
        legal_maturity=pay_cal.following(legal_unadjusted),
        sweep_after_bd=_int(_get(cfg, "dates.sweep_after_business_days"),
                            "dates.sweep_after_business_days"),
        reserve_delay_max_bd=None if rp is None else _int(
            _get(cfg, rpw + "reserve_delay_max_business_days"),
            rpw + "reserve_delay_max_business_days"),
        request_grace_bd=None if rp is None else _int(
            _get(cfg, rpw + "purchase_request_grace_business_days"),
            rpw + "purchase_request_grace_business_days"),
        price_pct=None if rp is None else _dec(_get(cfg, rpw + "price_pct_of_principal"),
                                               rpw + "price_pct_of_principal"),
        classes=classes,
        triggers=_triggers(cfg, [c.name for c in classes]),
        waterfalls=_waterfalls(cfg),
        calendar=cal,
        calendars=calendars,
        eligibility=_eligibility(cfg),
        declared_cure_days=_int(declared.get("cure_days", 30), "declared_events.cure_days"),
        curable_clauses=frozenset(str(c) for c in declared.get("curable_clauses") or ()),
        reserves=_reserves(cfg),
        fees=_fees(cfg),
        payment_dates=PaymentDateRules(
            calculation_every_months=_int(_get(cfg, "dates.calculation_every_months"),
                                          "dates.calculation_every_months"),
            revolving_end_unadjusted=end_unadjusted,
            convention=str(_get(cfg, "dates.payment_convention")),
            lag_bd=_int(_get(cfg, "dates.payment_lag_business_days"),
                        "dates.payment_lag_business_days"),
            series_maturities=rolling.series_maturities if rolling is not None else (),
            amortization_every_bd=every_bd,
            amortization_every_months=every_months,
        ),
    )
