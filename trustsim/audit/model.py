"""What a check returns: findings that cite the log, and a verdict a reader can trust.

Why its own module: the checks, the command line, the JSON output and the HTML report all
speak about the same records, and a finding is only useful if it points at the line of
the log that breaks the clause — hence ``seq`` on every finding that has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from trustsim.audit.log import AuditLog

Status = Literal["pass", "fail", "skipped"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One breach of a clause: the ``seq`` of the offending event (None if not an event)."""

    seq: int | None
    date: str | None
    message: str
    related: tuple[int, ...] = ()   # other events that explain the finding

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "date": self.date, "message": self.message,
                "related": list(self.related)}


@dataclass(slots=True)
class Outcome:
    """What a check function returns: how many items it looked at and what was wrong."""

    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)      # what was excused or not applicable
    skipped: str | None = None                          # why nothing could be checked

    def fail(self, seq: int | None, date: str | None, message: str, *related: int) -> None:
        self.findings.append(Finding(seq, date, message, tuple(r for r in related if r)))


@dataclass(frozen=True, slots=True)
class Check:
    """A check of one clause: a pure function of the log."""

    name: str
    clause: str
    title: str
    func: Callable[[AuditLog], Outcome]


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    clause: str
    title: str
    status: Status
    checked: int
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    skipped: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "clause": self.clause, "title": self.title,
                "status": self.status, "checked": self.checked,
                "failures": len(self.findings),
                "findings": [f.to_dict() for f in self.findings],
                "notes": list(self.notes), "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class AuditReport:
    run_dir: str
    deal: str | None
    events: int
    results: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.status != "fail" for r in self.results)

    def result(self, name: str) -> CheckResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {"run_dir": self.run_dir, "deal": self.deal, "events": self.events,
                "passed": self.passed, "checks": [r.to_dict() for r in self.results]}
