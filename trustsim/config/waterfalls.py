"""The deal language's waterfalls: one ordered list of actions per deal status.

Each action names what it serves — fees, a class, a group of classes, an account — and the
clause it implements. An action's ``id`` (derived when not given: ``senior_interest``,
``taxes``, ``residual_to_sub``) is what the log's ``waterfall_step`` events and the
``after_paid_in_full`` gates name. The engine (trustsim.contract.waterfalls) applies two
rules of the family's contracts: actions in order; within an action, amounts that cannot
all be paid are paid pro rata.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from trustsim.config.base import Strict
from trustsim.config.structure import Name

#: the action keys, exactly one per action, and the id each derives
ACTION_KEYS = ("pay_fees", "pay_fees_above_cap", "pay_interest", "pay_period_income",
               "pay_principal", "fund_account", "release_account", "retain", "pay_residual")


def _names(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class Action(Strict):
    """One step of a waterfall: exactly one of the ``pay_*`` / account / ``retain`` keys."""

    pay_fees: Name | list[Name] | None = Field(
        default=None, description="fees by name, paid pro rata if short (capped fees to their cap)")
    pay_fees_above_cap: Name | list[Name] | None = Field(
        default=None, description="what capped fees owe above their cap")
    pay_interest: Name | list[Name] | None = Field(
        default=None, description="a class's interest due, or a pro-rata group's")
    pay_period_income: Name | None = Field(
        default=None, description="a period-income class's capped income (trustsim.config.structure)")
    pay_principal: Name | list[Name] | None = Field(
        default=None, description="a class's outstanding principal, or a group's pro rata by balance")
    fund_account: Name | None = Field(default=None, description="a reserve account, to its target")
    release_account: Name | None = Field(
        default=None, description="a reserve account's whole balance into the available funds")
    retain: Literal[True] | None = Field(
        default=None, description="keep the rest in the trust account (revolving purchases)")
    pay_residual: Name | None = Field(default=None, description="everything left, to a class as income")
    id: Name | None = Field(default=None, description="the step's name in the log; derived if omitted")
    clause: str = Field(min_length=1, description="the contract clause this action implements")
    after_paid_in_full: list[str] = Field(
        default_factory=list,
        description="ids of earlier actions that must be paid in full in the same run first")

    @model_validator(mode="after")
    def _one_action(self) -> Action:
        set_keys = [k for k in ACTION_KEYS if getattr(self, k) is not None]
        if len(set_keys) != 1:
            raise ValueError(f"an action needs exactly one of {', '.join(ACTION_KEYS)}; "
                             f"got {', '.join(set_keys) or 'none'}")
        return self

    @property
    def key(self) -> str:
        return next(k for k in ACTION_KEYS if getattr(self, k) is not None)

    @property
    def targets(self) -> tuple[str, ...]:
        """The fees, classes or account the action names (none for ``retain``)."""
        value = getattr(self, self.key)
        return () if value is True else _names(value)

    @property
    def step(self) -> str:
        """The action's id: given, or derived from what it pays."""
        if self.id is not None:
            return self.id
        t = "_".join(self.targets)
        return {
            "pay_fees": t,
            "pay_fees_above_cap": f"{t}_above_cap",
            "pay_interest": f"{t}_interest",
            "pay_period_income": f"{t}_income",
            "pay_principal": f"{t}_principal",
            "fund_account": f"fund_{t}",
            "release_account": f"release_{t}",
            "retain": "retain",
            "pay_residual": f"residual_to_{t}",
        }[self.key]

    @property
    def terminal(self) -> bool:
        return self.key in ("retain", "pay_residual")
