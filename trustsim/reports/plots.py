"""The report's plots, drawn with matplotlib's Agg backend into PNG bytes.

Why PNG bytes: the same image is written as a file next to the report and embedded in
the HTML as a data URI, so the page opens offline with nothing to fetch. Agg needs no
display, so reports build on a server or in CI. Amounts are shown in 万元 (10k CNY), the
unit of the rating report, drawn in the packaged Noto Sans SC (:mod:`.fonts`), so the
Chinese shows on a machine without Chinese fonts.

Readable by rule: linear axes only (what a bar's height says is its amount); legends
outside the axes, never over the data; classes in order of seniority; a payment date's
rollover (a series repaid from the next series' proceeds) on its own panel, so both the
rollovers and the waterfall's payments fit their scales.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: must precede pyplot

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from trustsim.reports.data import ReportData, cash_order
from trustsim.reports.fonts import use_in_matplotlib

FEN_PER_WAN = 1_000_000
COLORS = {"period": "#1f77b4", "issuance": "#2ca02c", "incident": "#ff7f0e", "trigger": "#d62728"}


def _figure(rows: int = 1, height: float = 4.0, **kw):
    """A figure in the report's font (the packaged CJK font first)."""
    use_in_matplotlib()
    return plt.subplots(rows, 1, figsize=(10, height), **kw)


def _legend_outside(ax, handles=None, labels=None, ncols: int = 1) -> None:
    """The legend to the right of the axes: it never covers the data."""
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  ncols=ncols, frameon=False, borderaxespad=0.0)


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
    fig, ax = _figure()
    ax.plot(rd.dates, _wan(rd.pool_outstanding), color="#1f77b4", label="pool outstanding")
    ax.plot(rd.dates, _wan(rd.notes_outstanding), color="#7f7f7f", linestyle=":",
            label="notes outstanding")
    ax.set_ylabel("万元 (10k CNY)")
    ax.set_ylim(bottom=0)
    _date_axis(ax)
    ax2 = ax.twinx()
    ax2.plot(rd.dates, [r / 10_000 for r in rd.npl_ratio_ppm], color="#d62728",
             label="NPL ratio (right axis)")
    threshold = rd.npl_threshold_ppm / 10_000
    if rd.npl_clause is not None:
        ax2.axhline(threshold, color="#d62728", linestyle="--", linewidth=1,
                    label=f"{npl_line_label(rd)} {threshold:g}%")
    ax2.set_ylabel("NPL ratio (%)")
    top = max([threshold * 1.3] + [r / 10_000 * 1.1 for r in rd.npl_ratio_ppm]) or 1.0
    ax2.set_ylim(0, top)
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax2.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper left",
               bbox_to_anchor=(1.08, 1.0), fontsize=8, frameon=False, borderaxespad=0.0)
    ax.set_title("Pool balance and asset NPL ratio")
    return _png(fig)


def notes(rd: ReportData) -> bytes:
    """Each class's balance, most senior first (legend in that order)."""
    fig, ax = _figure()
    for cls in [c for c in rd.classes if c in rd.note_balances] + \
            [c for c in rd.note_balances if c not in rd.classes]:
        ax.step(rd.note_dates, _wan(rd.note_balances[cls]), where="post", label=cls)
    ax.set_ylabel("万元 (10k CNY) outstanding")
    ax.set_ylim(bottom=0)
    ax.set_title("Note balances by class (legend in order of priority)")
    _legend_outside(ax)
    _date_axis(ax)
    return _png(fig)


ROLLED = " (rolled from issuance proceeds)"


def cash_flows(rd: ReportData) -> bytes:
    """What each payment date paid, stacked by what it paid for (classes by seniority); a
    rolling class's series repaid from the next series' proceeds on a panel of its own."""
    rolled = [c for c in sorted({c for *_x, f in rd.cash_flows for c in f}) if c.endswith(ROLLED)]
    paid = [c for c in cash_order(rd.classes) if any(c in f for *_x, f in rd.cash_flows)]
    paid += sorted({c for *_x, f in rd.cash_flows for c in f} - set(paid) - set(rolled))
    rows = 2 if rolled else 1
    fig, axes = _figure(rows, 4.2 + 1.8 * (rows - 1), sharex=True, squeeze=False,
                        gridspec_kw={"height_ratios": [3, 1.4][:rows]})
    ax = axes[0][0]
    xs = list(range(len(rd.cash_flows)))
    labels = [d.isoformat() for _s, d, _w, _f in rd.cash_flows]

    def stack(axis, cats: list[str]) -> None:
        bottom = [0.0] * len(xs)
        for cat in cats:
            vals = [f.get(cat, 0) / FEN_PER_WAN for *_x, f in rd.cash_flows]
            axis.bar(xs, vals, bottom=bottom, label=cat.removesuffix(ROLLED))
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        axis.grid(alpha=0.3, axis="y")

    stack(ax, paid)
    ax.set_ylabel("万元 paid by the waterfall")
    ax.set_title("Cash flow of each payment date")
    _legend_outside(ax)
    last = ax
    if rolled:
        last = axes[1][0]
        stack(last, rolled)
        last.set_ylabel("万元 rolled over")
        last.set_title("Series repaid from the next series' issuance proceeds", fontsize=9)
        _legend_outside(last)
    last.set_xticks(xs, labels, rotation=60, ha="right", fontsize=7)
    return _png(fig)


#: file name -> (title, function); see :func:`title` for ``{ against the npl_line}``
PLOTS = {
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
