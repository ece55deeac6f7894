"""One Monte Carlo path: its seed, its draws, its deal, its run, its row.

Why every path stands alone: path ``i`` of a study with seed ``K`` gets the ``i``-th child
of ``numpy.random.SeedSequence(K)`` — computed directly from ``(K, i)``, never by
drawing in sequence — and everything random about it comes from that child: the credit
draw and the incidents (named streams of :class:`~trustsim.sim.rng.RngStreams`), and the
run's own seed (a loan-level pool's streams). So a path's row is the same whichever
engine or worker computes it, in whatever order, and the ``seed`` column is enough to
replay it (:func:`path_deal`).

A path is a deal: the base deal (after the study's scenarios) with the drawn pool
parameters and the sampled incidents appended to its ``incidents`` — validated like any
scenario. With attribution on, a path with incidents is also run without each incident
kind (and without all of them), so each kind's contribution to every class's loss is the
loss it adds on that path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustsim.config.load import validate_deal
from trustsim.config.models import DealConfig
from trustsim.risk.credit import CreditConfig, draw_pool
from trustsim.risk.operational import OperationalConfig, sample_incidents, without_overlaps
from trustsim.risk.outcome import Outcome, evaluate
from trustsim.sim.rng import RngStreams

#: the incident kinds that replace the servicer (a servicer termination event)
REPLACEMENT_KINDS = ("servicer_insolvency", "servicer_termination")

CREDIT_STREAM = "montecarlo.credit"
INCIDENT_STREAM = "montecarlo.incidents"


@dataclass(frozen=True, slots=True)
class Study:
    """Everything a worker needs to compute any path of the study (picklable)."""

    deal: DealConfig
    credit: CreditConfig | None
    operational: OperationalConfig | None
    seed: int
    attribution: bool = True


@dataclass(frozen=True, slots=True)
class Draw:
    path: int
    seed: int
    pool: dict[str, float]
    incidents: list[dict[str, Any]]


def path_seed(root: int, path: int) -> int:
    """The run seed of path ``path``: the path-th child of SeedSequence(root), as 63 bits."""
    lo, hi = np.random.SeedSequence(root, spawn_key=(path,)).generate_state(2, np.uint32)
    return (int(hi) << 32 | int(lo)) & (2**63 - 1)


def draw(study: Study, path: int) -> Draw:
    seed = path_seed(study.seed, path)
    streams = RngStreams(seed)
    pool = draw_pool(study.credit, study.deal, streams[CREDIT_STREAM]) if study.credit else {}
    incidents = (without_overlaps(study.deal, sample_incidents(study.operational, study.deal,
                                                               streams[INCIDENT_STREAM]))
                 if study.operational else [])
    return Draw(path, seed, pool, incidents)


def path_deal(study: Study, d: Draw, without: frozenset[str] | None = None) -> DealConfig:
    """The path's deal; ``without`` drops sampled incidents of those kinds (``{"*"}``: all)."""
    data = study.deal.model_dump(mode="json")
    data["pool"].update({k: repr(v) for k, v in d.pool.items() if k != "economy_z"})
    drop = without or frozenset()
    data["incidents"] = data["incidents"] + [
        i for i in d.incidents if "*" not in drop and i["kind"] not in drop]
    data["run"]["seed"] = d.seed
    return validate_deal(data, f"{study.deal.name} (Monte Carlo path {d.path}, seed {d.seed})")


def trigger_column(kind: str, clause: str) -> str:
    return f"trigger_{kind}_{re.sub(r'[^0-9A-Za-z]', '', clause)}"


def path_row(d: Draw, o: Outcome) -> dict[str, Any]:
    """The path's row: each class's loss, then its shortfall and pass (classes by seniority),
    the draws, the incidents, commingling, dates and the date each trigger fired."""
    row: dict[str, Any] = {"path": d.path, "seed": d.seed}
    for c in o.loss_fen:
        row[f"{c}_loss_fen"] = o.loss_fen[c]
    for c in o.classes:
        row[f"{c}_shortfall_fen"] = o.classes[c].shortfall_fen
        row[f"{c}_pass"] = o.classes[c].passed
    for k, v in d.pool.items():
        row[k] = v
    row["incidents"] = "; ".join(
        f"{i['kind']}@{i.get('start', 'series ' + str(i.get('series')))}" for i in d.incidents)
    row["n_incidents"] = len(d.incidents)
    row["commingling_peak_fen"] = int(o.commingling.get("peak_fen") or 0)
    row["commingling_lost_fen"] = int(o.commingling.get("lost_fen") or 0)
    # the servicer's replacement (docs/risk.md, "Servicer replacement"): the cost is the
    # successor's fee step-up plus the collections never collected; commingling stands beside
    rep = o.replacement
    row["servicer_replaced"] = bool(rep.get("terminations"))
    row["replacement_fee_step_up_fen"] = int(rep.get("fee_step_up_fen") or 0)
    row["replacement_deferred_fen"] = int(rep.get("deferred_fen") or 0)
    row["replacement_collections_lost_fen"] = int(rep.get("collections_lost_fen") or 0)
    row["replacement_cost_fen"] = row["replacement_fee_step_up_fen"] + row["replacement_collections_lost_fen"]
    # reconciliation breaks: each as cause=days open (days to the end, with *, if never resolved)
    row["breaks"] = "; ".join(
        f"{b['cause']}={b['days_open']}" if b.get("resolved") else
        f"{b['cause']}={_days_to_end(b, o.termination_date)}*" for b in o.breaks)
    row["n_breaks"] = len(o.breaks)
    row["revolving_end"] = o.revolving_end
    row["termination_date"] = o.termination_date
    for kind, clause, date in o.triggers:
        row.setdefault(trigger_column(kind, clause), date)
    return row


def _days_to_end(b: dict[str, Any], end: str | None) -> int:
    """Days a break never resolved stayed open: to the trust's termination."""
    if not end:
        return 0
    return (dt.date.fromisoformat(end) - dt.date.fromisoformat(b["opened"])).days


def run_path(study: Study, path: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The path's row, and its incident contributions (path, kind, class, fen)."""
    d = draw(study, path)
    o = evaluate(path_deal(study, d), seed=d.seed)
    row = path_row(d, o)
    contributions: list[dict[str, Any]] = []
    kinds = list(dict.fromkeys(i["kind"] for i in d.incidents))
    if study.attribution and kinds:
        without = {k: evaluate(path_deal(study, d, frozenset({k})), seed=d.seed) for k in kinds}
        none = without[kinds[0]] if len(kinds) == 1 else evaluate(
            path_deal(study, d, frozenset({"*"})), seed=d.seed)
        for c in study.deal.class_names:
            total = o.loss_fen[c] - none.loss_fen[c]
            parts = {k: o.loss_fen[c] - w.loss_fen[c] for k, w in without.items()}
            for k, v in parts.items():
                contributions.append({"path": path, "kind": k, "class": c, "contribution_fen": v})
            if len(kinds) > 1:
                contributions.append({"path": path, "kind": "interaction", "class": c,
                                      "contribution_fen": total - sum(parts.values())})
    # the loss the servicer's failure and replacement caused each class: its incident kinds'
    # contributions (attribution on; else unknown)
    for c in study.deal.class_names:
        row[f"{c}_replacement_loss_fen"] = sum(
            x["contribution_fen"] for x in contributions
            if x["class"] == c and x["kind"] in REPLACEMENT_KINDS) if study.attribution else None
    return row, contributions


@dataclass(frozen=True, slots=True)
class Chunk:
    study: Study
    start: int
    stop: int


def run_chunk(chunk: Chunk) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Paths ``start`` to ``stop - 1`` of a study (one engine task)."""
    return [run_path(chunk.study, i) for i in range(chunk.start, chunk.stop)]
