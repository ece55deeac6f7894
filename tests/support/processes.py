"""Starting trustsim as a user would, and watching the processes it leaves."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from support.cli import trustsim_command

ROOT = Path(__file__).resolve().parents[2]


def start_cli(*args: str, cwd: Path) -> subprocess.Popen:
    """``trustsim ARGS`` started in a child process and left running (for signals); output captured.

    The same command as :func:`support.cli.run_cli`, which waits for it.
    """
    return subprocess.Popen([*trustsim_command(), *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def children_of(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (read from /proc)."""
    kids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.add(int(entry.name))
    return kids


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def temporaries(folder: Path) -> list[str]:
    """trustsim's temporary names in ``folder`` (``.NAME.tmp-*``, ``.old-*``, ``.probe-*``)."""
    return sorted(p.name for p in folder.iterdir() if any(t in p.name for t in (".tmp-", ".old-", ".probe-")))


def no_children_left(pids: set[int], timeout: float = 20.0) -> None:
    wait_for(lambda: not any(alive(p) for p in pids), timeout, f"worker processes {sorted(pids)} to exit")

