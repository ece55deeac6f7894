"""Messages the actors exchange: small immutable records passed through SimPy mailboxes.

Why messages and not method calls: each party of the contract acts only on what it has
been told, as in the real trust (the trustee knows the trust account's balance from the
custodian's statements and advices, not by reading the bank's books). Every message that
changes a right or moves money is also an event in the audit log, written by its sender.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trustsim.pool.base import Offer, Selection

if TYPE_CHECKING:
    from trustsim.config.incidents import Incident


@dataclass(frozen=True, slots=True)
class CollectionsSwept:
    """Servicer -> trustee: the sweep it instructed today (``sweep``: its instruction), by
    principal and income — what it says it moved. The trustee counts it when the custodian's
    credit advice of that sweep says the money arrived."""

    date: dt.date
    principal_fen: int
    income_fen: int
    sweep: str | None = None


@dataclass(frozen=True, slots=True)
class SweepInstruction:
    """Servicer -> custodian: pay ``amount_fen`` into the trust account from the servicer's
    collection account (outside the trust) — ``from_collections_fen`` of it, the rest from
    the servicer's own funds. The custodian executes it on the trust account's side and
    advises the trustee. ``principal_fen`` / ``income_fen`` split what comes from the
    collection account, ``received_from`` / ``received_to`` the receipts it moves (None: it
    names none); a correction names the sweep it corrects and that sweep's date, and the
    break (``break_id``, None when the servicer has not been asked yet)."""

    sweep: str
    date: dt.date
    amount_fen: int
    from_collections_fen: int
    principal_fen: int
    income_fen: int
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    late_since: dt.date | None = None
    corrects: str | None = None        # a correction: the sweep it corrects ...
    sweep_date: dt.date | None = None  # ... made on this date
    break_id: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceReport:
    """Custodian -> trustee / servicer: the trust's account balances."""

    date: dt.date
    trust_account_fen: int
    issuance_proceeds_fen: int
    eligible_investments_fen: int
    reserve_accounts_fen: tuple[tuple[str, int], ...] = ()   # the deal's reserve accounts


@dataclass(frozen=True, slots=True)
class PurchasesMayProceed:
    """Trustee -> servicer, originator: the required amount is reserved for this accrual period."""

    date: dt.date
    required_amount_fen: int


@dataclass(frozen=True, slots=True)
class PurchasesEnded:
    """Trustee -> servicer, originator: the revolving period is over."""

    date: dt.date
    cause: str


@dataclass(frozen=True, slots=True)
class AvailableFunds:
    """Servicer -> trustee, originator: cash available for purchase on a base date."""

    base_date: dt.date
    amount_fen: int


@dataclass(frozen=True, slots=True)
class PurchaseRequest:
    """Originator -> trustee (copy custodian): receivables offered, priced on the base date."""

    request_id: str
    base_date: dt.date
    purchase_date: dt.date
    offer: Offer


@dataclass(frozen=True, slots=True)
class Instruction:
    """Trustee -> custodian: move ``amount_fen`` from ``credit`` to ``debit`` on ``value_date``."""

    instruction_id: str
    value_date: dt.date
    debit: str
    credit: str
    amount_fen: int
    reason: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class InstructionResult:
    """Custodian -> trustee: an instruction executed or failed, and the balances after it.

    The bank's advice also says what it paid and to whom (``paid_fen``, ``paid_to``: None
    when as instructed), for an instruction it received after its cut-off the business day
    it will execute it instead (``deferred_to``; ``executed`` is then False), and for one it
    held back the day it executed it (``executed_on``)."""

    instruction: Instruction
    executed: bool
    trust_account_fen: int
    eligible_investments_fen: int
    issuance_proceeds_fen: int
    paid_fen: int | None = None
    paid_to: str | None = None
    deferred_to: dt.date | None = None
    executed_on: dt.date | None = None   # an instruction it held back: the day it executed it


@dataclass(frozen=True, slots=True)
class PurchaseSettled:
    """Trustee -> originator: the price is paid; transfer the receivables."""

    request: PurchaseRequest


@dataclass(frozen=True, slots=True)
class ProceedsPaidIn:
    """Market -> custodian: note proceeds paid into the issuance proceeds account."""

    note_class: str
    series: int | None
    amount_fen: int


@dataclass(frozen=True, slots=True)
class RemitNow:
    """Trustee -> servicer: transfer every collection held, now (termination)."""

    date: dt.date


@dataclass(frozen=True, slots=True)
class CleanUpNotice:
    """Trustee -> originator: repurchase the remaining pool at ``price_fen`` (clean-up call)."""

    date: dt.date
    price_fen: int


@dataclass(frozen=True, slots=True)
class IncidentNotice:
    """Environment -> an actor: an incident starts or ends (``phase``) and what it is."""

    kind: str
    phase: str   # "start" | "end" | a named milestone such as "successor_appointed", "recovery"
    incident: Incident


@dataclass(frozen=True, slots=True)
class ReserveDelayNotice:
    """Servicer -> trustee, originator: its systems delay the reserve calculation until ``until``."""

    date: dt.date
    until: dt.date


@dataclass(frozen=True, slots=True)
class PoolChangeProposal:
    """Originator -> trustee: a change of the pool it proposes for lost assets [二.1(4)] —
    ``replacement`` (the lost assets out, ``offer`` in), ``compensation`` (out against
    ``price_fen`` in cash: delivery against payment) or ``write_off`` (an insolvent originator
    can do neither: the extinguished receivables only leave). Nothing changes until the
    trustee confirms."""

    change: str
    date: dt.date
    kind: str
    selection: Selection
    offer: Offer | None
    price_fen: int


@dataclass(frozen=True, slots=True)
class PoolChangeDecision:
    """Trustee -> originator: the proposed pool change is confirmed (``confirmed``) or refused."""

    proposal: PoolChangeProposal
    confirmed: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ReplacementNotice:
    """Servicer -> originator (copy trustee): lost assets found; replace them (§6)."""

    selection: Selection


@dataclass(frozen=True, slots=True)
class IncomingTransfer:
    """A party -> custodian: money paid into the trust account (no trustee instruction needed)."""

    payer: str
    amount_fen: int
    reason: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class CreditAdvice:
    """Custodian -> trustee: an account of the trust was credited (>0) or written down (<0);
    ``identified`` False: money that came with no reference (payer unknown). A sweep's advice
    has the collection account as payer and the sweep instruction as ``ref``."""

    date: dt.date
    account: str
    amount_fen: int
    payer: str
    reason: str
    identified: bool = True
    ref: str | None = None        # the payer's reference: a sweep, a pool change, a purchase
    corrects: str | None = None   # a sweep correcting this earlier sweep ...
    break_id: str | None = None   # ... and this reconciliation break


@dataclass(frozen=True, slots=True)
class RepurchaseNotice:
    """Trustee -> originator: repurchase these over-term assets at ``price_fen`` by ``pay_by``,
    paying with reference ``notice_id``."""

    date: dt.date
    selection: Selection
    price_fen: int
    pay_by: dt.date
    notice_id: str = ""
    clause: str = ""


@dataclass(frozen=True, slots=True)
class RepurchaseSettled:
    """Trustee -> originator: the price of the notice has reached the trust account; the
    over-term assets are delivered (they leave the pool today)."""

    notice: RepurchaseNotice
    date: dt.date
    delivered: Selection        # the over-term assets as they stand today
    price_fen: int              # what the trust received for them


@dataclass(frozen=True, slots=True)
class ServicerPurchaseRequest:
    """Servicer (affiliate) -> trustee: it asks to buy these assets at ``price_fen``."""

    request_id: str
    selection: Selection
    price_fen: int


@dataclass(frozen=True, slots=True)
class ServicerPurchaseDecision:
    """Trustee -> servicer: the servicer purchase is confirmed or refused."""

    request: ServicerPurchaseRequest
    confirmed: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class InitialPoolConsideration:
    """Trustee -> originator: the consideration for the initial pool is instructed."""

    price_fen: int


@dataclass(frozen=True, slots=True)
class OriginatorStatus:
    """Originator -> trustee: its long-term rating and whether it is insolvent, as of ``date``
    (sent when either changes)."""

    date: dt.date
    rating: str
    insolvent: bool


@dataclass(frozen=True, slots=True)
class ServicerStatus:
    """Servicer -> trustee, each business day before the close: collections past their sweep
    date still held (the ABS system's view), since when it holds them, whether the hold is
    explained in writing, and whether the servicer is insolvent."""

    date: dt.date
    overdue_fen: int
    overdue_since: dt.date | None
    holding_since: dt.date | None
    hold_explained: bool
    insolvent: bool


# ---------------------------------------------------------------- a servicer's failure and replacement
@dataclass(frozen=True, slots=True)
class BackupActivation:
    """Trustee -> the servicing (the backup servicer, at the servicer's address): a servicer
    termination event on ``date``; the successor takes the servicing over on
    ``takeover_date``. ``backup``: hot | warm | cold, or ``successor`` (one the scenario
    appoints); ``insolvent``: the outgoing servicer is insolvent (its account is frozen)."""

    date: dt.date
    backup: str
    takeover_date: dt.date
    insolvent: bool


@dataclass(frozen=True, slots=True)
class ServicingTakenOver:
    """Servicer (the successor) -> trustee: it services the pool from ``date``."""

    date: dt.date
    backup: str


@dataclass(frozen=True, slots=True)
class RedirectionNotice:
    """Trustee -> obligors, reached where they pay (the servicing's address): the perfection
    event's notice — pay ``pay_to`` from ``date`` on, not the servicer's frozen account."""

    date: dt.date
    pay_to: str


@dataclass(frozen=True, slots=True)
class CollectionsRedirected:
    """Servicer -> trustee: what obligors paid straight into the trust account today, by
    principal and income (the custodian's credit advice carries the money)."""

    date: dt.date
    principal_fen: int
    income_fen: int


# ---------------------------------------------------------------- reconciliation breaks
@dataclass(frozen=True, slots=True)
class CorrectionRequest:
    """Trustee -> the party at fault: a reconciliation break to correct (what it found, in
    which account, against whom, and the instruction or sweep date it concerns)."""

    break_id: str
    date: dt.date
    cause: str
    account: str
    counterparty: str
    amount_fen: int
    instruction: str | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """The party at fault -> trustee: the break is corrected — ``amount_fen`` moved to reverse
    it — or, with ``return_to``, the money the trustee holds apart is to be returned there."""

    break_id: str
    date: dt.date
    amount_fen: int
    return_to: str | None = None


@dataclass(frozen=True, slots=True)
class FundsHeldApart:
    """Trustee -> servicer: of the trust account's balance, ``amount_fen`` is not the trust's to
    spend while reconciliation breaks are open (the cash available for purchase leaves it out)."""

    date: dt.date
    amount_fen: int


@dataclass(frozen=True, slots=True)
class WindingUp:
    """Trustee -> custodian: the trust terminates — correct every open break today, execute
    what is held back, make no more errors (the final distribution needs every account right)."""

    date: dt.date
