"""``trustsim run | validate | schema``: run a deal, check a deal file, print the config schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trustsim import cli
from trustsim.atomic import check_folder_target
from trustsim.cli import app, fail, output_path
from trustsim.config import ConfigError
from trustsim.config.bounds import MAX_SEED
from trustsim.money import wan

if TYPE_CHECKING:
    from rich.table import Table

    from trustsim.config import DealConfig

HolidayFileOpt = Annotated[Path | None, typer.Option(
    "--holiday-file", help="holiday file (docs/calendar.md): overrides the deal's calendar.holiday_file")]
UnpublishedOpt = Annotated[str | None, typer.Option(
    "--unpublished-years", help="refuse | weekends_only | fixed_date_holidays: overrides the deal's "
    "calendar.unpublished_years")]


def _calendar_overrides(holiday_file: Path | None, unpublished: str | None) -> dict | None:
    """The calendar flags as an overlay on the deal (a flag's file is relative to the current folder)."""
    cal: dict = {}
    if holiday_file is not None:
        cal.update(holiday_file=str(holiday_file.resolve()), holiday_file_sha256=None, years={})
    if unpublished is not None:
        from trustsim.calendar import POLICIES  # chinesecalendar only when the flag is given

        if unpublished not in POLICIES:
            raise fail(f"--unpublished-years: {unpublished!r} is not one of {', '.join(POLICIES)}")
        cal["unpublished_years"] = unpublished
    return {"calendar": cal} if cal else None


def _load(config: Path, scenario: list[str] | None, holiday_file: Path | None = None,
          unpublished: str | None = None) -> DealConfig:
    from trustsim.config import load_deal  # the models load only for a command that reads a deal

    try:
        return load_deal(config, scenario or (), _calendar_overrides(holiday_file, unpublished))
    except ConfigError as exc:
        raise fail(str(exc)) from None


def _fmt_wan(fen: int) -> str:
    return f"{wan(fen):,.2f}"


#: the summary table's columns: (heading, unit); every amount in 万元
SUMMARY_COLUMNS = (("class", ""), ("size", "万元"), ("issued", "万元"), ("repaid", "万元"),
                   ("interest/income", "万元"), ("loss", "万元"), ("paid in full", "yes/no"))


def summary_table(summary: dict, classes: list[str] | None = None) -> Table:
    """Each class once, most senior first: its size (a rolling class's size, not the sum of
    its series), what was issued over all its series, repaid, paid as interest or income,
    lost; every heading with its unit. Fits 100 columns with no figure or heading cut."""
    from rich import box
    from rich.table import Table

    t = Table(title=f"{summary['deal']} (seed {summary['seed']}, {summary['pool_kind']} pool)",
              title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for i, (name, unit) in enumerate(SUMMARY_COLUMNS):
        heading = f"{name}\n({unit})" if unit else name
        t.add_column(heading, justify="left" if i in (0, 6) else "right", no_wrap=True)
    notes = summary["notes"]
    order = [c for c in classes or [] if c in notes] + [c for c in notes if c not in (classes or [])]
    for name in order:
        n = notes[name]
        issued = n.get("principal_issued_fen", n["principal_fen"])
        t.add_row(name, _fmt_wan(n["principal_fen"]), _fmt_wan(issued), _fmt_wan(n["principal_paid_fen"]),
                  _fmt_wan(n["interest_paid_fen"]), _fmt_wan(n["loss_fen"]),
                  "yes" if n["paid_in_full"] else "[red]no[/]")
    return t


def print_summary(summary: dict, out_dir: Path | None, classes: list[str] | None = None) -> None:
    console = cli.console
    console.print(summary_table(summary, classes))
    re = summary["revolving_end"]
    console.print(f"revolving ended {re['date']} ({re['cause']}); trust terminated "
                  f"{summary['trust_termination_date']} ({summary['termination_cause']})")
    for name, n in summary["notes"].items():   # a rolling class: its series
        if "series_issued" in n:
            console.print(f"{name} series issued: {n['series_issued']} "
                          f"({_fmt_wan(n['principal_issued_fen'])} 万元 in all)")
    if summary["triggers"]:
        for trig in summary["triggers"]:
            console.print(f"[yellow]trigger[/] {trig['kind']} ({trig['clause']}) on {trig['date']}")
    else:
        console.print("triggers: none fired")
    cash = summary["cash"]
    console.print(
        f"collections {_fmt_wan(cash['collections_fen'])} 万元, revolving purchases "
        f"{_fmt_wan(cash['revolving_purchases_fen'])}, taxes {_fmt_wan(cash['taxes_fen'])}, "
        f"fees {_fmt_wan(cash['fees_fen'])}")
    cal = summary.get("calendar") or {}
    if cal.get("assumed_years"):
        console.print(f"[yellow]calendar:[/] {', '.join(map(str, cal['assumed_years']))} have no published "
                      f"holidays; business days assumed {cal['unpublished_years']} (calendar.unpublished_years)."
                      f" Figures resting on them: {', '.join(cal['flagged_figures']) or 'none'}")
    if out_dir is not None:
        console.print(f"run folder: {out_dir}")


@app.command()
def run(
    config: Annotated[Path, typer.Argument(metavar="DEAL", help="deal file (YAML)")],
    out: Annotated[Path | None, typer.Option(
        metavar="PATH", parser=output_path, help="run folder (default: the deal's run.out)")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, max=MAX_SEED, help="override the deal's seed (0 to 2**63 - 1)")] = None,
    scenario: Annotated[list[str] | None, typer.Option(
        metavar="NAME_OR_FILE",
        help="scenario overlay: a name in configs/scenarios or a YAML file; repeatable")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar or table")] = False,
    tape_at: Annotated[list[str] | None, typer.Option(
        "--tape-at", metavar="DATE", help="YYYY-MM-DD: write a loan-level pool's holdings and movements on that "
        "date into the run folder; repeatable")] = None,
    holiday_file: HolidayFileOpt = None,
    unpublished_years: UnpublishedOpt = None,
) -> None:
    """Run a deal from its effective date to trust termination and write the run folder."""
    from trustsim.calendar import CalendarRangeError
    from trustsim.pool.errors import GeneratorError, TapeAtError, TapeError
    from trustsim.sim.runner import simulate

    deal = _load(config, scenario, holiday_file, unpublished_years)
    dates = []
    for text in tape_at or ():
        try:
            dates.append(dt.date.fromisoformat(text))
        except ValueError:
            raise fail(f"--tape-at: {text!r} is not a date (YYYY-MM-DD)") from None
    flag = "--out" if out is not None else f"{config}: run.out"
    check_folder_target(out if out is not None else deal.run.out, "run", flag)
    try:
        if quiet:
            result = simulate(deal, out, seed, tape_at=dates, out_flag=flag)
        else:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("simulating {task.description}"), BarColumn(),
                          TextColumn("day {task.completed:.0f}"), TimeElapsedColumn(),
                          console=cli.console, transient=True) as progress:
                from trustsim.config import legal_maturity

                total = (legal_maturity(deal) - deal.dates.trust_effective_date).days
                task = progress.add_task(deal.name, total=total)
                result = simulate(deal, out, seed,
                                  on_day=lambda d: progress.update(task, completed=d),
                                  tape_at=dates, out_flag=flag)
    except (TapeError, TapeAtError, GeneratorError, CalendarRangeError) as exc:
        raise fail(str(exc)) from None
    if not quiet:
        print_summary(result.summary, result.out_dir, deal.class_names)


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(metavar="DEAL", help="deal file (YAML)")],
    scenario: Annotated[list[str] | None, typer.Option(
        metavar="NAME_OR_FILE", help="scenario overlay(s) to apply")] = None,
    holiday_file: HolidayFileOpt = None,
    unpublished_years: UnpublishedOpt = None,
) -> None:
    """Check a deal file (and scenario overlays) without running it."""
    deal = _load(config, scenario, holiday_file, unpublished_years)
    console = cli.console
    console.print(f"{config}: valid ({deal.name}, {deal.pool.kind} pool, "
                  f"{len(deal.incidents)} incident(s))")
    from trustsim.config import legal_maturity

    cal = deal.calendar.build(deal.dates.trust_effective_date, legal_maturity(deal))
    if cal.assumed_years:
        console.print(f"[yellow]calendar:[/] {', '.join(map(str, cal.assumed_years))} assumed "
                      f"{deal.calendar.unpublished_years} (no published holidays)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of a deal file."""
    from trustsim.config import DealConfig

    typer.echo(json.dumps(DealConfig.model_json_schema(), indent=2, ensure_ascii=False))


@app.command()
def events(
    markdown: Annotated[bool, typer.Option("--markdown", help="the table docs/events.md shows")] = False,
) -> None:
    """Print the audit log's event catalogue: each event, its actor, what it records, its fields."""
    from trustsim import catalogue

    if markdown:
        typer.echo(catalogue.markdown(), nl=False)
        return
    for name, spec in catalogue.EVENTS.items():
        typer.echo(f"{name:32s} {spec.actor:12s} {spec.description}")
        fields = [f"{k} {t.label}" for k, t in spec.fields.items()]
        fields += [f"{k}? {t.label}" for k, t in spec.optional.items()]
        typer.echo(f"{'':32s} {', '.join(fields)}")
