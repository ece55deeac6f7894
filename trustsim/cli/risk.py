"""``trustsim stress | breakeven | montecarlo``: the risk studies from the command line.

Inputs come from files beside the deal by default — the stress method in
``configs/stress/`` whose ``applies_to`` names the deal,
``configs/montecarlo/{operational,credit}.yaml`` — and every one can be given explicitly.
A user error (unknown rating, case or engine, zero paths, a bad config value) exits with
status 2 and a message naming the flag or field; outputs are written under a temporary
name and renamed, so a failed study leaves nothing half-written.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trustsim import cli
from trustsim.atomic import (
    JSON_HEADER,
    atomic_dir,
    check_file_target,
    check_folder_target,
    json_header,
    write_json_output,
)
from trustsim.cli import app, fail, output_path
from trustsim.config import ConfigError
from trustsim.config.bounds import MAX_SEED
from trustsim.money import wan
from trustsim.risk.budget import MAX_AXIS_POINTS, MAX_PATHS, MAX_WORKERS

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from trustsim.config import DealConfig

Scenario = Annotated[list[str] | None, typer.Option(
    metavar="NAME_OR_FILE",
    help="scenario overlay on the deal: a name in configs/scenarios or a YAML file; repeatable")]
Workers = Annotated[int | None, typer.Option(max=MAX_WORKERS, help="worker processes (default: one per CPU)")]
EngineOpt = Annotated[str, typer.Option(help="where runs execute: local (processes) or dask")]
SchedulerOpt = Annotated[str | None, typer.Option(
    help="Dask scheduler address (tcp://host:8786); default: a LocalCluster of --workers processes")]


def _deal(config: Path, scenario: list[str] | None) -> DealConfig:
    from trustsim.config import load_deal  # the models load only for a command that reads a deal

    try:
        return load_deal(config, scenario or ())
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _method_and_selection(config: Path, deal: DealConfig, method: Path | None, case: list[str] | None,
                          rating: list[str] | None):
    """The stress method file (``--method``, or the default beside the deal), checked against
    the deal's classes and fees, and the chosen cases and ratings, each error naming its flag."""
    from trustsim.risk.method import check_applies, check_outflows, default_method_path, load_method
    from trustsim.risk.stress import check_selection

    if method is None:
        try:
            method = default_method_path(config, deal.name)
        except ConfigError as exc:
            raise fail(f"--method: {exc}") from None
    path = _beside(config, method, method, "--method")
    try:
        m = load_method(path)
        check_applies(m, deal, str(path))
        check_outflows(m, deal, str(path))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    try:
        cases, anchors = check_selection(m, case, rating)
    except ValueError as exc:
        raise fail(f"{'--case' if 'case' in str(exc) else '--rating'}: {exc}") from None
    return m, cases, anchors


def _beside(config: Path, explicit: Path | None, default: Path, flag: str) -> Path:
    path = explicit or default
    if not path.is_file():
        raise fail(f"{flag}: {path}: file not found" + ("" if explicit else f" (give one with {flag})"))
    return path


def _w(fen: int) -> str:
    return f"{wan(fen):,.2f}"


def _engine(name: str, workers: int | None, scheduler: str | None):
    from trustsim.risk.engines import make_engine

    try:
        return make_engine(name, workers, scheduler)
    except ValueError as exc:
        msg = str(exc)
        flags = {"unknown engine": "--engine", "workers": "--workers", "a scheduler": "--scheduler"}
        flag = next((f for prefix, f in flags.items() if msg.startswith(prefix)), None)
        raise fail(f"{flag}: {msg}" if flag else msg) from None


def _advance(progress: Progress, task: TaskID, _done: int) -> None:
    progress.advance(task)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=cli.console, transient=True)


# ---------------------------------------------------------------- stress
def stress_tables(results: list) -> list[Table]:
    """One cash table and one outcome table per case, ratings as columns; the deal's classes
    as rows, most senior first, and a safety margin for each rated class."""
    from rich.table import Table

    tables = []
    for case in dict.fromkeys(r.case for r in results):
        rs = [r for r in results if r.case == case]
        cash = Table(title=f"case {case}: cash over the trust's life, 万元 (paid; [red]paid / due[/] when short)",
                     title_justify="left")
        cash.add_column("line")
        for r in rs:
            cash.add_column(r.rating, justify="right")
        cash.add_row("cash in: principal", *[_w(r.outcome.principal_in_fen) for r in rs])
        cash.add_row("cash in: interest", *[_w(r.outcome.interest_in_fen) for r in rs])
        if any(r.outcome.reserve_in_fen for r in rs):
            cash.add_row("cash in: reserve funded at closing", *[_w(r.outcome.reserve_in_fen) for r in rs])
        for name in rs[0].outcome.outflows:
            cells = []
            for r in rs:
                line = r.outcome.outflows.get(name)
                if line is None:
                    cells.append("-")
                elif line.paid_fen < line.due_fen:
                    cells.append(f"[red]{_w(line.paid_fen)} / {_w(line.due_fen)}[/]")
                else:
                    cells.append(_w(line.paid_fen))
            cash.add_row(name, *cells)
        cash.add_row("left in the trust", *[_w(r.outcome.held_fen) for r in rs])
        res = Table(title=f"case {case}: does each class pass?", title_justify="left")
        res.add_column("")
        for r in rs:
            res.add_column(r.rating, justify="right")
        for c in rs[0].outcome.class_names:
            res.add_row(c, *[("[green]pass[/]" if r.outcome.classes[c].passed else
                              f"[red]FAIL[/] (short {_w(r.outcome.classes[c].shortfall_fen)})") for r in rs])
        for c in rs[0].outcome.margin_classes:
            res.add_row(f"{c} safety margin", *[f"{r.outcome.safety_margin(c):.2%}" for r in rs])
        res.add_row("triggers", *[", ".join(f"{k} ({cl}) {d}" for k, cl, d in r.outcome.triggers) or "none"
                                  for r in rs])
        res.add_row("terminated", *[str(r.outcome.termination_date) for r in rs])
        tables += [cash, res]
        if any(r.normal_assets is not None for r in rs):
            tables.append(normal_assets_table(case, rs))
    return tables


def normal_assets_table(case: str, rs: list) -> Table:
    """The agency's comparison at the end of the revolving period (trustsim.risk.stress)."""
    from rich.table import Table

    t = Table(title=f"case {case}: normal assets at the end of revolving, 万元 "
                    f"(pool less estimated overdue, against the classes the rating covers)",
              title_justify="left")
    t.add_column("")
    for r in rs:
        t.add_column(r.rating, justify="right")
    na = [r.normal_assets for r in rs]

    def row(label: str, f) -> None:
        t.add_row(label, *["-" if n is None else f(n) for n in na])

    row("revolving ended", lambda n: str(n.revolving_end))
    row("remaining pool", lambda n: _w(n.remaining_fen))
    row("estimated overdue", lambda n: _w(n.estimated_overdue_fen))
    row("normal assets", lambda n: _w(n.normal_fen))
    row("classes covered", lambda n: " + ".join(n.classes))
    row("their principal", lambda n: _w(n.principal_fen))
    row("surplus", lambda n: (f"[red]{_w(n.surplus_fen)}[/]" if n.surplus_fen < 0 else _w(n.surplus_fen)))
    row("cash held (not counted)", lambda n: _w(n.cash_held_fen))
    row("surplus with the cash", lambda n: _w(n.surplus_fen + n.cash_held_fen))
    return t


def readings_table(runs: list) -> Table:
    """One row per reading and (case, rating): the verdicts, margins and normal-assets surplus."""
    from rich.table import Table

    first = runs[0][1][0]
    classes = first.outcome.class_names
    rated = first.outcome.margin_classes
    t = Table(title="the stress table under each reading (one changed at a time from the method's)",
              title_justify="left")
    for col in ("reading", "case", "rating", *classes, *(f"{c} margin" for c in rated),
                "surplus 万元"):
        t.add_column(col, justify="left" if col in ("reading", "case", "rating") else "right")
    for label, results in runs:
        for r in results:
            cells = [("pass" if r.outcome.classes[c].passed
                      else f"FAIL {_w(r.outcome.classes[c].shortfall_fen)}") for c in classes]
            margins = [f"{r.outcome.safety_margin(c):.2%}" for c in rated]
            surplus = "-" if r.normal_assets is None else _w(r.normal_assets.surplus_fen)
            t.add_row(label, r.case, r.rating, *cells, *margins, surplus)
    return t


def _cells(r) -> list[str]:
    """One run's row for the markdown tables: verdicts, margins, surplus, revolving end."""
    o = r.outcome
    verdicts = ["pass" if o.classes[c].passed else f"**fail** ({_w(o.classes[c].shortfall_fen)})"
                for c in o.class_names]
    margins = [f"{o.safety_margin(c):.2%}" for c in o.margin_classes]
    na = r.normal_assets
    surplus = "-" if na is None else _w(na.surplus_fen)
    return [*verdicts, *margins, surplus, str(o.revolving_end)]


def markdown_tables(runs: list) -> str:
    """The stress results as markdown (docs/risk.md): per run the verdicts (shortfall 万元),
    safety margins, normal-assets surplus and revolving end; with several readings one row
    per reading, case and rating; then each case's normal-assets comparison."""
    first = runs[0][1][0].outcome
    head = ["case", "rating", *first.class_names, *(f"{c} margin" for c in first.margin_classes),
            "normal-assets surplus 万元", "revolving ended"]
    if len(runs) > 1:
        head.insert(0, "reading")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, results in runs:
        for r in results:
            row = [r.case, r.rating, *_cells(r)]
            if len(runs) > 1:
                row.insert(0, f"`{label}`")
            lines.append("| " + " | ".join(row) + " |")
    results = runs[0][1]
    for case in dict.fromkeys(r.case for r in results):
        rs = [r for r in results if r.case == case and r.normal_assets is not None]
        if not rs:
            continue
        lines += ["", f"Normal assets at the end of revolving, case `{case}`"
                      + (f" (reading `{runs[0][0]}`)" if len(runs) > 1 else "") + ", 万元:", "",
                  "| rating | revolving ended | remaining pool | estimated overdue | normal assets "
                  "| classes covered | their principal | surplus | cash held (not counted) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in rs:
            n = r.normal_assets
            lines.append(f"| {r.rating} | {n.revolving_end} | {_w(n.remaining_fen)} | "
                         f"{_w(n.estimated_overdue_fen)} | {_w(n.normal_fen)} | "
                         f"{' + '.join(n.classes)} | {_w(n.principal_fen)} | {_w(n.surplus_fen)} | "
                         f"{_w(n.cash_held_fen)} |")
    return "\n".join(lines)


def _readings_option(method, values: list[str] | None):
    """``--reading NAME=VALUE`` (repeatable) over the method's readings."""
    rd = method.readings
    for v in values or ():
        name, sep, value = v.partition("=")
        if not sep:
            raise fail(f"--reading: {v!r}: expected NAME=VALUE, e.g. mpr_basis=outstanding")
        try:
            rd = rd.with_(name.strip(), value.strip())
        except ValueError as exc:
            raise fail(f"--reading: {exc}") from None
    return rd


@app.command()
def stress(
    config: Annotated[Path, typer.Argument(metavar="DEAL", help="deal file (YAML)")],
    scenario: Scenario = None,
    method: Annotated[Path | None, typer.Option(
        help="stress method file (default: the one in configs/stress whose applies_to names the deal)")] = None,
    case: Annotated[list[str] | None, typer.Option(
        help="a case of the method file (e.g. lianhe_2020: issuance_ok, issuance_fails); repeatable "
             "(default all)")] = None,
    rating: Annotated[list[str] | None, typer.Option(help="target rating, e.g. AAA; repeatable (default all)")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="PATH", parser=output_path,
        help="write the table as JSON to this file ('-' for stdout)")] = None,
    reading: Annotated[list[str] | None, typer.Option(
        metavar="NAME=VALUE",
        help="read the report another way than the method file's readings, e.g. "
             "mpr_basis=outstanding; repeatable")] = None,
    readings: Annotated[bool, typer.Option(
        "--readings", help="run the table under the method's readings and under each other value "
                           "of each reading, one at a time; print one row per run")] = False,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="print the results as markdown tables (as docs/risk.md shows them)")] = False,
) -> None:
    """The rating agency's stress test (DEAL.md §11): every case and rating, cash and pass/fail,
    and the normal assets at the end of revolving."""
    from trustsim.risk.stress import DEFINITIONS, run_readings, run_stress

    deal = _deal(config, scenario)
    m, _cases, _anchors = _method_and_selection(config, deal, method, case, rating)
    rd = _readings_option(m, reading)
    if readings and reading:
        raise fail("--readings: runs each reading from the method file's; give it without --reading")
    to_stdout = json_out is not None and str(json_out) == "-"
    if json_out is not None and not to_stdout:
        check_file_target(json_out, "stress", "--json")
    if readings:
        try:
            runs = run_readings(deal, m, case, rating)
        except (ConfigError, ValueError) as exc:
            raise fail(str(exc)) from None
        body: dict = {"definitions": DEFINITIONS,
                      "readings": [{"reading": label, "results": [r.record() for r in results]}
                                   for label, results in runs]}
        if to_stdout:
            typer.echo(json.dumps({JSON_HEADER: json_header("stress"), **body}, indent=2,
                                  ensure_ascii=False))
            return
        if markdown:
            typer.echo(markdown_tables(runs))
        else:
            cli.console.print(readings_table(runs))
        if json_out is not None:
            write_json_output(json_out, "stress", body, "--json")
            cli.console.print(f"written: {json_out}")
        return
    try:
        results = run_stress(deal, m, case, rating, rd)
    except (ConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    body = {"definitions": DEFINITIONS, "results": [r.record() for r in results]}
    if to_stdout:  # as audit --json -: the JSON alone on stdout, for a pipe
        typer.echo(json.dumps({JSON_HEADER: json_header("stress"), **body}, indent=2, ensure_ascii=False))
        return
    if markdown:
        typer.echo(markdown_tables([("default", results)]))
    else:
        for t in stress_tables(results):
            cli.console.print(t)
    if json_out is not None:
        write_json_output(json_out, "stress", body, "--json")
        cli.console.print(f"written: {json_out}")


# ---------------------------------------------------------------- break-even
def breakeven_table(found: list) -> Table:
    from rich.table import Table

    t = Table(title="break-evens: the largest level each class survives, other stresses at the anchor "
                    "rating's (write-off: x base; others: haircut; none: fails even at 0; "
                    "(fails at 0): this stress helps it)", title_justify="left")
    for col in ("case", "anchor", "dimension", "anchor level"):
        t.add_column(col, no_wrap=True)   # the row's key: never cut, the figures wrap instead
    classes = list(dict.fromkeys(b.cls for b in found))
    for c in classes:
        t.add_column(c, justify="right")
    keys = list(dict.fromkeys((b.case, b.anchor, b.dimension) for b in found))
    for k in keys:
        bs = {b.cls: b for b in found if (b.case, b.anchor, b.dimension) == k}
        first = next(iter(bs.values()))
        cells = []
        for c in classes:
            b = bs[c]
            if b.value is None:
                cells.append("[red]none[/]")
            elif b.fails_at is None:
                cells.append(f">= {b.value:.4g}")
            else:
                cells.append(f"{b.value:.4g}" if b.passes_at_anchor else f"[red]{b.value:.4g}[/]")
            if b.value is not None and not b.passes_at_low:
                cells[-1] += " [yellow](fails at 0)[/]"
        t.add_row(*k, f"{first.anchor_level:g}", *cells)
    return t


def _axis(text: str, flag: str) -> list[float]:
    """``START:STOP:N`` -> N evenly spaced values, or a comma-separated list."""
    import numpy as np

    try:
        if ":" in text:
            a, b, n = text.split(":")
            if not 1 <= int(n) <= MAX_AXIS_POINTS:
                raise fail(f"{flag}: N must be 1 to {MAX_AXIS_POINTS:,} points, got {int(n):,}")
            values = [round(float(x), 9) for x in np.linspace(float(a), float(b), int(n))]
        else:
            values = [float(x) for x in text.split(",")]
    except ValueError:
        raise fail(f"{flag}: expected START:STOP:N or a comma-separated list, got {text!r}") from None
    if len(values) > MAX_AXIS_POINTS:
        raise fail(f"{flag}: {len(values):,} values, more than {MAX_AXIS_POINTS:,}")
    if not all(np.isfinite(values)):
        raise fail(f"{flag}: every value must be a finite number, got {text!r}")
    return values


@app.command()
def breakeven(
    config: Annotated[Path, typer.Argument(metavar="DEAL", help="deal file (YAML)")],
    out: Annotated[Path, typer.Option(
        metavar="PATH", parser=output_path, help="output folder (breakeven.json/.csv, grid CSV and heat maps)")],
    scenario: Scenario = None,
    method: Annotated[Path | None, typer.Option(help="stress method file (default: beside the deal)")] = None,
    case: Annotated[list[str] | None, typer.Option(
        help="a case of the method file (e.g. lianhe_2020: issuance_ok, issuance_fails); repeatable")] = None,
    rating: Annotated[list[str] | None, typer.Option(
        help="anchor rating(s) whose other stresses are held; repeatable (default all)")] = None,
    dimension: Annotated[list[str] | None, typer.Option(
        help="write_off | yield | mpr | purchase_rate; repeatable (default all)")] = None,
    tolerance: Annotated[float | None, typer.Option(help="bisection tolerance (default 0.01x / 0.25pp)")] = None,
    grid_rating: Annotated[str, typer.Option(help="anchor of the write-off x purchase-rate grid")] = "AAA",
    grid_write_off: Annotated[str, typer.Option(help="grid write-off multiples, START:STOP:N or a list")] = "0:10:11",
    grid_purchase: Annotated[str, typer.Option(help="grid purchase-rate haircuts, START:STOP:N or a list")] = "0:1:11",
    no_grid: Annotated[bool, typer.Option("--no-grid", help="skip the grid and heat map")] = False,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: Workers = None,
) -> None:
    """Break-evens by root finding on the full simulation, and a write-off x purchase-rate heat map."""

    from trustsim.risk import plots
    from trustsim.risk.breakeven import breakevens, grid
    from trustsim.risk.method import DIMENSIONS, rating_levels

    deal = _deal(config, scenario)
    m, cases, anchors = _method_and_selection(config, deal, method, case, rating)
    dims = list(dimension or DIMENSIONS)
    for d in dims:
        if d not in DIMENSIONS:
            raise fail(f"--dimension: unknown stress dimension {d!r} (known: {', '.join(DIMENSIONS)})")
    try:
        rating_levels(m, grid_rating)
    except ValueError as exc:
        raise fail(f"--grid-rating: {exc}") from None
    if tolerance is not None and tolerance <= 0:
        raise fail("--tolerance: must be positive")
    wo_axis, ph_axis = _axis(grid_write_off, "--grid-write-off"), _axis(grid_purchase, "--grid-purchase")
    if not no_grid:
        from trustsim.risk.breakeven import grid_point_bytes
        from trustsim.risk.budget import StudyTooLarge, check_fits

        points = len(cases) * len(wo_axis) * len(ph_axis)
        try:
            check_fits("--grid-write-off x --grid-purchase", points, "grid points", grid_point_bytes(deal, m),
                       "the point's stressed inputs and its row of losses")
        except StudyTooLarge as exc:
            raise fail(str(exc)) from None
    eng = _engine(engine, workers, scheduler)
    try:
        with atomic_dir(out, "breakeven", "--out") as tmp:
            with _progress() as progress:
                n = len(cases) * len(anchors) * len(dims)
                task = progress.add_task("break-even searches", total=n)
                found = breakevens(deal, m, cases, anchors, dims, eng, tolerance,
                                   on_done=lambda _i: progress.advance(task))
                grids = {}
                if not no_grid:
                    for c in cases:
                        g = progress.add_task(f"grid ({c})", total=len(wo_axis) * len(ph_axis))
                        grids[c] = grid(deal, m, c, grid_rating, wo_axis, ph_axis, eng,
                                        on_done=partial(_advance, progress, g))
            records = [b.as_dict() for b in found]
            (tmp / "breakeven.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
            _csv(tmp / "breakeven.csv", records)
            lv = rating_levels(m, grid_rating)
            for c, rows in grids.items():
                _csv(tmp / f"grid_{c}.csv", rows)
                plots.heatmap(rows, f"{deal.name}, case {c}: loss by write-off multiple and purchase-rate haircut "
                                    f"(other stresses at {grid_rating})", tmp / f"heatmap_{c}.png",
                              deal.class_names, mark=(lv.write_off_multiple, lv.purchase_haircut))
    except (ConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    finally:
        eng.close()
    cli.console.print(breakeven_table(found))
    cli.console.print(f"written: {out}")


def _csv(path: Path, rows: list[dict]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        if rows:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)


# ---------------------------------------------------------------- Monte Carlo
def montecarlo_tables(summary: dict) -> list[Table]:
    """The study's console tables; each row's key never wraps or is cut (the figures wrap),
    so they fit 100 columns."""
    from rich.table import Table

    t = Table(title=f"{summary['deal']}: {summary['paths']:,} paths, seed {summary['seed']} "
                    f"({summary['engine']}, {summary['workers']} workers, {summary['paths_per_second']} paths/s)",
              title_justify="left")
    t.add_column("class", no_wrap=True)
    for col in ("EL (万元)", "EL % of principal", "P(loss)", "99% loss", "99.9% loss", "max loss"):
        t.add_column(col, justify="right")
    for c in summary["class_losses"]:
        t.add_row(c["class"], _w(round(c["expected_loss_fen"])), f"{c['expected_loss_pct']:.4f}%",
                  f"{c['probability_of_loss']:.2%}", _w(round(c["loss_p99_fen"])),
                  _w(round(c["loss_p99.9_fen"])), _w(c["max_loss_fen"]))
    tr = Table(title="triggers", title_justify="left")
    tr.add_column("trigger", no_wrap=True)
    for col in ("probability", "median date", "10%-90% days"):
        tr.add_column(col, justify="right")
    for x in summary["triggers"]:
        if x["fired_paths"]:
            tr.add_row(x["trigger"], f"{x['probability']:.2%}", x["median_date"],
                       f"{x['day_p10']:.0f}-{x['day_p90']:.0f}")
    cm = summary["commingling"]
    ct = Table(title=f"commingling: P(loss) {cm['probability_of_loss']:.2%}, expected loss "
                     f"{_w(round(cm['expected_lost_fen']))} 万元, max {_w(cm['max_lost_fen'])}; peak exposure "
                     f"median {_w(round(cm['peak_p50_fen']))}, max {_w(cm['max_peak_fen'])}", title_justify="left")
    ct.add_column("incident kind", no_wrap=True)
    ct.add_column("paths", justify="right")
    classes = [c["class"] for c in summary["class_losses"]]
    for c in classes:
        ct.add_column(f"{c} EL added (万元)", justify="right")
    for x in summary["incident_contributions"]:
        ct.add_row(x["kind"], f"{x['frequency']:.2%}",
                   *[f"{x[f'{c}_expected_contribution_fen'] / 1e6:,.4f}" for c in classes])
    tables = [t, tr, ct]
    rep = summary.get("servicer_replacement") or {}
    if rep.get("paths"):
        rt = Table(title=f"servicer replacement: {rep['share_of_paths']:.2%} of paths; its cost (万元; fee "
                         f"step-up + collections never collected) on those paths", title_justify="left")
        rt.add_column("figure", no_wrap=True)
        for col in ("mean", "50%", "90%", "99%", "max"):
            rt.add_column(col, justify="right")
        rt.add_row("cost", *[_w(round(rep[k])) for k in
                             ("mean_cost_fen", "cost_p50_fen", "cost_p90_fen", "cost_p99_fen", "max_cost_fen")])
        parts = [("fee step-up", "mean_fee_step_up_fen"), ("never collected", "mean_collections_lost_fen"),
                 ("paid late (deferred)", "mean_deferred_fen"),
                 ("commingling lost (beside)", "mean_commingling_lost_fen"),
                 *[(f"{c} loss caused", f"mean_{c}_loss_fen") for c in classes]]
        for label, key in parts:
            if rep.get(key) is not None:
                rt.add_row(label, _w(round(rep[key])), "", "", "", "")
        tables.append(rt)
    if summary.get("breaks"):
        bt = Table(title="reconciliation breaks: days open (median, 90%, max)", title_justify="left")
        bt.add_column("cause", no_wrap=True)
        for col in ("paths", "breaks", "open at end", "p50", "p90", "max"):
            bt.add_column(col, justify="right")
        for x in summary["breaks"]:
            bt.add_row(x["cause"], f"{x['frequency']:.2%}", f"{x['breaks']:,}", f"{x['never_resolved']:,}",
                       f"{x['days_open_p50']:.0f}", f"{x['days_open_p90']:.0f}", f"{x['max_days_open']}")
        tables.append(bt)
    return tables


@app.command()
def montecarlo(
    config: Annotated[Path, typer.Argument(metavar="DEAL", help="deal file (YAML)")],
    out: Annotated[Path, typer.Option(
        metavar="PATH", parser=output_path, help="output folder (paths.parquet, tables, plots)")],
    paths: Annotated[int, typer.Option(
        max=MAX_PATHS, help="number of paths (at least 1; at most what memory holds, checked first)")] = 1000,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED,
                                      help="the study's seed (paths are its SeedSequence children)")] = 0,
    scenario: Scenario = None,
    operational: Annotated[Path | None, typer.Option(
        help="operational-risk file (default: configs/montecarlo/operational.yaml beside the deal)")] = None,
    credit: Annotated[Path | None, typer.Option(
        help="credit-risk file (default: configs/montecarlo/credit.yaml beside the deal)")] = None,
    no_operational: Annotated[bool, typer.Option("--no-operational", help="no sampled incidents")] = False,
    no_credit: Annotated[bool, typer.Option("--no-credit", help="pool parameters fixed at the deal's")] = False,
    attribution: Annotated[bool, typer.Option(
        help="re-run paths without each incident kind to attribute loss")] = True,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    workers: Workers = None,
) -> None:
    """Monte Carlo of credit and operational luck: loss per class, triggers, commingling, incidents,
    breaks, the cost of a servicer replacement."""
    from trustsim.risk.credit import load_credit
    from trustsim.risk.montecarlo import check_study, run_montecarlo, write_study
    from trustsim.risk.operational import load_operational
    from trustsim.risk.paths import Study

    if paths < 1:
        raise fail(f"--paths: must be at least 1, got {paths}")
    if seed < 0:
        raise fail(f"--seed: must be non-negative, got {seed}")
    deal = _deal(config, scenario)
    mc_dir = config.resolve().parent.parent / "montecarlo"
    try:
        op = None if no_operational else load_operational(
            _beside(config, operational, mc_dir / "operational.yaml", "--operational"), deal)
        cr = None if no_credit else load_credit(_beside(config, credit, mc_dir / "credit.yaml", "--credit"))
        study = Study(deal, cr, op, seed, attribution)
        check_study(study, paths)
    except (ConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    check_folder_target(out, "montecarlo", "--out")
    eng = _engine(engine, workers, scheduler)
    try:
        with _progress() as progress:
            task = progress.add_task(f"{paths:,} paths", total=paths)
            res = run_montecarlo(study, paths, eng, on_paths=lambda n: progress.advance(task, n))
        res.meta["scenarios"] = list(scenario or [])
        summary = write_study(res, out)
    except (ConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    finally:
        eng.close()
    for t in montecarlo_tables(summary):
        cli.console.print(t)
    cli.console.print(f"written: {out}")
