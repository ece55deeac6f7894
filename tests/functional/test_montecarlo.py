"""Monte Carlo: reproducible for a seed whatever the engine and workers; outputs; attribution.

Each path is the deal with a credit draw and sampled incidents; its seed is the path-th
SeedSequence child of the study's seed, so the same study gives the same rows on one
worker, two workers, or a Dask cluster.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest
from conftest import DEAL_FILE, ROOT
from support.renamed import RENAMES, renamed_deal, renamed_names
from typer.testing import CliRunner

import trustsim.cli.risk  # noqa: F401  (registers the commands)
from tests.support.imports import loaded_heavy
from trustsim.cli import app
from trustsim.risk.credit import load_credit
from trustsim.risk.engines import DaskEngine, LocalEngine
from trustsim.risk.montecarlo import run_montecarlo, summarize, write_study
from trustsim.risk.operational import OperationalConfig
from trustsim.risk.outcome import evaluate
from trustsim.risk.paths import Study, draw, path_deal, path_seed

CREDIT = ROOT / "configs" / "montecarlo" / "credit.yaml"
# frequent incidents, so a handful of paths exercises every mechanism
BUSY = {"incidents": {
    "series_issuance_failure": {"per_series_probability": 0.15},
    "servicer_outage": {"annual_probability": 0.6, "fields": {
        "duration_business_days": {"dist": "uniform_int", "low": 1, "high": 12}}},
    "credit_shock": {"annual_probability": 0.5, "fields": {
        "duration_business_days": {"dist": "uniform_int", "low": 60, "high": 200},
        "default_multiplier": {"dist": "uniform", "low": 3, "high": 12}}},
    "servicer_insolvency": {"annual_probability": 0.3, "fields": {
        "recovery_rate": {"dist": "uniform", "low": 0.1, "high": 0.5},
        "recovery_delay_days": {"dist": "fixed", "value": 180},
        "successor_after_days": {"dist": "fixed", "value": 40}}},
}}
PATHS = 8


@pytest.fixture(scope="module")
def study(deal):
    return Study(deal, load_credit(CREDIT), OperationalConfig.model_validate(BUSY), seed=2020)


@pytest.fixture(scope="module")
def serial(study):
    return run_montecarlo(study, PATHS, LocalEngine(1))


def test_paths_carry_credit_draws_and_incidents(serial):
    rows = serial.rows
    assert [r["path"] for r in rows] == list(range(PATHS))
    assert len({r["write_off_pct"] for r in rows}) == PATHS
    assert sum(r["n_incidents"] for r in rows) >= PATHS
    assert any(r["sub_loss_fen"] > 0 for r in rows)
    assert {c["kind"] for c in serial.contributions} >= {"credit_shock", "servicer_outage"}


def test_two_local_workers_give_the_same_rows(study, serial):
    engine = LocalEngine(2)
    try:
        two = run_montecarlo(study, PATHS, engine)
        # a rep-line study's workers load none of the loan-level pool's numba or pyarrow
        heavy = engine.map(loaded_heavy, [0, 1])
    finally:
        engine.close()
    assert two.rows == serial.rows
    assert two.contributions == serial.contributions
    assert heavy == [[], []]


def test_a_dask_local_cluster_gives_the_same_rows(study, serial):
    engine = DaskEngine(workers=2)
    try:
        assert engine.workers == 2
        dask = run_montecarlo(study, PATHS, engine)
    finally:
        engine.close()
    assert dask.rows == serial.rows
    assert dask.contributions == serial.contributions


def test_the_seed_column_replays_a_path(study, serial):
    row = max(serial.rows, key=lambda r: r["sub_loss_fen"])
    assert row["seed"] == path_seed(2020, row["path"])
    d = draw(study, row["path"])
    again = evaluate(path_deal(study, d), seed=row["seed"])
    assert (again.loss_fen["senior"], again.loss_fen["mezz"], again.loss_fen["sub"]) == (
        row["senior_loss_fen"], row["mezz_loss_fen"], row["sub_loss_fen"])
    assert again.revolving_end == row["revolving_end"]


def test_a_contribution_is_the_loss_the_incident_kind_adds(study, serial):
    c = next(x for x in serial.contributions if x["kind"] == "credit_shock" and x["class"] == "sub"
             and x["contribution_fen"] != 0)
    d = draw(study, c["path"])
    with_it = evaluate(path_deal(study, d), seed=d.seed).loss_fen["sub"]
    without = evaluate(path_deal(study, d, frozenset({"credit_shock"})), seed=d.seed).loss_fen["sub"]
    assert c["contribution_fen"] == with_it - without


def test_a_study_knows_no_class_name(deal, study, serial, tmp_path):
    """The same study on the deal with its classes renamed: the same rows, contributions and
    answers, keyed by the new names; the folder is written (plots name the new classes)."""
    renamed = Study(renamed_deal(deal), study.credit, study.operational, study.seed)
    res = run_montecarlo(renamed, PATHS, LocalEngine(1))
    assert res.rows == [renamed_names(r) for r in serial.rows]
    assert res.contributions == [{**c, "class": RENAMES[c["class"]]} for c in serial.contributions]
    mine, theirs = summarize(res), summarize(serial)
    for key in ("class_losses", "incident_contributions"):
        assert mine[key] == [{k: (RENAMES.get(v, v) if k == "class" else v)
                              for k, v in renamed_names(x).items()} for x in theirs[key]]
    assert mine["triggers"] == theirs["triggers"]
    written = write_study(res, tmp_path / "mc")
    assert [c["class"] for c in written["class_losses"]] == ["tranche_a", "tranche_b", "equity"]
    assert (tmp_path / "mc" / "loss_distribution.png").stat().st_size > 0


def test_a_replaced_servicer_s_path_carries_its_cost_and_the_loss_its_incidents_caused(serial):
    """A path whose servicer was replaced (an insolvency drawn) reports the replacement's cost
    (fee step-up + collections never collected) and, per class, the contributions of the
    replacing incident kinds — the attribution's, not computed again. An insolvency drawn
    after the trust ended (an early amortization's end) replaces nothing."""
    def insolvent_in_life(r):
        starts = [x.split("@")[1] for x in r["incidents"].split("; ") if x.startswith("servicer_insolvency@")]
        return any(s <= r["termination_date"] for s in starts)

    replaced = [r for r in serial.rows if insolvent_in_life(r)]
    assert replaced, "the busy study draws an insolvency on some path"
    for r in serial.rows:
        assert r["servicer_replaced"] == (r in replaced)
        assert r["replacement_cost_fen"] == r["replacement_fee_step_up_fen"] + r["replacement_collections_lost_fen"]
        for c in ("senior", "mezz", "sub"):
            assert r[f"{c}_replacement_loss_fen"] == sum(
                x["contribution_fen"] for x in serial.contributions
                if x["path"] == r["path"] and x["class"] == c and x["kind"] == "servicer_insolvency")
    assert any(r["replacement_fee_step_up_fen"] > 0 for r in replaced)
    rep = summarize(serial)["servicer_replacement"]
    assert rep["paths"] == len(replaced) and rep["share_of_paths"] == len(replaced) / PATHS
    assert rep["max_cost_fen"] == max(r["replacement_cost_fen"] for r in replaced)


def _cli(tmp_path, name: str, *extra: str):
    ops = tmp_path / "ops.yaml"
    ops.write_text(json.dumps(BUSY))
    out = tmp_path / name
    result = CliRunner().invoke(app, ["montecarlo", str(DEAL_FILE), "--paths", "5", "--seed", "9",
                                      "--operational", str(ops), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def cli_local(tmp_path_factory):
    return _cli(tmp_path_factory.mktemp("mc"), "local", "--workers", "1")


def test_cli_writes_paths_parquet_tables_and_plots(cli_local):
    out = cli_local
    assert {"paths.parquet", "paths.csv", "class_losses.csv", "triggers.csv", "commingling.csv",
            "incident_contributions.csv", "summary.json", "loss_distribution.png", "trigger_timing.png",
            "commingling.png", "incident_contributions.png"} <= {p.name for p in out.iterdir()}
    t = pq.read_table(out / "paths.parquet")
    assert t.num_rows == 5
    assert t.column_names[:5] == ["path", "seed", "senior_loss_fen", "mezz_loss_fen", "sub_loss_fen"]
    assert t.column("path").to_pylist() == [0, 1, 2, 3, 4]
    assert t.column("seed").to_pylist() == [path_seed(9, i) for i in range(5)]
    h = t.column("trigger_acceleration_h").to_pylist()
    assert all(v is None or isinstance(v, dt.date) for v in h)
    assert "trigger_acceleration_e" in t.column_names and "trigger_default_a" in t.column_names
    summary = json.loads((out / "summary.json").read_text())
    assert summary["paths"] == 5 and [c["class"] for c in summary["class_losses"]] == ["senior", "mezz", "sub"]


def test_the_console_tables_fit_100_columns_and_never_cut_a_row_s_key(cli_local):
    from rich.console import Console

    from trustsim.cli.risk import montecarlo_tables

    summary = json.loads((cli_local / "summary.json").read_text())
    console = Console(width=100, record=True, force_terminal=False)
    for t in montecarlo_tables(summary):
        console.print(t)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    keys = [x["kind"] for x in summary["incident_contributions"]] + \
        [x["trigger"] for x in summary["triggers"] if x["fired_paths"]] + [x["cause"] for x in summary["breaks"]]
    assert keys and all(f"│ {k} " in text for k in keys)
    assert max(keys, key=len) in text and "…" not in text.split("commingling:")[1]


def test_cli_on_a_dask_cluster_by_address_writes_the_same_paths(tmp_path, cli_local):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out = _cli(tmp_path, "dask", "--engine", "dask", "--scheduler", cluster.scheduler_address)
    assert pq.read_table(out / "paths.parquet").equals(pq.read_table(cli_local / "paths.parquet"))
    assert json.loads((out / "summary.json").read_text())["engine"] == "dask"


@pytest.mark.parametrize(("args", "message"), [
    (["--paths", "0"], "--paths: must be at least 1, got 0"),
    (["--engine", "ray"], "--engine: unknown engine 'ray' (known: local, dask)"),
    (["--workers", "0"], "--workers: workers must be at least 1, got 0"),
])
def test_cli_bad_input_is_a_clear_error(tmp_path, args, message):
    out = tmp_path / "mc"
    result = CliRunner().invoke(app, ["montecarlo", str(DEAL_FILE), "--paths", "2", "--out", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_negative_probability_names_the_field(tmp_path):
    ops = tmp_path / "ops.yaml"
    ops.write_text("incidents:\n  servicer_outage:\n    annual_probability: -0.2\n")
    result = CliRunner().invoke(app, ["montecarlo", str(DEAL_FILE), "--paths", "2", "--operational", str(ops),
                                      "--out", str(tmp_path / "mc")])
    assert result.exit_code == 2
    assert "ops.yaml: incidents.servicer_outage.annual_probability: Input should be greater than or equal to 0" \
        in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["ops.yaml"]
