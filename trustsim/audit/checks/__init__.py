"""The contract's clauses as checks over the log, in the order a reader would ask them.

Each module checks one clause (or a few close ones) and exposes a :class:`Check`: a
name, the clause it enforces and a pure function of the :class:`AuditLog` returning an
:class:`Outcome` whose findings cite the ``seq`` of each offending event. Adding a check
is adding it to :data:`CHECKS`.
"""

from __future__ import annotations

from trustsim.audit.checks import (
    cash,
    disclosures,
    exposure,
    information_flow,
    instructions,
    integrity,
    notes,
    pool,
    purchases,
    reconciliation,
    remedies,
    reserves,
    schedule,
    servicing,
    sweep,
    triggers,
    waterfall,
    wind_up,
)
from trustsim.audit.model import Check

CHECKS: tuple[Check, ...] = (
    integrity.CHECK,
    sweep.CHECK,
    information_flow.SWEEPS,
    purchases.RESERVE,
    purchases.GRACE,
    purchases.PURCHASES,
    purchases.ELIGIBLE,
    information_flow.POOL_CHANGES,
    instructions.CHECK,
    schedule.CHECK,
    waterfall.ORDER,
    waterfall.CARRY,
    waterfall.THROUGH,
    reserves.CHECK,
    cash.CHECK,
    exposure.CHECK,
    pool.CHECK,
    reconciliation.CHECK,
    triggers.CHECK,
    servicing.REDIRECTION,
    servicing.AT_RISK,
    servicing.TAKEOVER,
    servicing.SUCCESSOR_FEE,
    servicing.REPLACEMENT_COST,
    notes.CHECK,
    wind_up.CHECK,
    remedies.CHECK,
    disclosures.CHECK,
)

BY_NAME: dict[str, Check] = {c.name: c for c in CHECKS}
