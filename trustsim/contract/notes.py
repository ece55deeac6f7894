"""Note classes [一.2, Table 2]: balances, interest accrual, rolling series.

Interest accrues on the outstanding balance, simple (never compounded), by the class's
day count. Interest that is due but unpaid is carried as ``interest_unpaid_fen`` and paid
before new interest at the next payment date — the contract's "shortfall carried to the
next date in the same order". A rolling class is issued in series: each series has the
class's full size; series i's proceeds repay series i-1's principal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from trustsim.calendar import DAY_COUNT_BASIS
from trustsim.money import accrue


def holders(note_class: str) -> str:
    """The ledger counterparty a class's payments go to."""
    return f"{note_class}_noteholders"


ISSUE, FAIL = "issue", "fail"


def roll_outcome(maturing: int, revolving: bool, failed_series: Collection[int]) -> str | None:
    """[一.2] A rolling class's series ``maturing`` reaches its expected maturity: in the
    revolving period the next series is issued (``ISSUE``) and its proceeds repay this one —
    unless it cannot be (``FAIL``: the issuance termination event). After revolving ended
    nothing is issued, but a series that could not have been still fails: the failure's
    premise holds, and so does the over-term repurchase [二.1(4)]."""
    if maturing + 1 in failed_series:
        return FAIL
    return ISSUE if revolving else None


@dataclass(slots=True)
class Series:
    """One issue of a class (a series of a rolling class): when, how much, how much repaid."""

    number: int
    issued_on: dt.date
    issued_fen: int
    repaid_fen: int = 0
    repaid_on: dt.date | None = None   # the day it was repaid in full

    @property
    def outstanding_fen(self) -> int:
        return self.issued_fen - self.repaid_fen


@dataclass(slots=True)
class NoteClass:
    """One class of notes and its running accounts, in fen."""

    name: str
    original_fen: int              # principal issued: every series added up
    coupon_pct: Decimal
    day_count: str
    accrual_start: dt.date
    outstanding_fen: int = 0
    interest_unpaid_fen: int = 0   # accrued and booked, not yet paid
    principal_paid_fen: int = 0
    interest_paid_fen: int = 0
    series: int = 1
    series_issued: list[int] = field(default_factory=list)
    issues: dict[int, Series] = field(default_factory=dict)   # series number -> its issue
    booked_since_start_fen: int = 0  # interest booked since ``accrual_start`` (same balance)
    step_up: tuple[dt.date, Decimal] | None = None   # (from, coupon) when the coupon steps up

    def __post_init__(self) -> None:
        if not self.outstanding_fen:
            self.outstanding_fen = self.original_fen

    def _accrued_since_start(self, to: dt.date) -> int:
        basis = DAY_COUNT_BASIS[self.day_count]
        start = self.accrual_start
        if self.step_up is not None and start < self.step_up[0] < to:
            on, stepped = self.step_up   # the days from the step-up date accrue at the new coupon
            return (accrue(self.outstanding_fen, self.coupon_pct, (on - start).days, basis)
                    + accrue(self.outstanding_fen, stepped, (to - on).days, basis))
        coupon = self.step_up[1] if self.step_up is not None and start >= self.step_up[0] \
            else self.coupon_pct
        return accrue(self.outstanding_fen, coupon, (to - start).days, basis)

    def book_interest(self, to: dt.date) -> int:
        """Book interest accrued to ``to`` into the unpaid balance; return the amount booked.

        Interest is computed over the whole span since the balance last changed and only
        the part not yet booked is added, so booking often never adds rounding fen.
        """
        amount = self._accrued_since_start(to) - self.booked_since_start_fen
        self.interest_unpaid_fen += amount
        self.booked_since_start_fen += amount
        return amount

    def restart_accrual(self, on: dt.date) -> None:
        """The balance changes on ``on``: book interest to it and accrue afresh from it."""
        self.book_interest(on)
        self.accrual_start = on
        self.booked_since_start_fen = 0

    def projected_interest(self, to: dt.date) -> int:
        """Unpaid interest plus what would accrue to ``to`` at the current balance."""
        return self.interest_unpaid_fen + self._accrued_since_start(to) - self.booked_since_start_fen

    def pay_interest(self, amount: int) -> None:
        if amount > self.interest_unpaid_fen:
            raise ValueError(f"{self.name}: paying {amount} fen of interest, {self.interest_unpaid_fen} due")
        self.interest_unpaid_fen -= amount
        self.interest_paid_fen += amount

    def pay_principal(self, amount: int, on: dt.date) -> None:
        if amount > self.outstanding_fen:
            raise ValueError(f"{self.name}: repaying {amount} fen, {self.outstanding_fen} outstanding")
        self.restart_accrual(on)
        self.outstanding_fen -= amount
        self.principal_paid_fen += amount
        issue = self.issues.get(self.series)
        if issue is not None:
            issue.repaid_fen += amount
            if issue.outstanding_fen == 0:
                issue.repaid_on = on

    def first_series(self, on: dt.date) -> None:
        """The class's opening balance is its series 1, issued ``on``."""
        self.series_issued.append(1)
        self.issues[1] = Series(1, on, self.original_fen)

    def issue_series(self, number: int, amount_fen: int, on: dt.date) -> None:
        """Series ``number`` is issued for ``amount_fen`` [一.2] once the one before it is
        repaid: the principal issued (``original_fen``) grows; the class's size does not."""
        if self.outstanding_fen:
            raise ValueError(f"{self.name}: series {number} issued while "
                             f"{self.outstanding_fen} fen of series {self.series} is outstanding")
        self.original_fen += amount_fen
        self.outstanding_fen = amount_fen
        self.series = number
        self.series_issued.append(number)
        self.issues[number] = Series(number, on, amount_fen)

    @property
    def paid_in_full(self) -> bool:
        return self.outstanding_fen == 0 and self.interest_unpaid_fen == 0


def period_income_cap(balance_fen: int, cap_pct: Decimal, start: dt.date, end: dt.date,
                      day_count: str) -> int:
    """A period-income class's income: at most ``cap_pct`` a year on its balance [Table 2]."""
    return accrue(balance_fen, cap_pct, (end - start).days, DAY_COUNT_BASIS[day_count])
