"""[二.1(4)] Asset remedies: what the trustee checks before a change of the pool counts.

A change of the pool is proposed by the party that makes it — the originator for lost
(returned or cancelled) assets, the servicer (or its affiliate) for its purchase of
non-performing assets — and counts only once the trustee has confirmed it against these
rules; a removal against payment (cash compensation, a purchase) takes effect when the
custodian advises the price received (delivery against payment). The clause id is the
deal's (``remedies.clause``).

* a **replacement** brings in receivables the originator screened eligible (its offer comes
  from its eligibility screen) of a balance no lower than the lost assets';
* a **compensation** pays cash of equal value: the lost assets' outstanding principal;
* a **write-off** (an insolvent originator can neither replace nor pay) only records that
  the lost receivables are extinguished: nothing is owed for them that the trust can collect;
* a **servicer purchase** pays no less than fair value: the deal's
  ``fair_value_pct_of_principal`` of the assets' outstanding principal.
"""

from __future__ import annotations

from decimal import Decimal

from trustsim.money import round_fen

#: the kinds of pool change the originator proposes for lost assets
CHANGE_KINDS = ("replacement", "compensation", "write_off")
#: the changes that take the assets out only when their price is received
AGAINST_PAYMENT = frozenset({"compensation"})


def lost_asset_change_refused(kind: str, removed_fen: int, offered_fen: int,
                              price_fen: int) -> str | None:
    """Why the trustee refuses a proposed change for lost assets of ``removed_fen``, or None."""
    if kind not in CHANGE_KINDS:
        return f"unknown pool change {kind!r}"
    if removed_fen <= 0:
        return "no lost assets to change"
    if kind == "replacement" and offered_fen < removed_fen:
        return (f"replacement of {offered_fen} fen is below the lost assets' balance "
                f"{removed_fen} fen")
    if kind == "compensation" and price_fen != removed_fen:
        return (f"cash of {price_fen} fen is not the lost assets' value {removed_fen} fen")
    return None


def fair_value_fen(principal_fen: int, fair_value_pct: Decimal | int | str) -> int:
    """The fair value of assets of ``principal_fen`` outstanding: the deal's share of it."""
    return round_fen(Decimal(principal_fen) * Decimal(fair_value_pct) / 100)


def servicer_purchase_refused(principal_fen: int, price_fen: int,
                              fair_value_pct: Decimal | int | str) -> str | None:
    """Why the trustee refuses the servicer's purchase at ``price_fen``, or None."""
    fair = fair_value_fen(principal_fen, fair_value_pct)
    if price_fen < fair:
        return f"price {price_fen} fen below fair value {fair} fen"
    return None
