"""The log depends on the deal, the scenario and the seed only — never on output flags.

Before this was fixed the progress bar advanced the clock to midnight before the run
ended, so ``run_finished`` was stamped a day later with the bar than with ``-q``.
"""

from __future__ import annotations

import yaml
from support.processes import ROOT, start_cli

from trustsim.config import load_deal
from trustsim.pool.scaling import scale_overrides

DEAL = str(ROOT / "configs/deals/dongdao3_2020_1.yaml")
LOANS = ROOT / "configs/deals/dongdao3_2020_1_loans.yaml"


def _run(tmp_path, *args: str) -> bytes:
    proc = start_cli("run", *args, cwd=tmp_path)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    out = args[args.index("--out") + 1]
    return (tmp_path / out / "events.jsonl").read_bytes()


def test_the_progress_bar_does_not_move_the_log(tmp_path):
    quiet = _run(tmp_path, DEAL, "-q", "--out", "quiet")
    shown = _run(tmp_path, DEAL, "--out", "shown")
    assert quiet == shown


def test_tape_snapshots_do_not_move_the_log(tmp_path):
    small = tmp_path / "small.yaml"
    small.write_text(yaml.safe_dump(scale_overrides(load_deal(LOANS), 0.01)), encoding="utf-8")
    plain = _run(tmp_path, str(LOANS), "-q", "--scenario", str(small), "--out", "plain")
    snap = _run(tmp_path, str(LOANS), "--scenario", str(small), "--tape-at", "2021-03-31",
                "--out", "snap")
    assert plain == snap
    assert (tmp_path / "snap" / "holdings_2021-03-31.parquet").exists()
