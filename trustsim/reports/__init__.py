"""What a trustee, an auditor or a rating analyst reads after a run.

Everything here reads the run folder through :mod:`trustsim.audit` (the log in DuckDB),
never the simulator's objects: :func:`build_report` writes a self-contained HTML page,
its plots as PNG, a trustee report per payment date and a servicer report per month.
"""

from __future__ import annotations

from trustsim.reports.build import ReportResult, build_report

__all__ = ["ReportResult", "build_report"]
