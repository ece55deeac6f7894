"""Running the checks over a run folder and collecting their verdicts.

Why a separate runner: a check that crashes on a log it did not expect (a new event
kind, a field missing in an old log) must not hide the other checks' verdicts, so each
runs on its own and an exception becomes a failed check that says what went wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trustsim.audit.checks import CHECKS
from trustsim.audit.log import AuditLog
from trustsim.audit.model import AuditReport, Check, CheckResult, Finding, Outcome, Status


def run_check(check: Check, log: AuditLog) -> CheckResult:
    try:
        outcome = check.func(log)
    except Exception as exc:  # a check that cannot read the log fails, loudly
        outcome = Outcome(findings=[Finding(None, None, f"the check could not run: "
                                                        f"{type(exc).__name__}: {exc}")])
    status: Status
    if outcome.findings:
        status = "fail"
    elif outcome.skipped is not None:
        status = "skipped"
    else:
        status = "pass"
    return CheckResult(check.name, check.clause, check.title, status, outcome.checked,
                       tuple(outcome.findings), tuple(outcome.notes), outcome.skipped)


def audit(log: AuditLog, checks: Sequence[Check] = CHECKS,
          on_check: Callable[[Check], None] | None = None) -> AuditReport:
    """Run ``checks`` over ``log``; ``on_check`` is told as each one finishes (progress)."""
    results = []
    for check in checks:
        results.append(run_check(check, log))
        if on_check is not None:
            on_check(check)
    return AuditReport(log.source, log.terms.deal, len(log.events), tuple(results))
