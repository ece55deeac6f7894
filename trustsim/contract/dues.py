"""What each waterfall action is owed on a payment date [一.4.4(2)].

Fees and taxes accrue between payment dates on their basis (trustsim.config.structure);
shortfalls are carried to the next date and presented again in the same action ("所差金
额应按以下顺序在下一期支付"). Note interest is booked on the note classes themselves
(:mod:`.notes`); this module turns both into the ``claims`` the waterfall engine pays.

Rules, each read from the deal file: a fixed fee is its amount a year pro rata by days; a
fee on the notes (or the pool) is its rate a year on the balance at the period's start; a
fee on income is its rate of the non-principal collections received since the last payment
date; a capped fee pays at most its cap a year (pro rata by days) where it is named, the
excess where ``pay_fees_above_cap`` names it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.config.models import DealConfig
from trustsim.config.structure import Fee
from trustsim.config.waterfalls import Action
from trustsim.contract.notes import NoteClass, holders, period_income_cap
from trustsim.contract.schedule import PaymentDate
from trustsim.contract.waterfalls import Claim, WaterfallResult
from trustsim.money import FEN_PER_CNY, accrue, round_fen

#: the parts of a fee a waterfall presents: within its cap (or all of it) and above it
WITHIN, ABOVE, INCOME = "within", "above", "income"
#: action kinds whose shortfalls this book carries (note interest is carried on the notes)
CARRIED_ACTIONS = frozenset({"pay_fees", "pay_fees_above_cap", "pay_period_income"})


def interest_presented(deal: DealConfig, pd: PaymentDate | None, *, revolving: bool,
                       issuance_failed: bool = False) -> set[str]:
    """Which classes' interest (or period income) a payment date presents — the one place
    the rule is written [Table 2, 一.4.4(2)].

    Each class's ``interest`` rule says it: in revolving, at every payment date, at its
    series' maturities, at numbered calculation dates or every N-th one; in amortization, at
    every payment date or never (a class paid the residual). ``issuance_failed``: the date
    is the revolving period's last because a series could not be issued that day — a class
    with ``at_issuance_failure`` is presented what it accrued over the revolving period. The
    waterfall, the required amount and anyone projecting a payment date ask this function.
    """
    out: set[str] = set()
    for c in deal.classes:
        if not revolving or pd is None:
            if c.interest.amortization == "every_payment_date" and c.period_income is None:
                out.add(c.name)
            continue
        rule, k = c.interest.revolving, pd.calculation_index
        if issuance_failed and c.interest.at_issuance_failure:
            out.add(c.name)
            continue
        if rule == "every_payment_date":
            hit = True
        elif rule == "at_series_maturity":
            hit = pd.series_maturity is not None
        elif rule == "none":
            hit = False
        elif hasattr(rule, "calculation_dates"):
            hit = k is not None and k in rule.calculation_dates
        else:
            hit = k is not None and k % rule.every_n_calculation_dates == 0
        if hit:
            out.add(c.name)
    return out


def failure_closes_revolving(deal: DealConfig, revolving: bool, payment_date: bool) -> bool:
    """[一.4.4(2)] An issuance failure on a revolving payment date makes that date the revolving
    period's last — paid by the revolving waterfall, presenting each class with
    ``at_issuance_failure`` what it accrued — when revolving was still on and the deal has
    such a class."""
    return revolving and payment_date and any(c.interest.at_issuance_failure for c in deal.classes)


def period_income(deal: DealConfig, note_class: str, outstanding_fen: int, since: dt.date,
                  on: dt.date) -> int:
    """A period-income class's income from ``since`` (the effective date, or the last date
    that presented it) to ``on``: capped a year on its balance [Table 2]."""
    c = deal.note_class(note_class)
    assert c.period_income is not None
    return period_income_cap(outstanding_fen, c.period_income.cap_pct, since, on, c.day_count)


def _annual(cny_per_year: Decimal, days: int, basis: int) -> int:
    return round_fen(Decimal(cny_per_year) * FEN_PER_CNY * days / basis)


def fee_accrual(fee: Fee, days: int, income_fen: int, notes_fen: int, pool_fen: int,
                investment_income_fen: int = 0, principal_fen: int = 0) -> int:
    """What ``fee`` accrues over ``days`` on its basis (before any cap); a tax on all income
    counts ``investment_income_fen`` with the obligors' ``income_fen``, and one on all
    collections the obligors' ``principal_fen`` too."""
    basis = DAY_COUNT_BASIS[fee.day_count]
    if fee.basis == "fixed_per_year":
        return _annual(fee.cny_per_year, days, basis)
    if fee.basis == "pct_of_notes":
        return accrue(notes_fen, fee.pct_per_year, days, basis)
    if fee.basis == "pct_of_pool":
        return accrue(pool_fen, fee.pct_per_year, days, basis)
    if fee.income in ("all_income", "all_collections"):
        income_fen += investment_income_fen
    if fee.income == "all_collections":
        income_fen += principal_fen
    return round_fen(Decimal(income_fen) * fee.pct / 100)


def fee_cap(fee: Fee, days: int) -> int | None:
    """A capped fee's cap over ``days``; None when uncapped."""
    if fee.cap_cny_per_year is None:
        return None
    return _annual(fee.cap_cny_per_year, days, DAY_COUNT_BASIS[fee.day_count])


def step_up_accrual(fee: Fee, step: tuple[dt.date, Decimal] | None, start: dt.date,
                    end: dt.date, notes_fen: int, pool_fen: int) -> int:
    """What a successor's fee step-up (from its takeover date, ``step``) adds to ``fee`` over
    [start, end): the step-up's rate a year on the fee's basis, for the days from the later of
    ``start`` and the takeover (trustsim.config.servicing)."""
    if step is None or fee.basis not in ("pct_of_notes", "pct_of_pool"):
        return 0
    since, pct = step
    days = (end - max(start, since)).days
    base = notes_fen if fee.basis == "pct_of_notes" else pool_fen
    return accrue(base, pct, days, DAY_COUNT_BASIS[fee.day_count])


def period_fees(deal: DealConfig, start: dt.date, end: dt.date, income_fen: int,
                notes_fen: int, pool_fen: int,
                step_ups: dict[str, tuple[dt.date, Decimal]] | None = None,
                investment_income_fen: int = 0, principal_fen: int = 0,
                ) -> dict[tuple[str, str], int]:
    """Each fee's new amount over [start, end): (fee, within|above) -> fen."""
    days = max(0, (end - start).days)
    out: dict[tuple[str, str], int] = {}
    for fee in deal.fees:
        amount = fee_accrual(fee, days, income_fen, notes_fen, pool_fen, investment_income_fen,
                             principal_fen)
        if step_ups:
            amount += step_up_accrual(fee, step_ups.get(fee.name), start, end, notes_fen, pool_fen)
        cap = fee_cap(fee, days)
        within = amount if cap is None else min(amount, cap)
        out[(fee.name, WITHIN)] = within
        if cap is not None:
            out[(fee.name, ABOVE)] = amount - within
    return out


@dataclass(slots=True)
class DuesBook:
    """Fee-type claims carried between payment dates, and the bases since the last one."""

    deal: DealConfig
    last_payment_date: dt.date
    income_since_last_fen: int = 0
    investment_income_since_last_fen: int = 0   # redeemed since the last payment date
    principal_since_last_fen: int = 0            # obligors' principal received since then
    pool_at_last_fen: int = 0      # the pool's principal at the period's start (pct_of_pool fees)
    carried: dict[tuple[str, str], int] = field(default_factory=dict)
    income_since: dict[str, dt.date] = field(default_factory=dict)   # period income counted to
    #: a successor servicer's fee step-up: fee -> (takeover date, pct a year added from it)
    step_ups: dict[str, tuple[dt.date, Decimal]] = field(default_factory=dict)

    def income_start(self, note_class: str) -> dt.date:
        """Where a period-income class's next income starts: its last presentation, or the
        effective date."""
        return self.income_since.get(note_class, self.deal.dates.trust_effective_date)

    def claims(self, on: dt.date, actions: list[Action], notes: dict[str, NoteClass],
               interest: set[str], income: dict[str, int],
               reserve_short: dict[str, int]) -> dict[str, list[Claim]]:
        """Claims for every action on payment date ``on``; books note interest to ``on``.

        ``interest``: the classes whose interest the date presents; ``income``: period income
        by class; ``reserve_short``: what each reserve account lacks of its target.
        """
        deal = self.deal
        outstanding = sum(n.outstanding_fen for n in notes.values())
        new = period_fees(deal, self.last_payment_date, on, self.income_since_last_fen,
                          outstanding, self.pool_at_last_fen, self.step_ups,
                          self.investment_income_since_last_fen, self.principal_since_last_fen)
        for c, amount in income.items():
            new[(c, INCOME)] = amount
        for key, carried in self.carried.items():
            new[key] = new.get(key, 0) + carried
        for n in notes.values():
            n.book_interest(on)
        payee = {f.name: f.payee for f in deal.fees}
        out: dict[str, list[Claim]] = {}
        for a in actions:
            k = a.key
            if k == "pay_fees":
                out[a.step] = [Claim(payee[f], new.get((f, WITHIN), 0), (f, WITHIN)) for f in a.targets]
            elif k == "pay_fees_above_cap":
                out[a.step] = [Claim(payee[f], new.get((f, ABOVE), 0), (f, ABOVE)) for f in a.targets]
            elif k == "pay_period_income":
                c = a.targets[0]
                if (c, INCOME) in new:
                    out[a.step] = [Claim(holders(c), new[(c, INCOME)], (c, INCOME))]
            elif k == "pay_interest":
                presented = [c for c in a.targets if c in interest]
                if presented:
                    out[a.step] = [Claim(holders(c), notes[c].interest_unpaid_fen) for c in presented]
            elif k == "pay_principal":
                out[a.step] = [Claim(holders(c), notes[c].outstanding_fen) for c in a.targets]
            elif k == "fund_account":
                acct = a.targets[0]
                out[a.step] = [Claim(acct, reserve_short.get(acct, 0))]
        return out

    def settle(self, on: dt.date, result: WaterfallResult, pool_fen: int) -> None:
        """Carry fee-type shortfalls forward and start the next period's bases."""
        carried: dict[tuple[str, str], int] = {}
        for s in result.steps:
            if s.action not in CARRIED_ACTIONS:
                continue
            for c, p in zip(s.claims, s.paid, strict=True):
                if c.due_fen > p and c.key is not None:
                    carried[c.key] = c.due_fen - p
        self.carried = carried
        self.income_since_last_fen = 0
        self.investment_income_since_last_fen = 0
        self.principal_since_last_fen = 0
        self.last_payment_date = on
        self.pool_at_last_fen = pool_fen

    def settle_late(self, result: WaterfallResult) -> None:
        """A late payment of carried amounts (a grace payment): what it presented and did not
        pay stays carried; the period's dates and bases are the payment date's."""
        for s in result.steps:
            if s.action not in CARRIED_ACTIONS:
                continue
            for c, p in zip(s.claims, s.paid, strict=True):
                if c.key is None:
                    continue
                if c.due_fen > p:
                    self.carried[c.key] = c.due_fen - p
                else:
                    self.carried.pop(c.key, None)
