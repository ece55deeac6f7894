"""``trustsim audit | query | report``: read a run folder back, check it, ask it, publish it.

These commands read only the run folder, so they work on any log a run ever wrote.
User errors — a missing folder, a log that is not a trustsim log, SQL that does not
parse — exit with status 2 and one line saying what to fix; an audit that finds a
breach exits with status 1. Outputs are written under a temporary name and renamed, so
nothing is ever half-written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

from trustsim import cli
from trustsim.atomic import JSON_HEADER, check_file_target, check_folder_target, json_header, write_bytes_atomic
from trustsim.cli import app, fail, output_path

if TYPE_CHECKING:  # rich loads when a command prints (trustsim.cli)
    from rich.progress import Progress
    from rich.table import Table

RunDir = Annotated[Path, typer.Argument(metavar="RUN_DIR", help="run folder written by `trustsim run`")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")]


def _load(run_dir: Path):
    from trustsim.audit import RunFolderError, TermsError, load
    from trustsim.calendar import CalendarRangeError

    try:
        return load(run_dir)
    except (RunFolderError, TermsError, CalendarRangeError) as exc:
        raise fail(str(exc)) from None


def _progress(quiet: bool) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=cli.console, transient=True, disable=quiet)




def audit_table(report, limit: int) -> Table:
    """One row a check. Fits 100 columns: no heading is cut; the check's name and its
    result never wrap, the clause and the offending seqs wrap within their cells."""
    from rich import box
    from rich.table import Table

    t = Table(title=f"audit of {report.run_dir} ({report.events} events)", title_justify="left",
              box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for col, kw in (("check", {"no_wrap": True}), ("clause", {"overflow": "fold", "max_width": 14}),
                    ("result", {"no_wrap": True, "min_width": 7}),
                    ("checked", {"justify": "right", "no_wrap": True, "min_width": 7}),
                    ("failures", {"justify": "right", "no_wrap": True, "min_width": 8}),
                    ("offending seq", {"overflow": "fold", "min_width": 13})):
        t.add_column(col, **kw)
    style = {"pass": "[green]pass[/]", "fail": "[bold red]FAIL[/]", "skipped": "[yellow]skipped[/]"}
    for r in report.results:
        seqs = [str(f.seq) for f in r.findings if f.seq is not None][:limit]
        more = len(r.findings) - len(seqs)
        cell = ", ".join(seqs) + (f" (+{more})" if more > 0 and seqs else "")
        if not seqs and r.findings:
            cell = "(not an event)"
        t.add_row(r.name, r.clause, style[r.status], str(r.checked), str(len(r.findings)), cell)
    return t


@app.command()
def audit(
    run_dir: RunDir,
    json_out: Annotated[Path | None, typer.Option(
        "--json", metavar="PATH", parser=output_path,
        help="also write the results as JSON to this file ('-' for stdout)")] = None,
    parquet: Annotated[Path | None, typer.Option(
        metavar="PATH", parser=output_path, help="export the log's views as Parquet files into this folder")] = None,
    limit: Annotated[int, typer.Option(min=1, help="findings listed per failing check")] = 10,
    quiet: Quiet = False,
) -> None:
    """Check the contract from a run's log alone; exit 1 if any check fails."""
    from trustsim.audit import audit as run_audit
    from trustsim.audit.checks import CHECKS
    from trustsim.audit.db import export_parquet

    log = _load(run_dir)
    if json_out is not None and str(json_out) != "-":
        check_file_target(json_out, "audit", "--json")
    if parquet is not None:
        check_folder_target(parquet, "audit-parquet", "--parquet")
    with _progress(quiet) as progress:
        task = progress.add_task("loading the log into DuckDB", total=len(CHECKS) + 1)
        log.db  # noqa: B018 - load now, so the bar shows it
        progress.advance(task)
        progress.update(task, description="checking the contract")
        report = run_audit(log, on_check=lambda _c: progress.advance(task))
    doc = {JSON_HEADER: json_header("audit"), **report.to_dict()}
    data = orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    if parquet is not None:
        export_parquet(log.db, parquet)
    if json_out is not None and str(json_out) != "-":
        write_bytes_atomic(json_out, data + b"\n", "audit", "--json")
    if json_out is not None and str(json_out) == "-":
        sys.stdout.buffer.write(data + b"\n")
    else:
        from rich.markup import escape

        cli.console.print(audit_table(report, limit))
        for r in report.results:
            for f in r.findings[:limit]:
                where = f"seq {f.seq} ({f.date})" if f.seq is not None else "summary"
                cli.console.print(f"[red]{r.name}[/] {where}: {escape(f.message)}", soft_wrap=True)
        verdict = "[green]all checks pass[/]" if report.passed else "[bold red]checks failed[/]"
        cli.console.print(verdict)
    if not report.passed:
        raise typer.Exit(code=1)


def _views_table() -> Table:
    from rich.table import Table

    from trustsim.audit.db import VIEWS

    t = Table(title="views (see docs/audit.md)", title_justify="left")
    t.add_column("view")
    t.add_column("columns")
    for name, (what, cols) in VIEWS.items():
        t.add_row(f"[bold]{name}[/]\n{what}", ", ".join(cols))
    return t


@app.command()
def query(
    run_dir: RunDir,
    sql: Annotated[str | None, typer.Argument(
        help="SQL over the views events, postings, payments, triggers, pool_daily, notes, "
             "accounts_daily, exposure_daily, waterfall_steps; omit to list them")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    max_rows: Annotated[int, typer.Option(min=1, help="rows shown in a table")] = 200,
) -> None:
    """Run SQL over a run's log (DuckDB, in-process), reading that run and nothing else.

    The SQL runs in a sandbox: no file can be read or written, no database attached, no
    extension installed or loaded, no setting changed.
    """
    if fmt not in ("table", "csv", "json"):
        raise fail(f"--format: {fmt!r} is not one of table, csv, json")
    import duckdb

    from trustsim.audit.db import sandbox

    log = _load(run_dir)
    if sql is None:
        cli.console.print(_views_table())
        return
    if not sql.replace(";", " ").strip():
        raise fail("SQL: no statement given; try a SELECT over the views (trustsim query RUN_DIR lists them)")
    try:
        cur = sandbox(log.db).execute(sql)
        if cur is None or cur.description is None:
            raise fail("the statement returns no rows: use a SELECT over the views")
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        if isinstance(exc, duckdb.PermissionException) or "configuration has been locked" in first:
            raise fail(f"refused: a query reads this run's views and nothing else (no files, "
                       f"databases, extensions or settings) — {first}") from None
        raise fail(f"bad SQL: {first}") from None
    if fmt == "json":
        typer.echo(orjson.dumps([dict(zip(cols, r, strict=True)) for r in rows],
                                default=str, option=orjson.OPT_INDENT_2).decode())
        return
    if fmt == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        return
    from rich.markup import escape
    from rich.table import Table

    t = Table(title_justify="left", caption=f"{len(rows)} row(s)")
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in rows[:max_rows]:
        t.add_row(*("" if v is None else escape(str(v)) for v in r))
    cli.console.print(t)
    if len(rows) > max_rows:
        cli.console.print(f"(first {max_rows} of {len(rows)} rows; --max-rows or --format csv)")


@app.command()
def report(
    run_dir: RunDir,
    out: Annotated[Path | None, typer.Option(
        metavar="PATH", parser=output_path, help="report folder (default: RUN_DIR/report)")] = None,
    lang: Annotated[str, typer.Option(
        "--lang", metavar="zh|en|both",
        help="language of the trustee reports (受托机构报告), one HTML and PDF per payment date")] = "both",
    quiet: Quiet = False,
) -> None:
    """Write the HTML report, its plots as PNG, and the trustee and servicer reports."""
    from trustsim.reports import build_report
    from trustsim.reports.fonts import FontMissingError

    if lang not in ("zh", "en", "both"):
        raise fail(f"--lang: {lang!r} is not one of zh, en, both")
    langs = ("zh", "en") if lang == "both" else (lang,)
    log = _load(run_dir)
    target = out if out is not None else run_dir / "report"
    with _progress(quiet) as progress:
        task = progress.add_task("writing the report", total=None)

        def step(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total)

        try:
            result = build_report(log, target, on_step=step, langs=langs)
        except FontMissingError as exc:
            raise fail(str(exc)) from None
    if not quiet:
        cli.console.print(f"report: {result.html}")
        cli.console.print(f"plots: {', '.join(p.name for p in result.plots)}")
        cli.console.print(f"trustee reports: {result.trustee_count} payment dates "
                          f"({', '.join(langs)}: {len(result.documents)} documents in "
                          f"{target / 'trustee'}); servicer reports: {result.servicer_count} months")
