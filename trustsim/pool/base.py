"""The one interface every pool model implements, and the records it exchanges.

Why an interface: the actors must not care whether the trust's receivables are one
representative line driven by the rating agency's four parameters or 2.86 million loans
on a tape. The servicer asks the pool what obligors paid; the originator asks it for an
eligible offer; the trustee asks for balances by status; the custodian never sees it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Collections:
    """Cash obligors paid on one day: principal and everything else (fees, penalties)."""

    principal_fen: int
    income_fen: int

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.income_fen


@dataclass(frozen=True, slots=True)
class PoolBalances:
    """Outstanding principal by status at 24:00, and cumulative flows since the start."""

    performing_fen: int        # current (not past due)
    overdue_fen: int           # 1-90 days past due
    non_performing_fen: int    # more than 90 days past due, not yet charged off
    charged_off_fen: int       # cumulative principal charged off
    bought_fen: int            # cumulative principal that entered the pool (initial + purchases)
    collected_fen: int         # cumulative principal collected
    removed_fen: int           # cumulative principal that left otherwise (repurchase, sale, in kind)
    npl_fees_fen: int = 0      # accrued unpaid fees on non-performing assets (for the NPL basis)
    loans: int | None = None   # live receivables, where the model knows them
    # the overdue balance by days past due (docs/model.md, "Pool performance"): 0-30, 31-60 and
    # 61 days until non-performing (61-90 when non-performing means more than 90 days); the
    # three add up to ``overdue_fen``, and ``non_performing_fen`` is the 90+ bucket
    overdue_1_30_fen: int = 0
    overdue_31_60_fen: int = 0
    overdue_61_90_fen: int = 0
    prepaid_fen: int = 0       # cumulative principal repaid ahead of its schedule
    scheduled_fen: int = 0     # cumulative principal that fell due by schedule (paid or missed)

    @property
    def outstanding_fen(self) -> int:
        """The pool's payable principal balance: everything not yet charged off."""
        return self.performing_fen + self.overdue_fen + self.non_performing_fen


@dataclass(frozen=True, slots=True)
class Offer:
    """Receivables the originator has screened as eligible, with the price fixed on the base date."""

    base_date: dt.date
    principal_fen: int
    price_fen: int
    loans: int | None = None
    lots: Any = None  # model-specific handle (loan indices for a loan-level pool)
    evidence: dict[str, Any] | None = None  # eligibility figures of the offered loans, for the log


SELECTION_KINDS = ("lost", "overdue", "non_performing", "over_term")
ADJUSTABLE = ("default_multiplier", "lost_pct_per_month", "purchase_rate_pct")


@dataclass(frozen=True, slots=True)
class Selection:
    """Receivables picked out of the pool for a remedy, before they leave it.

    ``kind``: ``lost`` (returned or cancelled since the last selection of lost assets,
    DEAL.md §6), ``overdue`` / ``non_performing`` (the servicer's optional purchase),
    ``over_term`` (last instalment after ``cutoff``, repurchased after a series-i issuance
    termination event). Amounts are outstanding principal by status at selection.
    """

    kind: str
    on: dt.date
    performing_fen: int
    overdue_fen: int
    non_performing_fen: int
    loans: int | None = None
    lots: Any = None  # model-specific handle (loan indices for a loan-level pool)
    cutoff: dt.date | None = None

    @property
    def principal_fen(self) -> int:
        return self.performing_fen + self.overdue_fen + self.non_performing_fen


@runtime_checkable
class Pool(Protocol):
    """What the actors may ask of a pool."""

    kind: str

    def collect(self, through: dt.date) -> Collections:
        """Advance behaviour through ``through`` (incl.) and return what obligors paid on those days."""
        ...

    def balances(self) -> PoolBalances:
        """Balances by status after the last ``collect``."""
        ...

    def eligible_offer(self, base_date: dt.date, budget_fen: int, price_pct: Any) -> Offer:
        """The originator's screened eligible receivables whose price fits ``budget_fen``."""
        ...

    def buy(self, offer: Offer, on: dt.date) -> None:
        """Receivables of a confirmed and paid offer enter the pool on the purchase date."""
        ...

    def select(self, kind: str, on: dt.date, cutoff: dt.date | None = None) -> Selection:
        """Pick receivables of ``kind`` (see :class:`Selection`) without removing them."""
        ...

    def remove(self, selection: Selection, on: dt.date) -> None:
        """Take selected receivables out of the pool (repurchase, servicer purchase, lost)."""
        ...

    def replacement_offer(self, on: dt.date, min_principal_fen: int) -> Offer:
        """The originator's eligible receivables, of no lower balance, to replace lost assets."""
        ...

    def adjust(self, parameter: str, value: float | None) -> None:
        """Change a behaviour parameter from today (an incident); ``None`` restores the deal's.

        Parameters every pool understands (:data:`ADJUSTABLE`): ``default_multiplier``
        (defaults x value), ``lost_pct_per_month`` (returns and cancellations),
        ``purchase_rate_pct`` (eligible receivables the originator can offer).
        """
        ...

    def revolving_ended(self, on: dt.date) -> None:
        """The trust's revolving period ended on ``on`` (a static pool: on the effective date);
        a pool whose behaviour depends on it (a rep line writing off the pool held at the end
        of revolving) changes from the next day."""
        ...

    def release_all(self, on: dt.date) -> PoolBalances:
        """Everything left leaves the trust (distribution in kind at termination); returns what left."""
        ...
