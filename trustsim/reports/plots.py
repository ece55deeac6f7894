"""The report's plots, drawn with matplotlib's Agg backend into PNG bytes.

Why PNG bytes: the same image is written as a file next to the report and embedded in
the HTML as a data URI, so the page opens offline with nothing to fetch. Agg needs no
display, so reports build on a server or in CI. Amounts are shown in 万元 (10k CNY), the
unit of the rating report (labelled "wan": the plot font has no CJK glyphs).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: must precede pyplot

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from trustsim.reports.data import ReportData, cash_order

FEN_PER_WAN = 1_000_000
COLORS = {"period": "#1f77b4", "issuance": "#2ca02c", "incident": "#ff7f0e", "trigger": "#d62728"}


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})  # no version stamp: same inputs, same bytes
    plt.close(fig)
    return buf.getvalue()


def _wan(values: list[int]) -> list[float]:
    return [v / FEN_PER_WAN for v in values]


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=3))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")
    ax.grid(alpha=0.3)


def balances(rd: ReportData) -> bytes:
    """The money at the servicer on every calendar day vs the trust's accounts at each business
    day's close: the commingling exposure, weekends and holidays included."""
    fig, ax = plt.subplots(figsize=(10, 4))
    labels = {"trust_account": ("trust account (custodian), business days", "#2ca02c"),
              "eligible_investments": ("eligible investments (reserve), business days", "#7f7f7f")}
    for account, (label, colour) in labels.items():
        if account in rd.accounts and len(rd.accounts[account]) == len(rd.dates):
            ax.plot(rd.dates, _wan(rd.accounts[account]), label=label, color=colour, linewidth=0.9)
    ex = rd.exposure
    if ex.dates:
        ax.plot(ex.dates, _wan(ex.peak), color="#c55a11", linewidth=0.6, alpha=0.6,
                label="at the servicer, intraday peak")
        ax.plot(ex.dates, _wan(ex.balance), color="#1f77b4", linewidth=1.2,
                label="collection account (at the servicer: commingling), every calendar day")
        top, when = ex.top()
        if when is not None:
            ax.annotate(f"{top / FEN_PER_WAN:,.0f} on {when.isoformat()}", (when, top / FEN_PER_WAN),
                        fontsize=7, xytext=(6, -4), textcoords="offset points")
    ax.set_ylabel("wan (10k CNY), at 24:00 unless a peak")
    ax.set_title("Daily balances: at the servicer (every calendar day) and in the trust account")
    ax.legend(loc="upper right", fontsize=8)
    _date_axis(ax)
    return _png(fig)


def npl_line_label(rd: ReportData) -> str:
    """How the NPL trigger's threshold is named: by its clause, e.g. "trigger (e) line"."""
    return f"trigger ({rd.npl_clause}) line" if rd.npl_clause else "NPL trigger line"


def pool(rd: ReportData) -> bytes:
    """Pool balance, and the NPL ratio against the NPL trigger's line (if the deal has one)."""
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(rd.dates, _wan(rd.pool_outstanding), color="#1f77b4", label="pool outstanding")
    ax.plot(rd.dates, _wan(rd.notes_outstanding), color="#7f7f7f", linestyle=":",
            label="notes outstanding")
    ax.set_ylabel("wan (10k CNY)")
    _date_axis(ax)
    ax2 = ax.twinx()
    ax2.plot(rd.dates, [r / 10_000 for r in rd.npl_ratio_ppm], color="#d62728",
             label="NPL ratio")
    threshold = rd.npl_threshold_ppm / 10_000
    if rd.npl_clause is not None:
        ax2.axhline(threshold, color="#d62728", linestyle="--", linewidth=1,
                    label=f"{npl_line_label(rd)} {threshold:g}%")
    ax2.set_ylabel("NPL ratio (%)")
    top = max([threshold * 1.3] + [r / 10_000 * 1.1 for r in rd.npl_ratio_ppm]) or 1.0
    ax2.set_ylim(0, top)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper right", fontsize=8)
    ax.set_title("Pool balance and asset NPL ratio")
    return _png(fig)


def notes(rd: ReportData) -> bytes:
    fig, ax = plt.subplots(figsize=(10, 4))
    for cls, values in rd.note_balances.items():
        ax.step(rd.note_dates, _wan(values), where="post", label=cls)
    ax.set_ylabel("wan (10k CNY) outstanding")
    ax.set_title("Note balances by class")
    ax.legend(loc="upper right", fontsize=8)
    _date_axis(ax)
    return _png(fig)


def cash_flows(rd: ReportData) -> bytes:
    """What each payment date paid, stacked by what it paid for."""
    fig, ax = plt.subplots(figsize=(10, 4))
    cats = [c for c in cash_order(rd.classes) if any(c in f for *_x, f in rd.cash_flows)]
    cats += sorted({c for *_x, f in rd.cash_flows for c in f} - set(cats))
    xs = list(range(len(rd.cash_flows)))
    bottom = [0.0] * len(xs)
    for cat in cats:
        vals = [f.get(cat, 0) / FEN_PER_WAN for *_x, f in rd.cash_flows]
        ax.bar(xs, vals, bottom=bottom, label=cat)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_xticks(xs, [d.isoformat() for _s, d, _w, _f in rd.cash_flows], rotation=60,
                  ha="right", fontsize=7)
    ax.set_yscale("symlog", linthresh=100)
    ax.set_ylabel("wan (10k CNY) paid, symlog scale")
    ax.set_title("Cash flow of each payment date")
    ax.legend(loc="upper left", fontsize=7, ncols=2)
    ax.grid(alpha=0.3, axis="y")
    return _png(fig)


def timeline(rd: ReportData) -> bytes:
    fig, ax = plt.subplots(figsize=(10, 3))
    levels = {"period": 3, "issuance": 2, "incident": 1, "trigger": 0}
    for m in rd.milestones:
        y = levels.get(m.category, 1)
        ax.plot([m.date], [y], marker="o", color=COLORS.get(m.category, "#333"), markersize=6)
    if rd.dates:
        ax.set_xlim(min(rd.dates[0], *(m.date for m in rd.milestones)),
                    max(rd.dates[-1], *(m.date for m in rd.milestones)))
    ax.set_yticks(list(levels.values()), list(levels.keys()))
    ax.set_ylim(-0.7, 3.7)
    ax.set_title("Timeline of key events")
    _date_axis(ax)
    return _png(fig)


#: file name -> (title, function); see :func:`title` for ``{ against the npl_line}``
PLOTS = {
    "timeline.png": ("Timeline of key events", timeline),
    "balances.png": ("Daily balances: at the servicer (every calendar day) and in the trust account",
                     balances),
    "pool.png": ("Pool balance and NPL ratio{ against the npl_line}", pool),
    "notes.png": ("Note balances", notes),
    "cash_flows.png": ("Cash flow of each payment date", cash_flows),
}


def title(template: str, rd: ReportData) -> str:
    """A plot's title for this run: ``{ against the npl_line}`` names the deal's NPL trigger by
    its clause (" against the trigger (e) line"), or nothing if the deal has none."""
    against = f" against the {npl_line_label(rd)}" if rd.npl_clause else ""
    return template.replace("{ against the npl_line}", against)
