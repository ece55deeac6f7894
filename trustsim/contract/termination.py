"""When the trust ends and how what is left of it leaves [一.4.2, 一.4.4(2)].

The trust terminates when the notes are repaid in full, when the pool is exhausted after
the originator's clean-up call (``termination.clean_up_call``, an assumption), or after
event of default (b) once legal maturity has passed with principal unpaid. What is left of
the pool then goes in kind to the class taking the residual — unless an event of default
left a class unpaid: then it is sold to an outside buyer (``termination.liquidation``) and
the price goes through the post-default waterfall. The prices are :mod:`.sale`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from trustsim.config.models import CleanUpCall, DealConfig
from trustsim.contract.notes import holders
from trustsim.contract.triggers import Fired
from trustsim.ledger import LIQUIDATION_BUYER

REPAID = "notes repaid in full"
EXHAUSTED = "trust property exhausted after the clean-up call"
PRINCIPAL_DEFAULT = "legal maturity passed with principal unpaid (event of default b)"


def clean_up_due(call: CleanUpCall | None, pool_fen: int, initial_cutoff_fen: int) -> bool:
    """``termination.clean_up_call``: the originator may buy the pool back once it is below the
    call's percentage of the initial pool (never, when the deal has no call)."""
    if call is None:
        return False
    return pool_fen * 100 < call.pool_below_pct_of_initial * initial_cutoff_fen


def ends_after_payment(notes_fen: Iterable[int], clean_up_called: bool, pool_fen: int) -> str | None:
    """[一.4.2] After an amortization payment date: the cause the trust terminates for — every
    class repaid, or nothing left of the pool after the clean-up call — or None."""
    if all(n == 0 for n in notes_fen):
        return REPAID
    if clean_up_called and pool_fen == 0:
        return EXHAUSTED
    return None


def principal_default_fired(deal: DealConfig, fired: Iterable[Fired]) -> bool:
    """[一.4.4(1)] Event of default (b) has taken effect: one of the deal's
    principal_unpaid_at_legal_maturity triggers has fired; the trust then winds up the first
    business morning after legal maturity that finds it so."""
    names = {t.name for t in deal.triggers if t.kind == "principal_unpaid_at_legal_maturity"}
    return any(f.name in names for f in fired)


def winds_up_after_legal_maturity(today: dt.date, legal_maturity: dt.date,
                                  principal_default: bool) -> bool:
    """[一.4.4(1)] Past legal maturity with event of default (b) in effect: wind the trust up."""
    return today > legal_maturity and principal_default


def liquidates(post_default: bool, notes_fen: Iterable[int], pool_fen: int) -> bool:
    """[一.4.2] At termination the receivables left are sold (``termination.liquidation``) only
    after an event of default with a class unpaid and something left to sell; otherwise they
    go in kind to the residual class."""
    return post_default and any(notes_fen) and pool_fen > 0


def released_to(residual_class: str, sold: bool) -> str:
    """[一.4.2] Whom what was left of the pool went to at termination, as the log says it."""
    return f"{LIQUIDATION_BUYER} (sold)" if sold else f"{holders(residual_class)} (in kind)"
