"""``trustsim pool generate | strats | validate | curves``: loan tapes and their behaviour.

* ``generate`` writes a synthetic tape reproducing the report's strata (docs/pool.md);
* ``strats`` prints a tape's stratification tables beside the report's;
* ``validate`` checks a tape against the schema and counts eligibility failures;
* ``curves`` runs static pools of new business and writes their cumulative 30+ days
  overdue curves (the report's Figure 2) as CSV and PNG, printing the calibration
  figures beside the report's.

A bad tape or flag exits with status 2 naming the row, column or flag; files are written
under a temporary name and renamed, so nothing is left half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from trustsim import cli
from trustsim.atomic import atomic_dir, check_file_target, check_folder_target
from trustsim.cli import app, fail, output_path
from trustsim.config.bounds import MAX_SEED

if TYPE_CHECKING:
    from rich.table import Table

pool_app = typer.Typer(help="Loan tapes: generate, stratify, validate; static-pool curves.",
                       no_args_is_help=True)
app.add_typer(pool_app, name="pool")

DEFAULT_DEAL = Path("configs/deals/dongdao3_2020_1_loans.yaml")
AsOf = Annotated[str | None, typer.Option(
    "--as-of", help="YYYY-MM-DD: the tape's date, if its file does not say it")]


def _date(text: str | None, flag: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"{flag}: {text!r} is not a date (YYYY-MM-DD)") from None


def _read(path: Path, as_of: str | None):
    from trustsim.pool.tape import TapeError, read_tape

    try:
        return read_tape(path, _date(as_of, "--as-of"))
    except TapeError as exc:
        raise fail(str(exc)) from None


@pool_app.command()
def generate(
    out: Annotated[Path, typer.Option(metavar="PATH", parser=output_path, help="the tape to write (.parquet)")],
    scale: Annotated[float, typer.Option(help="share of the report's 2,862,432 receivables")] = 1.0,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="the tape's seed")] = 20200727,
    as_of: AsOf = None,
) -> None:
    """Write a synthetic tape whose strata reproduce the report's simulated pool."""
    from trustsim.pool.generator import REFERENCE_DATE, GeneratorError
    from trustsim.pool.generator import generate as gen
    from trustsim.pool.tape import write_tape

    if out.suffix.lower() != ".parquet":
        raise fail(f"--out: {out} must end in .parquet")
    if not 0 < scale <= 10:
        raise fail(f"--scale: {scale} is outside (0, 10]")
    check_file_target(out, "tape", "--out")
    try:
        tape = gen(scale, seed, _date(as_of, "--as-of") or REFERENCE_DATE)
    except GeneratorError as exc:
        raise fail(f"--scale: {exc}") from None
    write_tape(tape, out, "--out")
    cli.console.print(f"{out}: {len(tape):,} receivables, principal {tape.principal_fen / 1e6:,.2f} "
                      f"wan, as of {tape.as_of.isoformat()} (seed {seed}, scale {scale})")


def strata_tables(tape) -> list[Table]:
    """The report's Tables 5-11 beside the tape's, as rich tables."""
    from rich.table import Table

    from trustsim.data import report
    from trustsim.pool import strata

    held = strata.held(tape)
    out = []
    tab5 = report()["pool_summary_table5"]
    t = Table(title="Table 5: pool summary", title_justify="left")
    for col in ("figure", "tape", "report"):
        t.add_column(col, justify="right" if col != "figure" else "left")
    for key, value in strata.summary(held).items():
        ref = tab5.get(key)
        fmt = "{:,.0f}" if key in ("obligors", "receivables") else "{:,.2f}"
        t.add_row(strata.SUMMARY_LABELS[key], fmt.format(value),
                  fmt.format(ref) if ref is not None else "-")
    out.append(t)
    for tb in strata.tables(held):
        t = Table(title=tb.name, title_justify="left")
        for col in ("bucket", "count", "report count", "principal (万元)", "report principal",
                    "share %", "report share %", "diff pp"):
            t.add_column(col, justify="left" if col == "bucket" else "right")
        for r in tb.rows:
            share, ref = tb.share_pct(r), tb.report_share_pct(r)
            t.add_row(r.label, f"{r.count:,}",
                      f"{r.report_count:,}" if r.report_count is not None else "-",
                      f"{r.principal_fen / 1e6:,.2f}",
                      f"{r.report_principal_wan:,.2f}" if r.report_principal_wan is not None else "-",
                      f"{share:.2f}", f"{ref:.2f}" if ref is not None else "-",
                      f"{share - ref:+.2f}" if ref is not None else "-")
        out.append(t)
    return out


@pool_app.command()
def strats(
    tape: Annotated[Path, typer.Argument(help="a tape (.parquet or .csv)")],
    as_of: AsOf = None,
) -> None:
    """Print the tape's stratification tables beside the report's (DEAL.md §10)."""
    t = _read(tape, as_of)
    cli.console.print(f"{tape}: {len(t):,} receivables as of {t.as_of.isoformat()} "
                      "(stratified: those held by the trust with a balance)")
    for table in strata_tables(t):
        cli.console.print(table)


@pool_app.command()
def validate(
    tape: Annotated[Path, typer.Argument(help="a tape (.parquet or .csv)")],
    as_of: AsOf = None,
) -> None:
    """Check a tape against the schema (docs/pool.md); count eligibility failures as of its date."""
    import numpy as np
    from rich.table import Table

    from trustsim.pool import eligibility
    from trustsim.pool.tape import day_number

    t = _read(tape, as_of)
    cli.console.print(f"{tape}: valid — {len(t):,} receivables, {len(np.unique(t['obligor_id'])):,} "
                      f"obligors, principal {t.principal_fen / 1e6:,.2f} wan, as of "
                      f"{t.as_of.isoformat()}")
    cols = dict(t.columns)
    cols["late_since"] = np.where(t["dpd"] > 0, day_number(t.as_of) - t["dpd"], -1)
    owed: dict[int, int] = {}
    for o, p in zip(t["obligor_id"].tolist(), t["principal_fen"].tolist(), strict=True):
        owed[o] = owed.get(o, 0) + p
    ctx = eligibility.Context(day_number(t.as_of), day_number(t.as_of), eligibility.Rules(),
                              obligor_balance=lambda ids: np.zeros(len(ids), np.int64))
    fails = eligibility.failures(cols, ctx)
    over = sum(1 for v in owed.values() if v > eligibility.Rules().max_obligor_fen)
    fails["(d) d_obligor_within_limit"] = over
    table = Table(title="eligibility as of the tape's date (criteria (a)-(i), DEAL.md §7)",
                  title_justify="left")
    table.add_column("criterion")
    table.add_column("failing", justify="right")
    for name, n in fails.items():
        table.add_row(name + (" (obligors)" if name.startswith("(d)") else ""), f"{n:,}")
    cli.console.print(table)


@pool_app.command()
def curves(
    out: Annotated[Path, typer.Option(
        metavar="PATH", parser=output_path, help="folder for static_pool_curves.csv and .png")] = Path("runs/curves"),
    deal: Annotated[Path, typer.Option(help="loan-level deal whose behaviour to use")] = DEFAULT_DEAL,
    tape: Annotated[Path | None, typer.Option(help="tape whose mix new business follows "
                                              "(default: generated at --scale)")] = None,
    scale: Annotated[float, typer.Option(help="generated tape's scale")] = 0.05,
    vintages: Annotated[int, typer.Option(min=1, max=60, help="monthly vintages")] = 12,
    vintage_scale: Annotated[float, typer.Option(
        help="each vintage's principal, as a share of the report's pool")] = 0.05,
    months: Annotated[int, typer.Option(min=1, max=36, help="months on the curves")] = 24,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED)] = 1,
) -> None:
    """Static-pool cumulative 30+ dpd curves by vintage (Figure 2) and the calibration figures."""
    from rich.table import Table

    from trustsim.config import ConfigError, load_deal
    from trustsim.pool import static_pool
    from trustsim.pool.behaviour import Behaviour
    from trustsim.pool.generator import GeneratorError, generate

    check_folder_target(out, "curves", "--out")
    if not 0 < vintage_scale <= 1:
        raise fail(f"--vintage-scale: {vintage_scale} is outside (0, 1]")
    if not 0 < scale <= 10:
        raise fail(f"--scale: {scale} is outside (0, 10]")
    try:
        cfg = load_deal(deal)
    except ConfigError as exc:
        hint = (" (the default is relative to trustsim's own folder: run from there, or give --deal)"
                if deal == DEFAULT_DEAL else "")
        raise fail(f"--deal: {exc}{hint}") from None
    if cfg.pool.kind != "loan_level":
        raise fail(f"--deal: {deal}: pool.kind is {cfg.pool.kind!r}; curves need loan_level")
    if tape is not None:
        t = _read(tape, None)
    else:
        try:
            t = generate(scale, cfg.pool.tape_seed)
        except GeneratorError as exc:
            raise fail(f"--scale: {exc}") from None
    from trustsim.data import report

    initial_wan = report()["pool_summary_table5"]["outstanding_principal"]
    vintage_fen = int(initial_wan * 1_000_000 * vintage_scale)
    sp = static_pool.run(t, Behaviour.from_config(cfg.pool.behaviour), vintages, vintage_fen, seed)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["vintage", "months_since_origination", "cumulative_30dpd_pct"])
    for v in sp.vintages:
        label = f"{1970 + v.month // 12}-{v.month % 12 + 1:02d}"
        for m, pct in enumerate(v.cumulative_30(months)):
            w.writerow([label, m, f"{pct:.4f}"])
    png = _plot(sp, months)
    with atomic_dir(out, "curves", "--out") as tmp:
        (tmp / "static_pool_curves.csv").write_bytes(buf.getvalue().encode())
        (tmp / "static_pool_curves.png").write_bytes(png)
    table = Table(title=f"calibration: {vintages} static pools of new business (DEAL.md §11)",
                  title_justify="left")
    for col in ("figure", "simulated", "report", "relative", "vintage spread (sd)"):
        table.add_column(col, justify="right" if col != "figure" else "left")
    import numpy as np

    for key, target in static_pool.TARGETS.items():
        vals = [getattr(v, key) for v in sp.vintages]
        got = float(np.mean(vals))
        table.add_row(key.replace("_pct", " (%)").replace("_", " "), f"{got:.2f}", f"{target:.2f}",
                      f"{100 * (got / target - 1):+.1f}%", f"{np.std(vals):.2f}")
    cli.console.print(table)
    cli.console.print(f"wrote {out / 'static_pool_curves.csv'} and {out / 'static_pool_curves.png'}")


def _plot(sp, months: int) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    for v in sp.vintages:
        label = f"{1970 + v.month // 12}-{v.month % 12 + 1:02d}"
        ax.plot(range(months + 1), v.cumulative_30(months), linewidth=1, label=label)
    ax.set_xlabel("months since origination")
    ax.set_ylabel("cumulative 30+ days overdue (% of initial principal)")
    ax.set_title("Static pools: cumulative 30+ dpd by monthly vintage (cf. the report's Figure 2)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
