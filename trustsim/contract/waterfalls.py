"""The waterfall engine: ordered steps paying claims from the cash available [一.4.4(2)].

Why an engine that knows no deal: the order of payments is data (the deal's
``waterfalls`` in config, each step naming its clause); this module only applies the
contract's two rules — pay steps in order, and "within one step, amounts that cannot all
be paid are paid pro rata" — plus gates ("mezz interest only after the senior is paid in
full"). What each claim is worth on a date is the trustee's job (:mod:`.dues`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trustsim.config.models import WaterfallStep
from trustsim.money import pro_rata

RESIDUAL_STEPS = frozenset({"residual_to_sub"})
RETAIN_STEPS = frozenset({"retain"})
RESIDUAL_PAYEE = "sub_noteholders"


@dataclass(frozen=True, slots=True)
class Claim:
    payee: str
    due_fen: int


@dataclass(frozen=True, slots=True)
class StepResult:
    pay: str
    clause: str
    claims: tuple[Claim, ...]
    paid: tuple[int, ...]
    gated_by: str | None = None   # an earlier step not paid in full held this one back

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
    steps: Sequence[WaterfallStep], claims: Mapping[str, Sequence[Claim]], available_fen: int
) -> WaterfallResult:
    """Pay ``claims`` (step name -> claims) in the order of ``steps`` from ``available_fen``."""
    if available_fen < 0:
        raise ValueError("available cash cannot be negative")
    left = available_fen
    results: list[StepResult] = []
    short: set[str] = set()
    for step in steps:
        if step.pay in RETAIN_STEPS:
            results.append(StepResult(step.pay, step.clause, (), ()))
            continue
        if step.pay in RESIDUAL_STEPS:
            step_claims: tuple[Claim, ...] = (Claim(RESIDUAL_PAYEE, left),)
        else:
            step_claims = tuple(c for c in claims.get(step.pay, ()) if c.due_fen > 0)
        gate = next((g for g in step.after_paid_in_full if g in short), None)
        if gate is not None:
            results.append(StepResult(step.pay, step.clause, step_claims,
                                      (0,) * len(step_claims), gated_by=gate))
            short.add(step.pay)
            continue
        paid = tuple(pro_rata(left, [c.due_fen for c in step_claims]))
        left -= sum(paid)
        result = StepResult(step.pay, step.clause, step_claims, paid)
        if result.shortfall_fen:
            short.add(step.pay)
        results.append(result)
    return WaterfallResult(available_fen, tuple(results), left)
