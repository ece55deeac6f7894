"""The Monte Carlo's answers from its rows: loss statistics, trigger timing, contributions."""

from __future__ import annotations

import pytest

from trustsim.risk.montecarlo import (
    StudyResult,
    class_losses,
    commingling_table,
    contribution_table,
    replacement_table,
    trigger_table,
)
from trustsim.risk.paths import Study


def row(path, mezz=0, sub=0, incidents="", triggers=None, lost=0, peak=0):
    r = {"path": path, "seed": path, "senior_loss_fen": 0, "mezz_loss_fen": mezz, "sub_loss_fen": sub,
         "senior_pass": True, "mezz_pass": mezz == 0, "sub_pass": sub == 0, "incidents": incidents,
         "commingling_lost_fen": lost, "commingling_peak_fen": peak}
    r.update(triggers or {})
    return r


@pytest.fixture
def result(deal):
    rows = [
        row(0),
        row(1, sub=1_000_000_000, incidents="credit_shock@2021-03-01", triggers={
            "trigger_acceleration_e": "2021-06-01"}),
        row(2, mezz=600_000_000, sub=5_000_000_000, incidents="credit_shock@2021-01-04; servicer_outage@2021-02-01",
            triggers={"trigger_acceleration_e": "2021-04-01", "trigger_acceleration_c": "2021-02-20"}),
        row(3, incidents="servicer_insolvency@2021-05-05", lost=30_000_000, peak=900_000_000),
    ]
    contributions = [
        {"path": 1, "kind": "credit_shock", "class": "sub", "contribution_fen": 800_000_000},
        {"path": 2, "kind": "credit_shock", "class": "sub", "contribution_fen": 3_000_000_000},
        {"path": 2, "kind": "servicer_outage", "class": "sub", "contribution_fen": -200_000_000},
        {"path": 2, "kind": "interaction", "class": "sub", "contribution_fen": 400_000_000},
        {"path": 2, "kind": "credit_shock", "class": "mezz", "contribution_fen": 600_000_000},
    ]
    return StudyResult(Study(deal, None, None, 0), rows, contributions, "local", 1)


def test_class_losses(result):
    by = {c["class"]: c for c in class_losses(result)}
    assert by["sub"]["expected_loss_fen"] == 1_500_000_000              # (1e9 + 5e9) / 4
    assert by["sub"]["expected_loss_pct"] == 30.0                       # of 5,000 万元
    assert by["sub"]["probability_of_loss"] == 0.5
    assert by["sub"]["max_loss_fen"] == 5_000_000_000
    assert by["mezz"]["loss_p50_fen"] == 0 and by["mezz"]["probability_of_failure"] == 0.25
    assert by["senior"]["expected_loss_fen"] == 0


def test_trigger_probability_and_timing(result):
    by = {t["trigger"]: t for t in trigger_table(result)}
    e = by["acceleration_e"]
    assert (e["fired_paths"], e["probability"]) == (2, 0.5)
    assert e["first_day"] == 226                                         # 2021-04-01 - 2020-08-18
    assert by["acceleration_c"]["median_date"] == "2021-02-20"
    assert by["acceleration_h"]["fired_paths"] == 0 and by["acceleration_h"]["median_date"] is None


def test_commingling(result):
    c = commingling_table(result)
    assert (c["probability_of_loss"], c["expected_lost_fen"], c["max_lost_fen"]) == (0.25, 7_500_000, 30_000_000)
    assert c["max_peak_fen"] == 900_000_000


def test_contributions_are_averaged_over_all_paths(result):
    by = {r["kind"]: r for r in contribution_table(result)}
    assert by["credit_shock"]["paths"] == 2 and by["credit_shock"]["frequency"] == 0.5
    assert by["credit_shock"]["sub_expected_contribution_fen"] == 950_000_000      # 3.8e9 / 4
    assert by["credit_shock"]["sub_share_of_expected_loss"] == pytest.approx(950 / 1500)
    assert by["servicer_outage"]["sub_expected_contribution_fen"] == -50_000_000
    assert by["interaction"]["paths"] == 1
    assert by["servicer_insolvency"]["sub_expected_contribution_fen"] == 0


def test_servicer_replacement_cost_distribution_over_the_paths_that_replaced_it(deal):
    """Share of paths with a replacement; the cost's mean, quantiles (inverted CDF) and max
    over those paths only; its parts and the commingling beside it as means there."""
    def rep(path, cost=None, step=0, lost=0, comm=0, sub=None):
        r = row(path, lost=comm)
        r.update(servicer_replaced=cost is not None, replacement_fee_step_up_fen=step,
                 replacement_collections_lost_fen=lost, replacement_deferred_fen=2 * lost,
                 replacement_cost_fen=step + lost, senior_replacement_loss_fen=0,
                 mezz_replacement_loss_fen=0, sub_replacement_loss_fen=sub)
        return r

    rows = [rep(0), rep(1, True, step=100, lost=0, comm=50, sub=0),
            rep(2, True, step=300, lost=100, comm=0, sub=1_000), rep(3)]
    res = StudyResult(Study(deal, None, None, 0), rows, [], "local", 1)
    t = replacement_table(res)
    assert (t["paths"], t["share_of_paths"]) == (2, 0.5)
    assert (t["mean_cost_fen"], t["cost_p50_fen"], t["cost_p90_fen"], t["max_cost_fen"]) == (250.0, 100.0, 400.0, 400)
    assert (t["mean_fee_step_up_fen"], t["mean_collections_lost_fen"], t["mean_deferred_fen"]) == (200.0, 50.0, 100.0)
    assert (t["mean_commingling_lost_fen"], t["mean_sub_loss_fen"]) == (25.0, 500.0)
    none = replacement_table(StudyResult(Study(deal, None, None, 0), [rep(0)], [], "local", 1))
    assert (none["paths"], none["share_of_paths"], none["mean_cost_fen"], none["max_cost_fen"]) == (0, 0.0, None, None)
