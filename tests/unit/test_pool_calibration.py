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
    lines = (out / "static_pool_curves.csv").read_text().splitlines()
    assert lines[0] == "vintage,months_since_origination,cumulative_30dpd_pct"
    assert len(lines) == 1 + 2 * 13
    assert (out / "static_pool_curves.png").read_bytes()[:4] == b"\x89PNG"
    for words in ("mpr", "20.77", "yield", "7.15", "write off", "1.15"):
        assert words in result.output


def test_curves_command_rejects_a_rep_line_deal(tmp_path):
    result = CliRunner().invoke(app, ["pool", "curves", "--deal",
                                      str(ROOT / "configs/deals/dongdao3_2020_1.yaml"),
                                      "--out", str(tmp_path / "c")])
    assert result.exit_code == 2 and "loan_level" in result.output
    assert not (tmp_path / "c").exists()
