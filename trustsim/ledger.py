"""The trust's accounts in integer fen, and the rule for moving money between them.

Why double entry: every movement names the account it debits (money arrives) and the
account it credits (money leaves), so the sum over all accounts is zero by construction
and cash conservation is a property of the ledger, not a hope. Internal accounts — the
servicer's JD collection account and the three accounts the custodian keeps for the
trust — can never go negative. External counterparties (obligors, the originator,
noteholders, tax authority, agents) are sinks and sources whose running totals say how
much came in and went out.

The trust's own accounts are guarded: no posting may take money out of them without the
id of the trustee instruction it executes.
"""

from __future__ import annotations

from dataclasses import dataclass

COLLECTION_ACCOUNT = "collection_account"
TRUST_ACCOUNT = "trust_account"
ISSUANCE_PROCEEDS_ACCOUNT = "issuance_proceeds_account"
ELIGIBLE_INVESTMENTS = "eligible_investments"
#: the outside party that buys the receivables left when a trust is liquidated after an
#: event of default [一.4.2]: an external counterparty, a source of cash like the originator
LIQUIDATION_BUYER = "liquidation_buyer"

INTERNAL_ACCOUNTS = (
    COLLECTION_ACCOUNT,
    TRUST_ACCOUNT,
    ISSUANCE_PROCEEDS_ACCOUNT,
    ELIGIBLE_INVESTMENTS,
)
TRUST_HELD = frozenset({TRUST_ACCOUNT, ISSUANCE_PROCEEDS_ACCOUNT, ELIGIBLE_INVESTMENTS})


class LedgerError(RuntimeError):
    """A posting that would break a ledger rule (overdraft, missing instruction...)."""


@dataclass(frozen=True, slots=True)
class Posting:
    debit: str
    credit: str
    amount_fen: int
    reason: str
    instruction: str | None


class Ledger:
    """Balances of the internal accounts and running totals of the external ones."""

    __slots__ = ("balances", "inflows", "outflows", "peaks", "trust_held")

    def __init__(self, reserve_accounts: tuple[str, ...] = ()) -> None:
        """``reserve_accounts``: the deal's reserve accounts, kept by the custodian for the trust."""
        self.balances: dict[str, int] = dict.fromkeys((*INTERNAL_ACCOUNTS, *reserve_accounts), 0)
        self.trust_held = TRUST_HELD | frozenset(reserve_accounts)
        self.inflows: dict[str, int] = {}   # external account -> total it paid in
        self.outflows: dict[str, int] = {}  # external account -> total it received
        #: watched internal accounts -> their highest balance since the watcher last reset it
        #: (trustsim.sim.exposure: the intraday peak of money held outside the custodian)
        self.peaks: dict[str, int] = {}

    def post(
        self, debit: str, credit: str, amount_fen: int, reason: str, instruction: str | None = None
    ) -> Posting:
        """Move ``amount_fen`` from ``credit`` to ``debit``."""
        if type(amount_fen) is not int or amount_fen <= 0:
            raise LedgerError(f"posting amount must be a positive int of fen, got {amount_fen!r}")
        if debit == credit:
            raise LedgerError(f"posting from {credit} to itself")
        bal = self.balances
        if credit in bal:
            if credit in self.trust_held and instruction is None:
                raise LedgerError(f"money leaves {credit} ({reason}) without a trustee instruction")
            if bal[credit] < amount_fen:
                raise LedgerError(
                    f"{credit} holds {bal[credit]} fen, cannot pay {amount_fen} fen ({reason})"
                )
            bal[credit] -= amount_fen
        else:
            self.inflows[credit] = self.inflows.get(credit, 0) + amount_fen
        if debit in bal:
            bal[debit] += amount_fen
            if debit in self.peaks and bal[debit] > self.peaks[debit]:
                self.peaks[debit] = bal[debit]
        else:
            self.outflows[debit] = self.outflows.get(debit, 0) + amount_fen
        return Posting(debit, credit, amount_fen, reason, instruction)

    def total_in(self) -> int:
        return sum(self.inflows.values())

    def total_out(self) -> int:
        return sum(self.outflows.values())

    def total_held(self) -> int:
        return sum(self.balances.values())
