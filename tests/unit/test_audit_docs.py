"""docs/audit.md documents every view, every column and every check the code has."""

from __future__ import annotations

from audit_support import ROOT

from trustsim.audit.checks import CHECKS
from trustsim.audit.db import VIEWS

DOC = (ROOT / "docs" / "audit.md").read_text()


def test_every_view_and_column_is_documented():
    for view, (_what, columns) in VIEWS.items():
        section = DOC.split(f"### `{view}`", 1)
        assert len(section) == 2, f"view {view} has no section"
        body = section[1].split("###", 1)[0]
        for col in columns:
            assert f"| `{col}` |" in body, f"{view}.{col} is not documented"


def test_every_check_is_documented_with_its_clause():
    for check in CHECKS:
        assert f"| `{check.name}` |" in DOC, check.name
