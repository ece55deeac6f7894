"""Reading a finished run back: load its log, check the contract, answer questions.

Everything here reads only the run folder (``events.jsonl``, ``summary.json``,
``config.json``) — never the simulator's objects — so a log from last year can be
audited today. :func:`load` reads a folder, :func:`audit` runs every check of
:mod:`trustsim.audit.checks`, and ``AuditLog.db`` is the log in DuckDB with the views
documented in :data:`trustsim.audit.db.VIEWS`.
"""

from __future__ import annotations

from pathlib import Path

from trustsim.audit.engine import audit
from trustsim.audit.log import AuditLog
from trustsim.audit.model import AuditReport, CheckResult, Finding
from trustsim.audit.runfolder import RunFolderError, load_run
from trustsim.audit.terms import TermsError


def load(run_dir: str | Path) -> AuditLog:
    """The run folder's log, ready for checks and queries."""
    return AuditLog.from_run(load_run(run_dir))


__all__ = ["AuditLog", "AuditReport", "CheckResult", "Finding", "RunFolderError", "TermsError",
           "audit", "load"]
