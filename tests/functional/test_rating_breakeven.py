"""Break-evens found by root finding on the full simulation agree with the stress table.

At an anchor rating's other stresses, a class's write-off break-even is at least that
rating's multiple when the class passes the rating, and below it when it fails: the
senior survives ~7-8x base write-offs at AAA's other stresses, the mezz ~3x, when every series
is issued; when series 2 fails, the originator's over-term repurchase repays the notes within
days and both survive far more.
"""

from __future__ import annotations

import csv
import json

import pytest
import yaml
from conftest import DEAL_FILE, ROOT
from support.renamed import RENAMES, write_renamed_deal
from typer.testing import CliRunner

import trustsim.cli.risk  # noqa: F401  (registers the commands)
from trustsim.cli import app
from trustsim.risk.breakeven import breakevens, space_for
from trustsim.risk.method import load_method, rating_levels, stressed_deal
from trustsim.risk.outcome import evaluate
from trustsim.risk.stress import run_stress

METHOD = ROOT / "configs" / "stress" / "lianhe_2020.yaml"
CASES = ("issuance_ok", "issuance_fails")
RATINGS = ("AAA", "A-", "BBB+")


@pytest.fixture(scope="module")
def method():
    return load_method(METHOD)


@pytest.fixture(scope="module")
def write_off(deal, method):
    return breakevens(deal, method, CASES, RATINGS, ["write_off"], tolerance=0.05)


def test_break_even_multiples_agree_with_the_stress_table(deal, method, write_off):
    table = {(r.case, r.rating): r.outcome.classes for r in run_stress(deal, method)}
    assert len(write_off) == len(CASES) * len(RATINGS) * 3
    for b in write_off:
        multiple = float(method.ratings[b.anchor].write_off_multiple)
        passes = table[(b.case, b.anchor)][b.cls].passed
        assert b.passes_at_anchor == passes, b
        if passes:
            assert b.value is not None and b.value >= multiple, b
        else:
            assert b.value is None or b.value < multiple, b
            assert b.fails_at is not None and b.fails_at <= multiple, b


def test_the_senior_survives_well_beyond_aaa_and_the_mezz_does_not(write_off):
    be = {(b.case, b.anchor, b.cls): b for b in write_off}
    senior = be[("issuance_ok", "AAA", "senior")]
    assert 7 < senior.value < senior.fails_at <= senior.value + 0.05
    mezz = be[("issuance_ok", "AAA", "mezz")]
    assert 2.7 < mezz.value < 5.5            # passes A-'s multiple, fails AAA's
    # series 2 fails: the repurchase price repays the notes on 2021-01-04, before the
    # stressed write-offs have run long; both classes pass AAA's multiple, the senior furthest
    senior, mezz = be[("issuance_fails", "AAA", "senior")], be[("issuance_fails", "AAA", "mezz")]
    assert 5.5 < mezz.value < senior.value < senior.fails_at <= senior.value + 0.05
    for case in CASES:
        assert be[(case, "AAA", "sub")].value is None   # the sub fails even with no write-off


def test_the_boundary_is_real(deal, method, write_off):
    """Just below the senior's break-even it is repaid; just above, it is not."""
    b = next(b for b in write_off if (b.case, b.anchor, b.cls) == ("issuance_fails", "AAA", "senior"))
    lv = rating_levels(method, "AAA")
    below = evaluate(stressed_deal(deal, method, b.case, lv.with_level("write_off", b.value)))
    above = evaluate(stressed_deal(deal, method, b.case, lv.with_level("write_off", b.fails_at)))
    assert below.classes["senior"].passed and below.loss_fen["senior"] == 0
    assert not above.classes["senior"].passed and above.classes["senior"].shortfall_fen > 0


def test_haircut_break_evens(deal, method):
    found = {(b.dimension, b.cls): b for b in breakevens(deal, method, ["issuance_fails"], ["A-"],
                                                         ["mpr", "yield"], tolerance=0.01)}
    # criterion (g) repays the pool by 2022-08-18 whatever its monthly rate: a slower
    # payment rate no longer strands the mezz, up to the search's highest haircut
    mezz_mpr = found[("mpr", "mezz")]
    assert mezz_mpr.fails_at is None and mezz_mpr.value == space_for(deal, "mpr").high
    assert found[("yield", "senior")].fails_at is None          # survives losing its whole yield
    assert found[("yield", "senior")].value == space_for(deal, "yield").high
    # and so does the mezz: the repurchase price, not the pool's yield, repays it
    assert found[("yield", "mezz")].fails_at is None
    assert found[("yield", "mezz")].value == space_for(deal, "yield").high


def test_cli_writes_break_evens_grid_and_heat_map(tmp_path):
    out = tmp_path / "be"
    result = CliRunner().invoke(app, [
        "breakeven", str(DEAL_FILE), "--out", str(out), "--case", "issuance_fails", "--rating", "BBB+",
        "--dimension", "write_off", "--tolerance", "0.1", "--grid-write-off", "0:8:3",
        "--grid-purchase", "0,0.5", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".trustsim-output", "breakeven.csv", "breakeven.json",
                                                     "grid_issuance_fails.csv",
                                                     "heatmap_issuance_fails.png"]
    found = json.loads((out / "breakeven.json").read_text())
    assert [(b["dimension"], b["cls"]) for b in found] == [("write_off", c) for c in ("senior", "mezz", "sub")]
    rows = list(csv.DictReader((out / "grid_issuance_fails.csv").read_text().splitlines()))
    assert [(float(r["write_off_multiple"]), float(r["purchase_haircut"])) for r in rows] == [
        (m, h) for h in (0.0, 0.5) for m in (0.0, 4.0, 8.0)]
    assert (out / "heatmap_issuance_fails.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_errors_name_the_flag(tmp_path):
    out = tmp_path / "be"
    for args, message in [(["--rating", "B"], "--rating: unknown rating 'B'"),
                          (["--dimension", "prepayment"], "--dimension: unknown stress dimension 'prepayment'"),
                          (["--engine", "spark"], "--engine: unknown engine 'spark' (known: local, dask)")]:
        result = CliRunner().invoke(app, ["breakeven", str(DEAL_FILE), "--out", str(out), *args])
        assert result.exit_code == 2, args
        assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_on_a_deal_of_other_names(deal, tmp_path):
    """Break-evens, grid columns and heat map panels are the deal's classes, most senior first."""
    method = yaml.safe_load(METHOD.read_text(encoding="utf-8"))
    for field in ("coupons_pct", "period_income_cap_pct"):
        method["outflows"][field] = {RENAMES[c]: v for c, v in method["outflows"][field].items()}
    (tmp_path / "method.yaml").write_text(yaml.safe_dump(method, sort_keys=False), encoding="utf-8")
    out = tmp_path / "be"
    result = CliRunner().invoke(app, [
        "breakeven", str(write_renamed_deal(tmp_path, deal)), "--method", str(tmp_path / "method.yaml"),
        "--out", str(out), "--case", "issuance_fails", "--rating", "BBB+", "--dimension", "write_off",
        "--tolerance", "0.1", "--grid-write-off", "0,8", "--grid-purchase", "0", "--workers", "1"],
        env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    found = json.loads((out / "breakeven.json").read_text())
    assert [b["cls"] for b in found] == ["tranche_a", "tranche_b", "equity"]
    rows = list(csv.DictReader((out / "grid_issuance_fails.csv").read_text().splitlines()))
    assert [k for k in rows[0] if k.endswith("_pass")] == ["tranche_a_pass", "tranche_b_pass", "equity_pass"]
    assert "tranche_a" in result.output and "senior" not in result.output
    assert (out / "heatmap_issuance_fails.png").read_bytes()[:4] == b"\x89PNG"


def test_a_heat_map_has_a_panel_per_class(tmp_path):
    from trustsim.risk import plots

    rows = [{"write_off_multiple": m, "purchase_haircut": h, "only_loss_pct": m * 10, "only_pass": m < 2}
            for m in (0.0, 1.0, 2.0) for h in (0.0, 0.5)]
    plots.heatmap(rows, "one class", tmp_path / "one.png", ["only"], mark=(1.0, 0.0))
    assert (tmp_path / "one.png").read_bytes()[:4] == b"\x89PNG"
