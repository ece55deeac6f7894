"""The Monte Carlo study: many paths of credit and operational luck, and what they cost.

``run_montecarlo`` cuts the paths into chunks, has an engine compute them (see
:mod:`.engines`; results never depend on which), and assembles one row per path in path
order. ``summarize`` turns the rows into the answers: each class's loss distribution,
each trigger's probability and timing, the commingling loss distribution, each
incident kind's contribution to expected loss, how long reconciliation breaks stayed open
and what replacing the servicer cost (docs/risk.md, "Servicer replacement").
``write_study`` writes them — Parquet for the paths, CSV for the tables, PNG plots, a JSON
summary — into a folder, atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from trustsim.atomic import atomic_dir
from trustsim.config.incidents import CASH_ERROR_PARTY
from trustsim.money import fen_from_wan
from trustsim.risk.budget import MAX_PATHS, StudyTooLarge, check_fits, deep_size
from trustsim.risk.engines import Engine, chunks
from trustsim.risk.operational import incident_kinds
from trustsim.risk.paths import Chunk, Study, draw, path_deal, path_row, run_chunk, trigger_column


@dataclass
class StudyResult:
    study: Study
    rows: list[dict[str, Any]]
    contributions: list[dict[str, Any]]
    engine: str
    workers: int
    seconds: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def trigger_columns(self) -> list[str]:
        base = list(dict.fromkeys(trigger_column(t.effect_kind, t.clause) for t in self.study.deal.triggers))
        seen = sorted({k for r in self.rows for k in r if k.startswith("trigger_")} - set(base))
        return base + seen


#: draws sampled to estimate what a path keeps (its incidents vary)
_SAMPLE_DRAWS = 20
#: breaks a missed cut-off makes: one per same-day instruction (a payment date's dozen)
_BREAKS_PER_CUTOFF = 16


def path_bytes(study: Study) -> int:
    """Memory one path's results take until the study is written (see :mod:`.budget`).

    Its row as :func:`~.paths.run_chunk` returns it, every trigger of the deal fired (the
    worst case), averaged over the first draws' pool parameters and incidents (a cash error's
    breaks listed); one contribution per class for each of its incident kinds and, with
    several, for their interaction (with attribution); and 16 bytes
    a value for the Arrow table that Parquet and CSV are written from.
    """
    day = study.deal.dates.trust_effective_date.isoformat()
    names = study.deal.class_names
    cls = SimpleNamespace(shortfall_fen=2**40, passed=True)
    fired = tuple((t.effect_kind, t.clause, day) for t in study.deal.triggers)
    outcome = SimpleNamespace(loss_fen=dict.fromkeys(names, 2**40), classes=dict.fromkeys(names, cls),
                              commingling={"peak_fen": 2**40, "lost_fen": 2**40}, revolving_end=day,
                              termination_date=day, triggers=fired, breaks=(),
                              replacement=dict.fromkeys(("terminations", "fee_step_up_fen", "deferred_fen",
                                                         "collections_lost_fen"), 2**40))
    contribution = {"path": 2**40, "kind": max(incident_kinds(), key=len), "class": max(names, key=len),
                    "contribution_fen": 2**40}
    total = 0
    for i in range(_SAMPLE_DRAWS):
        d = draw(study, i)
        # a cash error is a break (a missed cut-off one per instruction of its day), each
        # listed with its days open in the row
        outcome.breaks = tuple(
            {"cause": "instruction_misdirected", "days_open": 9999, "resolved": day}
            for x in d.incidents if x["kind"] in CASH_ERROR_PARTY
            for _ in range(_BREAKS_PER_CUTOFF if x["kind"] == "missed_cutoff" else 1))
        row = path_row(d, outcome)  # type: ignore[arg-type]
        kinds = len({x["kind"] for x in d.incidents}) if study.attribution else 0
        kinds += kinds > 1      # several kinds: their interaction has a contribution too
        total += deep_size(row) + 16 * len(row) + kinds * len(names) * deep_size(contribution)
    return -(-total // _SAMPLE_DRAWS)


def check_study(study: Study, paths: int) -> None:
    """Fail before any work: bad path count, results too large for memory, or a first path
    whose deal does not validate."""
    if paths < 1:
        raise ValueError(f"--paths must be at least 1, got {paths}")
    if paths > MAX_PATHS:
        raise StudyTooLarge(f"--paths: {paths:,} is more than {MAX_PATHS:,}")
    if study.seed < 0:
        raise ValueError(f"--seed must be non-negative, got {study.seed}")
    kind = study.deal.pool.kind
    if study.credit is not None and kind != "rep_line":
        raise ValueError(f"--credit: credit draws move the rep-line pool's four parameters, but this deal's "
                         f"pool is {kind!r}; use --no-credit (a {kind} pool draws its own credit randomness "
                         f"from each path's seed)")
    path_deal(study, draw(study, 0))
    check_fits("--paths", paths, "paths", path_bytes(study),
               "its row of losses, draws, incidents and trigger dates, and its incident contributions")


def run_montecarlo(study: Study, paths: int, engine: Engine,
                   on_paths: Callable[[int], None] | None = None) -> StudyResult:
    """Compute ``paths`` paths of ``study`` on ``engine``; ``on_paths(n)`` as n more finish."""
    check_study(study, paths)
    if study.deal.pool.kind == "loan_level":  # here, once, rather than in every worker at once
        from trustsim.pool.precompile import ensure_compiled

        ensure_compiled(study.deal)
    parts = [Chunk(study, r.start, r.stop) for r in chunks(paths, engine.workers)]
    t0 = time.perf_counter()
    done = engine.map(run_chunk, parts, (lambda i: on_paths(len(range(parts[i].start, parts[i].stop))))
                      if on_paths else None)
    seconds = time.perf_counter() - t0
    rows = [row for part in done for row, _ in part]
    contributions = [c for part in done for _, cs in part for c in cs]
    return StudyResult(study, rows, contributions, engine.name, engine.workers, seconds)


# ---------------------------------------------------------------- the answers
def _quantiles(values: np.ndarray, qs: tuple[float, ...]) -> dict[str, float | None]:
    if values.size == 0:
        return {f"p{q * 100:g}": None for q in qs}
    return {f"p{q * 100:g}": float(np.quantile(values, q, method="inverted_cdf")) for q in qs}


def class_losses(res: StudyResult) -> list[dict[str, Any]]:
    """Each class's loss statistics, most senior first (a rolling class's principal: one series)."""
    sizes = {c.name: fen_from_wan(c.size_wan) for c in res.study.deal.classes}
    out = []
    for c in sizes:
        loss = np.array([r[f"{c}_loss_fen"] for r in res.rows], dtype=np.int64)
        out.append({
            "class": c,
            "principal_fen": sizes[c],
            "paths": int(loss.size),
            "expected_loss_fen": float(loss.mean()),
            "expected_loss_pct": float(100 * loss.mean() / sizes[c]),
            "probability_of_loss": float((loss > 0).mean()),
            "probability_of_failure": float(np.mean([not r[f"{c}_pass"] for r in res.rows])),
            **{f"loss_{k}_fen": v for k, v in _quantiles(loss, (0.5, 0.9, 0.99, 0.999)).items()},
            "max_loss_fen": int(loss.max()),
        })
    return out


def _day(iso: str, origin: dt.date) -> int:
    return (dt.date.fromisoformat(iso) - origin).days


def trigger_table(res: StudyResult) -> list[dict[str, Any]]:
    origin = res.study.deal.dates.trust_effective_date
    n = len(res.rows)
    out = []
    for col in res.trigger_columns:
        days = np.array([_day(r[col], origin) for r in res.rows if r.get(col)], dtype=np.int64)
        q = _quantiles(days, (0.1, 0.5, 0.9))
        out.append({
            "trigger": col.removeprefix("trigger_"),
            "fired_paths": int(days.size),
            "probability": days.size / n,
            "first_day": int(days.min()) if days.size else None,
            **{f"day_{k}": v for k, v in q.items()},
            "median_date": (origin + dt.timedelta(days=int(q["p50"] or 0))).isoformat() if days.size else None,
        })
    return out


def commingling_table(res: StudyResult) -> dict[str, Any]:
    peak = np.array([r["commingling_peak_fen"] for r in res.rows], dtype=np.int64)
    lost = np.array([r["commingling_lost_fen"] for r in res.rows], dtype=np.int64)
    return {
        "probability_of_loss": float((lost > 0).mean()),
        "expected_lost_fen": float(lost.mean()),
        **{f"lost_{k}_fen": v for k, v in _quantiles(lost, (0.5, 0.99, 0.999)).items()},
        "max_lost_fen": int(lost.max()),
        "expected_peak_fen": float(peak.mean()),
        **{f"peak_{k}_fen": v for k, v in _quantiles(peak, (0.5, 0.99)).items()},
        "max_peak_fen": int(peak.max()),
    }


def replacement_table(res: StudyResult) -> dict[str, Any]:
    """The cost of replacing the servicer, over the paths on which it was replaced (a servicer
    termination event): how often, the cost (fee step-up plus collections never collected;
    mean, 50/90/99% and max), its parts' means, the commingling loss beside it and the loss
    the replacing incidents caused each class (means over those paths; None without
    attribution)."""
    n = len(res.rows)
    rows = [r for r in res.rows if r["servicer_replaced"]]
    cost = np.array([r["replacement_cost_fen"] for r in rows], dtype=np.int64)

    def mean(key: str) -> float | None:
        values = [r[key] for r in rows if r.get(key) is not None]
        return float(np.mean(values)) if values else None

    return {
        "paths": len(rows),
        "share_of_paths": len(rows) / n if n else 0.0,
        "mean_cost_fen": float(cost.mean()) if cost.size else None,
        **{f"cost_{k}_fen": v for k, v in _quantiles(cost, (0.5, 0.9, 0.99)).items()},
        "max_cost_fen": int(cost.max()) if cost.size else None,
        "mean_fee_step_up_fen": mean("replacement_fee_step_up_fen"),
        "mean_collections_lost_fen": mean("replacement_collections_lost_fen"),
        "mean_deferred_fen": mean("replacement_deferred_fen"),
        "mean_commingling_lost_fen": mean("commingling_lost_fen"),
        **{f"mean_{c}_loss_fen": mean(f"{c}_replacement_loss_fen") for c in res.study.deal.class_names},
    }


def break_table(res: StudyResult) -> list[dict[str, Any]]:
    """Per break cause: how many breaks, on how many paths, how long they stayed open (days)
    and how many were never resolved (their days counted to the trust's termination)."""
    days: dict[str, list[int]] = {}
    paths: dict[str, int] = {}
    never: dict[str, int] = {}
    for r in res.rows:
        seen: set[str] = set()
        for item in (x for x in str(r.get("breaks") or "").split("; ") if x):
            cause, _, n = item.partition("=")
            days.setdefault(cause, []).append(int(n.rstrip("*")))
            never[cause] = never.get(cause, 0) + n.endswith("*")
            seen.add(cause)
        for cause in seen:
            paths[cause] = paths.get(cause, 0) + 1
    out = []
    for cause in sorted(days):
        a = np.array(days[cause], dtype=np.int64)
        out.append({"cause": cause, "breaks": int(a.size), "paths": paths[cause],
                    "frequency": paths[cause] / len(res.rows), "never_resolved": never[cause],
                    "mean_days_open": float(a.mean()),
                    **{f"days_open_{k}": v for k, v in _quantiles(a, (0.5, 0.9, 0.99)).items()},
                    "max_days_open": int(a.max())})
    return out


def _kinds(row: dict[str, Any]) -> list[str]:
    """The distinct incident kinds of a path, in order of first appearance."""
    return list(dict.fromkeys(x.split("@")[0] for x in row["incidents"].split("; ") if x))


def contribution_table(res: StudyResult) -> list[dict[str, Any]]:
    """Per incident kind: how often, and its expected contribution to each class's loss."""
    n = len(res.rows)
    kinds: dict[str, int] = {}
    for r in res.rows:
        for k in _kinds(r):
            kinds[k] = kinds.get(k, 0) + 1
    if res.study.attribution:
        kinds["interaction"] = sum(1 for r in res.rows if len(_kinds(r)) > 1)
    totals: dict[tuple[str, str], int] = {}
    for x in res.contributions:
        key = (x["kind"], x["class"])
        totals[key] = totals.get(key, 0) + x["contribution_fen"]
    names = res.study.deal.class_names
    el = {c: float(np.mean([r[f"{c}_loss_fen"] for r in res.rows])) for c in names}
    out = []
    for kind, paths in kinds.items():
        row: dict[str, Any] = {"kind": kind, "paths": paths, "frequency": paths / n}
        for c in names:
            mean = totals.get((kind, c), 0) / n
            row[f"{c}_expected_contribution_fen"] = mean
            row[f"{c}_share_of_expected_loss"] = mean / el[c] if el[c] else 0.0
        out.append(row)
    return out


def summarize(res: StudyResult) -> dict[str, Any]:
    return {
        "deal": res.study.deal.name,
        "paths": len(res.rows),
        "seed": res.study.seed,
        "engine": res.engine,
        "workers": res.workers,
        "seconds": round(res.seconds, 3),
        "paths_per_second": round(len(res.rows) / res.seconds, 2) if res.seconds else None,
        "attribution": res.study.attribution,
        **res.meta,
        "class_losses": class_losses(res),
        "triggers": trigger_table(res),
        "commingling": commingling_table(res),
        "servicer_replacement": replacement_table(res),
        "incident_contributions": contribution_table(res),
        "breaks": break_table(res),
    }


# ---------------------------------------------------------------- writing
def path_table(res: StudyResult):
    """The paths as an Arrow table: fixed columns, trigger dates as date32 (null if not fired)."""
    import pyarrow as pa

    cols: dict[str, Any] = {}
    first = res.rows[0]
    fixed = [k for k in first if not k.startswith("trigger_")]
    for k in fixed:
        values = [r.get(k) for r in res.rows]
        if k in ("revolving_end", "termination_date"):
            cols[k] = pa.array([dt.date.fromisoformat(v) if v else None for v in values], pa.date32())
        elif k in ("incidents", "breaks"):
            cols[k] = pa.array(values, pa.string())
        elif k.endswith("_pass") or k == "servicer_replaced":
            cols[k] = pa.array(values, pa.bool_())
        elif k.endswith("_fen") or k in ("path", "seed", "n_incidents", "n_breaks"):
            cols[k] = pa.array(values, pa.int64())
        else:
            cols[k] = pa.array(values, pa.float64())
    for k in res.trigger_columns:
        cols[k] = pa.array([dt.date.fromisoformat(r[k]) if r.get(k) else None for r in res.rows], pa.date32())
    return pa.table(cols)


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        if not rows:
            return
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def write_study(res: StudyResult, out: str | Path) -> dict[str, Any]:
    """Write the study folder atomically (temp name, then rename); return the summary."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    from trustsim.risk import plots

    with atomic_dir(out, "montecarlo", "--out") as tmp:
        table = path_table(res)
        pq.write_table(table, tmp / "paths.parquet")
        pcsv.write_csv(table, tmp / "paths.csv")
        summary = summarize(res)
        _csv(tmp / "class_losses.csv", summary["class_losses"])
        _csv(tmp / "triggers.csv", summary["triggers"])
        _csv(tmp / "commingling.csv", [summary["commingling"]])
        _csv(tmp / "incident_contributions.csv", summary["incident_contributions"])
        _csv(tmp / "breaks.csv", summary["breaks"])
        _csv(tmp / "servicer_replacement.csv", [summary["servicer_replacement"]])
        _csv(tmp / "contributions_by_path.csv", res.contributions)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
        (tmp / "study.json").write_text(json.dumps({
            "deal": res.study.deal.model_dump(mode="json"),
            "credit": res.study.credit.model_dump(mode="json", by_alias=True) if res.study.credit else None,
            "operational": res.study.operational.model_dump(mode="json") if res.study.operational else None,
            "seed": res.study.seed, "attribution": res.study.attribution,
        }, indent=2, default=str), encoding="utf-8")
        plots.study_plots(res, summary, tmp)
    return summary
