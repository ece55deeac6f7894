"""The waterfall engine: ordered actions paying claims from the cash available [一.4.4(2)].

Why an engine that knows no deal: the order of payments is data (the deal's
``waterfalls``, each action naming its clause); this module only applies the family's
two rules — pay actions in order, and "within one action, amounts that cannot all be paid
are paid pro rata" — plus gates (an action pays only after named earlier ones are paid in
full) and the two actions that take no claims: ``release_account`` adds an account's
balance to the cash, ``pay_residual`` takes what is left. What each claim is worth on a
date is :mod:`.dues`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustsim.config.waterfalls import Action
from trustsim.contract.notes import holders
from trustsim.money import pro_rata


@dataclass(frozen=True, slots=True)
class Claim:
    payee: str
    due_fen: int
    key: tuple[str, str] | None = None   # what a carried shortfall is booked under (fees, income)


@dataclass(frozen=True, slots=True)
class StepResult:
    pay: str                      # the action's step id
    clause: str
    claims: tuple[Claim, ...]
    paid: tuple[int, ...]
    gated_by: str | None = None   # an earlier step not paid in full held this one back
    action: str = ""              # the action's kind (pay_fees, pay_principal, ...)
    released_fen: int = 0         # release_account: what the account added to the cash

    @property
    def due_fen(self) -> int:
        return sum(c.due_fen for c in self.claims)

    @property
    def paid_fen(self) -> int:
        return sum(self.paid)

    @property
    def shortfall_fen(self) -> int:
        return self.due_fen - self.paid_fen


@dataclass(frozen=True, slots=True)
class WaterfallResult:
    available_fen: int
    steps: tuple[StepResult, ...]
    remaining_fen: int

    def step(self, pay: str) -> StepResult | None:
        for s in self.steps:
            if s.pay == pay:
                return s
        return None

    def paid(self, pay: str) -> int:
        s = self.step(pay)
        return s.paid_fen if s else 0


def run_waterfall(
    steps: Sequence[Action], claims: Mapping[str, Sequence[Claim]], available_fen: int,
    releases: Mapping[str, int] | None = None,
) -> WaterfallResult:
    """Pay ``claims`` (step id -> claims) in the order of ``steps`` from ``available_fen``;
    ``releases``: each account's balance a ``release_account`` action adds."""
    if available_fen < 0:
        raise ValueError("available cash cannot be negative")
    left = available_fen
    results: list[StepResult] = []
    short: set[str] = set()
    for step in steps:
        sid, key = step.step, step.key
        if key == "retain":
            results.append(StepResult(sid, step.clause, (), (), action=key))
            continue
        if key == "release_account":
            released = (releases or {}).get(step.targets[0], 0)
            left += released
            results.append(StepResult(sid, step.clause, (), (), action=key, released_fen=released))
            continue
        if key == "pay_residual":
            step_claims: tuple[Claim, ...] = (Claim(holders(step.targets[0]), left),)
        else:
            step_claims = tuple(c for c in claims.get(sid, ()) if c.due_fen > 0)
        gate = next((g for g in step.after_paid_in_full if g in short), None)
        if gate is not None:
            results.append(StepResult(sid, step.clause, step_claims,
                                      (0,) * len(step_claims), gated_by=gate, action=key))
            short.add(sid)
            continue
        paid = tuple(pro_rata(left, [c.due_fen for c in step_claims]))
        left -= sum(paid)
        result = StepResult(sid, step.clause, step_claims, paid, action=key)
        if result.shortfall_fen:
            short.add(sid)
        results.append(result)
    return WaterfallResult(available_fen, tuple(results), left)


def waterfall_in_force(revolving: bool, post_default: bool, amortization: str) -> str:
    """[一.4.4(2)] The waterfall a payment date runs, by the deal's status: ``revolving`` in the
    revolving period (and on the day an issuance failure makes its last), ``post_default``
    after an event of default, else the amortization waterfall in force (``amortization``:
    a waterfall_switch trigger may have changed it)."""
    if revolving:
        return "revolving"
    return "post_default" if post_default else amortization
