"""`trustsim query` reads the run folder and nothing else.

Plain DuckDB SQL could copy the log anywhere, read any file on the machine, attach a
database or download an extension. Each attempt here goes through the installed command
in a subprocess, as a user's shell runs it: it is refused with exit 2 and one line
saying why (never a traceback), and nothing is written.
"""

from __future__ import annotations

import json

import pytest
from audit_support import run_folder
from support.processes import start_cli

REFUSED = "refused: a query reads this run's views and nothing else"


class Result:
    """What the user sees: the exit code, stdout and stderr of ``trustsim ARGS``."""

    def __init__(self, *args: str, cwd) -> None:
        proc = start_cli(*args, cwd=cwd)
        out, err = proc.communicate(timeout=120)
        self.returncode, self.stdout, self.stderr = proc.returncode, out.decode(), err.decode()


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return run_folder(tmp_path_factory)


def query(base, *args: str) -> Result:
    return Result("query", str(base), *args, cwd=base.parent)


def refused(res: Result) -> bool:
    return (res.returncode == 2 and REFUSED in res.stderr and "Traceback" not in res.stderr
            and res.stdout == "")


def test_copying_the_log_to_another_file_is_refused(base, tmp_path):
    target = tmp_path / "elsewhere.csv"
    res = query(base, f"COPY (SELECT * FROM postings) TO '{target}'")
    assert refused(res), res.stderr
    assert str(target) in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_attaching_a_database_file_is_refused(base, tmp_path):
    target = tmp_path / "other.duckdb"
    res = query(base, f"ATTACH '{target}' AS other")
    assert refused(res), res.stderr
    assert list(tmp_path.iterdir()) == []


def test_reading_a_file_outside_the_run_is_refused(base):
    res = query(base, "SELECT * FROM read_csv('/etc/passwd')")
    assert refused(res), res.stderr
    assert "/etc/passwd" in res.stderr
    assert "root:" not in res.stdout + res.stderr


def test_reading_the_runs_own_log_file_directly_is_refused_too(base):
    # the loaded views are the interface: the files themselves stay out of reach
    res = query(base, f"SELECT * FROM read_text('{base / 'config.json'}')")
    assert refused(res), res.stderr


def test_installing_an_extension_is_refused_without_a_download(base):
    res = query(base, "INSTALL httpfs")
    assert refused(res), res.stderr
    assert "download" not in res.stderr.lower()


def test_the_sandbox_cannot_be_switched_off_from_sql(base):
    for sql in ("SET enable_external_access = true", "SET lock_configuration = false",
                "RESET lock_configuration"):
        res = query(base, sql)
        assert refused(res), (sql, res.stderr)
        assert "locked" in res.stderr


def test_queries_over_the_views_still_answer(base):
    res = query(base, "SELECT count(*) AS n, max(fields->>'cause') AS cause "
                   "FROM events WHERE event = 'trust_terminated'", "--format", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == [{"n": 1, "cause": "notes repaid in full"}]
