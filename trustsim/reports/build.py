"""Building a report folder: the HTML page, its PNG plots, the trustee and servicer reports.

Layout of the folder (written under a temporary name, renamed when complete)::

    report.html                 self-contained: opens offline
    plots/*.png                 the plots the page shows
    trustee/reports.json        one trustee report per payment date
    trustee/<date>.json         the same, one file per payment date
    trustee/tranches.csv        per payment date and class: balances and payments
    trustee/waterfall.csv       per payment date and step: due, paid, shortfall
    trustee/summary.csv         per payment date: pool performance, purchases, triggers
    servicer/monthly.json       one servicer report per month
    servicer/monthly.csv        the same, flat
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trustsim.atomic import atomic_dir
from trustsim.audit.engine import audit
from trustsim.audit.log import AuditLog
from trustsim.reports import html, periodic, plots
from trustsim.reports.data import collect

Step = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    html: Path
    plots: tuple[Path, ...]
    trustee_count: int
    servicer_count: int


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue().encode()


def _json(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n"


def _trustee_tables(reports: list[dict[str, Any]]) -> dict[str, bytes]:
    tranches, steps, summary = [], [], []
    for r in reports:
        for t in r["tranches"]:
            tranches.append({"payment_date": r["payment_date"], **t})
        for s in r["waterfall_steps"]:
            steps.append({"payment_date": r["payment_date"], "waterfall": r["waterfall"], **s})
        summary.append({"payment_date": r["payment_date"], "waterfall": r["waterfall"],
                        "available_fen": r["available_fen"], "remaining_fen": r["remaining_fen"],
                        **r["pool_performance"],
                        **{f"purchases_{k}": v for k, v in r["revolving_purchases"].items()},
                        **{f"dq_{k}": v for k, v in r["delinquency"].items()},
                        "triggers": r["triggers"]["status"],
                        "assumed_calendar": r.get("assumed_calendar", False)})
    return {"tranches.csv": _csv(tranches), "waterfall.csv": _csv(steps),
            "summary.csv": _csv(summary)}


def _servicer_rows(months: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for m in months:
        row = {k: v for k, v in m.items() if k != "delinquency_month_end"}
        row.update({f"dq_{k}": v for k, v in m["delinquency_month_end"].items()})
        flat.append(row)
    return flat


def _flag_assumed_calendar(log: AuditLog, trustee: list[dict[str, Any]], servicer: list[dict[str, Any]]) -> None:
    """Mark each report whose period reaches a year of assumed business days (docs/calendar.md)."""
    started = log.of("run_started")
    cal = (started[0].get("calendar") if started else None) or {}
    first = min(cal.get("assumed_years") or [10_000])
    for r in trustee:
        r["assumed_calendar"] = int(r["payment_date"][:4]) >= first
    for m in servicer:
        m["assumed_calendar"] = int(m["month"][:4]) >= first


def build_report(log: AuditLog, out: Path, on_step: Step | None = None) -> ReportResult:
    """Write the report folder for ``log`` at ``out`` (replacing it atomically)."""
    total = 4 + len(plots.PLOTS)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        if on_step is not None:
            on_step(what, done, total)
        done += 1

    step("reading the log")
    rd = collect(log)
    step("auditing the log")
    verdict = audit(log)
    step("trustee and servicer reports")
    trustee = periodic.trustee_reports(log)
    servicer = periodic.servicer_reports(log)
    _flag_assumed_calendar(log, trustee, servicer)
    images: dict[str, tuple[str, bytes]] = {}
    for name, (title, draw) in plots.PLOTS.items():
        step(f"plotting {name}")
        images[name] = (plots.title(title, rd), draw(rd))
    step("writing the page")
    page = html.render(rd, images, verdict, trustee, servicer)
    files: dict[str, bytes] = {"report.html": page.encode()}
    files.update({f"plots/{name}": png for name, (_t, png) in images.items()})
    files["trustee/reports.json"] = _json(trustee)
    for r in trustee:
        files[f"trustee/{r['payment_date']}-{r['seq']}.json"] = _json(r)
    files.update({f"trustee/{k}": v for k, v in _trustee_tables(trustee).items()})
    files["servicer/monthly.json"] = _json(servicer)
    files["servicer/monthly.csv"] = _csv(_servicer_rows(servicer))
    _write_folder(out, files)
    if on_step is not None:
        on_step("done", total, total)
    return ReportResult(out, out / "report.html",
                        tuple(out / "plots" / n for n in images), len(trustee), len(servicer))


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    with atomic_dir(out, "report", "--out") as tmp:
        for rel, data in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
