"""Calibration: static pools of new business reproduce the report's base parameters (§11).

Tolerance: each figure within 5% of the report's (the issue's bound) plus three standard
errors of the mean over the vintages simulated — the sampling noise of a test-sized
pool (write-offs are rare and principal-weighted, so they are the noisiest).
"""

import itertools
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import load_deal
from trustsim.money import fen_from_wan
from trustsim.pool import static_pool
from trustsim.pool.behaviour import Behaviour
from trustsim.pool.generator import generate

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs/deals/dongdao3_2020_1_loans.yaml"


@pytest.fixture(scope="module")
def pools():
    behaviour = Behaviour.from_config(load_deal(DEAL).pool.behaviour)
    return static_pool.run(generate(0.02, 20200727), behaviour, vintages=8,
                           vintage_fen=2_000_000_000, seed=20200818)


@pytest.mark.parametrize("figure", ["mpr_pct", "yield_pct", "write_off_pct"])
def test_static_pools_reproduce_the_reports_base_parameter(pools, figure):
    values = np.array([getattr(v, figure) for v in pools.vintages])
    target = static_pool.TARGETS[figure]
    se = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(values.mean() - target) <= 0.05 * target + 3 * se, (values.mean(), target, se)


def test_cumulative_30_plus_curves_rise_and_level_off(pools):
    for v in pools.vintages:
        curve = v.cumulative_30(24)
        assert curve[0] == 0 and all(b >= a for a, b in itertools.pairwise(curve))
        assert curve[24] > 0
        assert curve[24] - curve[18] < curve[6] - curve[0]  # most of it in the first months


def test_curves_command_writes_csv_and_png_and_prints_the_figures(tmp_path):
    out = tmp_path / "curves"
    result = CliRunner().invoke(app, ["pool", "curves", "--deal", str(DEAL), "--out", str(out),
                                      "--scale", "0.01", "--vintages", "2",
                                      "--vintage-scale", "0.005", "--months", "12"])
    assert result.exit_code == 0, result.output
    # the same static pools, built here from the command's inputs: a 1% tape of the deal's
    # seed, 2 vintages of 0.5% of the report's pool (100,002.38 wan), the default seed 1
    cfg = load_deal(DEAL)
    sp = static_pool.run(generate(0.01, cfg.pool.tape_seed), Behaviour.from_config(cfg.pool.behaviour),
                         vintages=2, vintage_fen=fen_from_wan("100002.38") * 5 // 1000, seed=1)
    lines = (out / "static_pool_curves.csv").read_text().splitlines()
    assert lines[0] == "vintage,months_since_origination,cumulative_30dpd_pct"
    assert [float(x.split(",")[2]) for x in lines[1:]] == [
        round(p, 4) for v in sp.vintages for p in v.cumulative_30(12)]
    assert (out / "static_pool_curves.png").read_bytes()[:4] == b"\x89PNG"
    # each figure's row prints what these pools measured beside the report's target
    for figure, label in (("mpr_pct", "mpr (%)"), ("yield_pct", "yield (%)"),
                          ("write_off_pct", "write off (%)")):
        measured = float(np.mean([getattr(v, figure) for v in sp.vintages]))
        row = next(line for line in result.output.splitlines() if label in line)
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        assert cells[1:3] == [f"{measured:.2f}", f"{static_pool.TARGETS[figure]:.2f}"], row


def test_curves_command_rejects_a_rep_line_deal(tmp_path):
    result = CliRunner().invoke(app, ["pool", "curves", "--deal",
                                      str(ROOT / "configs/deals/dongdao3_2020_1.yaml"),
                                      "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "loan_level" in result.output
    assert not (tmp_path / "c").exists()
