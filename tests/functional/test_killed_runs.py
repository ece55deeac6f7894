"""A run or study that is killed leaves no temporary folder behind and no process running.

SIGTERM (a scheduler stopping a job, ``kill``) unwinds like Ctrl-C: the temporary run
folder is removed at once. SIGKILL cannot be caught, so what it leaves is recognised and
removed by the next run to the same target. A Monte Carlo's workers die with it either way.
"""

from __future__ import annotations

import signal

import pytest
from support.processes import (
    ROOT,
    children_of,
    no_children_left,
    start_cli,
    temporaries,
    wait_for,
)

LOANS = str(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")
DEAL = str(ROOT / "configs/deals/dongdao3_2020_1.yaml")


def _started_run(tmp_path):
    """A loan-level run (several seconds) caught while its temporary folder exists."""
    proc = start_cli("run", "-q", LOANS, "--out", "run", cwd=tmp_path)
    def writing() -> bool:  # the run folder's temporary exists (not the target's brief probe)
        return any(".tmp-" in name for name in temporaries(tmp_path)) or proc.poll() is not None

    wait_for(writing, 240, "the run's temporary folder")
    assert proc.poll() is None, proc.stderr.read().decode()
    return proc


def test_sigterm_of_a_run_removes_its_temporary_folder_at_once(tmp_path):
    proc = _started_run(tmp_path)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_sigkill_of_a_run_leaves_a_temporary_that_the_next_run_removes(tmp_path):
    proc = _started_run(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    left = temporaries(tmp_path)
    assert len(left) == 1 and left[0].startswith(".run.tmp-")
    again = start_cli("run", "-q", DEAL, "--out", "run", cwd=tmp_path)
    assert again.wait(timeout=120) == 0, again.stderr.read().decode()
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_killed_montecarlo_leaves_no_worker_running(tmp_path, sig):
    proc = start_cli("montecarlo", DEAL, "--paths", "400", "--workers", "2", "--out", "mc", cwd=tmp_path)
    workers: set[int] = set()

    def two_workers() -> bool:
        workers.update(children_of(proc.pid))
        return len(workers) >= 2 or proc.poll() is not None

    wait_for(two_workers, 120, "the study's worker processes")
    assert proc.poll() is None, proc.stderr.read().decode()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    no_children_left(workers)
    assert not (tmp_path / "mc").exists() and temporaries(tmp_path) == []
