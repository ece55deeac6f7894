"""[accounts.reserves] A reserve account moves only as the deal says.

A deal's reserve (or liquidity) accounts (``accounts.reserves`` in config.json) are held
by the custodian for the trust. Money enters one at closing — its ``initial_wan``, from the
issuance proceeds, on the effective date — and afterwards only through the waterfall
actions that name it: a ``fund_account`` step tops it up to its target, a
``release_account`` step moves its whole balance into the trust account. When the trust
terminates its reserves are distributed too: on the termination day, before
``trust_terminated``, a reserve's whole balance may move into the trust account for the
final distribution. Any other money into or out of a reserve is a finding, citing the
posting. Whether each top-up and release
is of the right amount is :mod:`.waterfall`'s (``waterfall_order``).
"""

from __future__ import annotations

from trustsim.audit.log import TRUST_ACCOUNT, AuditLog
from trustsim.audit.model import Check, Outcome

PROCEEDS = "issuance_proceeds_account"


def reserve_accounts_move_by_their_actions(log: AuditLog) -> Outcome:
    out = Outcome()
    reserves = {r.name: r for r in log.terms.reserves}
    if not reserves:
        out.skipped = "the deal has no reserve accounts (accounts.reserves)"
        return out
    moves: dict[str, tuple[str, ...]] = {}   # instruction id -> the accounts its step names
    for d in log.distributions:
        for s in d.steps:
            action = log.terms.step(s.pay)
            if action is not None and action.action in ("fund_account", "release_account"):
                for ins in s.instructions:
                    moves[str(ins.get("instruction"))] = action.targets
    deposited = dict.fromkeys(reserves, False)
    balance = dict.fromkeys(reserves, 0)
    effective = log.terms.effective_date.isoformat()
    ended = next(iter(log.of("trust_terminated")), None)
    for p in log.postings:
        account = p["debit"] if p["debit"] in reserves else p["credit"]
        if account not in reserves:
            continue
        out.checked += 1
        r = reserves[account]
        amount = int(p["amount_fen"])
        balance[account] += amount if p["debit"] == account else -amount
        if account in moves.get(str(p.get("instruction")), ()):
            continue
        if ended is not None and p["credit"] == account and p["debit"] == TRUST_ACCOUNT \
                and p["date"] == ended["date"] and p["seq"] < ended["seq"] \
                and balance[account] == 0:
            out.notes.append(f"{account}: its {amount} fen released into the trust account at "
                             f"termination (seq {p['seq']})")
            continue
        if not deposited[account] and p["debit"] == account and p["credit"] == PROCEEDS \
                and p["date"] == effective:
            deposited[account] = True
            if amount != r.initial_fen:
                out.fail(p["seq"], p["date"], f"{account} receives {p['amount_fen']} fen at "
                         f"closing; its initial deposit is {r.initial_fen} fen")
            continue
        way = f"into {account} from {p['credit']}" if p["debit"] == account \
            else f"out of {account} to {p['debit']}"
        out.fail(p["seq"], p["date"], f"{p['amount_fen']} fen moved {way} ({p.get('reason')!r}) "
                 f"other than by the initial deposit or a fund_account / release_account step")
    for account, r in reserves.items():
        if r.initial_fen > 0 and not deposited[account]:
            out.fail(None, effective, f"{account} never receives its initial deposit of "
                                      f"{r.initial_fen} fen at closing")
    return out

CHECK = Check("reserve_accounts_move_by_their_actions", "accounts.reserves",
              "a reserve account receives its initial deposit at closing, then moves only "
              "by the waterfall actions naming it", reserve_accounts_move_by_their_actions)
